"""Train a compiled model with the reference's protocol and keep a record of it.

The protocol of the reference document, used by every IMDB notebook:
``fit`` on the training set with the last ``validation_split`` of it held
out for validation, for ``profile.epochs`` epochs at ``profile.batch_size``,
then one evaluation on the test set. Optionally (``early_stopping=p``)
training stops when the validation loss has not improved for ``p`` epochs,
and the weights of the best epoch are restored before the test.

Each run is recorded as a small JSON file, keyed by everything that decides
its result (the architecture, the optimizer and loss, the profile, the seed,
a digest of the arrays trained and tested on, early stopping, the backend
and the library versions). The comparison
notebook reuses a record only when that key matches exactly, so a chapter's
run is not repeated within one build of the book, and any change to a model
or setting makes it train again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np

from .data import _cache_dir
from .profiles import Profile
from .training import ProgressLog, backend_info

__all__ = [
    "Run",
    "architecture",
    "data_digest",
    "load_run",
    "run_key",
    "runs_dir",
    "train_and_evaluate",
]

RECORD_VERSION = 1


@dataclass
class Run:
    """The outcome of one training run.

    Attributes
    ----------
    name : str
        The model's name.
    history : dict of str to list of float
        Per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``.
    test_loss, test_accuracy : float
        One evaluation on the test set after training.
    epoch_seconds : list of float
        Wall time of each epoch.
    params : int
        Number of weights.
    key : str
        Hash of everything that decides the result (see :func:`run_key`).
    setup : dict
        Profile, seed, backend and versions, for the reader.
    """

    name: str
    history: dict
    test_loss: float
    test_accuracy: float
    epoch_seconds: list
    params: int
    key: str
    setup: dict = field(default_factory=dict)

    @property
    def seconds_per_epoch(self) -> float:
        """Median epoch time (the first epoch also compiles the model)."""
        return float(np.median(self.epoch_seconds))

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss."""
        return int(np.argmin(self.history["val_loss"])) + 1


def _backend_version() -> str:
    """The backend and its version, e.g. ``"jax 0.10.2"`` (part of a run's key)."""
    backend, version, _ = backend_info()
    return f"{backend} {version}" if version else backend


def architecture(model: keras.Model) -> list:
    """Layer classes and configs without the auto-generated layer names."""

    def strip(config):
        if isinstance(config, dict):
            return {k: strip(v) for k, v in config.items() if k != "name"}
        if isinstance(config, list):
            return [strip(v) for v in config]
        return config

    return [[type(layer).__name__, strip(layer.get_config())] for layer in model.layers]


def _optimizer(optimizer) -> dict:
    serialized = keras.optimizers.serialize(optimizer)
    config = {k: v for k, v in serialized["config"].items() if k != "name"}
    return {"class": serialized["class_name"], **config}


def data_digest(*splits) -> str:
    """Digest of the arrays of one or more ``(x, y)`` splits: equal digests, equal data.

    Examples
    --------
    >>> x, y = np.zeros((2, 3), "int32"), np.ones(2)
    >>> data_digest((x, y)) == data_digest((x.copy(), y)) != data_digest((x + 1, y))
    True
    """
    digest = hashlib.blake2b(digest_size=16)
    for split in splits:
        for array in split:
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(array.data)
    return digest.hexdigest()


