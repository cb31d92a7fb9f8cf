"""Tests of rnnbook.records: the run record and its key."""

import json
from dataclasses import replace

import keras
import pytest

from rnnbook.profiles import PROFILES, Profile
from rnnbook.records import (
    COUNTED_SETTINGS,
    COUNTED_UNLESS_DEFAULT,
    IGNORED_SETTINGS,
    OPTIMIZER_COUNTED,
    OPTIMIZER_IGNORED,
    Run,
    environment,
    run_key,
    unclassified_settings,
)
from rnnbook.setups import STUDY_MODELS
from rnnbook.study import _compile

TINY = Profile("tiny", 50, 6, None, None, 2, 8, 0.25, "two epochs on random data")


def build(units=4, dropout=0.0, mask_zero=False, name="tiny_rnn", optimizer="adam", **rnn):
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), dtype="int32"),
            keras.layers.Embedding(50, 4, mask_zero=mask_zero),
            keras.layers.SimpleRNN(units, dropout=dropout, **rnn),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name=name,
    )
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
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


@pytest.mark.parametrize(
    "other",
    [
        lambda: build(kernel_regularizer=keras.regularizers.L2(0.01)),
        lambda: build(recurrent_constraint=keras.constraints.MaxNorm(2.0)),
        lambda: build(optimizer=keras.optimizers.Adam(clipnorm=1.0)),
        lambda: build(optimizer=keras.optimizers.Adam(beta_1=0.8)),
        lambda: build(optimizer=keras.optimizers.Adam(beta_2=0.99)),
        lambda: build(unroll=True),
    ],
    ids=["regularizer", "constraint", "clipnorm", "beta_1", "beta_2", "unroll"],
)
def test_key_changes_with_settings_counted_unless_default(other):
    assert run_key(other(), TINY) != run_key(build(), TINY)


def test_a_regularizer_counts_with_its_strength():
    def regularized(l2):
        return run_key(build(kernel_regularizer=keras.regularizers.L2(l2)), TINY)

    assert regularized(0.01) != regularized(0.02)


def test_key_of_a_setting_at_its_default_equals_the_key_without_it():
    """Keras' defaults, written out, keep the key (so Keras versions without them do too)."""
    explicit = keras.optimizers.Adam(beta_1=0.9, beta_2=0.999, epsilon=1e-7, clipnorm=None)
    assert run_key(build(optimizer=explicit, unroll=False), TINY) == run_key(build(), TINY)


def test_every_setting_of_the_study_models_is_classified():
    """A configuration entry the study's models have must be counted or ignored on purpose."""
    assert not COUNTED_SETTINGS & IGNORED_SETTINGS
    assert not OPTIMIZER_COUNTED & OPTIMIZER_IGNORED
    assert set(COUNTED_UNLESS_DEFAULT) <= COUNTED_SETTINGS
    for name, setup in STUDY_MODELS.items():
        model = _compile(setup.build(5000, 500))
        assert unclassified_settings(model) == [], name


def test_an_unclassified_setting_is_reported(monkeypatch):
    """A new entry in a layer's, a wrapped layer's or the optimizer's config needs a decision."""
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), dtype="int32"),
            keras.layers.Embedding(50, 4),
            keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True)),
            keras.layers.SimpleRNN(4),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    assert unclassified_settings(model) == []
    for cls in (keras.layers.SimpleRNN, keras.layers.LSTM, keras.optimizers.Adam):
        original = cls.get_config

        def with_new_entry(self, original=original):
            return {**original(self), "a_setting_from_the_future": 123}

        monkeypatch.setattr(cls, "get_config", with_new_entry)
    assert unclassified_settings(model) == [
        "Adam.a_setting_from_the_future",
        "LSTM.a_setting_from_the_future",  # only inside the Bidirectional wrapper
        "SimpleRNN.a_setting_from_the_future",
    ]


def test_an_unclassified_setting_of_an_initializer_is_reported(monkeypatch):
    original = keras.initializers.Orthogonal.get_config
    monkeypatch.setattr(
        keras.initializers.Orthogonal,
        "get_config",
        lambda self: {**original(self), "twist": 2},
    )
    assert unclassified_settings(build()) == ["Orthogonal.twist"]


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


@pytest.mark.parametrize(
    ("wrapped", "other"),
    [
        (
            lambda: keras.layers.Bidirectional(keras.layers.SimpleRNN(4, return_sequences=True)),
            lambda: keras.layers.Bidirectional(
                keras.layers.SimpleRNN(4, return_sequences=True, activation="relu")
            ),
        ),
        (  # a wrapped layer with no units or filters
            lambda: keras.layers.TimeDistributed(keras.layers.Dropout(0.1)),
            lambda: keras.layers.TimeDistributed(keras.layers.Dropout(0.3)),
        ),
    ],
    ids=["bidirectional-activation", "timedistributed-dropout"],
)
def test_key_sees_the_settings_of_a_wrapped_layer(wrapped, other):
    def key(layer):
        model = keras.Sequential(
            [
                keras.Input(shape=(6,), dtype="int32"),
                keras.layers.Embedding(50, 4),
                layer,
                keras.layers.SimpleRNN(4),
                keras.layers.Dense(1),
            ]
        )
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return run_key(model, TINY)

    assert key(wrapped()) != key(other())


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
