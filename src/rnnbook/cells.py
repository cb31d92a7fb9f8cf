"""Recurrent layers written out in NumPy, to check the equations against Keras.

Every function here follows Keras' storage conventions, so that it can be run
with the weights of a trained Keras layer (see :func:`weights_of`) and give the
same numbers:

* inputs are batch-major, ``x`` of shape ``(batch, time, features)``;
* a ``kernel`` of shape ``(features, blocks * units)`` multiplies the input
  from the right, and a ``recurrent_kernel`` of shape ``(units, blocks * units)``
  multiplies the previous state, where ``blocks`` is 1 for SimpleRNN, 4 for
  LSTM (i, f, c, o) and 3 for GRU (z, r, h).

The book writes the SimpleRNN step for one column vector,
``h_t = psi(W_xh x_t + W_hh h_{t-1} + b_h)``. Keras stores the same matrices
transposed and works on row vectors (one row per example),
``h_t = psi(x_t K + h_{t-1} R + b)``, so ``W_xh = K^T`` and ``W_hh = R^T``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "bidirectional_forward",
    "gru_forward",
    "lstm_forward",
    "sigmoid",
    "simple_rnn_forward",
    "to_numpy",
    "weights_of",
]


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, without overflow warnings.

    Written as ``(1 + tanh(z / 2)) / 2``, which is the same function and never
    overflows.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    """
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z)))


def simple_rnn_forward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    h0=None,
    activation=np.tanh,
    return_sequences=False,
):
    """Run a SimpleRNN layer: ``h_t = psi(x_t K + h_{t-1} R + b)``.

    This is the book's ``h_t = psi(W_xh x_t + W_hh h_{t-1} + b_h)`` with Keras'
    storage: ``W_xh = K^T`` (``kernel`` transposed) and ``W_hh = R^T``
    (``recurrent_kernel`` transposed), applied to row vectors.

    Parameters
    ----------
    x : array of shape (batch, time, features)
        The input sequences.
    kernel : array of shape (features, units)
        Input weights ``K``.
    recurrent_kernel : array of shape (units, units)
        Recurrent weights ``R``.
    bias : array of shape (units,)
        Bias ``b``.
    h0 : array of shape (batch, units), optional
        Initial state; zeros (as in Keras) when omitted.
    activation : callable
        The nonlinearity ``f``, applied elementwise (Keras' default is tanh).
    return_sequences : bool
        Return every state ``h_1 ... h_T`` instead of the last one only.

    Returns
    -------
    numpy.ndarray
        ``h_T`` of shape ``(batch, units)``, or all states of shape
        ``(batch, time, units)`` with ``return_sequences=True``.

    Raises
    ------
    ValueError
        If a shape does not fit (the message names the expected shape).

    Examples
    --------
    >>> x = np.ones((2, 3, 4))
    >>> k, r, b = np.full((4, 5), 0.1), np.eye(5) * 0.5, np.zeros(5)
    >>> simple_rnn_forward(x, k, r, b).shape
    (2, 5)
    >>> simple_rnn_forward(x, k, r, b, return_sequences=True).shape
    (2, 3, 5)
    """
    x, (kernel, recurrent_kernel, bias) = _check_layer(
        x, kernel, recurrent_kernel, bias, gates=1, bias_rows=None
    )
    h = _initial_state(h0, "h0", x.shape[0], recurrent_kernel.shape[0], x.dtype)
    states = []
    for t in range(x.shape[1]):
        h = activation(x[:, t] @ kernel + h @ recurrent_kernel + bias).astype(x.dtype)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


