"""Schematic diagrams of recurrent networks, drawn with matplotlib.

Each ``draw_*`` function returns a :class:`matplotlib.figure.Figure` made of
boxes, circles, arrows and mathtext labels; nothing here needs Keras. The
colours are from the Okabe-Ito palette, which stays distinguishable under the
common forms of colour blindness, and every element also carries a text
label, so no meaning rests on colour alone.

Patches carry a ``gid`` that names their role, so tests (and curious readers)
can find them: ``"cell"`` for a recurrent cell at one time step, ``"gate"``
for a gate or candidate layer inside an LSTM or GRU cell, ``"op"`` for an
element-wise operation, ``"merge"`` for the merge step of a bidirectional
layer and ``"output"`` for an output layer.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

__all__ = [
    "draw_bidirectional_rnn",
    "draw_gru_cell",
    "draw_lstm_cell",
    "draw_stacked_rnn",
    "draw_unrolled_rnn",
]

# Okabe-Ito colours: (edge, fill). The fills are light tints of the edges.
BLUE = ("#0072B2", "#CCE3F0")
ORANGE = ("#E69F00", "#FBECCC")
GREEN = ("#009E73", "#CCECE3")
VERMILLION = ("#D55E00", "#F7DFCC")
PURPLE = ("#CC79A7", "#F5E4ED")
GREY = ("#555555", "#F2F2F2")

MAX_STEPS = 10  # more boxes than this no longer fit legibly in one figure
MAX_LAYERS = 5
MERGE_SYMBOLS = {
    "concat": r"$[\,\cdot\,;\,\cdot\,]$",
    "sum": r"$+$",
    "mul": r"$\odot$",
    "ave": r"mean",
}


def _check_int(name: str, value, low: int, high: int) -> None:
    """Raise ValueError unless ``low <= value <= high`` for an integer value."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(
            f"{name} must be between {low} and {high}, got {value}; pick a value in that range"
        )


