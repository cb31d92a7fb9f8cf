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
``h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)``. Keras stores the same matrices
transposed and works on row vectors (one row per example),
``h_t = f(x_t K + h_{t-1} R + b)``, so ``W_xh = K^T`` and ``W_hh = R^T``.

The last part trains a SimpleRNN with a softmax output on next-character
prediction, all in NumPy: a generated text (:func:`echo_text`,
:func:`char_batches`), the loss and its gradients by full or truncated BPTT
(:func:`sequence_loss_and_gradients`), clipping (:func:`clip_by_global_norm`),
two optimizers (:class:`SGD`, :class:`Adam`, step for step as Keras'), the
loop (:func:`train_rnn`) and sampling from the trained model
(:func:`sample_sequence`); :func:`source_code` shows such code on a page.
Its parameters are named and shaped as in the book's equations (``W_xh``,
``W_hh``, ``b_h``, ``W_hy``, ``b_y``); :func:`keras_weights` turns them into Keras' layout.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from .textgen import sample_next

__all__ = [
    "PARAM_NAMES",
    "SGD",
    "Adam",
    "Gradients",
    "autodiff_gradients",
    "bidirectional_forward",
    "char_batches",
    "clip_by_global_norm",
    "clip_by_norm",
    "echo_text",
    "gru_forward",
    "init_params",
    "keras_weights",
    "lstm_forward",
    "sample_sequence",
    "sequence_forward",
    "sequence_loss_and_gradients",
    "sigmoid",
    "simple_rnn_bptt",
    "simple_rnn_forward",
    "source_code",
    "spectral_radius",
    "to_numpy",
    "train_rnn",
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
    """Run a SimpleRNN layer: ``h_t = f(x_t K + h_{t-1} R + b)``.

    This is the book's ``h_t = f(W_xh x_t + W_hh h_{t-1} + b_h)`` with Keras'
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


class Gradients(NamedTuple):
    """What :func:`simple_rnn_bptt` returns.

    Attributes
    ----------
    kernel, recurrent_kernel, bias : numpy.ndarray
        ``dL/dK``, ``dL/dR``, ``dL/db``, shaped like the weights.
    inputs : numpy.ndarray
        ``dL/dx_t`` for every step, shape ``(batch, time, features)``.
    h0 : numpy.ndarray
        ``dL/dh_0``, shape ``(batch, units)``.
    state_norms : numpy.ndarray
        ``||dL/dh_t||`` for ``t = 1 ... T`` (shape ``(time,)``), the
        Frobenius norm over the batch and the units. Read it backwards:
        ``state_norms[-1 - k]`` is the norm ``k`` steps before the end.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    inputs: np.ndarray
    h0: np.ndarray
    state_norms: np.ndarray


def simple_rnn_bptt(
    x, kernel, recurrent_kernel, bias, grad_last=None, h0=None, grad_states=None, states=None
):
    """Backpropagation through time for a tanh SimpleRNN, written out.

    The loss ``L`` depends on the sequence only through the final state
    ``h_T``, and ``grad_last = dL/dh_T`` is given (for a readout
    ``y = h_T W`` with squared error ``L = ||y - target||^2 / 2`` it is
    ``(y - target) W^T``). Going back from ``t = T`` to ``1``, with
    ``a_t = x_t K + h_{t-1} R + b`` and ``h_t = tanh(a_t)``::

        dL/da_t     = dL/dh_t * (1 - h_t**2)
        dL/dh_{t-1} = dL/da_t R^T
        dL/dK      += x_t^T dL/da_t
        dL/dR      += h_{t-1}^T dL/da_t
        dL/db      += sum over the batch of dL/da_t
        dL/dx_t     = dL/da_t K^T

    When the loss also reads the other states (an output at every step, as
    in next-character prediction), ``grad_states[:, t]`` is the part of
    ``dL/dh_t`` that comes from the output at step ``t``; it is added to the
    part that comes back from step ``t + 1`` before the step above.

    Parameters
    ----------
    x : array of shape (batch, time, features)
    kernel : array of shape (features, units)
    recurrent_kernel : array of shape (units, units)
    bias : array of shape (units,)
    grad_last : array of shape (batch, units), optional
        ``dL/dh_T`` from a loss on the final state; zeros when omitted.
    h0 : array of shape (batch, units), optional
        Initial state; zeros when omitted.
    grad_states : array of shape (batch, time, units), optional
        The direct gradient ``dL/dh_t`` of a loss on every state; zeros when
        omitted. Give ``grad_last``, ``grad_states`` or both.
    states : array of shape (batch, time, units), optional
        The states ``h_1 ... h_T`` of the forward pass, as
        :func:`simple_rnn_forward` returns them with ``return_sequences=True``
        for the same arguments, when the caller already has them; computed
        here when omitted.

    Returns
    -------
    Gradients
        Gradients of the weights, inputs and initial state, and the norms
        ``||dL/dh_t||``.

    Raises
    ------
    ValueError
        If a shape does not fit, or neither gradient is given.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 6, 3))
    >>> k, r, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) / 4, np.zeros(4)
    >>> grads = simple_rnn_bptt(x, k, r, b, grad_last=np.ones((2, 4)))
    >>> grads.recurrent_kernel.shape, grads.state_norms.shape
    ((4, 4), (6,))
    >>> every_step = simple_rnn_bptt(x, k, r, b, grad_states=np.ones((2, 6, 4)))
    >>> every_step.kernel.shape
    (3, 4)
    """
    if grad_last is None and grad_states is None:
        raise ValueError(
            "simple_rnn_bptt needs a loss gradient: give grad_last (dL/dh_T), "
            "grad_states (dL/dh_t for every step) or both"
        )
    x, (kernel, recurrent_kernel, bias) = _check_layer(
        x, kernel, recurrent_kernel, bias, gates=1, bias_rows=None
    )
    batch, units = x.shape[0], recurrent_kernel.shape[0]
    h0 = _initial_state(h0, "h0", batch, units, x.dtype)
    grad_h = _initial_state(grad_last, "grad_last", batch, units, x.dtype)
    if grad_states is None:
        grad_states = np.zeros((batch, x.shape[1], units), dtype=x.dtype)
    grad_states = np.asarray(grad_states, dtype=x.dtype)
    if grad_states.shape != (batch, x.shape[1], units):
        raise ValueError(
            f"grad_states must have shape (batch, time, units) = "
            f"{(batch, x.shape[1], units)}; got {grad_states.shape}"
        )
    if states is None:
        states = simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0=h0, return_sequences=True)
    states = np.asarray(states, dtype=x.dtype)
    if states.shape != (batch, x.shape[1], units):
        raise ValueError(
            f"states must have shape (batch, time, units) = "
            f"{(batch, x.shape[1], units)}; got {states.shape}"
        )
    previous = np.concatenate([h0[:, None], states[:, :-1]], axis=1)  # h_{t-1}
    d_kernel, d_recurrent = np.zeros_like(kernel), np.zeros_like(recurrent_kernel)
    d_bias, d_inputs = np.zeros_like(bias), np.zeros_like(x)
    norms = np.zeros(x.shape[1], dtype=x.dtype)
    for t in reversed(range(x.shape[1])):
        grad_h = grad_h + grad_states[:, t]
        norms[t] = np.linalg.norm(grad_h)
        grad_a = grad_h * (1.0 - states[:, t] ** 2)
        d_kernel += x[:, t].T @ grad_a
        d_recurrent += previous[:, t].T @ grad_a
        d_bias += grad_a.sum(axis=0)
        d_inputs[:, t] = grad_a @ kernel.T
        grad_h = grad_a @ recurrent_kernel.T
    return Gradients(d_kernel, d_recurrent, d_bias, d_inputs, grad_h, norms)


