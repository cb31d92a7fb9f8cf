"""The record of one training run, and the key that says what was trained.

A :class:`Run` is what every training in the book produces, whether a
chapter trains it live (through :class:`rnnbook.TrainingLog`) or the
variance study trained it and committed it to its file
(:mod:`rnnbook.study`). Both are the same record, stored as the same JSON.

:func:`run_key` is the one key: a hash of what defines the computation
(the layers, their shapes and the settings that change what they compute,
the optimizer and loss, the profile and the training options). A study run
stays valid exactly as long as its setup's key is unchanged. The key leaves
out what does not change the computation (generated layer names, the Keras
version, configuration entries a new Keras release may add), so that a
library update does not invalidate hours of committed training.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field, fields

import keras
import numpy as np

from .page import backend_info, concurrent_notebooks
from .profiles import Profile

__all__ = ["COMPUTATION_SETTINGS", "Run", "environment", "run_key"]


@dataclass
class Run:
    """The outcome of one training run.

    Attributes
    ----------
    name : str
        The setup's name, for example ``"Basic RNN"``.
    seed : int or None
        The seed given to ``keras.utils.set_random_seed`` before the model
        was built.
    params : int
        Number of weights.
    history : dict of str to list of float
        Per-epoch values of ``loss``, ``accuracy``, ``val_loss`` and
        ``val_accuracy`` (the study's runs made before 2026-11-26 kept the
        validation values only).
    test_loss : float
        One evaluation on the test set after training.
    test_accuracy : float or None
        Its accuracy; ``None`` for a model compiled without
        ``metrics=["accuracy"]`` (a forecaster, say).
    epoch_seconds : list of float
        Wall time of each epoch, validation included.
    environment : dict
        Backend, library versions, machine, when it finished, and what else
        ran on the machine meanwhile (see :func:`environment`).
    key : str or None
        :func:`run_key` of the setup, for the study's runs; ``None`` for a
        run a page trains for itself.

    Examples
    --------
    >>> run = Run("m", 1, 10, {"val_loss": [0.5, 0.4, 0.45]}, 0.4, 0.8, [2.0, 1.0, 1.0])
    >>> run.best_epoch, run.epochs_run, run.seconds_per_epoch
    (2, 3, 1.0)
    """

    name: str
    seed: int | None
    params: int
    history: dict
    test_loss: float
    test_accuracy: float | None
    epoch_seconds: list
    environment: dict = field(default_factory=dict)
    key: str | None = None

    @property
    def epochs_run(self) -> int:
        """Epochs trained (fewer than the profile's when early stopping stopped it)."""
        return len(self.epoch_seconds)

    @property
    def seconds_per_epoch(self) -> float:
        """Median epoch time: robust to the first epoch, which also compiles the model."""
        return float(np.median(self.epoch_seconds))

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss."""
        return int(np.argmin(self.history["val_loss"])) + 1

    def to_dict(self) -> dict:
        """The record as plain JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Run:
        """Read a record written by :meth:`to_dict`.

        Raises
        ------
        ValueError
            If fields are missing or unknown.
        """
        names = {f.name for f in fields(cls)}
        required = {f.name for f in fields(cls) if f.name not in ("environment", "key")}
        missing, unknown = required - set(data), set(data) - names
        if missing or unknown:
            raise ValueError(
                f"not a run record: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        return cls(**data)


def environment() -> dict:
    """Backend, versions and machine of this process, and how many notebooks ran at once.

    ``concurrent`` is the value of ``$RNNBOOK_CONCURRENT`` (set by the
    book's parallel build to the number of notebooks it executes at once),
    or 1.

    Examples
    --------
    >>> sorted(environment())
    ['backend', 'concurrent', 'finished', 'keras', 'machine', 'numpy', 'python']
    """
    backend, version, device = backend_info()
    return {
        "backend": f"{backend} {version}".strip(),
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {device}",
        "concurrent": concurrent_notebooks(),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


COMPUTATION_SETTINGS = (
    # what a layer computes
    "units",
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "dilation_rate",
    "pool_size",
    "activation",
    "recurrent_activation",
    "use_bias",
    "unit_forget_bias",
    "reset_after",
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "merge_mode",
    "input_dim",
    "output_dim",
    "mask_zero",
    "dropout",
    "recurrent_dropout",
    "rate",
    # where its weights start
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "embeddings_initializer",
    # wrapped layers (Bidirectional)
    "layer",
    "backward_layer",
)
"""The configuration entries of a layer that enter :func:`run_key`.

Anything else in ``get_config()`` (names, dtype policies, entries added
by later Keras releases) does not: a new Keras version keeps the key, and
so keeps the committed study valid, unless a setting that changes the
computation changed.
"""


INITIALIZER_SETTINGS = (
    "seed",
    "scale",
    "mode",
    "distribution",
    "gain",
    "value",
    "mean",
    "stddev",
    "minval",
    "maxval",
)
"""The arguments of an initializer that enter :func:`run_key` (its class does too)."""


def _settings(config):
    """The computation settings of a layer config, nested layers and initializers included."""
    if isinstance(config, dict) and "class_name" in config:  # a serialized object
        inner = config.get("config") or {}
        if "units" in inner or "layer" in inner or "filters" in inner:  # a nested layer
            return [config["class_name"], _settings(inner)]
        # An initializer: its class (Keras 3.0 called Orthogonal "OrthogonalInitializer")
        # and the arguments that change the values it draws.
        name = config["class_name"].removesuffix("Initializer")
        return [name, {k: inner[k] for k in INITIALIZER_SETTINGS if k in inner}]
    if isinstance(config, dict):
        return {k: _settings(config[k]) for k in COMPUTATION_SETTINGS if k in config}
    return config


def run_key(model: keras.Model, profile: Profile, **options) -> str:
    """Hash of what decides a run's result, apart from the seed.

    Parameters
    ----------
    model : keras.Model
        A built and compiled model.
    profile : Profile
        Data sizes and training settings (its description does not count).
    **options
        Training options that differ from the reference protocol, for
        example ``padding="post"`` or ``early_stopping=2``.

    Returns
    -------
    str
        16 hex digits; equal keys mean the same computation.

    Raises
    ------
    ValueError
        If the model is not compiled.

    Examples
    --------
    >>> from rnnbook.models import basic_rnn
    >>> from rnnbook.profiles import get_profile
    >>> model = basic_rnn()
    >>> model.compile(optimizer="adam", loss="binary_crossentropy")
    >>> len(run_key(model, get_profile("full")))
    16
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"model {model.name!r} is not compiled: call model.compile first")
    optimizer = model.optimizer
    content = {
        "inputs": [[list(i.shape), str(i.dtype)] for i in model.inputs],
        "layers": [
            [
                type(layer).__name__,
                [list(w.shape) for w in layer.weights],
                _settings(layer.get_config()),
            ]
            for layer in model.layers
        ],
        "optimizer": [
            type(optimizer).__name__,
            float(keras.ops.convert_to_numpy(optimizer.learning_rate)),
        ],
        "loss": str(model.loss),
        "profile": {k: v for k, v in asdict(profile).items() if k != "description"},
        "options": {k: v for k, v in sorted(options.items()) if v is not None},
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
