"""The NumPy layers of rnnbook.cells against Keras.

Keras computes in float32, and so do these checks. The two sides add the
same numbers in a different order, so they differ by float32 rounding
(about 1e-7 per operation, a few 1e-7 after a dozen steps). We allow
``rtol=1e-5, atol=1e-5``, far below any real mistake (a wrong gate order or
a missing bias changes the outputs by more than 1e-2).

The main pytest process runs on the backend in ``$KERAS_BACKEND``;
``tests/test_scratch.py`` reruns this module on TensorFlow in a subprocess.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnnbook.cells import (
    bidirectional_forward,
    gru_forward,
    lstm_forward,
    sigmoid,
    simple_rnn_forward,
    to_numpy,
    weights_of,
)

from .keras_fixtures import BATCH, FEATURES, TIME, TOL, UNITS, B, K, R, built, random_inputs


@pytest.fixture
def x():
    return random_inputs()


@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_matches_keras(x, return_sequences):
    layer = built(keras.layers.SimpleRNN(UNITS, return_sequences=return_sequences), x)
    ours = simple_rnn_forward(x, *weights_of(layer), return_sequences=return_sequences)
    theirs = to_numpy(layer(x))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, **TOL)


def test_simple_rnn_with_initial_state_matches_keras(x):
    layer = built(keras.layers.SimpleRNN(UNITS), x)
    h0 = np.full((BATCH, UNITS), 0.3, dtype="float32")
    theirs = to_numpy(layer(x, initial_state=[h0]))
    np.testing.assert_allclose(simple_rnn_forward(x, *weights_of(layer), h0=h0), theirs, **TOL)


def test_simple_rnn_is_the_books_equation(x):
    kernel, recurrent, bias = weights_of(built(keras.layers.SimpleRNN(UNITS), x))
    w_x, w_h = kernel.T, recurrent.T  # the book's column-vector matrices
    h = np.zeros(UNITS, dtype="float32")
    for t in range(TIME):
        h = np.tanh(w_h @ h + w_x @ x[0, t] + bias)
    np.testing.assert_allclose(simple_rnn_forward(x, kernel, recurrent, bias)[0], h, **TOL)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_matches_keras(x, return_sequences, merge_mode):
    layer = built(
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
    layer = built(keras.layers.LSTM(UNITS, return_sequences=return_sequences), x)
    ours = lstm_forward(x, *weights_of(layer), return_sequences=return_sequences)
    np.testing.assert_allclose(ours, to_numpy(layer(x)), **TOL)


def test_lstm_returns_final_cell_like_keras(x):
    layer = built(keras.layers.LSTM(UNITS, return_state=True), x)
    ours = lstm_forward(x, *weights_of(layer), return_state=True)
    for mine, keras_value in zip(ours, layer(x), strict=True):
        np.testing.assert_allclose(mine, to_numpy(keras_value), **TOL)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_matches_keras(x, reset_after, return_sequences):
    layer = built(
        keras.layers.GRU(UNITS, reset_after=reset_after, return_sequences=return_sequences),
        x,
    )
    weights = weights_of(layer)
    assert weights[2].shape == ((2, 3 * UNITS) if reset_after else (3 * UNITS,))
    ours = gru_forward(x, *weights, reset_after=reset_after, return_sequences=return_sequences)
    np.testing.assert_allclose(ours, to_numpy(layer(x)), **TOL)


def test_bidirectional_gru_matches_keras(x):
    layer = built(keras.layers.Bidirectional(keras.layers.GRU(UNITS)), x)
    forward, backward = weights_of(layer)
    ours = bidirectional_forward(x, forward, backward, layer_forward=gru_forward)
    np.testing.assert_allclose(ours, to_numpy(layer(x)), **TOL)


def test_sigmoid_is_stable_for_large_inputs():
    np.testing.assert_allclose(sigmoid(np.array([-1000.0, 0.0, 1000.0])), [0, 0.5, 1])


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


def test_other_errors_raise(x):
    with pytest.raises(ValueError, match="merge_mode='max' is not valid"):
        bidirectional_forward(x, (K, R, B), (K, R, B), merge_mode="max")
    with pytest.raises(ValueError, match="has no weights yet"):
        weights_of(keras.layers.SimpleRNN(UNITS))