def _canvas(width: float, height: float, xlim, ylim):
    """A figure with one axis-free panel in data coordinates of equal aspect."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _box(ax, x, y, text, colors, gid, w=1.0, h=0.7, fontsize=12):
    """Draw a rounded box centred on (x, y) with a label; return the patch."""
    edge, fill = colors
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle="round,pad=0.02,rounding_size=0.12",
        linewidth=1.6,
        edgecolor=edge,
        facecolor=fill,
        gid=gid,
        zorder=3,
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return patch


def _op(ax, x, y, text, r=0.24, fontsize=12):
    """Draw an element-wise operation as a labelled circle centred on (x, y)."""
    edge, fill = PURPLE
    patch = Circle((x, y), r, linewidth=1.4, edgecolor=edge, facecolor=fill, gid="op", zorder=3)
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return patch


def _arrow(ax, start, end, color="#333333", rad=0.0, connection=None):
    """Draw an arrow from ``start`` to ``end`` (data coordinates).

    ``rad`` bends it into an arc; ``connection`` replaces the straight or
    arced path with any matplotlib connection style.
    """
    arrow = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=13,
        linewidth=1.4,
        color=color,
        connectionstyle=connection or f"arc3,rad={rad}",
        shrinkA=0,
        shrinkB=0,
        zorder=2,
    )
    ax.add_patch(arrow)
    return arrow


def _line(ax, xs, ys, color="#333333", lw=1.4):
    """Draw a plain polyline (no arrow head)."""
    ax.plot(xs, ys, color=color, linewidth=lw, zorder=2, solid_capstyle="round")


def _label(ax, x, y, text, fontsize=12, **kwargs):
    """Place a text label centred on (x, y)."""
    kwargs.setdefault("ha", "center")
    kwargs.setdefault("va", "center")
    return ax.text(x, y, text, fontsize=fontsize, zorder=4, **kwargs)


def draw_unrolled_rnn(steps: int = 4, outputs: str = "all", folded: bool = True):
    """Draw a simple RNN, folded into one cell and unrolled over time steps.

    The folded view (left) shows one cell whose state feeds back into itself.
    The unrolled view (right) repeats that cell once per time step; the
    arrows carry the same weight labels ``W_xh``, ``W_hh`` and ``W_hy`` at every
    step, because the same matrices are used at every step.

    Parameters
    ----------
    steps : int, default 4
        Number of time steps ``T`` in the unrolled view, from 1 to 10.
    outputs : {"all", "last", "none"}, default "all"
        Which steps produce an output ``ŷ_t``: every step (many-to-many), only
        the last one (many-to-one, as in sentiment classification), or none.
    folded : bool, default True
        Whether to draw the folded cell with its feedback loop on the left.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``steps`` is not an integer from 1 to 10 or ``outputs`` is not one
        of the three names above.

    Examples
    --------
    >>> fig = draw_unrolled_rnn(steps=3, outputs="last")
    >>> sum(p.get_gid() == "cell" for p in fig.axes[0].patches)
    4
    """
    _check_int("steps", steps, 1, MAX_STEPS)
    if outputs not in ("all", "last", "none"):
        raise ValueError(f"outputs must be 'all', 'last' or 'none', got {outputs!r}")
    dx = 2.0  # distance between time steps
    x0 = 4.2 if folded else 1.0  # x of the first unrolled cell
    x_end = x0 + (steps - 1) * dx
    fig, ax = _canvas(
        1.1 + 0.95 * (steps + (2.2 if folded else 0.6)),
        3.3,
        (-0.9 if folded else -0.5, x_end + 1.1),
        (-1.45, 2.35),
    )
    if folded:
        _box(ax, 0, 0.5, r"$h_t$", BLUE, "cell")
        _arrow(ax, (0, -0.75), (0, 0.15))
        _label(ax, 0, -1.05, r"$x_t$")
        _label(ax, -0.2, -0.35, r"$W_{xh}$", fontsize=10, ha="right")
        if outputs != "none":
            _arrow(ax, (0, 0.85), (0, 1.75))
            _label(ax, 0, 2.0, r"$\hat y_t$")
            _label(ax, -0.2, 1.3, r"$W_{hy}$", fontsize=10, ha="right")
        # Feedback loop: out of the right side, round and back in at the left.
        _arrow(
            ax,
            (0.5, 0.68),
            (0.5, 0.32),
            connection="arc,angleA=0,angleB=0,armA=28,armB=28,rad=9",
        )
        _label(ax, 1.05, 0.5, r"$W_{hh}$", fontsize=10, ha="left")
        _label(ax, 2.05, 0.5, r"$=$", fontsize=20)
    _label(ax, x0 - 1.45, 0.5, r"$h_0$")
    _arrow(ax, (x0 - 1.15, 0.5), (x0 - 0.5, 0.5))
    for k in range(1, steps + 1):
        x = x0 + (k - 1) * dx
        _box(ax, x, 0.5, rf"$h_{{{k}}}$", BLUE, "cell")
        _arrow(ax, (x, -0.75), (x, 0.15))
        _label(ax, x, -1.05, rf"$x_{{{k}}}$")
        _label(ax, x + 0.12, -0.3, r"$W_{xh}$", fontsize=9, ha="left")
        if k < steps:
            _arrow(ax, (x + 0.5, 0.5), (x + dx - 0.5, 0.5))
            _label(ax, x + dx / 2, 0.72, r"$W_{hh}$", fontsize=9)
        if outputs == "all" or (outputs == "last" and k == steps):
            _arrow(ax, (x, 0.85), (x, 1.75))
            _label(ax, x, 2.0, rf"$\hat y_{{{k}}}$")
            _label(ax, x + 0.12, 1.3, r"$W_{hy}$", fontsize=9, ha="left")
    return fig


def draw_stacked_rnn(layers: int = 2, steps: int = 4, outputs: str = "last"):
    """Draw a stack of recurrent layers unrolled over time.

    Layer ``l`` reads the whole sequence of hidden states of layer ``l - 1``
    (layer 1 reads the inputs ``x_t``), which in Keras means that every layer
    below the top one is built with ``return_sequences=True``.

    Parameters
    ----------
    layers : int, default 2
        Number of stacked recurrent layers ``L``, from 1 to 5.
    steps : int, default 4
        Number of time steps ``T``, from 1 to 10.
    outputs : {"last", "all"}, default "last"
        Whether the top layer passes on only its last state (Keras'
        default, ``return_sequences=False``) or its state at every step.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``layers`` or ``steps`` is out of range or ``outputs`` is not
        ``"last"`` or ``"all"``.

    Examples
    --------
    >>> fig = draw_stacked_rnn(layers=3, steps=4)
    >>> sum(p.get_gid() == "cell" for p in fig.axes[0].patches)
    12
    """
    _check_int("layers", layers, 1, MAX_LAYERS)
    _check_int("steps", steps, 1, MAX_STEPS)
    if outputs not in ("last", "all"):
        raise ValueError(f"outputs must be 'last' or 'all', got {outputs!r}")
    dx, dy = 2.0, 1.5
    colors = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE]
    top = (layers - 1) * dy
    fig, ax = _canvas(
        1.6 + 1.0 * steps,
        1.9 + 0.85 * layers,
        (-2.6, (steps - 1) * dx + 0.9),
        (-1.45, top + 1.9),
    )
    for layer in range(1, layers + 1):
        y = (layer - 1) * dy
        _label(ax, -2.5, y, f"layer {layer}", fontsize=10, ha="left")
        _label(ax, -1.05, y, rf"$h^{{({layer})}}_0$", fontsize=10)
        _arrow(ax, (-0.75, y), (-0.5, y))
        for k in range(1, steps + 1):
            x = (k - 1) * dx
            _box(
                ax,
                x,
                y,
                rf"$h^{{({layer})}}_{{{k}}}$",
                colors[layer - 1],
                "cell",
                w=1.0,
                h=0.75,
            )
            if k < steps:
                _arrow(ax, (x + 0.5, y), (x + dx - 0.5, y))
            if layer == 1:
                _arrow(ax, (x, -0.85), (x, -0.375))
                _label(ax, x, -1.12, rf"$x_{{{k}}}$")
            else:
                _arrow(ax, (x, y - dy + 0.375), (x, y - 0.375))
            if layer == layers and (outputs == "all" or k == steps):
                _arrow(ax, (x, top + 0.375), (x, top + 1.15))
                _label(ax, x, top + 1.45, "output", fontsize=10)
    return fig


def draw_bidirectional_rnn(
    steps: int = 4, merge_mode: str = "concat", return_sequences: bool = True
):
    """Draw a bidirectional RNN: a forward and a backward layer, then a merge.

    The forward layer (bottom row) reads ``x_1, ..., x_T`` left to right; the
    backward layer (top row) reads the same inputs right to left. Their
    states are merged, step by step when ``return_sequences`` is true, or
    once from the two final states (the forward state at ``T`` and the
    backward state at 1) when it is false.

    Parameters
    ----------
    steps : int, default 4
        Number of time steps ``T``, from 1 to 10.
    merge_mode : {"concat", "sum", "mul", "ave"}, default "concat"
        How the two directions are combined, as in
        ``keras.layers.Bidirectional``; the merge box shows the operation.
    return_sequences : bool, default True
        Merge at every step (one output per step) or only the final states.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``steps`` is out of range or ``merge_mode`` is unknown.

    Examples
    --------
    >>> fig = draw_bidirectional_rnn(steps=3, return_sequences=False)
    >>> sum(p.get_gid() == "merge" for p in fig.axes[0].patches)
    1
    """
    _check_int("steps", steps, 1, MAX_STEPS)
    if merge_mode not in MERGE_SYMBOLS:
        raise ValueError(f"merge_mode must be one of {sorted(MERGE_SYMBOLS)}, got {merge_mode!r}")
    dx = 2.0  # distance between time steps
    off = 1.1  # the backward row is shifted right, so that lines pass between
    y_fwd, y_bwd, y_merge = 0.5, 2.0, 3.6
    x_end = (steps - 1) * dx
    link = "#666666"  # colour of the input and merge connections
    fig, ax = _canvas(2.6 + 1.0 * steps, 4.3, (-2.6, x_end + off + 1.6), (-1.45, y_merge + 1.05))
    _label(ax, -2.55, y_fwd, "forward", fontsize=10, ha="left", color=BLUE[0])
    _label(ax, -2.55, y_bwd, "backward", fontsize=10, ha="left", color=ORANGE[0])
    _label(ax, -1.05, y_fwd, r"$\overrightarrow{h}_0$", fontsize=11)
    _arrow(ax, (-0.75, y_fwd), (-0.5, y_fwd), color=BLUE[0])
    _label(ax, x_end + off + 1.05, y_bwd, rf"$\overleftarrow{{h}}_{{{steps + 1}}}$", 11)
    _arrow(ax, (x_end + off + 0.75, y_bwd), (x_end + off + 0.5, y_bwd), ORANGE[0])
    per_step = return_sequences or steps == 1
    for k in range(1, steps + 1):
        x = (k - 1) * dx
        xb = x + off
        _box(ax, x, y_fwd, rf"$\overrightarrow{{h}}_{{{k}}}$", BLUE, "cell")
        _box(ax, xb, y_bwd, rf"$\overleftarrow{{h}}_{{{k}}}$", ORANGE, "cell")
        _label(ax, x, -1.12, rf"$x_{{{k}}}$")
        _arrow(ax, (x, -0.85), (x, y_fwd - 0.35))
        # The same input also reaches the backward cell of its step.
        _arrow(ax, (x + 0.15, -0.8), (xb + 0.1, y_bwd - 0.35), color=link)
        if k < steps:
            _arrow(ax, (x + 0.5, y_fwd), (x + dx - 0.5, y_fwd), color=BLUE[0])
            _arrow(ax, (xb + dx - 0.5, y_bwd), (xb + 0.5, y_bwd), color=ORANGE[0])
        if per_step:
            xm = x + off / 2
            _box(ax, xm, y_merge, MERGE_SYMBOLS[merge_mode], GREY, "merge", w=0.9)
            _arrow(ax, (x, y_fwd + 0.35), (xm - 0.2, y_merge - 0.35), color=link)
            _arrow(ax, (xb, y_bwd + 0.35), (xm + 0.2, y_merge - 0.35), color=link)
            _arrow(ax, (xm, y_merge + 0.35), (xm, y_merge + 0.8))
            name = rf"$h_{{{k}}}$" if steps > 1 else r"$h$"
            _label(ax, xm + 0.15, y_merge + 0.62, name, ha="left")
    if not per_step:
        # Only the final states meet: the forward state at T and the backward
        # state at 1, each having read the whole sequence.
        xm = (x_end + off) / 2
        _box(ax, xm, y_merge, MERGE_SYMBOLS[merge_mode], GREY, "merge", w=0.9)
        y_turn = y_bwd + 0.8
        _line(ax, [x_end, x_end], [y_fwd + 0.35, y_turn], color=link)
        _arrow(ax, (x_end, y_turn), (xm + 0.2, y_merge - 0.35), color=link)
        _line(ax, [off, off], [y_bwd + 0.35, y_turn], color=link)
        _arrow(ax, (off, y_turn), (xm - 0.2, y_merge - 0.35), color=link)
        _arrow(ax, (xm, y_merge + 0.35), (xm, y_merge + 0.8))
        _label(ax, xm + 0.15, y_merge + 0.62, r"$h$", ha="left")
    return fig


def _cell_frame(ax, x0, y0, x1, y1):
    """Draw the light background rectangle that marks one gated cell."""
    edge, fill = GREY
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            boxstyle="round,pad=0.02,rounding_size=0.3",
            linewidth=1.2,
            edgecolor="#AAAAAA",
            facecolor=fill,
            gid="frame",
            zorder=1,
        )
    )


def draw_lstm_cell():
    """Draw one LSTM cell: forget, input and output gates, candidate, cell state.

    The cell state ``c`` runs along the top; the forget gate ``f_t`` scales it
    and the input gate ``i_t`` adds the candidate ``c~_t``. The output gate
    ``o_t`` decides how much of ``tanh(c_t)`` becomes the new hidden state
    ``h_t``. Every gate reads the previous hidden state and the current input.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_lstm_cell()
    >>> sum(p.get_gid() == "gate" for p in fig.axes[0].patches)
    4
    """
    fig, ax = _canvas(7.6, 4.6, (-1.6, 11.4), (-1.3, 6.6))
    _cell_frame(ax, 0.3, 0.2, 9.9, 5.9)
    y_c, y_bus, y_gate = 5.0, 1.0, 2.3
    # Cell state line: c_{t-1} -> (x f) -> (+ i*c~) -> c_t.
    _label(ax, -1.0, y_c, r"$c_{t-1}$", 13)
    _arrow(ax, (-0.5, y_c), (1.76, y_c))
    _op(ax, 2.0, y_c, r"$\times$")
    _arrow(ax, (2.24, y_c), (4.56, y_c))
    _op(ax, 4.8, y_c, r"$+$")
    _arrow(ax, (5.04, y_c), (10.4, y_c))
    _label(ax, 10.9, y_c, r"$c_t$", 13)
    # Input bus: h_{t-1} from the left, x_t from below.
    _label(ax, -1.0, y_bus, r"$h_{t-1}$", 13)
    _line(ax, [-0.5, 7.6], [y_bus, y_bus])
    _line(ax, [1.0, 1.0], [-0.7, y_bus])
    _label(ax, 1.0, -0.95, r"$x_t$", 13)
    gates = [
        (2.0, r"$\sigma$", r"$f_t$", GREEN, 1),
        (4.0, r"$\sigma$", r"$i_t$", GREEN, -1),
        (5.6, r"$\tanh$", r"$\tilde{c}_t$", ORANGE, 1),
        (7.6, r"$\sigma$", r"$o_t$", GREEN, 1),
    ]
    for x, text, name, colors, side in gates:
        _arrow(ax, (x, y_bus), (x, y_gate - 0.35))
        _box(ax, x, y_gate, text, colors, "gate", w=0.95, h=0.7, fontsize=11)
        ha = "left" if side > 0 else "right"
        _label(ax, x + side * 0.22, y_gate + 0.62, name, 12, ha=ha)
    # Forget gate scales the old cell state.
    _arrow(ax, (2.0, y_gate + 0.35), (2.0, y_c - 0.24))
    # Input gate times candidate, added to the cell state.
    _op(ax, 4.8, 3.85, r"$\times$")
    _arrow(ax, (4.0, y_gate + 0.35), (4.62, 3.68))
    _arrow(ax, (5.6, y_gate + 0.35), (4.98, 3.68))
    _arrow(ax, (4.8, 4.09), (4.8, y_c - 0.24))
    # Output: o_t times tanh(c_t).
    _line(ax, [8.9, 8.9], [y_c, 4.3])
    _box(ax, 8.9, 3.9, r"$\tanh$", GREY, "squash", w=0.95, h=0.6, fontsize=11)
    _arrow(ax, (8.9, 3.6), (8.9, y_gate + 0.24))
    _op(ax, 8.9, y_gate, r"$\times$")
    _arrow(ax, (7.6 + 0.475, y_gate), (8.9 - 0.24, y_gate))
    _arrow(ax, (8.9 + 0.24, y_gate), (10.4, y_gate))
    _label(ax, 10.9, y_gate, r"$h_t$", 13)
    return fig


def draw_gru_cell():
    """Draw one GRU cell: reset gate, update gate and candidate state.

    The hidden state runs along the top. The update gate ``z_t`` keeps a
    fraction ``z_t`` of ``h_{t-1}`` and takes ``1 - z_t`` of the candidate
    ``h~_t`` (the convention of Keras and of Cho et al.); the reset gate
    ``r_t`` scales the recurrent contribution inside the candidate. The line
    along the bottom carries both ``h_{t-1}`` and ``x_t`` to the gates.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_gru_cell()
    >>> sum(p.get_gid() == "gate" for p in fig.axes[0].patches)
    3
    """
    fig, ax = _canvas(7.6, 4.6, (-1.6, 11.4), (-1.3, 6.6))
    _cell_frame(ax, 0.3, 0.2, 9.9, 5.9)
    y_h, y_bus, y_gate, y_mid = 5.0, 1.0, 2.3, 3.9
    x_z, x_r, x_c, x_rh = 2.5, 5.0, 7.9, 6.55
    # Top line: h_{t-1} -> (x z) -> (+) -> h_t.
    _label(ax, -1.0, y_h, r"$h_{t-1}$", 13)
    _arrow(ax, (-0.5, y_h), (x_z - 0.24, y_h))
    _op(ax, x_z, y_h, r"$\times$")
    _arrow(ax, (x_z + 0.24, y_h), (x_c - 0.24, y_h))
    _op(ax, x_c, y_h, r"$+$")
    _arrow(ax, (x_c + 0.24, y_h), (10.4, y_h))
    _label(ax, 10.9, y_h, r"$h_t$", 13)
    # Bottom bus: h_{t-1} drops down from the top line; x_t joins from below.
    _line(ax, [0.0, 0.0, x_c], [y_h, y_bus, y_bus])
    _line(ax, [1.0, 1.0], [-0.7, y_bus])
    _label(ax, 1.0, -0.95, r"$x_t$", 13)
    gates = [
        (x_z, r"$\sigma$", r"$z_t$", GREEN),
        (x_r, r"$\sigma$", r"$r_t$", GREEN),
        (x_c, r"$\tanh$", r"$\tilde{h}_t$", ORANGE),
    ]
    for x, text, name, colors in gates:
        _box(ax, x, y_gate, text, colors, "gate", w=0.95, h=0.7, fontsize=11)
        _label(ax, x + 0.22, y_gate + 0.62, name, 12, ha="left")
    _arrow(ax, (x_z, y_bus), (x_z, y_gate - 0.35))
    _arrow(ax, (x_r, y_bus), (x_r, y_gate - 0.35))
    # Update gate: z_t scales h_{t-1}; 1 - z_t scales the candidate.
    _arrow(ax, (x_z, y_gate + 0.35), (x_z, y_h - 0.24))
    _arrow(ax, (x_z, y_mid), (3.96, y_mid))
    _op(ax, 4.25, y_mid, r"$1-$", r=0.29, fontsize=10)
    _arrow(ax, (4.54, y_mid), (x_c - 0.24, y_mid))
    _op(ax, x_c, y_mid, r"$\times$")
    _arrow(ax, (x_c, y_gate + 0.35), (x_c, y_mid - 0.24))
    _arrow(ax, (x_c, y_mid + 0.24), (x_c, y_h - 0.24))
    # Reset gate: r_t scales the recurrent term before the candidate's tanh.
    _op(ax, x_rh, y_gate, r"$\times$")
    _arrow(ax, (x_r + 0.475, y_gate), (x_rh - 0.24, y_gate))
    _arrow(ax, (x_rh, y_bus), (x_rh, y_gate - 0.24))
    _arrow(ax, (x_rh + 0.24, y_gate), (x_c - 0.475, y_gate))
    _arrow(ax, (x_c, y_bus), (x_c, y_gate - 0.35))
    return fig
