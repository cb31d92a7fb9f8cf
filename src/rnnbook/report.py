"""Tables and figures that report runs, so that pages show results, not formatting code.

Every function takes :class:`rnnbook.Run` records, from this build's
training (:class:`rnnbook.TrainingLog`) or from the committed study
(:func:`rnnbook.load_study`), and returns a table or a figure:

* :func:`runs_table`: one row per run (test result, epochs, timing);
* :func:`study_table`: one row per setup, over the study's seeds;
* :func:`gaps_table`: pairs of setups under the two-standard-error rule;
* :func:`strip_plot`: every seed of each setup as a dot, the mean as a bar;
* :func:`curves_plot`: a per-epoch curve of several runs on one axes.

A :class:`Table` shows as a numbered, captioned MyST table in the book
(``{numref}`` can point at it) and as an HTML table in Jupyter or Colab.
"""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .records import Run
from .stats import summarize

__all__ = ["Table", "curves_plot", "gaps_table", "runs_table", "strip_plot", "study_table"]

_NUMERIC = re.compile(r"^[+\-−]?[\d.,]")  # right-align columns of numbers
NBSP = "\u00a0"  # keeps "87.39 ± 0.35" on one line in a narrow column


class Table:
    """A captioned table: MyST ``{table}`` markdown for the book, HTML elsewhere.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows, already formatted (strings or numbers).
    caption : str
        One or two sentences; say where the numbers come from.
    name : str
        The label for ``{numref}``, for example ``"tbl-study"``.

    Examples
    --------
    >>> t = Table(pd.DataFrame({"model": ["a"], "accuracy": ["0.90"]}), "Caption.", "tbl-x")
    >>> print(t._repr_markdown_())
    :::{table} Caption.
    :name: tbl-x
    <BLANKLINE>
    | model   |   accuracy |
    |:--------|-----------:|
    | a       |       0.90 |
    :::
    """

    def __init__(self, frame: pd.DataFrame, caption: str, name: str):
        if not name.startswith("tbl-"):
            raise ValueError(f"table name {name!r} must start with 'tbl-', e.g. 'tbl-study'")
        self.frame, self.caption, self.name = frame, caption, name

    def _repr_markdown_(self) -> str:
        align = [
            "right" if all(_NUMERIC.match(str(v)) for v in self.frame[c]) else "left"
            for c in self.frame.columns
        ]
        body = self.frame.to_markdown(index=False, disable_numparse=True, colalign=align)
        return f":::{{table}} {self.caption}\n:name: {self.name}\n\n{body}\n:::"

    def _repr_html_(self) -> str:
        caption = f"<caption>{html.escape(self.caption)}</caption>"
        return self.frame.to_html(index=False).replace("<thead>", caption + "<thead>", 1)


def _percent(value: float) -> str:
    return f"{100 * value:.2f}"


def runs_table(runs, caption: str, name: str) -> Table:
    """One row per run: test accuracy and loss, epochs run, best epoch, seconds per epoch.

    Parameters
    ----------
    runs : list of Run, or dict of str to Run
        With a dict, its keys name the rows.
    caption, name : str
        See :class:`Table`.

    Examples
    --------
    >>> run = Run("m", 1, 10, {"val_loss": [0.5, 0.4]}, 0.35, 0.8712, [3.0, 2.0])
    >>> runs_table([run], "Caption.", "tbl-x").frame.iloc[0].tolist()
    ['m', '87.12', '0.3500', '2', '2', '2.5']
    """
    items = _labelled(runs)
    rows = [
        {
            "setup": label,
            "test accuracy (%)": _percent(run.test_accuracy),
            "test loss": f"{run.test_loss:.4f}",
            "epochs": str(run.epochs_run),
            "best epoch": str(run.best_epoch),
            "s / epoch": f"{run.seconds_per_epoch:.1f}",
        }
        for label, run in items
    ]
    return Table(pd.DataFrame(rows), caption, name)


def study_table(
    study, names, caption: str, name: str, extra: dict | None = None, on: str = "test"
) -> Table:
    """One row per setup over the study's seeds: mean ± std, range, medians.

    Parameters
    ----------
    study : rnnbook.study.Study
    names : list of str
        Setups, in the order of the rows.
    caption, name : str
        See :class:`Table`.
    extra : dict of str to dict, optional
        More columns: ``{column: {setup: value}}``, placed after the setup.
    on : {"test", "validation"}
        Which accuracy the mean, std and range are of (see
        :meth:`rnnbook.study.Study.summary`).

    Returns
    -------
    Table
        Columns: setup, seeds, mean ± std (%), range (%), epochs (median),
        best epoch (median), s / epoch (median).
    """
    stats = study.summary(names, on=on)
    rows = []
    for setup in names:
        s = stats[setup]
        row = {"setup": setup}
        for column, values in (extra or {}).items():
            row[column] = values[setup]
        row.update(
            {
                "seeds": s.n,
                "mean ± std (%)": f"{_percent(s.mean)}{NBSP}±{NBSP}{_percent(s.std)}",
                "range (%)": f"{_percent(s.min)}{NBSP}–{NBSP}{_percent(s.max)}",
                "epochs": f"{s.epochs_run:g}",
                "best epoch": f"{s.best_epoch:g}",
                "s / epoch": f"{s.seconds_per_epoch:.1f}",
            }
        )
        rows.append(row)
    return Table(pd.DataFrame(rows), caption, name)


