"""Tests of rnnbook.experiment: the protocol, the records and their keys."""

import json

import keras
import numpy as np
import pytest

from rnnbook.experiment import load_run, run_key, runs_dir, train_and_evaluate
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
    again = load_run(build(), TINY, seed=0)
    assert again is not None and again.history == run.history
    assert load_run(build(), TINY, seed=1) is None  # another seed
    assert load_run(build(units=5), TINY, seed=0) is None  # another model
    assert load_run(build(), TINY.__class__(**{**TINY.__dict__, "epochs": 3}), seed=0) is None


def test_key_ignores_generated_layer_names():
    assert run_key(build(), TINY, 0) == run_key(build(), TINY, 0)


def test_key_depends_on_the_data(cache_dir, monkeypatch, fake_archive):
    before = run_key(build(), TINY, 0)
    monkeypatch.setenv("RNNBOOK_IMDB", str(fake_archive))
    assert run_key(build(), TINY, 0) != before


def test_uncompiled_model_is_refused():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)], name="raw")
    with pytest.raises(ValueError, match="model 'raw' is not compiled: call model.compile first"):
        run_key(model, TINY, 0)


def test_mismatched_data_is_refused(cache_dir):
    x, y = data(64, 0)
    with pytest.raises(ValueError, match="train data has 64 inputs but 10 labels"):
        train_and_evaluate(build(), (x, y[:10]), data(8, 1), TINY, seed=0)
    assert not runs_dir().exists() or not list(runs_dir().iterdir())
