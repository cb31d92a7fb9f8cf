"""Backpropagation through time of rnnbook.bptt against automatic differentiation.

The backend's gradients are float32, so the comparison allows float32
rounding (``rtol=1e-5, atol=1e-5``); the finite-difference check runs in
float64. ``tests/test_scratch.py`` reruns this module on TensorFlow.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnnbook.bptt import (
    autodiff_gradients,
    clip_by_norm,
    simple_rnn_bptt,
    spectral_radius,
)
from rnnbook.cells import simple_rnn_forward, to_numpy, weights_of

from .keras_fixtures import BATCH, TIME, TOL, UNITS, B, K, R, built, random_inputs


@pytest.fixture
def x():
    return random_inputs()


def test_bptt_matches_backend_autodiff(x):
    layer = built(keras.layers.SimpleRNN(UNITS), x)
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
    weights = weights_of(built(keras.layers.SimpleRNN(UNITS), x))
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


def test_bptt_with_a_gradient_at_every_step_matches_autodiff(x):
    layer = built(keras.layers.SimpleRNN(UNITS, return_sequences=True), x)
    grad_states = np.random.default_rng(6).normal(size=(BATCH, TIME, UNITS)).astype("float32")
    ours = simple_rnn_bptt(x, *weights_of(layer), grad_states=grad_states)
    theirs = autodiff_gradients(layer, x, grad_states)
    for name, value in theirs.items():
        np.testing.assert_allclose(getattr(ours, name), value, err_msg=name, **TOL)


def test_bptt_reuses_the_forward_states_it_is_given():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 3))
    k, r, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) / 4, np.zeros(4)
    grad_states = rng.normal(size=(2, 5, 4))
    states = simple_rnn_forward(x, k, r, b, return_sequences=True)
    given = simple_rnn_bptt(x, k, r, b, grad_states=grad_states, states=states)
    computed = simple_rnn_bptt(x, k, r, b, grad_states=grad_states)
    for a, c in zip(given, computed, strict=True):
        np.testing.assert_array_equal(a, c)
    with pytest.raises(ValueError, match=r"states must have shape \(batch, time, units\)"):
        simple_rnn_bptt(x, k, r, b, grad_states=grad_states, states=states[:, :-1])


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


def test_errors_name_the_fix(x):
    with pytest.raises(ValueError, match=r"grad_last must have shape \(batch, units\)"):
        simple_rnn_bptt(x, K, R, B, grad_last=np.zeros((BATCH, UNITS + 1)))
    with pytest.raises(ValueError, match="simple_rnn_bptt needs a loss gradient"):
        simple_rnn_bptt(x, K, R, B)
    with pytest.raises(ValueError, match=r"grad_states must have shape \(batch, time, units\)"):
        simple_rnn_bptt(x, K, R, B, grad_states=np.zeros((BATCH, TIME + 1, UNITS)))
    with pytest.raises(ValueError, match="theta must be positive"):
        clip_by_norm(np.ones(3), 0.0)
    with pytest.raises(ValueError, match="matrix must be square"):
        spectral_radius(np.zeros((2, 3)))
