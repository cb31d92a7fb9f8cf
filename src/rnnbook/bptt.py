"""Backpropagation through time for a SimpleRNN in NumPy, and what checks it.

:func:`simple_rnn_bptt` runs the backward pass of
:func:`rnnbook.cells.simple_rnn_forward` in Keras' row convention;
:func:`autodiff_gradients` asks the Keras backend for the same gradients;
:func:`clip_by_norm` and :func:`spectral_radius` are what the
vanishing-gradient pages change and measure.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .cells import _check_layer, _initial_state, simple_rnn_forward, to_numpy

__all__ = [
    "Gradients",
    "autodiff_gradients",
    "clip_by_norm",
    "simple_rnn_bptt",
    "spectral_radius",
]


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