def clip_by_norm(gradient, theta):
    """Scale a gradient down so that its norm is at most ``theta``.

    This is what ``clipnorm`` does in Keras' optimizers: ``g`` becomes
    ``g * theta / ||g||`` when ``||g|| > theta`` and is unchanged
    otherwise, so the direction is kept (Pascanu et al., 2013).

    Parameters
    ----------
    gradient : array
        Any shape; its Frobenius norm is used.
    theta : float
        The threshold :math:`\\theta`: the largest norm allowed, positive.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``theta`` is not positive.

    Examples
    --------
    >>> clip_by_norm(np.array([3.0, 4.0]), 1.0)
    array([0.6, 0.8])
    """
    if not theta > 0:
        raise ValueError(f"theta must be positive; got {theta!r}")
    gradient = np.asarray(gradient)
    norm = np.linalg.norm(gradient)
    return gradient * (theta / norm) if norm > theta else gradient


def spectral_radius(matrix):
    """The largest absolute eigenvalue of a square matrix.

    Examples
    --------
    >>> float(spectral_radius(np.diag([0.5, -2.0])))
    2.0
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square; got shape {matrix.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


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


def autodiff_gradients(layer, x, grad_output):
    """Gradients that the Keras backend's automatic differentiation computes.

    The loss is ``L = sum(layer(x) * grad_output)``, so that ``grad_output``
    is ``dL/d(output)``: for a layer returning its final state this is the
    ``grad_last`` of :func:`simple_rnn_bptt`. Works on the JAX
    (``jax.grad``) and TensorFlow (``tf.GradientTape``) backends.

    Parameters
    ----------
    layer : keras.layers.Layer
        A built layer.
    x : array
        Its input.
    grad_output : array
        Shaped like the layer's output.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"inputs"`` for ``dL/dx``, and one entry per trainable weight, by
        the weight's name (``"kernel"``, ``"recurrent_kernel"``, ``"bias"``).

    Raises
    ------
    ValueError
        On another backend than JAX or TensorFlow.
    """
    import keras

    backend = keras.backend.backend()
    names = [v.name for v in layer.trainable_variables]
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        non_trainable = [v.value for v in layer.non_trainable_variables]

        def loss(trainable, inputs):
            out, _ = layer.stateless_call(trainable, non_trainable, inputs)
            return jnp.sum(out * grad_output)

        values = [v.value for v in layer.trainable_variables]
        d_weights, d_inputs = jax.grad(loss, argnums=(0, 1))(values, jnp.asarray(x))
    elif backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            out = layer(inputs)
            loss = tf.reduce_sum(out * tf.cast(grad_output, out.dtype))
        d_inputs, *d_weights = tape.gradient(
            loss, [inputs, *[v.value for v in layer.trainable_variables]]
        )
    else:
        raise ValueError(
            f"autodiff_gradients supports the jax and tensorflow backends, not "
            f"{backend!r}: set KERAS_BACKEND=jax or tensorflow"
        )
    grads = {"inputs": to_numpy(d_inputs)}
    grads.update({name: to_numpy(g) for name, g in zip(names, d_weights, strict=True)})
    return grads


# ----------------------------------------------------------------------------
# Training a character-level SimpleRNN
# ----------------------------------------------------------------------------
#
# The parameters of the trained model are a dict of arrays named and shaped
# as in the book's equations (column vectors), not as Keras stores them:
#
#     h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h),   y_hat_t = softmax(W_hy h_t + b_y)
#
# with W_xh (n, d), W_hh (n, n), b_h (n,), W_hy (V, n), b_y (V,). The Keras
# model ``SimpleRNN(n, return_sequences=True)`` + ``Dense(V)`` holds the same
# numbers as ``[W_xh.T, W_hh.T, b_h, W_hy.T, b_y]`` (see :func:`keras_weights`).


def _one_blas_thread(function):
    """Run ``function`` with one BLAS thread.

    Its matrices are small (a batch of states times an n x n matrix), and
    BLAS threads cost more to start and join than they save: several times
    the CPU time, and more wall time, where other processes use the cores.
    """

    @functools.wraps(function)
    def one_thread(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return one_thread


PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
"""The names of the parameters of the character-level RNN, in Keras' order."""