def bidirectional_forward(
    x,
    forward_weights,
    backward_weights,
    layer_forward=simple_rnn_forward,
    merge_mode="concat",
    return_sequences=False,
    **kwargs,
):
    """Run a bidirectional layer the way ``keras.layers.Bidirectional`` does.

    The forward copy reads ``x_1 ... x_T``; the backward copy, with its own
    weights, reads ``x_T ... x_1``. Without ``return_sequences`` the two
    final states are merged (backward's final state has seen the whole
    sequence, ending at ``x_1``). With ``return_sequences`` the backward
    outputs are flipped back into the original time order before merging, so
    that position ``t`` holds both readers' states at ``x_t``.

    Parameters
    ----------
    x : array of shape (batch, time, features)
        The input sequences.
    forward_weights, backward_weights : tuple of arrays
        ``(kernel, recurrent_kernel, bias)`` of each direction, as
        :func:`weights_of` returns them.
    layer_forward : callable
        The one-direction layer: :func:`simple_rnn_forward`,
        :func:`lstm_forward` or :func:`gru_forward`.
    merge_mode : {"concat", "sum", "ave", "mul"}
        How the two directions are combined; Keras' default is ``"concat"``
        (forward features first, then backward).
    return_sequences : bool
        Return every time step instead of the final states.
    **kwargs
        Passed to ``layer_forward`` (e.g. ``reset_after`` for a GRU).

    Returns
    -------
    numpy.ndarray
        Shape ``(batch, 2 * units)`` for ``"concat"``, ``(batch, units)``
        otherwise; with a time axis in the middle for ``return_sequences``.

    Raises
    ------
    ValueError
        Unknown ``merge_mode`` or a bad shape.

    Examples
    --------
    >>> x = np.ones((2, 3, 4))
    >>> w = (np.full((4, 5), 0.1), np.eye(5) * 0.5, np.zeros(5))
    >>> bidirectional_forward(x, w, w).shape
    (2, 10)
    """
    merges = {
        "concat": lambda a, b: np.concatenate([a, b], axis=-1),
        "sum": lambda a, b: a + b,
        "ave": lambda a, b: (a + b) / 2,
        "mul": lambda a, b: a * b,
    }
    if merge_mode not in merges:
        raise ValueError(f"merge_mode={merge_mode!r} is not valid: use one of {', '.join(merges)}")
    x = _check_sequence(x)
    y = layer_forward(x, *forward_weights, return_sequences=return_sequences, **kwargs)
    y_rev = layer_forward(
        x[:, ::-1], *backward_weights, return_sequences=return_sequences, **kwargs
    )
    if return_sequences:
        y_rev = y_rev[:, ::-1]
    return merges[merge_mode](y, y_rev)


def lstm_forward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    h0=None,
    c0=None,
    return_sequences=False,
    return_state=False,
):
    """Run an LSTM layer with Keras' weight layout and default activations.

    With ``z = x_t K + h_{t-1} R + b`` split into four blocks of ``units``
    columns **in the order i, f, c, o** (Keras' order)::

        i = sigmoid(z_i)            input gate
        f = sigmoid(z_f)            forget gate
        g = tanh(z_c)               candidate cell
        o = sigmoid(z_o)            output gate
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)

    Keras initialises the forget-gate part of ``b`` to ones
    (``unit_forget_bias=True``); that is an initialisation, not part of the
    equations.

    Parameters
    ----------
    x : array of shape (batch, time, features)
    kernel : array of shape (features, 4 * units)
    recurrent_kernel : array of shape (units, 4 * units)
    bias : array of shape (4 * units,)
    h0, c0 : array of shape (batch, units), optional
        Initial hidden state and cell; zeros when omitted.
    return_sequences : bool
        Return every ``h_t`` instead of the last one only.
    return_state : bool
        Also return the final ``h_T`` and ``c_T``.

    Returns
    -------
    numpy.ndarray or tuple
        The output (``h_T``, or all ``h_t`` with ``return_sequences``); with
        ``return_state``, the tuple ``(output, h_T, c_T)``.

    Raises
    ------
    ValueError
        If a shape does not fit.

    Examples
    --------
    >>> x = np.ones((2, 3, 4))
    >>> k, r, b = np.full((4, 20), 0.1), np.zeros((5, 20)), np.zeros(20)
    >>> lstm_forward(x, k, r, b).shape
    (2, 5)
    """
    x, (kernel, recurrent_kernel, bias) = _check_layer(
        x, kernel, recurrent_kernel, bias, gates=4, bias_rows=None
    )
    batch, units = x.shape[0], recurrent_kernel.shape[0]
    h = _initial_state(h0, "h0", batch, units, x.dtype)
    c = _initial_state(c0, "c0", batch, units, x.dtype)
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent_kernel + bias
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
        i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)
        c = (f * c + i * np.tanh(z_c)).astype(x.dtype)
        h = (o * np.tanh(c)).astype(x.dtype)
        outputs.append(h)
    output = np.stack(outputs, axis=1) if return_sequences else h
    return (output, h, c) if return_state else output


