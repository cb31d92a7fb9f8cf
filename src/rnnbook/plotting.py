"""Plots shared by the training notebooks."""

from __future__ import annotations

import sys

import matplotlib.pyplot as plt

__all__ = ["crisp_figures", "plot_history"]


def crisp_figures() -> bool:
    """Draw inline figures at twice their size in pixels, shown at their size.

    Called when :mod:`rnnbook` is imported: in a Jupyter kernel (the book's
    build, Colab, Jupyter Lab) figures then stay sharp on high-density
    screens and when the site is zoomed. Elsewhere it does nothing.

    Returns
    -------
    bool
        Whether a Jupyter kernel was found and configured.

    Examples
    --------
    >>> crisp_figures()  # not in a Jupyter kernel
    False
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return False
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
    return True


crisp_figures()


def plot_history(history, title: str | None = None):
    """Plot accuracy and loss per epoch, on training and validation data.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        What ``Model.fit`` returns, or its ``.history`` dict, with keys
        ``accuracy`` and ``loss`` and optionally ``val_accuracy`` and
        ``val_loss``, or a :class:`rnnbook.Run`'s ``history``; a history
        with validation values only (as the study's earliest runs kept) is
        plotted too.
    title : str, optional
        Title above both panels.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the history has neither training nor validation values of
        ``accuracy`` or of ``loss``.

    Examples
    --------
    >>> fig = plot_history({"accuracy": [0.6, 0.8], "loss": [0.7, 0.4]})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['accuracy', 'binary cross-entropy']
    """
    values = getattr(history, "history", history)
    missing = [
        key for key in ("accuracy", "loss") if not (values.get(key) or values.get(f"val_{key}"))
    ]
    if missing:
        raise ValueError(
            f"history has no {' or '.join(missing)} values: compile the model with "
            "metrics=['accuracy'] and pass what model.fit returned"
        )
    n = max(len(values.get(key) or []) for key in ("loss", "val_loss"))
    epochs = range(1, n + 1)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    for ax, key, label in zip(axes, ("accuracy", "loss"), ("accuracy", "binary cross-entropy")):
        if values.get(key):
            ax.plot(epochs, values[key], "o-", label="training")
        if values.get(f"val_{key}"):
            ax.plot(epochs, values[f"val_{key}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_xticks(list(epochs))
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return fig