def echo_text(num_words, gap=5, letters="abcd", seed=0):
    """A generated text in which a letter comes back ``gap + 1`` characters later.

    Every word is a random letter, the digits ``1 ... gap``, the same letter
    again and a space, e.g. ``"c12345c a12345a "`` for ``gap=5``. Predicting
    the next character is easy everywhere but at two places: the first letter
    of a word is a uniform guess among ``letters``, and the last one can be
    predicted only by a model that remembers the first letter across the
    ``gap`` digits.

    Parameters
    ----------
    num_words : int
        Number of words, at least 1.
    gap : int
        Digits between the two letters, 1 to 9.
    letters : str
        The letters drawn from (no digits, no spaces, no repeats).
    seed : int
        Seed of the random letters.

    Returns
    -------
    str
        ``num_words * (gap + 3)`` characters.

    Raises
    ------
    ValueError
        If a size is out of range or ``letters`` holds a digit, space or repeat.

    Examples
    --------
    >>> echo_text(3, gap=3, seed=1)
    'b123b c123c d123d '
    """
    _positive_int("num_words", num_words)
    if not (isinstance(gap, int | np.integer) and 1 <= gap <= 9):
        raise ValueError(f"gap must be an integer from 1 to 9 (one digit per step); got {gap!r}")
    if (
        not letters
        or len(set(letters)) != len(letters)
        or any(c.isdigit() or c.isspace() for c in letters)
    ):
        raise ValueError(
            f"letters must be distinct characters, none a digit or a space; got {letters!r}"
        )
    digits = "123456789"[:gap]
    chosen = np.random.default_rng(seed).choice(list(letters), size=num_words)
    return "".join(f"{letter}{digits}{letter} " for letter in chosen)


def char_batches(ids, batch_size, timesteps, steps, seed=0):
    """Cut random windows out of an encoded text, for next-character prediction.

    Batch ``s`` holds ``batch_size`` windows of ``timesteps + 1`` characters
    starting at random places; the inputs are the first ``timesteps``
    characters of each window and the targets the last ``timesteps``, so that
    ``targets[s, b, t] == inputs[s, b, t + 1]``: at every step the target
    ``y_t`` is the next character.

    Parameters
    ----------
    ids : array of int, shape (length,)
        The text as character indices.
    batch_size : int
        Windows per batch.
    timesteps : int
        Steps per window, ``T``; ``length`` must exceed it.
    steps : int
        Number of batches (one per training step).
    seed : int
        Seed of the window starts.

    Returns
    -------
    inputs, targets : numpy.ndarray
        Integer arrays of shape ``(steps, batch_size, timesteps)``.

    Raises
    ------
    ValueError
        If ``ids`` is not 1-D or too short, or a size is not positive.

    Examples
    --------
    >>> inputs, targets = char_batches(np.arange(10), batch_size=2, timesteps=3, steps=4)
    >>> inputs.shape
    (4, 2, 3)
    >>> bool((inputs[..., 1:] == targets[..., :-1]).all())
    True
    """
    ids = np.asarray(ids)
    for name, value in (("batch_size", batch_size), ("timesteps", timesteps), ("steps", steps)):
        _positive_int(name, value)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"ids must be a 1-D integer array (the text as character indices); "
            f"got dtype {ids.dtype} and shape {ids.shape}"
        )
    if ids.size <= timesteps:
        raise ValueError(
            f"ids has {ids.size} characters, too few for windows of timesteps + 1 = "
            f"{timesteps + 1}: use a longer text or fewer timesteps"
        )
    starts = np.random.default_rng(seed).integers(0, ids.size - timesteps, (steps, batch_size))
    windows = ids[starts[..., None] + np.arange(timesteps + 1)]
    return windows[..., :-1], windows[..., 1:]


