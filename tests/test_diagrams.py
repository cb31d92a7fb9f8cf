"""Tests of rnnbook.diagrams: each drawing has the parts it promises."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnnbook.diagrams import (  # noqa: E402
    draw_bidirectional_rnn,
    draw_gru_cell,
    draw_lstm_cell,
    draw_stacked_rnn,
    draw_unrolled_rnn,
)


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test opens, so none leaks into the next test."""
    yield
    plt.close("all")


def count(fig, gid):
    """Number of patches of the figure's only axes with the given gid."""
    return sum(p.get_gid() == gid for p in fig.axes[0].patches)


def texts(fig):
    """All text labels drawn on the figure's only axes."""
    return [t.get_text() for t in fig.axes[0].texts]


def test_every_drawing_renders():
    for draw in (
        draw_unrolled_rnn,
        draw_stacked_rnn,
        draw_bidirectional_rnn,
        draw_lstm_cell,
        draw_gru_cell,
    ):
        fig = draw()
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 1
        fig.canvas.draw()  # layout and mathtext must not fail


@pytest.mark.parametrize("steps", [1, 3, 10])
def test_unrolled_rnn_has_one_cell_per_step(steps):
    fig = draw_unrolled_rnn(steps=steps, folded=False)
    assert count(fig, "cell") == steps
    labels = texts(fig)
    for k in range(1, steps + 1):
        assert f"$x_{{{k}}}$" in labels
        assert f"$h_{{{k}}}$" in labels
    assert "$h_0$" in labels


def test_unrolled_rnn_folded_view_adds_one_cell_with_loop():
    fig = draw_unrolled_rnn(steps=4)
    assert count(fig, "cell") == 5
    labels = texts(fig)
    assert {"$h_t$", "$x_t$", r"$\hat y_t$", "$=$"} <= set(labels)
    # The recurrent weight is drawn once in the folded view and once per
    # link between steps: the same matrix at every step.
    assert labels.count("$W_{hh}$") == 1 + 3


@pytest.mark.parametrize(("outputs", "expected"), [("all", 4), ("last", 1), ("none", 0)])
def test_unrolled_rnn_outputs(outputs, expected):
    labels = texts(draw_unrolled_rnn(steps=4, outputs=outputs, folded=False))
    assert sum(label.startswith(r"$\hat y_") for label in labels) == expected
    if outputs == "last":
        assert r"$\hat y_{4}$" in labels


@pytest.mark.parametrize("steps", [0, -1, 11])
def test_unrolled_rnn_rejects_steps_out_of_range(steps):
    with pytest.raises(ValueError, match="steps must be between 1 and 10"):
        draw_unrolled_rnn(steps=steps)


@pytest.mark.parametrize("steps", [2.5, "4", True])
def test_unrolled_rnn_rejects_non_integer_steps(steps):
    with pytest.raises(ValueError, match="steps must be an integer"):
        draw_unrolled_rnn(steps=steps)


def test_unrolled_rnn_rejects_unknown_outputs():
    with pytest.raises(ValueError, match="outputs must be 'all', 'last' or 'none'"):
        draw_unrolled_rnn(outputs="first")


@pytest.mark.parametrize(("layers", "steps"), [(1, 1), (2, 4), (3, 5)])
def test_stacked_rnn_has_layers_times_steps_cells(layers, steps):
    fig = draw_stacked_rnn(layers=layers, steps=steps)
    assert count(fig, "cell") == layers * steps
    labels = texts(fig)
    assert f"layer {layers}" in labels
    assert f"$h^{{({layers})}}_{{{steps}}}$" in labels
    assert labels.count("output") == 1


def test_stacked_rnn_all_outputs():
    labels = texts(draw_stacked_rnn(layers=2, steps=3, outputs="all"))
    assert labels.count("output") == 3


def test_stacked_rnn_rejects_bad_arguments():
    with pytest.raises(ValueError, match="layers must be between 1 and 5"):
        draw_stacked_rnn(layers=0)
    with pytest.raises(ValueError, match="steps must be between 1 and 10"):
        draw_stacked_rnn(steps=0)
    with pytest.raises(ValueError, match="outputs must be 'last' or 'all'"):
        draw_stacked_rnn(outputs="none")


def test_bidirectional_rnn_has_two_rows_and_one_merge_per_step():
    fig = draw_bidirectional_rnn(steps=4)
    assert count(fig, "cell") == 2 * 4
    assert count(fig, "merge") == 4
    labels = texts(fig)
    assert r"$\overrightarrow{h}_{4}$" in labels
    assert r"$\overleftarrow{h}_{1}$" in labels
    assert {"forward", "backward"} <= set(labels)


def test_bidirectional_rnn_without_sequences_merges_once():
    fig = draw_bidirectional_rnn(steps=3, return_sequences=False)
    assert count(fig, "cell") == 6
    assert count(fig, "merge") == 1
    assert "$h$" in texts(fig)


@pytest.mark.parametrize(
    ("merge_mode", "symbol"),
    [("concat", r"$[\,\cdot\,;\,\cdot\,]$"), ("sum", "$+$"), ("mul", r"$\odot$")],
)
def test_bidirectional_rnn_shows_merge_mode(merge_mode, symbol):
    labels = texts(draw_bidirectional_rnn(steps=2, merge_mode=merge_mode))
    assert labels.count(symbol) == 2


def test_bidirectional_rnn_rejects_bad_arguments():
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        draw_bidirectional_rnn(merge_mode="max")
    with pytest.raises(ValueError, match="steps must be between 1 and 10"):
        draw_bidirectional_rnn(steps=0)


def test_lstm_cell_has_three_gates_and_a_candidate():
    fig = draw_lstm_cell()
    assert count(fig, "gate") == 4
    assert count(fig, "op") == 4  # forget x, input x, add, output x
    labels = texts(fig)
    for name in ("$f_t$", "$i_t$", "$o_t$", r"$\tilde{c}_t$"):
        assert name in labels
    for name in ("$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$"):
        assert name in labels


def test_gru_cell_has_two_gates_and_a_candidate():
    fig = draw_gru_cell()
    assert count(fig, "gate") == 3
    labels = texts(fig)
    for name in ("$z_t$", "$r_t$", r"$\tilde{h}_t$", "$h_{t-1}$", "$h_t$", "$x_t$"):
        assert name in labels
    assert "$1-$" in labels
    # No cell state: that is the LSTM's.
    assert not any("c_" in label for label in labels)
