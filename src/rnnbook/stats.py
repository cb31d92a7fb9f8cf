"""Statistics over seeds: the summary of a setup's runs and the two-standard-error rule.

The book compares two setups with one rule, explained once in the
comparison chapter: with mean test accuracies :math:`m`, sample standard
deviations :math:`\\mathrm{sd}` and :math:`N` seeds, the gap between setups
*a* and *b* is *clear* when

.. math:: |m_a - m_b| > 2 \\sqrt{\\mathrm{sd}_a^2 / N_a + \\mathrm{sd}_b^2 / N_b},

twice the standard error of the difference of the means. With many seeds
it calls a gap that is not there about one time in twenty; with five seeds
a side, about one time in ten.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .records import Run

__all__ = ["Gap", "Summary", "compare", "summarize", "validation_accuracy"]


@dataclass(frozen=True)
class Summary:
    """Accuracy of one setup over its seeds (test accuracy unless said otherwise).

    Attributes
    ----------
    n : int
        Number of seeds.
    mean, std, min, max : float
        Accuracy as a fraction; ``std`` is the sample standard deviation
        (``ddof=1``).
    epochs_run, best_epoch, seconds_per_epoch : float
        Medians over the seeds.
    params : int
        Number of weights.
    """

    n: int
    mean: float
    std: float
    min: float
    max: float
    epochs_run: float
    best_epoch: float
    seconds_per_epoch: float
    params: int


@dataclass(frozen=True)
class Gap:
    """The gap between two setups' mean test accuracies, against the spread of the seeds.

    Attributes
    ----------
    gap : float
        Mean of *a* minus mean of *b*, in percentage points.
    two_se : float
        Twice the standard error of that difference, in points.
    clear : bool
        ``abs(gap) > two_se``.
    """

    gap: float
    two_se: float
    clear: bool


def validation_accuracy(run: Run, restored: bool) -> float:
    """Validation accuracy of the weights a run was tested with.

    Parameters
    ----------
    run : Run
    restored : bool
        Whether early stopping restored the weights of the epoch with the
        lowest validation loss (Keras' ``restore_best_weights=True``, which
        restores them at the end of training whether or not it stopped
        early). Otherwise the last epoch's weights were tested.

    Returns
    -------
    float
        The ``val_accuracy`` of that epoch.

    Raises
    ------
    ValueError
        If the run kept no validation accuracy.

    Examples
    --------
    >>> run = Run("m", 1, 10, {"val_loss": [0.5, 0.4, 0.45], "val_accuracy": [0.7, 0.8, 0.82]},
    ...           0.4, 0.79, [1.0, 1.0, 1.0])
    >>> validation_accuracy(run, restored=True), validation_accuracy(run, restored=False)
    (0.8, 0.82)
    """
    values = run.history.get("val_accuracy")
    if not values:
        raise ValueError(
            f"run {run.name!r} (seed {run.seed}) kept no val_accuracy: train it with "
            "metrics=['accuracy'] and a validation split"
        )
    return float(values[run.best_epoch - 1] if restored else values[-1])


def summarize(runs: list[Run], accuracy=None) -> dict[str, Summary]:
    """Summarize accuracy per setup, in the order setups first appear.

    Parameters
    ----------
    runs : list of Run
    accuracy : callable, optional
        ``accuracy(run)`` gives the number to summarize; the run's test
        accuracy by default.

    Returns
    -------
    dict of str to Summary

    Examples
    --------
    >>> runs = [Run("m", s, 10, {"val_loss": [0.5]}, 0.3, a, [2.0])
    ...         for s, a in ((1, 0.8), (2, 0.9))]
    >>> round(summarize(runs)["m"].mean, 4)
    0.85
    """
    out: dict[str, Summary] = {}
    for name in dict.fromkeys(run.name for run in runs):
        group = [run for run in runs if run.name == name]
        values = np.array(
            [run.test_accuracy if accuracy is None else accuracy(run) for run in group]
        )
        out[name] = Summary(
            n=len(group),
            mean=float(values.mean()),
            std=float(values.std(ddof=1)) if len(group) > 1 else float("nan"),
            min=float(values.min()),
            max=float(values.max()),
            epochs_run=float(np.median([run.epochs_run for run in group])),
            best_epoch=float(np.median([run.best_epoch for run in group])),
            seconds_per_epoch=float(np.median([run.seconds_per_epoch for run in group])),
            params=group[0].params,
        )
    return out


def compare(a: Summary, b: Summary) -> Gap:
    """Is the gap between two setups larger than the seeds explain (the 2 SE rule)?

    Parameters
    ----------
    a, b : Summary
        From :func:`summarize`.

    Returns
    -------
    Gap

    Raises
    ------
    ValueError
        If either side has fewer than two seeds: there is no spread to
        compare with.

    Examples
    --------
    >>> a = Summary(5, 0.87, 0.004, 0.86, 0.88, 10, 5, 6.0, 100)
    >>> b = Summary(5, 0.75, 0.02, 0.72, 0.78, 10, 5, 6.0, 100)
    >>> gap = compare(a, b)
    >>> round(gap.gap, 2), gap.clear
    (12.0, True)
    """
    if a.n < 2 or b.n < 2:
        raise ValueError(
            f"the 2 SE rule needs at least two seeds on each side, got {a.n} and {b.n}: "
            "train more seeds with `make study`"
        )
    gap = 100 * (a.mean - b.mean)
    two_se = 200 * float(np.sqrt(a.std**2 / a.n + b.std**2 / b.n))
    return Gap(gap=gap, two_se=two_se, clear=bool(abs(gap) > two_se))
