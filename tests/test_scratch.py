"""The NumPy layers of rnnbook.scratch against Keras and automatic differentiation.

Keras computes in float32, and so do these checks. The two sides add the
same numbers in a different order, so they differ by float32 rounding
(about 1e-7 per operation, a few 1e-7 after a dozen steps). We allow
``rtol=1e-5, atol=1e-5``, far below any real mistake (a wrong gate order or
a missing bias changes the outputs by more than 1e-2).

The main pytest process runs on the backend in ``$KERAS_BACKEND`` (JAX in
this repository); ``test_keras_equality_on_tensorflow`` reruns this module on
TensorFlow in a subprocess, so the equalities hold on both backends.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

from rnnbook.scratch import (
    autodiff_gradients,
    bidirectional_forward,
    clip_by_norm,
    gru_forward,
    lstm_forward,
    sigmoid,
    simple_rnn_bptt,
    simple_rnn_forward,
    spectral_radius,
    to_numpy,
    weights_of,
)

TOL = {"rtol": 1e-5, "atol": 1e-5}  # float32 rounding, see the module docstring
BATCH, TIME, FEATURES, UNITS = 3, 9, 4, 5


@pytest.fixture
def x():
    rng = np.random.default_rng(0)
    return rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")


def _built(layer, x, seed=1):
    """Call the layer once, then give it random (not initial) weights."""
    layer(x)
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign((0.5 * rng.normal(size=weight.shape)).astype("float32"))
    return layer


# ----------------------------------------------------------------------------
# Forward passes equal Keras
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_matches_keras(x, return_sequences):
    layer = _built(keras.layers.SimpleRNN(UNITS, return_sequences=return_sequences), x)
    ours = simple_rnn_forward(x, *weights_of(layer), return_sequences=return_sequences)
    theirs = to_numpy(layer(x))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, **TOL)


def test_simple_rnn_with_initial_state_matches_keras(x):
    layer = _built(keras.layers.SimpleRNN(UNITS), x)
    h0 = np.full((BATCH, UNITS), 0.3, dtype="float32")
    theirs = to_numpy(layer(x, initial_state=[h0]))
    np.testing.assert_allclose(simple_rnn_forward(x, *weights_of(layer), h0=h0), theirs, **TOL)


def test_simple_rnn_is_the_books_equation(x):
    kernel, recurrent, bias = weights_of(_built(keras.layers.SimpleRNN(UNITS), x))
    w_x, w_h = kernel.T, recurrent.T  # the book's column-vector matrices
    h = np.zeros(UNITS, dtype="float32")
    for t in range(TIME):
        h = np.tanh(w_h @ h + w_x @ x[0, t] + bias)
    np.testing.assert_allclose(simple_rnn_forward(x, kernel, recurrent, bias)[0], h, **TOL)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_matches_keras(x, return_sequences, merge_mode):
    layer = _built(
        keras.layers.Bidirectional(
            keras.layers.SimpleRNN(UNITS, return_sequences=return_sequences),
            merge_mode=merge_mode,
        ),
        x,
    )
    forward, backward = weights_of(layer)
    ours = bidirectional_forward(
        x, forward, backward, merge_mode=merge_mode, return_sequences=return_sequences
    )
    theirs = to_numpy(layer(x))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, **TOL)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_matches_keras(x, return_sequences):
    layer = _built(keras.layers.LSTM(UNITS, return_sequences=return_sequences), x)
    ours = lstm_forward(x, *weights_of(layer), return_sequences=return_sequences)
    np.testing.assert_allclose(ours, to_numpy(layer(x)), **TOL)


def test_lstm_returns_final_cell_like_keras(x):
    layer = _built(keras.layers.LSTM(UNITS, return_state=True), x)
    ours = lstm_forward(x, *weights_of(layer), return_state=True)
    for mine, keras_value in zip(ours, layer(x), strict=True):
        np.testing.assert_allclose(mine, to_numpy(keras_value), **TOL)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_matches_keras(x, reset_after, return_sequences):
    layer = _built(
        keras.layers.GRU(UNITS, reset_after=reset_after, return_sequences=return_sequences),
        x,
    )
    weights = weights_of(layer)
    assert weights[2].shape == ((2, 3 * UNITS) if reset_after else (3 * UNITS,))
    ours = gru_forward(x, *weights, reset_after=reset_after, return_sequences=return_sequences)
    np.testing.assert_allclose(ours, to_numpy(layer(x)), **TOL)


def test_bidirectional_gru_matches_keras(x):
    layer = _built(keras.layers.Bidirectional(keras.layers.GRU(UNITS)), x)
    forward, backward = weights_of(layer)
    ours = bidirectional_forward(x, forward, backward, layer_forward=gru_forward)
    np.testing.assert_allclose(ours, to_numpy(layer(x)), **TOL)


# ----------------------------------------------------------------------------
# Backpropagation through time equals automatic differentiation
# ----------------------------------------------------------------------------


def test_bptt_matches_backend_autodiff(x):
    layer = _built(keras.layers.SimpleRNN(UNITS), x)
    grad_last = np.random.default_rng(2).normal(size=(BATCH, UNITS)).astype("float32")
    ours = simple_rnn_bptt(x, *weights_of(layer), grad_last=grad_last)
    theirs = autodiff_gradients(layer, x, grad_last)
    assert set(theirs) == {"inputs", "kernel", "recurrent_kernel", "bias"}
    for name, value in theirs.items():
        mine = getattr(ours, name)
        assert mine.shape == value.shape, name
        np.testing.assert_allclose(mine, value, err_msg=name, **TOL)


def test_bptt_matches_finite_differences():
    # Framework-free check in float64: central differences have error ~eps**2/6.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 3))
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) / 2, rng.normal(size=4)]
    h0 = rng.normal(size=(2, 4)) / 2
    grad_last = rng.normal(size=(2, 4))

    def loss(*w, x=x, h0=h0):
        return float(np.sum(simple_rnn_forward(x, *w, h0=h0) * grad_last))

    ours = simple_rnn_bptt(x, *weights, grad_last=grad_last, h0=h0)
    eps = 1e-6
    for name, index in (("kernel", 0), ("recurrent_kernel", 1), ("bias", 2)):
        numeric = np.zeros_like(weights[index])
        for i in np.ndindex(numeric.shape):
            plus = [w.copy() for w in weights]
            minus = [w.copy() for w in weights]
            plus[index][i] += eps
            minus[index][i] -= eps
            numeric[i] = (loss(*plus) - loss(*minus)) / (2 * eps)
        np.testing.assert_allclose(getattr(ours, name), numeric, rtol=1e-6, atol=1e-8)
    numeric_h0 = np.zeros_like(h0)
    for i in np.ndindex(h0.shape):
        plus, minus = h0.copy(), h0.copy()
        plus[i] += eps
        minus[i] -= eps
        numeric_h0[i] = (loss(*weights, h0=plus) - loss(*weights, h0=minus)) / (2 * eps)
    np.testing.assert_allclose(ours.h0, numeric_h0, rtol=1e-6, atol=1e-8)


def test_bptt_state_norms_start_at_the_given_gradient(x):
    weights = weights_of(_built(keras.layers.SimpleRNN(UNITS), x))
    grad_last = np.ones((BATCH, UNITS), dtype="float32")
    norms = simple_rnn_bptt(x, *weights, grad_last=grad_last).state_norms
    assert norms.shape == (TIME,)
    np.testing.assert_allclose(norms[-1], np.sqrt(BATCH * UNITS), rtol=1e-6)


def test_bptt_gradients_vanish_for_a_small_recurrent_kernel():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 40, 2))
    recurrent = 0.5 * np.linalg.qr(rng.normal(size=(6, 6)))[0]  # spectral radius 0.5
    norms = simple_rnn_bptt(
        x, rng.normal(size=(2, 6)), recurrent, np.zeros(6), grad_last=np.ones((1, 6))
    ).state_norms
    assert norms[0] < 0.5**30 * norms[-1]


# ----------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------


def test_sigmoid_is_stable_for_large_inputs():
    np.testing.assert_allclose(sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0, 0.5, 1])


def test_clip_by_norm_keeps_direction_and_caps_norm():
    gradient = np.array([[3.0, 0.0], [0.0, 4.0]])
    clipped = clip_by_norm(gradient, 1.0)
    np.testing.assert_allclose(np.linalg.norm(clipped), 1.0)
    np.testing.assert_allclose(clipped, gradient / 5.0)
    np.testing.assert_array_equal(clip_by_norm(gradient, 10.0), gradient)


def test_clip_by_norm_equals_keras_clipnorm():
    gradient = np.array([[3.0, 0.0], [0.0, 4.0]], dtype="float32")
    variable = keras.Variable(np.zeros((2, 2), dtype="float32"))
    optimizer = keras.optimizers.SGD(learning_rate=1.0, clipnorm=1.0)
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient), variable)])
    np.testing.assert_allclose(-to_numpy(variable), clip_by_norm(gradient, 1.0), **TOL)


def test_spectral_radius():
    assert spectral_radius(np.array([[0.0, 2.0], [-2.0, 0.0]])) == pytest.approx(2.0)


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------

K, R, B = np.zeros((FEATURES, UNITS)), np.zeros((UNITS, UNITS)), np.zeros(UNITS)


def test_bad_input_shape_raises():
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, features\)"):
        simple_rnn_forward(np.zeros((3, 4)), K, R, B)
    with pytest.raises(ValueError, match="at least one time step"):
        simple_rnn_forward(np.zeros((3, 0, FEATURES)), K, R, B)


def test_bad_weight_shapes_raise(x):
    with pytest.raises(ValueError, match=r"kernel must have shape \(features, units\)"):
        simple_rnn_forward(x, np.zeros((FEATURES + 1, UNITS)), R, B)
    with pytest.raises(ValueError, match=r"recurrent_kernel must have shape"):
        simple_rnn_forward(x, K, np.zeros((UNITS, UNITS + 1)), B)
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\)"):
        simple_rnn_forward(x, K, R, np.zeros(UNITS + 1))
    with pytest.raises(ValueError, match=r"kernel must have shape \(features, 4 \* units"):
        lstm_forward(x, K, np.zeros((UNITS, 4 * UNITS)), np.zeros(4 * UNITS))


def test_gru_bias_shape_names_the_convention(x):
    k3, r3 = np.zeros((FEATURES, 3 * UNITS)), np.zeros((UNITS, 3 * UNITS))
    with pytest.raises(ValueError, match="reset_after=True needs an input and a"):
        gru_forward(x, k3, r3, np.zeros(3 * UNITS))
    with pytest.raises(ValueError, match=r"reset_after=False needs shape"):
        gru_forward(x, k3, r3, np.zeros((2, 3 * UNITS)), reset_after=False)


def test_bad_states_raise(x):
    with pytest.raises(ValueError, match=r"h0 must have shape \(batch, units\)"):
        simple_rnn_forward(x, K, R, B, h0=np.zeros(UNITS))
    with pytest.raises(ValueError, match=r"c0 must have shape \(batch, units\)"):
        lstm_forward(
            x,
            np.zeros((FEATURES, 4 * UNITS)),
            np.zeros((UNITS, 4 * UNITS)),
            np.zeros(4 * UNITS),
            c0=np.zeros((1, UNITS)),
        )
    with pytest.raises(ValueError, match=r"grad_last must have shape \(batch, units\)"):
        simple_rnn_bptt(x, K, R, B, grad_last=np.zeros((BATCH, UNITS + 1)))


def test_other_errors_raise(x):
    with pytest.raises(ValueError, match="merge_mode='max' is not valid"):
        bidirectional_forward(x, (K, R, B), (K, R, B), merge_mode="max")
    with pytest.raises(ValueError, match="max_norm must be positive"):
        clip_by_norm(np.ones(3), 0.0)
    with pytest.raises(ValueError, match="matrix must be square"):
        spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="has no weights yet"):
        weights_of(keras.layers.SimpleRNN(UNITS))


# ----------------------------------------------------------------------------
# The same checks on TensorFlow
# ----------------------------------------------------------------------------


def test_keras_equality_on_tensorflow():
    if keras.backend.backend() == "tensorflow":
        pytest.skip("this process already runs on TensorFlow")
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            __file__,
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "not on_tensorflow",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) > 0, output[-3000:]