def init_params(vocab_size, units, seed=0, dtype="float32"):
    """Initial parameters of a character-level RNN, drawn as Keras draws them.

    ``W_xh`` and ``W_hy`` are Glorot-uniform, ``W_hh`` is a random orthogonal
    matrix, the biases are zeros (Keras' defaults for ``SimpleRNN`` and
    ``Dense``). The input is a one-hot vector, so ``d = V``.

    Parameters
    ----------
    vocab_size : int
        ``V``, the number of characters.
    units : int
        ``n``, the size of the hidden state.
    seed : int
        Seed of the random draws.
    dtype : str
        ``"float32"`` (as Keras) or ``"float64"``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``W_xh`` (n, V), ``W_hh`` (n, n), ``b_h`` (n,), ``W_hy`` (V, n),
        ``b_y`` (V,).

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> params = init_params(vocab_size=10, units=4)
    >>> {name: w.shape for name, w in params.items()}
    {'W_xh': (4, 10), 'W_hh': (4, 4), 'b_h': (4,), 'W_hy': (10, 4), 'b_y': (10,)}
    >>> bool(np.allclose(params["W_hh"] @ params["W_hh"].T, np.eye(4), atol=1e-6))
    True
    """
    for name, value in (("vocab_size", vocab_size), ("units", units)):
        _positive_int(name, value)
    rng = np.random.default_rng(seed)

    def glorot(rows, cols):
        limit = np.sqrt(6.0 / (rows + cols))
        return rng.uniform(-limit, limit, size=(rows, cols))

    q, r = np.linalg.qr(rng.normal(size=(units, units)))
    params = {
        "W_xh": glorot(units, vocab_size),
        "W_hh": q * np.sign(np.diag(r)),
        "b_h": np.zeros(units),
        "W_hy": glorot(vocab_size, units),
        "b_y": np.zeros(vocab_size),
    }
    return {name: w.astype(dtype) for name, w in params.items()}


def keras_weights(params):
    """The parameters in the order and layout of Keras' ``set_weights``.

    For ``keras.Sequential([SimpleRNN(n, return_sequences=True), Dense(V)])``:
    ``kernel = W_xh^T``, ``recurrent_kernel = W_hh^T``, ``bias = b_h``, then
    the ``Dense`` kernel ``W_hy^T`` and bias ``b_y``.

    Examples
    --------
    >>> [w.shape for w in keras_weights(init_params(10, 4))]
    [(10, 4), (4, 4), (4,), (4, 10), (10,)]
    """
    params = _check_params(params)
    return [params["W_xh"].T, params["W_hh"].T, params["b_h"], params["W_hy"].T, params["b_y"]]


def sequence_forward(params, x, h0=None):
    """Predictions ``y_hat_t = softmax(W_hy h_t + b_y)`` at every step.

    Parameters
    ----------
    params : dict
        As :func:`init_params` returns it.
    x : array of shape (batch, time, d)
        The inputs (one-hot characters).
    h0 : array of shape (batch, n), optional
        Initial state; zeros when omitted.

    Returns
    -------
    y_hat : numpy.ndarray of shape (batch, time, V)
        Probabilities of the next character.
    states : numpy.ndarray of shape (batch, time, n)
        The hidden states ``h_1 ... h_T``.

    Raises
    ------
    ValueError
        If a parameter is missing or a shape does not fit.

    Examples
    --------
    >>> params = init_params(vocab_size=5, units=3)
    >>> y_hat, states = sequence_forward(params, np.eye(5)[[[0, 1, 2]]])
    >>> y_hat.shape, states.shape
    ((1, 3, 5), (1, 3, 3))
    >>> bool(np.allclose(y_hat.sum(axis=-1), 1.0))
    True
    """
    params = _check_params(params)
    x = _check_inputs(params, x)
    states = simple_rnn_forward(
        x, params["W_xh"].T, params["W_hh"].T, params["b_h"], h0=h0, return_sequences=True
    )
    log_probs = _log_softmax(states @ params["W_hy"].T + params["b_y"])
    return np.exp(log_probs), states