def gru_forward(
    x,
    kernel,
    recurrent_kernel,
    bias,
    h0=None,
    reset_after=True,
    return_sequences=False,
):
    """Run a GRU layer with Keras' weight layout, in either reset convention.

    The kernel columns hold three blocks **in the order z, r, h** (update
    gate, reset gate, candidate). With ``reset_after=True`` (Keras' default,
    the cuDNN convention) the bias has shape ``(2, 3 * units)``: row 0 is
    added to the input part ``x_t K`` and row 1 to the recurrent part
    ``h_{t-1} R``, and the reset gate multiplies the recurrent part *after*
    the matrix product::

        z = sigmoid(x K_z + b_z + h R_z + b'_z)
        r = sigmoid(x K_r + b_r + h R_r + b'_r)
        g = tanh(x K_h + b_h + r * (h R_h + b'_h))
        h_t = z * h_{t-1} + (1 - z) * g

    With ``reset_after=False`` (the original formulation of
    Cho et al., 2014) there is one bias of shape ``(3 * units,)`` and the
    reset gate multiplies the state *before* the product:
    ``g = tanh(x K_h + b_h + (r * h) R_h)``.

    Note that Keras keeps the *old* state where ``z`` is 1; some texts write
    ``(1 - z) * h_{t-1} + z * g`` instead, which only renames the gate.

    Parameters
    ----------
    x : array of shape (batch, time, features)
    kernel : array of shape (features, 3 * units)
    recurrent_kernel : array of shape (units, 3 * units)
    bias : array of shape (2, 3 * units) or (3 * units,)
        As described above, depending on ``reset_after``.
    h0 : array of shape (batch, units), optional
        Initial state; zeros when omitted.
    reset_after : bool
        Which convention the weights follow.
    return_sequences : bool
        Return every ``h_t`` instead of the last one only.

    Returns
    -------
    numpy.ndarray
        ``h_T`` of shape ``(batch, units)``, or ``(batch, time, units)``.

    Raises
    ------
    ValueError
        If a shape does not fit (e.g. a 1-D bias with ``reset_after=True``).

    Examples
    --------
    >>> x = np.ones((2, 3, 4))
    >>> k, r, b = np.full((4, 15), 0.1), np.zeros((5, 15)), np.zeros((2, 15))
    >>> gru_forward(x, k, r, b).shape
    (2, 5)
    >>> gru_forward(x, k, r, b[0], reset_after=False).shape
    (2, 5)
    """
    x, (kernel, recurrent_kernel, bias) = _check_layer(
        x, kernel, recurrent_kernel, bias, gates=3, bias_rows=2 if reset_after else None
    )
    units = recurrent_kernel.shape[0]
    h = _initial_state(h0, "h0", x.shape[0], units, x.dtype)
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, 0.0)
    outputs = []
    for t in range(x.shape[1]):
        x_z, x_r, x_h = np.split(x[:, t] @ kernel + input_bias, 3, axis=-1)
        if reset_after:
            inner = h @ recurrent_kernel + recurrent_bias
        else:
            inner = h @ recurrent_kernel[:, : 2 * units]
        z = sigmoid(x_z + inner[:, :units])
        r = sigmoid(x_r + inner[:, units : 2 * units])
        if reset_after:
            recurrent_h = r * inner[:, 2 * units :]
        else:
            recurrent_h = (r * h) @ recurrent_kernel[:, 2 * units :]
        h = (z * h + (1 - z) * np.tanh(x_h + recurrent_h)).astype(x.dtype)
        outputs.append(h)
    return np.stack(outputs, axis=1) if return_sequences else h