def run_key(
    model: keras.Model,
    profile: Profile,
    seed: int,
    train=None,
    test=None,
    early_stopping: int | None = None,
) -> str:
    """Hash of everything that decides a run's result.

    Parameters
    ----------
    model : keras.Model
        A built and compiled model.
    profile : Profile
        The run profile.
    seed : int
        The seed passed to ``keras.utils.set_random_seed`` before the model
        was built.
    train, test : (x, y), optional
        The data; its digest is part of the key, so that for example
        post-padded reviews never reuse a run on pre-padded ones.
    early_stopping : int, optional
        Patience of early stopping, as passed to :func:`train_and_evaluate`.

    Returns
    -------
    str
        A hex digest; equal keys mean the same computation.

    Raises
    ------
    ValueError
        If the model is not compiled.
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"model {model.name!r} is not compiled: call model.compile first")
    content = {
        "version": RECORD_VERSION,
        "architecture": architecture(model),
        "input_shape": list(model.input_shape) if model.inputs else None,
        "optimizer": _optimizer(model.optimizer),
        "loss": str(model.loss),
        "profile": asdict(profile),
        "seed": seed,
        "data": data_digest(train, test) if train is not None else None,
        "early_stopping": early_stopping,
        "keras": keras.__version__,
        "backend": _backend_version(),
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def runs_dir() -> Path:
    """Folder of run records: ``$RNNBOOK_CACHE/runs`` or ``~/.cache/rnnbook/runs``."""
    return _cache_dir(None) / "runs"


def train_and_evaluate(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    profile: Profile,
    seed: int,
    early_stopping: int | None = None,
) -> Run:
    """Fit a compiled model with the reference's protocol, evaluate it once, record it.

    Prints one line per epoch (see :class:`rnnbook.ProgressLog`) and a
    closing line with the test result.

    Parameters
    ----------
    model : keras.Model
        Built with ``keras.utils.set_random_seed(seed)`` and compiled.
    train, test : (x, y)
        Arrays from :func:`rnnbook.load_imdb`.
    profile : Profile
        Supplies ``epochs``, ``batch_size`` and ``validation_split``.
    seed : int
        The seed the model was built with (part of the record's key).
    early_stopping : int, optional
        Stop when the validation loss has not improved for this many epochs
        and restore the weights of the epoch with the lowest validation loss
        (``keras.callbacks.EarlyStopping(patience=..., restore_best_weights=True)``).
        ``None`` (default) trains for all ``profile.epochs``.

    Returns
    -------
    Run

    Raises
    ------
    ValueError
        If the model is not compiled, ``x`` and ``y`` differ in length, or
        ``early_stopping`` is not a positive integer.

    Examples
    --------
    >>> keras.utils.set_random_seed(1)
    >>> model = rnnbook.models.basic_rnn()
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> run = train_and_evaluate(model, train, test, get_profile("smoke"), seed=1)
    epoch 1/2 ...
    """
    if early_stopping is not None and (
        isinstance(early_stopping, bool)
        or not isinstance(early_stopping, int)
        or early_stopping < 1
    ):
        raise ValueError(
            f"early_stopping must be a positive number of epochs (the patience) or None, "
            f"got {early_stopping!r}"
        )
    for label, (x, y) in (("train", train), ("test", test)):
        if len(x) != len(y):
            raise ValueError(
                f"{label} data has {len(x)} inputs but {len(y)} labels: pass (x, y) "
                "pairs from the same split"
            )
    key = run_key(model, profile, seed, train, test, early_stopping)
    log = ProgressLog()
    callbacks = [log]
    if early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=early_stopping, restore_best_weights=True
            )
        )
    history = model.fit(
        train[0],
        train[1],
        batch_size=profile.batch_size,
        epochs=profile.epochs,
        validation_split=profile.validation_split,
        verbose=0,
        callbacks=callbacks,
    )
    test_loss, test_accuracy = model.evaluate(test[0], test[1], batch_size=256, verbose=0)
    run = Run(
        name=model.name,
        history={k: [float(v) for v in vs] for k, vs in history.history.items()},
        test_loss=float(test_loss),
        test_accuracy=float(test_accuracy),
        epoch_seconds=list(log.epoch_seconds),
        params=int(model.count_params()),
        key=key,
        setup={
            "profile": profile.name,
            "seed": seed,
            "early_stopping": early_stopping,
            "backend": _backend_version(),
            "keras": keras.__version__,
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    print(
        f"test loss {run.test_loss:.4f}, test accuracy {run.test_accuracy:.2%} "
        f"({run.seconds_per_epoch:.1f} s per epoch)"
    )
    _save(run)
    return run


def load_run(
    model: keras.Model,
    profile: Profile,
    seed: int,
    train,
    test,
    early_stopping: int | None = None,
) -> Run | None:
    """The recorded run of exactly this model, profile, seed and data, if any.

    Parameters
    ----------
    model : keras.Model
        Built and compiled as for :func:`train_and_evaluate`.
    profile : Profile
    seed : int
    train, test : (x, y)
        The data :func:`train_and_evaluate` would be given.
    early_stopping : int, optional

    Returns
    -------
    Run or None
        ``None`` when no record has the same key (then train the model).
    """
    path = runs_dir() / f"{run_key(model, profile, seed, train, test, early_stopping)}.json"
    try:
        return Run(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _save(run: Run) -> Path:
    folder = runs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".run-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(asdict(run), out, indent=1)
        os.replace(tmp, folder / f"{run.key}.json")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return folder / f"{run.key}.json"
