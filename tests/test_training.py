"""Tests of rnnbook.training: the training log."""

import keras
import numpy as np
import pytest

from rnnbook.training import TrainingLog


def tiny_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")], name="tiny"
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def data():
    x = np.random.default_rng(0).normal(size=(64, 4))
    return x, (x[:, 0] > 0).astype("float32")


def test_log_prints_one_line_per_epoch_and_the_test_result():
    lines = []
    log = TrainingLog(name="setup", seed=3, printer=lines.append)
    model, (x, y) = tiny_model(), data()
    model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[log])
    assert len(lines) == 3 and len(log.epoch_seconds) == 3
    assert lines[0].startswith("epoch 1/3") and lines[2].startswith("epoch 3/3")
    for name in ("loss", "acc", "val_loss", "val_acc"):
        assert f" {name} " in lines[1]
    assert "\r" not in "".join(lines)
    loss, accuracy = model.evaluate(x, y, verbose=0, callbacks=[log])
    assert lines[-1].startswith("test loss") and len(lines) == 4
    run = log.run
    assert (run.name, run.seed, run.params) == ("setup", 3, 5)
    assert run.test_loss == pytest.approx(loss) and run.test_accuracy == pytest.approx(accuracy)
    assert set(run.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 3 for values in run.history.values())
    assert run.epoch_seconds == log.epoch_seconds and run.seconds_per_epoch > 0


def test_validation_inside_fit_is_not_the_test():
    log = TrainingLog(printer=lambda line: None)
    model, (x, y) = tiny_model(), data()
    model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[log])
    with pytest.raises(ValueError, match=r"no test result yet: call model.evaluate"):
        _ = log.run
    model.evaluate(x, y, verbose=0, callbacks=[log])
    assert log.run.name == "tiny"  # the model's name by default


def test_log_matches_what_fit_returns():
    log = TrainingLog(printer=lambda line: None)
    model, (x, y) = tiny_model(), data()
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[log])
    model.evaluate(x, y, verbose=0, callbacks=[log])
    assert set(log.run.history) == set(history.history)
    for key, values in history.history.items():
        assert log.run.history[key] == pytest.approx(values)


def test_evaluate_before_fit_is_refused():
    log = TrainingLog(printer=lambda line: None)
    model, (x, y) = tiny_model(), data()
    with pytest.raises(ValueError, match="the log saw no training: pass it to model.fit"):
        model.evaluate(x, y, verbose=0, callbacks=[log])


def test_a_model_without_accuracy_records_its_other_metrics():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    lines = []
    log = TrainingLog(printer=lines.append)
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[log])
    loss, mae = model.evaluate(x, y, verbose=0, callbacks=[log])
    assert log.run.test_accuracy is None and log.run.test_loss == pytest.approx(loss)
    assert lines[-1].startswith(f"test loss {loss:.4f}, test mae {mae:.4f} (")


def test_an_epoch_line_fits_80_columns():
    lines = []
    log = TrainingLog(printer=lines.append)
    log.params = {"epochs": 10}
    log.on_train_begin()
    log.on_epoch_begin(9)
    logs = {"accuracy": 0.8123, "loss": 0.4123, "val_accuracy": 0.8, "val_loss": 0.4567}
    log.on_epoch_end(9, logs)
    assert lines[0].startswith("epoch 10/10") and len(lines[0]) <= 80, lines[0]
    assert " acc 0.8123  loss 0.4123  val_acc 0.8000  val_loss 0.4567" in lines[0]