def to_numpy(value):
    """The NumPy value of a backend tensor, a Keras variable or an array.

    Like ``keras.ops.convert_to_numpy``, but it asks a TensorFlow tensor for
    ``.numpy()`` directly, which avoids the ``DeprecationWarning`` that NumPy 2
    raises about TensorFlow's ``__array__``.

    Examples
    --------
    >>> to_numpy([1.0, 2.0])
    array([1., 2.])
    """
    import keras

    if isinstance(value, keras.Variable):
        value = value.value
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return np.asarray(value)


def weights_of(layer):
    """The weights of a built Keras recurrent layer, as NumPy arrays.

    Parameters
    ----------
    layer : keras.layers.Layer
        A ``SimpleRNN``, ``LSTM`` or ``GRU`` (gives ``(kernel,
        recurrent_kernel, bias)``) or a ``Bidirectional`` wrapper (gives
        one such tuple per direction, forward first).

    Returns
    -------
    tuple

    Raises
    ------
    ValueError
        If the layer has no weights yet.

    Examples
    --------
    >>> layer = keras.layers.SimpleRNN(4)  # doctest: +SKIP
    >>> _ = layer(np.zeros((1, 3, 2)))  # doctest: +SKIP
    >>> [w.shape for w in weights_of(layer)]  # doctest: +SKIP
    [(2, 4), (4, 4), (4,)]
    """
    if not layer.weights:
        raise ValueError(
            f"layer {layer.name!r} has no weights yet: call it on an input "
            "(or call layer.build(input_shape)) first"
        )
    if hasattr(layer, "forward_layer") and hasattr(layer, "backward_layer"):
        return weights_of(layer.forward_layer), weights_of(layer.backward_layer)
    return tuple(to_numpy(w) for w in layer.weights)


def _check_sequence(x):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, time, features); got {x.shape}")
    if x.shape[1] == 0:
        raise ValueError(f"x must have at least one time step; got shape {x.shape}")
    return x.astype(np.result_type(x.dtype, np.float32), copy=False)


def _check_layer(x, kernel, recurrent_kernel, bias, gates, bias_rows):
    x = _check_sequence(x)
    kernel, recurrent_kernel, bias = (np.asarray(w) for w in (kernel, recurrent_kernel, bias))
    dtype = np.result_type(x, kernel, recurrent_kernel, bias)
    cols = "units" if gates == 1 else f"{gates} * units"
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim == 2 else 0
    if recurrent_kernel.ndim != 2 or recurrent_kernel.shape[1] != gates * units:
        raise ValueError(
            f"recurrent_kernel must have shape (units, {cols}); got {recurrent_kernel.shape}"
        )
    expected = (x.shape[-1], gates * units)
    if kernel.shape != expected:
        raise ValueError(
            f"kernel must have shape (features, {cols}) = {expected} "
            f"for features={x.shape[-1]} (from x) and units={units} "
            f"(from recurrent_kernel); got {kernel.shape}"
        )
    expected = (gates * units,) if bias_rows is None else (bias_rows, gates * units)
    if bias.shape != expected:
        hint = ""
        if gates == 3:
            hint = (
                " (reset_after=True needs an input and a recurrent bias, shape (2, 3 * units))"
                if bias_rows
                else " (reset_after=False needs shape (3 * units,))"
            )
        raise ValueError(f"bias must have shape {expected}; got {bias.shape}{hint}")
    return x.astype(dtype, copy=False), tuple(
        w.astype(dtype, copy=False) for w in (kernel, recurrent_kernel, bias)
    )


def _initial_state(state, name, batch, units, dtype):
    if state is None:
        return np.zeros((batch, units), dtype=dtype)
    state = np.asarray(state, dtype=dtype)
    if state.shape != (batch, units):
        raise ValueError(
            f"{name} must have shape (batch, units) = {(batch, units)}; got {state.shape}"
        )
    return state