def sequence_loss_and_gradients(params, x, targets, window=None):
    """Cross-entropy of next-step prediction and its gradients by (truncated) BPTT.

    The loss is the mean over the batch and the steps of
    ``l_t = -log y_hat_t[y_t]`` (Keras' ``SparseCategoricalCrossentropy``).
    Its gradient with respect to the logits is ``(y_hat_t - onehot(y_t)) /
    (batch * T)``; through ``W_hy`` it reaches every state ``h_t``, and
    :func:`simple_rnn_bptt` (with ``grad_states``) carries it back in time.

    With ``window=k`` the sequence is cut into windows of ``k`` steps (the
    last may be shorter). The state flows forward across the cuts, as in the
    full forward pass, so the loss is the same; but the backward pass of each
    window stops at its first step: the gradient ``dL/dh_0`` of a window is
    dropped instead of being passed to the window before. A loss term
    ``l_t`` then reaches the weights only through the steps of its own
    window.

    Parameters
    ----------
    params : dict
        As :func:`init_params` returns it.
    x : array of shape (batch, T, d)
        The inputs (one-hot characters).
    targets : array of int, shape (batch, T)
        The index ``y_t`` of the next character at every step.
    window : int, optional
        ``k`` for truncated BPTT; ``None`` (default) for full BPTT.

    Returns
    -------
    loss : float
        The mean cross-entropy ``L``.
    grads : dict of str to numpy.ndarray
        ``dL/dW`` for every parameter, shaped like it.

    Raises
    ------
    ValueError
        If a shape does not fit, a target is not a character index, or
        ``window`` is not a positive integer.

    Examples
    --------
    >>> params = init_params(vocab_size=5, units=3)
    >>> x, targets = np.eye(5)[[[0, 1, 2, 3]]], np.array([[1, 2, 3, 4]])
    >>> loss, grads = sequence_loss_and_gradients(params, x, targets)
    >>> round(loss, 1)  # about log(5) = 1.6 before training
    1.6
    >>> grads["W_hh"].shape
    (3, 3)
    >>> truncated = sequence_loss_and_gradients(params, x, targets, window=2)
    >>> loss_k, grads_k = truncated  # the same loss, other recurrent gradients
    >>> bool(np.isclose(loss_k, loss)), bool(np.allclose(grads_k["W_hh"], grads["W_hh"]))
    (True, False)
    """
    params = _check_params(params)
    x = _check_inputs(params, x)
    targets = _check_targets(params, x, targets)
    batch, steps = targets.shape
    if window is None:
        window = steps
    if not (isinstance(window, int | np.integer) and window >= 1):
        raise ValueError(
            f"window must be a positive integer (k steps) or None for full BPTT; got {window!r}"
        )
    w_xh, w_hh, b_h, w_hy, b_y = (params[name] for name in PARAM_NAMES)
    grads = {name: np.zeros_like(w) for name, w in params.items()}
    h = np.zeros((batch, w_hh.shape[0]), dtype=x.dtype)
    loss = 0.0
    for start in range(0, steps, window):
        xs, ys = x[:, start : start + window], targets[:, start : start + window]
        states = simple_rnn_forward(xs, w_xh.T, w_hh.T, b_h, h0=h, return_sequences=True)
        log_probs = _log_softmax(states @ w_hy.T + b_y)
        picked = np.take_along_axis(log_probs, ys[..., None], axis=-1)
        loss -= float(picked.sum())
        grad_logits = np.exp(log_probs)
        np.put_along_axis(grad_logits, ys[..., None], np.exp(picked) - 1.0, axis=-1)
        grad_logits /= batch * steps  # dL/d(logits) for the mean over batch and steps
        grads["W_hy"] += np.einsum("btv,btn->vn", grad_logits, states)
        grads["b_y"] += grad_logits.sum(axis=(0, 1))
        back = simple_rnn_bptt(
            xs, w_xh.T, w_hh.T, b_h, h0=h, grad_states=grad_logits @ w_hy, states=states
        )  # back.h0, dL/dh at the window's start, is dropped: the cut
        grads["W_xh"] += back.kernel.T
        grads["W_hh"] += back.recurrent_kernel.T
        grads["b_h"] += back.bias
        h = states[:, -1]  # the state flows on into the next window
    return loss / (batch * steps), grads


