"""The training log: one line per epoch, the test result, and the run's record.

Pages call ``model.fit`` and ``model.evaluate`` themselves, with every
argument in sight; this callback only watches::

    log = TrainingLog(seed=1)
    model.fit(x_train, y_train, ..., callbacks=[log], verbose=0)
    model.evaluate(x_test, y_test, callbacks=[log], verbose=0)
    run = log.run

Keras' own progress bar redraws a line with carriage returns, which reads
well live but badly on a rendered page; the log prints plain lines instead.
"""

from __future__ import annotations

import time

import keras

from .records import Run, environment

__all__ = ["TrainingLog"]


def _short(metric: str) -> str:
    """A metric's name as the log prints it: ``accuracy`` is ``acc``, so a line fits 80 columns."""
    return metric.replace("accuracy", "acc")


class TrainingLog(keras.callbacks.Callback):
    """Print one line per epoch and the test result, and keep the run's record.

    An epoch's line names the metrics as Keras logs them, with ``accuracy``
    shortened to ``acc`` (``val_acc`` for the validation accuracy), so that
    it fits 80 columns.

    Pass the same log to ``fit`` (with ``verbose=0``) and then to
    ``evaluate``: during ``fit`` it times and prints each epoch; the first
    evaluation after ``fit`` is the test, which completes :attr:`run`.

    Parameters
    ----------
    name : str, optional
        The setup's name in the record; defaults to the model's name.
    seed : int, optional
        The seed the model was built with, for the record.
    printer : callable
        Called with each line (``print`` by default).

    Attributes
    ----------
    epoch_seconds : list of float
        Wall time of each epoch, validation included.

    Examples
    --------
    >>> import numpy as np
    >>> keras.utils.set_random_seed(0)
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> x, y = np.ones((8, 2)), np.ones(8)
    >>> log = TrainingLog(seed=0)
    >>> _ = model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[log], verbose=0)
    ... # doctest: +ELLIPSIS
    epoch 1/2 ... val_loss ...
    epoch 2/2 ...
    >>> _ = model.evaluate(x, y, callbacks=[log], verbose=0)  # doctest: +ELLIPSIS
    test loss ..., test accuracy 100.00 % (... s per epoch)
    >>> log.run.epochs_run, log.run.seed, log.run.test_accuracy
    (2, 0, 1.0)
    """

    def __init__(self, name: str | None = None, seed: int | None = None, printer=print):
        super().__init__()
        self.name, self.seed = name, seed
        self.epoch_seconds: list[float] = []
        self._print = printer
        self._history: dict[str, list[float]] = {}
        self._run: Run | None = None
        self._fitting = False
        self._start = 0.0
        self._epochs = 0

    def on_train_begin(self, logs=None):
        self.epoch_seconds, self._history, self._run = [], {}, None
        self._fitting = True
        self._epochs = self.params.get("epochs", 0) if self.params else 0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        self.epoch_seconds.append(seconds)
        for key, value in (logs or {}).items():
            self._history.setdefault(key, []).append(float(value))
        width = len(str(self._epochs))
        metrics = "  ".join(f"{_short(k)} {float(v):.4f}" for k, v in (logs or {}).items())
        self._print(f"epoch {epoch + 1:>{width}}/{self._epochs}  {seconds:5.1f} s  {metrics}")

    def on_train_end(self, logs=None):
        self._fitting = False

    def on_test_end(self, logs=None):
        if self._fitting:  # a validation pass inside fit
            return
        if not self.epoch_seconds:
            raise ValueError("the log saw no training: pass it to model.fit before evaluate")
        logs = logs or {}
        accuracy = logs.get("accuracy")
        self._run = Run(
            name=self.name or self.model.name,
            seed=self.seed,
            params=int(self.model.count_params()),
            history=dict(self._history),
            test_loss=float(logs["loss"]),
            test_accuracy=None if accuracy is None else float(accuracy),
            epoch_seconds=list(self.epoch_seconds),
            environment=environment(),
        )
        others = "".join(
            f", test {k} {float(v):.4f}" for k, v in logs.items() if k not in ("loss", "accuracy")
        )
        shown = "" if accuracy is None else f", test accuracy {100 * float(accuracy):.2f} %"
        self._print(
            f"test loss {self._run.test_loss:.4f}{shown}{others} "
            f"({self._run.seconds_per_epoch:.1f} s per epoch)"
        )

    @property
    def run(self) -> Run:
        """The record of the run: training history, test result and timings.

        Raises
        ------
        ValueError
            Before the model was evaluated with this log.
        """
        if self._run is None:
            raise ValueError(
                "no test result yet: call model.evaluate(x_test, y_test, callbacks=[log]) "
                "after model.fit"
            )
        return self._run
