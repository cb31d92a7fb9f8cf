"""The character-level RNN of rnnbook.chartrain: gradients, optimizers, training, sampling.

The gradients are checked against finite differences in float64. The NumPy
training is compared with Keras' over a whole loss curve; that tolerance is
argued at ``test_training_matches_keras``. ``tests/test_scratch.py`` reruns
this module on TensorFlow.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnnbook.cells import to_numpy
from rnnbook.chartrain import (
    PARAM_NAMES,
    SGD,
    Adam,
    char_batches,
    clip_by_global_norm,
    echo_text,
    init_params,
    keras_weights,
    sample_sequence,
    sequence_forward,
    sequence_loss_and_gradients,
    train_rnn,
)

TOL = {"rtol": 1e-5, "atol": 1e-5}  # float32 rounding
UNITS = 5  # of the small models compared with Keras


def _echo_batches(steps, batch_size, timesteps, seed=0):
    text = echo_text(400, gap=5, seed=seed)
    vocabulary = sorted(set(text))
    ids = np.array([vocabulary.index(c) for c in text])
    inputs, targets = char_batches(ids, batch_size, timesteps, steps, seed=seed)
    return np.eye(len(vocabulary), dtype="float32")[inputs], targets


def _small_problem(vocab=4, units=3, batch=2, steps=5, seed=5):
    """Random float64 parameters (not the initial ones) and one batch."""
    rng = np.random.default_rng(seed)
    params = {
        "W_xh": rng.normal(size=(units, vocab)),
        "W_hh": rng.normal(size=(units, units)) / 2,
        "b_h": rng.normal(size=units) / 2,
        "W_hy": rng.normal(size=(vocab, units)),
        "b_y": rng.normal(size=vocab) / 2,
    }
    x = np.eye(vocab)[rng.integers(0, vocab, size=(batch, steps))]
    targets = rng.integers(0, vocab, size=(batch, steps))
    return params, x, targets


def _numeric_gradients(loss, params, eps=1e-6):
    """Central differences of loss(params) for every entry of every parameter."""
    grads = {}
    for name, w in params.items():
        grads[name] = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][i] += eps
            minus[name][i] -= eps
            grads[name][i] = (loss(plus) - loss(minus)) / (2 * eps)
    return grads


def _mean_cross_entropy(params, x, targets, h0=None):
    y_hat, _ = sequence_forward(params, x, h0=h0)
    return float(-np.mean(np.log(np.take_along_axis(y_hat, targets[..., None], -1))))


def test_sequence_gradients_match_finite_differences():
    # float64: central differences have an error of about eps**2, far below 1e-6.
    params, x, targets = _small_problem()
    loss, grads = sequence_loss_and_gradients(params, x, targets)
    assert loss == pytest.approx(_mean_cross_entropy(params, x, targets), rel=1e-12)
    numeric = _numeric_gradients(lambda p: _mean_cross_entropy(p, x, targets), params)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-9, err_msg=name)


def test_truncated_gradients_are_those_of_the_loss_with_the_window_starts_held_fixed():
    # Truncated BPTT differentiates the loss as if the state entering each
    # window were a constant: hold those states at their values and take
    # finite differences of the windows' losses.
    params, x, targets = _small_problem(steps=5)
    window = 2
    states = sequence_forward(params, x)[1]
    starts = {0: None, 2: states[:, 1], 4: states[:, 3]}  # h at the start of each window

    def loss_with_fixed_starts(p):
        total = 0.0
        for start, h0 in starts.items():
            stop = start + window
            part = _mean_cross_entropy(p, x[:, start:stop], targets[:, start:stop], h0=h0)
            total += part * targets[:, start:stop].size
        return total / targets.size

    loss, grads = sequence_loss_and_gradients(params, x, targets, window=window)
    assert loss == pytest.approx(_mean_cross_entropy(params, x, targets), rel=1e-12)
    numeric = _numeric_gradients(loss_with_fixed_starts, params)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-6, atol=1e-9, err_msg=name)
    full = sequence_loss_and_gradients(params, x, targets)[1]
    assert not np.allclose(grads["W_hh"], full["W_hh"])  # truncation changed something
    np.testing.assert_allclose(grads["W_hy"], full["W_hy"])  # but not the output layer


def test_a_window_as_long_as_the_sequence_is_full_bptt():
    params, x, targets = _small_problem(steps=4)
    full = sequence_loss_and_gradients(params, x, targets)
    for window in (4, 10):
        loss, grads = sequence_loss_and_gradients(params, x, targets, window=window)
        assert loss == full[0]
        for name in PARAM_NAMES:
            np.testing.assert_array_equal(grads[name], full[1][name])


def test_sequence_forward_matches_keras():
    x, _ = _echo_batches(steps=1, batch_size=4, timesteps=12)
    params = init_params(x.shape[-1], UNITS, seed=3)
    params["b_h"] += 0.1  # nonzero biases, so that their place is checked too
    params["b_y"] -= 0.2
    model = keras.Sequential(
        [
            keras.Input(shape=x.shape[2:]),
            keras.layers.SimpleRNN(UNITS, return_sequences=True),
            keras.layers.Dense(x.shape[-1], activation="softmax"),
        ]
    )
    model.set_weights(keras_weights(params))
    y_hat, states = sequence_forward(params, x[0])
    assert states.shape == (4, 12, UNITS)
    np.testing.assert_allclose(y_hat, to_numpy(model(x[0])), **TOL)


def test_init_params_are_drawn_like_keras():
    params = init_params(vocab_size=10, units=6, seed=1)
    assert [params[name].dtype for name in PARAM_NAMES] == ["float32"] * 5
    np.testing.assert_allclose(params["W_hh"] @ params["W_hh"].T, np.eye(6), atol=1e-6)
    assert np.abs(params["W_xh"]).max() <= np.sqrt(6 / 16)  # Glorot-uniform limit
    assert not params["b_h"].any() and not params["b_y"].any()
    assert init_params(10, 6, seed=1)["W_xh"].tobytes() == params["W_xh"].tobytes()
    assert init_params(10, 6, seed=2)["W_xh"].tobytes() != params["W_xh"].tobytes()


def test_echo_text_repeats_each_letter_after_the_digits():
    text = echo_text(50, gap=4, letters="xyz", seed=2)
    words = text.split(" ")
    assert words[-1] == "" and len(words) == 51
    for word in words[:-1]:
        assert word[1:-1] == "1234" and word[0] == word[-1] and word[0] in "xyz"
    assert {word[0] for word in words[:-1]} == set("xyz")


def test_char_batches_targets_are_the_next_characters():
    ids = np.arange(100) % 7
    inputs, targets = char_batches(ids, batch_size=3, timesteps=5, steps=4, seed=1)
    assert inputs.shape == targets.shape == (4, 3, 5)
    for s, b in np.ndindex(4, 3):
        start = np.flatnonzero([np.array_equal(ids[i : i + 5], inputs[s, b]) for i in range(95)])
        assert start.size and np.array_equal(ids[start[0] + 1 : start[0] + 6], targets[s, b])


def test_clip_by_global_norm_scales_all_gradients_together():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    np.testing.assert_allclose(clipped["b"], [[0.8]])
    unchanged, _ = clip_by_global_norm(grads, 10.0)
    for name in grads:
        np.testing.assert_array_equal(unchanged[name], grads[name])


def test_clip_by_global_norm_equals_keras_global_clipnorm():
    grads = {"a": np.array([3.0, 0.0], dtype="float32"), "b": np.array([[4.0]], dtype="float32")}
    variables = {name: keras.Variable(np.zeros_like(g)) for name, g in grads.items()}
    optimizer = keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=1.0)
    optimizer.apply_gradients(
        [(keras.ops.convert_to_tensor(grads[name]), variables[name]) for name in grads]
    )
    clipped, _ = clip_by_global_norm(grads, 1.0)
    for name in grads:
        np.testing.assert_allclose(-to_numpy(variables[name]), clipped[name], **TOL)


def test_sgd_update():
    params = {"w": np.array([1.0, 2.0]), "b": np.array(0.5)}
    SGD(0.1).update(params, {"w": np.array([10.0, -10.0]), "b": np.array(5.0)})
    np.testing.assert_allclose(params["w"], [0.0, 3.0])
    np.testing.assert_allclose(params["b"], 0.0)


def test_adam_equals_keras_adam_step_for_step():
    rng = np.random.default_rng(7)
    start = rng.normal(size=(3, 4)).astype("float32")
    variable = keras.Variable(start)
    keras_adam = keras.optimizers.Adam(learning_rate=0.05)
    params, ours = {"w": start.copy()}, Adam(learning_rate=0.05)
    for scale in (1.0, 0.01, 3.0, 1e-4, 1.0, 0.1, 2.0, 0.5):  # gradients of changing size
        gradient = (scale * rng.normal(size=(3, 4))).astype("float32")
        keras_adam.apply_gradients([(keras.ops.convert_to_tensor(gradient), variable)])
        ours.update(params, {"w": gradient})
        np.testing.assert_allclose(params["w"], to_numpy(variable), rtol=1e-6, atol=1e-6)
    assert ours.iterations == 8


def test_train_rnn_learns_and_leaves_its_input_alone():
    x, targets = _echo_batches(steps=30, batch_size=8, timesteps=10)
    params = init_params(x.shape[-1], 8, seed=0)
    before = {name: w.copy() for name, w in params.items()}
    trained, history = train_rnn(params, x, targets, Adam(0.02), theta=1.0, window=5)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(params[name], before[name])
        assert not np.array_equal(trained[name], before[name])
    assert history["loss"].shape == history["grad_norm"].shape == (30,)
    assert history["loss"][-5:].mean() < 0.7 * history["loss"][:5].mean()


@pytest.mark.parametrize(
    ("optimizer", "learning_rate"),
    [("Adam", 0.01), ("SGD", 2.0)],
)
def test_training_matches_keras(optimizer, learning_rate):
    """NumPy training and Keras training give the same loss curve.

    The same initial weights, batches (in the same order), optimizer and
    global-norm clipping. Both sides compute in float32 in a different
    order; over these 60 steps we measured differences of at most 5e-7 with
    Adam and 5e-6 with SGD (whose large steps amplify rounding while the
    gradient is clipped) on JAX and TensorFlow. We allow 1e-4; clipping each
    array on its own (``clipnorm``) instead of the whole gradient changes the
    curve by 0.5, a missing or misplaced bias or transposed matrix by more.
    """
    steps, batch_size, timesteps, theta = 60, 16, 16, 1.0
    x, targets = _echo_batches(steps, batch_size, timesteps)
    vocab = x.shape[-1]
    params = init_params(vocab, 16, seed=0)
    ours = {"Adam": Adam, "SGD": SGD}[optimizer](learning_rate)
    _, history = train_rnn(params, x, targets, ours, theta=theta)
    assert np.sum(history["grad_norm"] > theta) > 0 or optimizer == "Adam"  # SGD gets clipped

    model = keras.Sequential(
        [
            keras.Input(shape=(timesteps, vocab)),
            keras.layers.SimpleRNN(16, return_sequences=True),
            keras.layers.Dense(vocab),
        ]
    )
    model.set_weights(keras_weights(params))
    model.compile(
        optimizer=getattr(keras.optimizers, optimizer)(learning_rate, global_clipnorm=theta),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    keras_history = model.fit(
        x.reshape(-1, timesteps, vocab),
        targets.reshape(-1, timesteps),
        batch_size=batch_size,
        epochs=steps,
        steps_per_epoch=1,  # one batch per epoch: the history holds every batch's loss
        shuffle=False,
        verbose=0,
    )
    keras_loss = np.array(keras_history.history["loss"])
    assert keras_loss.shape == (steps,)
    assert history["loss"][-10:].mean() < 0.5 * history["loss"][0]  # it did learn
    np.testing.assert_allclose(history["loss"], keras_loss, rtol=0, atol=1e-4)


def test_training_errors_name_the_fix():
    params, x, targets = _small_problem()
    with pytest.raises(ValueError, match="num_words must be a positive integer"):
        echo_text(0)
    with pytest.raises(ValueError, match="gap must be an integer from 1 to 9"):
        echo_text(3, gap=10)
    with pytest.raises(ValueError, match="letters must be distinct characters"):
        echo_text(3, letters="a1")
    with pytest.raises(ValueError, match="ids must be a 1-D integer array"):
        char_batches(np.zeros((3, 4), dtype=int), 2, 2, 2)
    with pytest.raises(ValueError, match="too few for windows .* use a longer text"):
        char_batches(np.arange(5), 2, timesteps=5, steps=2)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        char_batches(np.arange(50), 0, 5, 2)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        init_params(5, 0)
    with pytest.raises(ValueError, match="params must be a dict with the keys W_xh"):
        sequence_forward({"W_xh": params["W_xh"]}, x)
    with pytest.raises(ValueError, match=r"params\['W_hy'\] must have shape \(4, 3\)"):
        sequence_forward({**params, "W_hy": np.zeros((4, 2))}, x)
    with pytest.raises(ValueError, match=r"params\['b_h'\] must be a vector"):
        sequence_forward({**params, "b_h": np.zeros((3, 1))}, x)
    with pytest.raises(ValueError, match="x must have 4 features per step"):
        sequence_forward(params, x[..., :3])
    with pytest.raises(ValueError, match=r"targets must have shape \(batch, T\)"):
        sequence_loss_and_gradients(params, x, targets[:, :-1])
    with pytest.raises(ValueError, match="targets must be character indices"):
        sequence_loss_and_gradients(params, x, targets + 4)
    with pytest.raises(ValueError, match="window must be a positive integer"):
        sequence_loss_and_gradients(params, x, targets, window=0)
    with pytest.raises(ValueError, match="theta must be a positive number"):
        clip_by_global_norm({"a": np.ones(2)}, 0.0)
    with pytest.raises(ValueError, match="use clip_by_norm for a single array"):
        clip_by_global_norm(np.ones(2), 1.0)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        SGD(-0.1)
    with pytest.raises(ValueError, match=r"beta_2 must be in \[0, 1\)"):
        Adam(beta_2=1.0)
    with pytest.raises(ValueError, match="grads must have the same keys as params"):
        SGD(0.1).update({"w": np.ones(2)}, {"v": np.ones(2)})
    with pytest.raises(ValueError, match=r"grads\['w'\] must have the shape of params\['w'\]"):
        Adam().update({"w": np.ones(2)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match=r"x must have shape \(steps, batch, T, d\)"):
        train_rnn(params, x, targets, SGD(0.1))
    with pytest.raises(ValueError, match="optimizer must have an update"):
        train_rnn(params, x[None], targets[None], optimizer=0.1)
    with pytest.raises(ValueError, match="theta must be a positive number"):
        train_rnn(params, x[None], targets[None], SGD(0.1), theta=0)


def test_train_rnn_without_theta_does_not_clip():
    x, targets = _echo_batches(steps=5, batch_size=4, timesteps=8)
    params = init_params(x.shape[-1], 6, seed=0)
    _, free = train_rnn(params, x, targets, SGD(5.0))
    _, tiny = train_rnn(params, x, targets, SGD(5.0), theta=1e-3)
    np.testing.assert_array_equal(free["loss"][0], tiny["loss"][0])  # same first batch
    assert free["grad_norm"][0] > 1e-3  # the first step was clipped in `tiny` only
    assert not np.allclose(free["loss"][1:], tiny["loss"][1:])


def test_train_rnn_runs_on_one_blas_thread_and_restores_the_setting():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    class Recorder(SGD):
        def update(self, params, grads):
            self.seen = blas_threads()
            super().update(params, grads)

    x, targets = _echo_batches(steps=2, batch_size=4, timesteps=8)
    before, recorder = blas_threads(), Recorder(0.1)
    train_rnn(init_params(x.shape[-1], 6, seed=0), x, targets, recorder)
    assert recorder.seen and set(recorder.seen) == {1}
    assert blas_threads() == before


def test_greedy_sampling_feeds_back_the_most_likely_character():
    params, _, _ = _small_problem(vocab=5, units=4)
    prompt = [0, 3, 1]
    drawn = sample_sequence(params, prompt, length=8, temperature=0)
    text = np.array(prompt + drawn.tolist())
    y_hat, _ = sequence_forward(params, np.eye(5)[text[None, :-1]])
    # the prediction after each character is the character drawn next
    np.testing.assert_array_equal(y_hat[0, len(prompt) - 1 :].argmax(-1), drawn)


def test_sampling_draws_from_the_softmax_at_the_temperature():
    params, _, _ = _small_problem(vocab=4, units=3)
    params = {**params, "W_hy": np.zeros((4, 3)), "b_y": np.array([0.0, 1.0, 2.0, -1.0])}
    for temperature in (1.0, 0.5):
        drawn = sample_sequence(params, [1], length=20_000, temperature=temperature, seed=3)
        expected = np.exp(params["b_y"] / temperature)
        np.testing.assert_allclose(
            np.bincount(drawn, minlength=4) / drawn.size, expected / expected.sum(), atol=0.01
        )
    first = sample_sequence(params, [1], length=50, seed=4)
    np.testing.assert_array_equal(first, sample_sequence(params, [1], length=50, seed=4))


def test_sampling_errors_name_the_fix():
    params, _, _ = _small_problem(vocab=4, units=3)
    with pytest.raises(ValueError, match="prompt must be a non-empty 1-D sequence"):
        sample_sequence(params, [], length=3)
    with pytest.raises(ValueError, match="prompt must hold character indices from 0 to V - 1 = 3"):
        sample_sequence(params, [4], length=3)
    with pytest.raises(ValueError, match="length must be an integer >= 0"):
        sample_sequence(params, [1], length=-1)
    with pytest.raises(ValueError, match="temperature must be a number >= 0"):
        sample_sequence(params, [1], length=0, temperature=-0.5)
