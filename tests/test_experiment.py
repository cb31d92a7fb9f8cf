"""Tests of rnnbook.experiment: the protocol, the records and their keys."""

import json

import keras
import numpy as np
import pytest

from rnnbook.experiment import data_digest, load_run, run_key, runs_dir, train_and_evaluate
from rnnbook.profiles import Profile

TINY = Profile("tiny", 50, 6, None, None, 2, 8, 0.25, "two epochs on random data")


def data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 50, size=(n, 6)).astype("int32")
    return x, (x[:, -1] > 25).astype("int64")


def build(seed=0, units=4):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), dtype="int32"),
            keras.layers.Embedding(50, 4),
            keras.layers.SimpleRNN(units),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name="tiny_rnn",
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_train_and_evaluate_follows_the_protocol(cache_dir, capsys):
    run = train_and_evaluate(build(), data(64, 0), data(32, 1), TINY, seed=0)
    out = capsys.readouterr().out
    assert out.count("\nepoch ") + out.startswith("epoch ") == 2
    assert "test accuracy" in out
    assert set(run.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in run.history.values())
    assert 0 <= run.test_accuracy <= 1 and run.test_loss > 0
    assert run.params == 50 * 4 + (4 * 4 + 4 * 4 + 4) + 5
    assert run.best_epoch in (1, 2) and run.seconds_per_epoch > 0
    assert run.setup["backend"].startswith(keras.backend.backend())


def test_records_are_reused_only_for_the_same_computation(cache_dir):
    run = train_and_evaluate(build(), data(64, 0), data(32, 1), TINY, seed=0)
    (record,) = runs_dir().glob("*.json")
    assert json.loads(record.read_text())["test_accuracy"] == run.test_accuracy
    train, test = data(64, 0), data(32, 1)
    again = load_run(build(), TINY, 0, train, test)
    assert again is not None and again.history == run.history
    assert load_run(build(), TINY, 1, train, test) is None  # another seed
    assert load_run(build(units=5), TINY, 0, train, test) is None  # another model
    longer = TINY.__class__(**{**TINY.__dict__, "epochs": 3})
    assert load_run(build(), longer, 0, train, test) is None  # another profile
    assert load_run(build(), TINY, 0, data(64, 2), test) is None  # other reviews
    assert load_run(build(), TINY, 0, train, test, early_stopping=1) is None


def test_early_stopping_restores_the_best_epoch(cache_dir):
    # Labels that cannot be learned: the validation loss rises after epoch 1.
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, size=(256, 6)).astype("int32")
    y = rng.integers(0, 2, size=256)
    long = TINY.__class__(**{**TINY.__dict__, "epochs": 30})
    model = build()
    run = train_and_evaluate(model, (x, y), (x[:32], y[:32]), long, seed=0, early_stopping=2)
    assert len(run.history["val_loss"]) == run.best_epoch + 2 < 30
    assert run.setup["early_stopping"] == 2
    # The weights are those of the best epoch: evaluating the validation part
    # again gives the best validation loss, not the last one.
    val_loss = model.evaluate(x[192:], y[192:], verbose=0)[0]
    assert val_loss == pytest.approx(min(run.history["val_loss"]), rel=1e-4)


@pytest.mark.parametrize("patience", [0, -1, 1.5, True, "2"])
def test_bad_patience_is_refused(cache_dir, patience):
    with pytest.raises(ValueError, match="early_stopping must be a positive number of epochs"):
        train_and_evaluate(build(), data(64, 0), data(32, 1), TINY, 0, early_stopping=patience)


def test_key_ignores_generated_layer_names():
    assert run_key(build(), TINY, 0) == run_key(build(), TINY, 0)


def test_key_depends_on_the_data():
    train, test = data(64, 0), data(32, 1)
    key = run_key(build(), TINY, 0, train, test)
    assert key == run_key(build(), TINY, 0, (train[0].copy(), train[1]), test)
    flipped = (train[0][:, ::-1], train[1])  # the same reviews, padded at the other end
    assert run_key(build(), TINY, 0, flipped, test) != key
    assert run_key(build(), TINY, 0, train, test, early_stopping=2) != key


def test_data_digest_sees_shape_and_dtype():
    x = np.zeros((4, 6), "int32")
    assert data_digest((x, x[:, 0])) != data_digest((x.reshape(6, 4), x[:, 0]))
    assert data_digest((x, x[:, 0])) != data_digest((x.astype("int64"), x[:, 0]))


def test_uncompiled_model_is_refused():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)], name="raw")
    with pytest.raises(ValueError, match="model 'raw' is not compiled: call model.compile first"):
        run_key(model, TINY, 0)


def test_mismatched_data_is_refused(cache_dir):
    x, y = data(64, 0)
    with pytest.raises(ValueError, match="train data has 64 inputs but 10 labels"):
        train_and_evaluate(build(), (x, y[:10]), data(8, 1), TINY, seed=0)
    assert not runs_dir().exists() or not list(runs_dir().iterdir())