def clip_by_global_norm(grads, theta):
    """Scale all gradients together so that their joint norm is at most ``theta``.

    The global norm is ``sqrt(sum of ||g||^2 over all gradients)``; when it
    exceeds ``theta`` every gradient is multiplied by ``theta / norm``, so
    the update keeps its direction (Pascanu et al., 2013). This is Keras'
    ``global_clipnorm``; its ``clipnorm`` (and :func:`clip_by_norm`) clips
    each gradient on its own instead.

    Parameters
    ----------
    grads : dict of str to array
        The gradients, e.g. from :func:`sequence_loss_and_gradients`.
    theta : float
        The threshold, positive.

    Returns
    -------
    clipped : dict of str to numpy.ndarray
        The gradients, scaled when needed.
    norm : float
        The global norm *before* clipping.

    Raises
    ------
    ValueError
        If ``theta`` is not positive or ``grads`` is not a non-empty dict.

    Examples
    --------
    >>> clipped, norm = clip_by_global_norm({"a": np.array([3.0]), "b": np.array([4.0])}, 1.0)
    >>> norm, clipped["a"], clipped["b"]
    (5.0, array([0.6]), array([0.8]))
    """
    grads = _check_grads(grads)
    theta = _positive("theta", theta)
    squares = sum(np.sum(g.astype(float) ** 2) for g in grads.values())
    norm = float(np.sqrt(squares))
    scale = min(1.0, theta / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm


class SGD:
    """Plain gradient descent, ``W <- W - eta * dL/dW``, as ``keras.optimizers.SGD``.

    Parameters
    ----------
    learning_rate : float
        ``eta``, positive.

    Raises
    ------
    ValueError
        If the learning rate is not positive.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 2.0])}
    >>> SGD(learning_rate=0.5).update(params, {"w": np.array([2.0, -2.0])})
    >>> params["w"]
    array([0., 3.])
    """

    def __init__(self, learning_rate):
        self.learning_rate = _positive("learning_rate", learning_rate)

    def update(self, params, grads):
        """Change ``params`` in place, one step against ``grads`` (same keys and shapes)."""
        _check_update(params, grads)
        for name, g in grads.items():
            params[name] -= self.learning_rate * g

    def __repr__(self):
        return f"SGD(learning_rate={self.learning_rate!r})"


class Adam:
    """Adam (Kingma & Ba, 2015), step for step as ``keras.optimizers.Adam``.

    For each parameter, with ``g`` its gradient and ``s`` the step number
    (1, 2, ...)::

        m <- m + (1 - beta_1) (g - m)
        v <- v + (1 - beta_2) (g**2 - v)
        W <- W - eta_s m / (sqrt(v) + epsilon),
        eta_s = eta sqrt(1 - beta_2**s) / (1 - beta_1**s)

    The bias correction sits in ``eta_s`` and ``epsilon`` is added to
    ``sqrt(v)`` uncorrected, as Keras does (the paper corrects ``m`` and
    ``v`` separately, which differs only through ``epsilon``).

    Parameters
    ----------
    learning_rate : float
        ``eta``, positive.
    beta_1, beta_2 : float
        Decay rates of the two moving averages, in [0, 1).
    epsilon : float
        Keras' default 1e-7 (the paper's is 1e-8).

    Raises
    ------
    ValueError
        If a setting is out of range.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> adam = Adam(learning_rate=0.1)
    >>> adam.update(params, {"w": np.array([0.5, -2.0])})
    >>> params["w"].round(4)  # the first step moves each entry by about eta
    array([0.9, 1.1])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate = _positive("learning_rate", learning_rate)
        self.epsilon = _positive("epsilon", epsilon)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not (isinstance(beta, int | float | np.number) and 0 <= beta < 1):
                raise ValueError(f"{name} must be in [0, 1); got {beta!r}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.iterations = 0
        self.m, self.v = {}, {}

    def update(self, params, grads):
        """Change ``params`` in place, one Adam step with ``grads`` (same keys and shapes)."""
        _check_update(params, grads)
        self.iterations += 1
        s = self.iterations
        for name, g in grads.items():
            g = np.asarray(g, dtype=params[name].dtype)
            # eta_s = eta sqrt(1 - beta_2**s) / (1 - beta_1**s), in g's precision
            eta_s = self._step_size(s, g.dtype)
            m = self.m.setdefault(name, np.zeros_like(g))  # moving average of g
            v = self.v.setdefault(name, np.zeros_like(g))  # moving average of g**2
            m += (1 - self.beta_1) * (g - m)
            v += (1 - self.beta_2) * (g**2 - v)
            params[name] -= eta_s * m / (np.sqrt(v) + self.epsilon)

    def _step_size(self, s, dtype):
        # eta_s computed in the weights' precision, as Keras does (float32 for float32)
        beta_1, beta_2, eta = (
            np.asarray(b, dtype) for b in (self.beta_1, self.beta_2, self.learning_rate)
        )
        s = np.asarray(s, dtype)
        return eta * np.sqrt(1 - beta_2**s) / (1 - beta_1**s)

    def __repr__(self):
        return (
            f"Adam(learning_rate={self.learning_rate!r}, beta_1={self.beta_1!r}, "
            f"beta_2={self.beta_2!r}, epsilon={self.epsilon!r})"
        )


@_one_blas_thread
def train_rnn(params, x, targets, optimizer, theta=None, window=None):
    """Train the character-level RNN, one step per batch.

    Every step is :func:`sequence_loss_and_gradients` on one batch (full or
    truncated BPTT), then :func:`clip_by_global_norm` when ``theta`` is
    given, then ``optimizer.update``.

    Parameters
    ----------
    params : dict
        Initial parameters (:func:`init_params`); they are copied, not changed.
    x : array of shape (steps, batch, T, d)
        One batch of inputs per step.
    targets : array of int, shape (steps, batch, T)
        The next characters.
    optimizer : SGD or Adam
        Any object with ``update(params, grads)``.
    theta : float, optional
        Clipping threshold; no clipping when omitted.
    window : int, optional
        ``k`` for truncated BPTT; full BPTT when omitted.

    Returns
    -------
    params : dict
        The trained parameters.
    history : dict of str to numpy.ndarray
        ``"loss"``, the loss of every batch before its update, and
        ``"grad_norm"``, the global gradient norm before clipping.

    Raises
    ------
    ValueError
        If the shapes of ``x`` and ``targets`` do not fit, or as the
        functions above.

    Examples
    --------
    >>> text = echo_text(50, gap=2, letters="ab")
    >>> vocabulary = sorted(set(text))
    >>> ids = np.array([vocabulary.index(c) for c in text])
    >>> inputs, targets = char_batches(ids, batch_size=8, timesteps=10, steps=30)
    >>> x = np.eye(len(vocabulary), dtype="float32")[inputs]
    >>> params = init_params(len(vocabulary), units=8)
    >>> trained, history = train_rnn(params, x, targets, SGD(1.0), theta=1.0)
    >>> bool(history["loss"][-1] < history["loss"][0])
    True
    """
    x, targets = _check_training(x, targets, optimizer, theta)
    theta = np.inf if theta is None else theta  # no clipping: scale by 1
    params = {name: w.copy() for name, w in _check_params(params).items()}
    history = {"loss": [], "grad_norm": []}
    for xs, ys in zip(x, targets):  # one batch per step
        loss, grads = sequence_loss_and_gradients(params, xs, ys, window)
        grads, norm = clip_by_global_norm(grads, theta)
        optimizer.update(params, grads)
        history["loss"].append(loss)
        history["grad_norm"].append(norm)  # before clipping
    return params, {key: np.array(values) for key, values in history.items()}


def sample_sequence(params, prompt, length, temperature=1.0, seed=0):
    """Continue a text by drawing one character at a time from the model.

    The prompt is read from ``h_0 = 0``; then every step draws a character
    from ``softmax((W_hy h_t + b_y) / temperature)``
    (:func:`rnnbook.textgen.sample_next`) and feeds it back as the next
    input. For a one-hot ``x_t`` the product ``W_xh x_t`` is the column of
    ``W_xh`` of that character.

    Parameters
    ----------
    params : dict
        As :func:`init_params` or :func:`train_rnn` returns it.
    prompt : sequence of int
        The start of the text as character indices, at least one.
    length : int
        Number of characters to draw, at least 0.
    temperature : float
        ``tau >= 0``: below 1 sharpens the distribution, above 1 flattens it,
        0 always takes the most likely character.
    seed : int
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of int, shape (length,)
        The drawn character indices (without the prompt).

    Raises
    ------
    ValueError
        If the prompt is empty or not character indices, or ``length`` or
        ``temperature`` is negative.

    Examples
    --------
    >>> params = init_params(vocab_size=5, units=3)
    >>> sample_sequence(params, [0, 1], length=6, seed=1).shape
    (6,)
    >>> greedy = sample_sequence(params, [0, 1], length=6, temperature=0)
    >>> bool((greedy == sample_sequence(params, [0, 1], length=6, temperature=0)).all())
    True
    """
    params = _check_params(params)
    w_xh, w_hh, b_h, w_hy, b_y = (params[name] for name in PARAM_NAMES)
    prompt = _check_sampling(prompt, len(b_y), length, temperature)
    rng = np.random.default_rng(seed)
    h = np.zeros_like(b_h)
    for i in prompt:  # read the prompt; W_xh x_t is column i of W_xh
        h = np.tanh(w_xh[:, i] + w_hh @ h + b_h)
    drawn = []
    for _ in range(length):
        i = sample_next(w_hy @ h + b_y, temperature, rng)
        drawn.append(i)
        h = np.tanh(w_xh[:, i] + w_hh @ h + b_h)  # i is the next input
    return np.array(drawn, dtype=int)


def source_code(*objects):
    """The source of functions, classes or methods without their docstrings, highlighted.

    For a page that shows the code it runs: the result displays in a
    notebook as syntax-highlighted Python.

    Parameters
    ----------
    *objects : function, class or method
        Defined in a source file; shown in the order given, separated by a
        blank line.

    Returns
    -------
    IPython.display.Code
        Its ``data`` attribute holds the text.

    Raises
    ------
    ValueError
        If nothing is given or an object has no source file (a built-in, a
        value, or a function typed into the interpreter).

    Examples
    --------
    >>> print(source_code(SGD.update).data)
    def update(self, params, grads):
        _check_update(params, grads)
        for name, g in grads.items():
            params[name] -= self.learning_rate * g
    """
    from IPython.display import Code

    if not objects:
        raise ValueError("source_code needs at least one function, class or method to show")
    parts = []
    for obj in objects:
        try:
            source = textwrap.dedent(inspect.getsource(obj))
        except (TypeError, OSError) as error:
            raise ValueError(
                f"cannot show the source of {obj!r}: pass a function, class or method "
                f"defined in a file ({error})"
            ) from None
        lines = source.splitlines()
        drop = set()
        for node in ast.walk(ast.parse(source)):
            body = getattr(node, "body", None)
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                end = body[0].end_lineno  # the line after the docstring, 0-based
                blank = end < len(lines) and not lines[end].strip()
                drop.update(range(body[0].lineno - 1, end + blank))
        parts.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return Code("\n\n".join(parts), language="python")


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_grads(grads):
    if not isinstance(grads, dict) or not grads:
        raise ValueError(
            "grads must be a non-empty dict of arrays (name -> gradient); "
            f"got {type(grads).__name__}: use clip_by_norm for a single array"
        )
    grads = {name: np.asarray(g) for name, g in grads.items()}
    return {name: g.astype(np.result_type(g, np.float32), copy=False) for name, g in grads.items()}


def _check_training(x, targets, optimizer, theta):
    if theta is not None:
        _positive("theta", theta)
    x, targets = np.asarray(x), np.asarray(targets)
    if x.ndim != 4 or targets.shape != x.shape[:3]:
        raise ValueError(
            "x must have shape (steps, batch, T, d) and targets (steps, batch, T), one batch "
            f"per step; got {x.shape} and {targets.shape}"
        )
    if not callable(getattr(optimizer, "update", None)):
        raise ValueError(
            f"optimizer must have an update(params, grads) method, like SGD or Adam; "
            f"got {optimizer!r}"
        )
    return x, targets


def _positive(name, value):
    if not (isinstance(value, int | float | np.number) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def _positive_int(name, value):
    if not (isinstance(value, int | np.integer) and value >= 1):
        raise ValueError(f"{name} must be a positive integer; got {value!r}")


def _check_params(params):
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(
            f"params must be a dict with the keys {', '.join(PARAM_NAMES)} "
            f"(as init_params returns it); got {got}"
        )
    params = {name: np.asarray(params[name]) for name in PARAM_NAMES}
    for name in PARAM_NAMES:
        if params[name].ndim != (1 if name.startswith("b") else 2):
            kind = "a vector" if name.startswith("b") else "a matrix"
            raise ValueError(f"params[{name!r}] must be {kind}; got shape {params[name].shape}")
    units, vocab = params["W_hh"].shape[0], params["W_hy"].shape[0]
    expected = {
        "W_xh": (units, params["W_xh"].shape[1]),
        "W_hh": (units, units),
        "b_h": (units,),
        "W_hy": (vocab, units),
        "b_y": (vocab,),
    }
    for name, shape in expected.items():
        if params[name].shape != shape:
            raise ValueError(
                f"params[{name!r}] must have shape {shape} for n={units} units and "
                f"V={vocab} characters; got {params[name].shape}"
            )
    return params


def _check_inputs(params, x):
    x = _check_sequence(x)
    d = params["W_xh"].shape[1]
    if x.shape[-1] != d:
        raise ValueError(
            f"x must have {d} features per step (the columns of W_xh; one-hot characters "
            f"for V={d}); got shape {x.shape}"
        )
    return x.astype(np.result_type(x, params["W_xh"]), copy=False)


def _check_targets(params, x, targets):
    targets = np.asarray(targets)
    if targets.shape != x.shape[:2]:
        raise ValueError(
            f"targets must have shape (batch, T) = {x.shape[:2]}, one character index per "
            f"step; got {targets.shape}"
        )
    vocab = params["W_hy"].shape[0]
    if not np.issubdtype(targets.dtype, np.integer) or targets.min() < 0 or targets.max() >= vocab:
        raise ValueError(
            f"targets must be character indices, integers from 0 to V - 1 = {vocab - 1}"
        )
    return targets


def _check_update(params, grads):
    if set(params) != set(grads):
        raise ValueError(
            f"grads must have the same keys as params; got {sorted(grads)} for {sorted(params)}"
        )
    for name, g in grads.items():
        if np.shape(g) != np.shape(params[name]):
            raise ValueError(
                f"grads[{name!r}] must have the shape of params[{name!r}], "
                f"{np.shape(params[name])}; got {np.shape(g)}"
            )


# ----------------------------------------------------------------------------
# Shape checks
# ----------------------------------------------------------------------------


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


def _check_sampling(prompt, vocab, length, temperature):
    prompt = np.asarray(prompt)
    if prompt.ndim != 1 or prompt.size == 0 or not np.issubdtype(prompt.dtype, np.integer):
        raise ValueError(
            "prompt must be a non-empty 1-D sequence of character indices, "
            f"e.g. vocabulary.encode('this movie'); got {prompt!r}"
        )
    if prompt.min() < 0 or prompt.max() >= vocab:
        raise ValueError(f"prompt must hold character indices from 0 to V - 1 = {vocab - 1}")
    if not (isinstance(length, int | np.integer) and length >= 0):
        raise ValueError(f"length must be an integer >= 0 (characters to draw); got {length!r}")
    if not (isinstance(temperature, int | float | np.number) and temperature >= 0):
        raise ValueError(
            f"temperature must be a number >= 0 (0 picks the most likely character); "
            f"got {temperature!r}"
        )
    return prompt
