"""Tests of rnnbook.training."""

import keras
import numpy as np
import pytest

from rnnbook.profiles import get_profile
from rnnbook.training import ProgressLog, describe_run, glue


def tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_progress_log_prints_one_line_per_epoch_and_times_them():
    lines = []
    log = ProgressLog(printer=lambda text, flush: lines.append(text))
    x, y = np.random.default_rng(0).normal(size=(64, 4)), np.arange(64) % 2
    tiny_model().fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[log])
    assert len(lines) == 3 and len(log.epoch_seconds) == 3
    assert lines[0].startswith("epoch 1/3") and lines[2].startswith("epoch 3/3")
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert f" {name} " in lines[1]
    assert "\r" not in "".join(lines)
    assert all(t > 0 for t in log.epoch_seconds)
    assert log.seconds_per_epoch == sorted(log.epoch_seconds)[1]


def test_seconds_per_epoch_needs_a_finished_epoch():
    with pytest.raises(ValueError, match="no epoch has finished yet: call model.fit first"):
        _ = ProgressLog().seconds_per_epoch


def test_describe_run_names_profile_backend_and_versions():
    text = describe_run(get_profile("smoke"))
    assert text.startswith("profile 'smoke'")
    assert f"Keras {keras.__version__}, backend {keras.backend.backend()}" in text


def test_glue_stores_plain_python_numbers(monkeypatch):
    import myst_nb

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: stored.update({name: value}))
    assert glue("test_value", np.float32(0.25)) is None
    assert stored["test_value"] == 0.25 and type(stored["test_value"]) is float
    glue("test_text", "a sentence")
    assert stored["test_text"] == "a sentence"