def gaps_table(study, pairs, caption: str, name: str, on: str = "test") -> Table:
    """Pairs of setups under the 2 SE rule: the gap of means, twice its standard error, clear?

    Parameters
    ----------
    study : rnnbook.study.Study
    pairs : list of (str, str)
        ``(a, b)``: the gap is the mean of *a* minus the mean of *b*.
    caption, name : str
        See :class:`Table`.
    on : {"test", "validation"}
        Which accuracy is compared (see :meth:`rnnbook.study.Study.summary`).
    """
    rows = []
    for a, b in pairs:
        gap = study.compare(a, b, on=on)
        rows.append(
            {
                "setup a": a,
                "setup b": b,
                "a − b (points)": f"{gap.gap:+.2f}",
                "2 SE (points)": f"{gap.two_se:.2f}",
                "clear": "yes" if gap.clear else "no",
            }
        )
    return Table(pd.DataFrame(rows), caption, name)


def strip_plot(
    runs: list[Run],
    names=None,
    labels: dict | None = None,
    colors: dict | None = None,
    reference: dict | None = None,
    ax=None,
):
    """Every run's test accuracy as a dot, one column per setup, the mean as a bar.

    Parameters
    ----------
    runs : list of Run
        For example ``study.runs``.
    names : list of str, optional
        Setups to draw, in order (default: all, in order of appearance).
    labels : dict, optional
        Tick label per setup (default: the name).
    colors : dict, optional
        Colour per setup (default: one blue).
    reference : dict, optional
        A single value (%) per setup to mark with a grey diamond, such as
        the reference document's runs.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> runs = [Run("m", s, 10, {"val_loss": [0.5]}, 0.3, a, [2.0])
    ...         for s, a in ((1, 0.8), (2, 0.9))]
    >>> fig = strip_plot(runs, reference={"m": 85.0})
    >>> fig.axes[0].get_ylabel()
    'test accuracy (%)'
    """
    stats = summarize(runs)
    names = list(stats) if names is None else list(names)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
    for i, setup in enumerate(names):
        color = (colors or {}).get(setup, "#4477aa")
        values = [100 * r.test_accuracy for r in runs if r.name == setup]
        ax.scatter([i] * len(values), values, color=color, alpha=0.75, zorder=3)
        ax.hlines(100 * stats[setup].mean, i - 0.25, i + 0.25, color=color)
        if reference and setup in reference:
            ax.scatter(i + 0.3, reference[setup], marker="D", color="#bbbbbb", zorder=3)
    ticks = [(labels or {}).get(setup, setup) for setup in names]
    ax.set_xticks(range(len(names)), ticks, fontsize=8)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylabel("test accuracy (%)")
    ax.grid(axis="y", alpha=0.3)
    if reference:
        ax.scatter([], [], color="#4477aa", label="one dot per seed")
        ax.scatter([], [], marker="D", color="#bbbbbb", label="reference, one run")
        ax.legend(fontsize=8, loc="lower right")
    return ax.figure


def curves_plot(runs, metric: str = "val_loss", ax=None, mark_best: bool = False):
    """One metric per epoch for several runs on one axes.

    Parameters
    ----------
    runs : list of Run, or dict of str to Run
        With a dict, its keys label the curves.
    metric : str
        A key of each run's ``history``: ``"val_loss"``, ``"val_accuracy"``,
        ``"loss"`` or ``"accuracy"``. Accuracies are drawn in %.
    ax : matplotlib.axes.Axes, optional
    mark_best : bool
        Star each run's epoch of lowest validation loss.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a run has no such metric.
    """
    items = _labelled(runs)
    for label, run in items:
        if metric not in run.history:
            raise ValueError(
                f"run {label!r} has no {metric!r}: choose one of {sorted(run.history)}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    scale = 100 if "accuracy" in metric else 1
    for label, run in items:
        values = scale * np.asarray(run.history[metric])
        epochs = np.arange(1, len(values) + 1)
        (line,) = ax.plot(epochs, values, "o-", ms=4, label=label, alpha=0.85)
        if mark_best:
            best = run.best_epoch
            ax.plot(best, values[best - 1], "*", ms=14, color=line.get_color(), mec="k")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    names = {"val_loss": "validation loss", "val_accuracy": "validation accuracy (%)"}
    ax.set_ylabel(names.get(metric, metric.replace("accuracy", "accuracy (%)")))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax.figure


def _labelled(runs) -> list:
    """``(label, run)`` pairs: a dict's keys, or each run's name."""
    return list(runs.items()) if isinstance(runs, dict) else [(run.name, run) for run in runs]
