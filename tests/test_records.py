"""Tests of rnnbook.records: the run record and its key."""

import json
from dataclasses import replace

import keras
import pytest

from rnnbook.profiles import PROFILES, Profile
from rnnbook.records import Run, environment, run_key

TINY = Profile("tiny", 50, 6, None, None, 2, 8, 0.25, "two epochs on random data")


def build(units=4, dropout=0.0, mask_zero=False, name="tiny_rnn"):
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), dtype="int32"),
            keras.layers.Embedding(50, 4, mask_zero=mask_zero),
            keras.layers.SimpleRNN(units, dropout=dropout),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name=name,
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_key_ignores_names_and_the_profile_description():
    assert run_key(build(name="a"), TINY) == run_key(build(name="b"), TINY)
    reworded = replace(TINY, description="other words")
    assert run_key(build(), reworded) == run_key(build(), TINY)


@pytest.mark.parametrize(
    "other",
    [
        lambda: build(units=5),
        lambda: build(dropout=0.2),
        lambda: build(mask_zero=True),
    ],
    ids=["units", "dropout", "mask"],
)
def test_key_changes_with_what_the_layers_compute(other):
    assert run_key(other(), TINY) != run_key(build(), TINY)


def test_key_changes_with_profile_options_and_optimizer():
    key = run_key(build(), TINY)
    assert run_key(build(), replace(TINY, epochs=3)) != key
    assert run_key(build(), TINY, early_stopping=2) != key
    assert run_key(build(), TINY, padding="post") != key
    assert run_key(build(), TINY, early_stopping=None) == key  # None is the default
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    assert run_key(model, TINY) != key


def test_key_survives_new_config_entries(monkeypatch):
    """A Keras release that adds an entry to get_config() keeps the committed study valid."""
    key = run_key(build(), TINY)
    original = keras.layers.SimpleRNN.get_config

    def with_new_entry(self):
        return {**original(self), "a_setting_from_the_future": 123}

    monkeypatch.setattr(keras.layers.SimpleRNN, "get_config", with_new_entry)
    assert run_key(build(), TINY) == key


def test_key_of_a_wrapped_layer_sees_the_inner_layer():
    def bidirectional(units):
        model = keras.Sequential(
            [
                keras.Input(shape=(6,), dtype="int32"),
                keras.layers.Embedding(50, 4),
                keras.layers.Bidirectional(keras.layers.SimpleRNN(units)),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    assert run_key(bidirectional(4), TINY) != run_key(bidirectional(5), TINY)


def test_uncompiled_model_is_refused():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)], name="raw")
    with pytest.raises(ValueError, match="model 'raw' is not compiled: call model.compile first"):
        run_key(model, TINY)


def test_run_round_trips_through_json():
    run = Run("m", 1, 10, {"val_loss": [0.6, 0.5]}, 0.5, 0.75, [1.0, 2.0], environment(), "k")
    again = Run.from_dict(json.loads(json.dumps(run.to_dict())))
    assert again == run and again.best_epoch == 2 and again.epochs_run == 2


def test_bad_record_is_refused():
    with pytest.raises(ValueError, match=r"not a run record: missing \['epoch_seconds'"):
        Run.from_dict(
            {
                "name": "m",
                "seed": 1,
                "params": 1,
                "history": {},
                "test_loss": 1.0,
                "test_accuracy": 0.5,
            }
        )
    with pytest.raises(ValueError, match=r"unknown \['wall'\]"):
        Run.from_dict({**Run("m", 1, 1, {}, 1.0, 0.5, [1.0]).to_dict(), "wall": 3})


def test_environment_says_how_many_notebooks_ran_at_once(monkeypatch):
    monkeypatch.setenv("RNNBOOK_CONCURRENT", "2")
    info = environment()
    assert info["concurrent"] == 2
    assert info["backend"].startswith(keras.backend.backend())


def test_every_profile_validates_on_the_last_fifth():
    """The pages pass validation_split=0.2 to fit; the study takes the profile's value."""
    assert {p.validation_split for p in PROFILES.values()} == {0.2}
