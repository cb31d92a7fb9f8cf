"""Tests of rnnbook.plotting."""

import matplotlib.pyplot as plt
import pytest

from rnnbook.plotting import plot_history


def test_plots_training_and_validation_curves():
    history = {
        "accuracy": [0.6, 0.7, 0.8],
        "loss": [0.7, 0.5, 0.4],
        "val_accuracy": [0.65, 0.7, 0.68],
        "val_loss": [0.6, 0.55, 0.6],
    }
    fig = plot_history(history, title="demo")
    accuracy, loss = fig.axes
    assert [line.get_label() for line in accuracy.lines] == ["training", "validation"]
    assert list(loss.lines[1].get_ydata()) == [0.6, 0.55, 0.6]
    assert list(accuracy.lines[0].get_xdata()) == [1, 2, 3]
    assert accuracy.get_xlabel() == "epoch" and loss.get_ylabel() == "binary cross-entropy"
    assert fig._suptitle.get_text() == "demo"
    plt.close(fig)


def test_accepts_a_keras_history_without_validation():
    class History:
        history = {"accuracy": [0.5, 0.6], "loss": [0.69, 0.6]}

    fig = plot_history(History())
    assert all(len(ax.lines) == 1 for ax in fig.axes)
    plt.close(fig)


def test_rejects_history_without_accuracy():
    with pytest.raises(ValueError, match="history has no accuracy values: compile the model"):
        plot_history({"loss": [0.5]})


def test_plots_a_history_with_validation_values_only():
    fig = plot_history({"val_accuracy": [0.6, 0.7, 0.72], "val_loss": [0.6, 0.5, 0.55]})
    accuracy, loss = fig.axes
    assert [line.get_label() for line in accuracy.lines] == ["validation"]
    assert list(loss.lines[0].get_xdata()) == [1, 2, 3]
    plt.close(fig)


def test_figures_in_a_kernel_are_drawn_at_twice_their_size():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            # The unit tests' MPLBACKEND=Agg reaches the kernel: ask for Jupyter's.
            "%matplotlib inline\n"
            "import matplotlib.pyplot as plt\n"
            "from rnnbook.plotting import crisp_figures\n"
            "plt.figure(figsize=(4, 3), dpi=100); plt.plot([0, 1])"
        )
    )
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (image,) = [o for o in nb.cells[0].outputs if "image/png" in o.get("data", {})]
    # The PNG has twice the pixels of the size it is shown at (its header
    # holds the width and height at bytes 16 to 24).
    import base64

    png = base64.b64decode(image["data"]["image/png"])
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    shown = image["metadata"]["image/png"]
    assert abs(width - 2 * shown["width"]) <= 1 and abs(height - 2 * shown["height"]) <= 1
