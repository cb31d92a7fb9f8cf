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
library update does not invalidate hours of committed training. Every
configuration entry of the study's models is classified here as counted or
deliberately ignored (:func:`unclassified_settings`); an entry that a new
Keras release adds fails ``tests/test_records.py`` until someone decides.
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

__all__ = [
    "COMPUTATION_SETTINGS",
    "COUNTED_SETTINGS",
    "IGNORED_SETTINGS",
    "Run",
    "environment",
    "run_key",
    "unclassified_settings",
]


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
    pretraining_seconds : float or None
        Wall time spent before ``fit`` learning word vectors or a language
        model (:mod:`rnnbook.levers`); ``None`` when there was none.
    predictions : dict or None
        For the study's setups that keep them: the probabilities the tested
        weights gave the ``"validation"`` and ``"test"`` reviews, in order,
        as :func:`rnnbook.levers.encode_predictions` text.

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
    pretraining_seconds: float | None = None
    predictions: dict | None = None

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
        """The record as plain JSON-ready values (optional fields only when set)."""
        out = asdict(self)
        for name in _OPTIONAL:
            if out[name] is None:
                del out[name]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Run:
        """Read a record written by :meth:`to_dict`.

        Raises
        ------
        ValueError
            If fields are missing or unknown.
        """
        names = {f.name for f in fields(cls)}
        required = {f.name for f in fields(cls) if f.name not in ("environment", "key", *_OPTIONAL)}
        missing, unknown = required - set(data), set(data) - names
        if missing or unknown:
            raise ValueError(
                f"not a run record: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        return cls(**data)


_OPTIONAL = ("pretraining_seconds", "predictions")


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
    # wrapped layers (Bidirectional, TimeDistributed)
    "layer",
    "backward_layer",
)
"""Configuration entries of a layer that always enter :func:`run_key`."""

COUNTED_UNLESS_DEFAULT = {
    "trainable": True,
    "dtype": "float32",  # the dtype policy's name
    "seed": None,  # of the dropout masks
    "noise_shape": None,
    "unroll": False,
    "zero_output_for_mask": False,
    "data_format": "channels_last",
    "groups": 1,
    "keepdims": False,
    "kernel_regularizer": None,
    "recurrent_regularizer": None,
    "bias_regularizer": None,
    "embeddings_regularizer": None,
    "activity_regularizer": None,
    "kernel_constraint": None,
    "recurrent_constraint": None,
    "bias_constraint": None,
    "embeddings_constraint": None,
    "quantization_config": None,
    "lora_rank": None,
    "lora_alpha": None,
}
"""Configuration entries of a layer that enter :func:`run_key` when they differ from Keras' default.

At the default value (given here, not read from Keras) an entry is left
out of the hash, so a Keras release that lacks the entry, and the study's
runs trained before it was counted, keep their keys; any other value
changes the key.
"""

COUNTED_SETTINGS = frozenset(COMPUTATION_SETTINGS) | frozenset(COUNTED_UNLESS_DEFAULT)
"""Every layer configuration entry that can change :func:`run_key`."""

IGNORED_SETTINGS = frozenset({"name"})
"""Layer configuration entries left out on purpose: they do not change what is computed.

Every entry of a layer's ``get_config()`` in :data:`rnnbook.setups.STUDY_MODELS`
is in :data:`COUNTED_SETTINGS` or here (``tests/test_records.py`` checks
this), so an entry that a new Keras release adds fails that test until
someone decides which set it belongs to. Until then it does not change the
key: a library update does not silently invalidate the committed study.
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
"""The arguments of an initializer that always enter :func:`run_key` (its class does too)."""

OBJECT_COUNTED_UNLESS_DEFAULT = {
    "input_axes": None,  # initializers (Keras 3.15)
    "output_axes": None,
    "l1": 0.0,  # regularizers
    "l2": 0.0,
    "factor": None,
    "min_value": None,  # constraints
    "max_value": None,
    "axis": None,
}
"""Arguments of initializers, regularizers and constraints counted unless at this value."""

OBJECT_SETTINGS = frozenset(INITIALIZER_SETTINGS) | frozenset(OBJECT_COUNTED_UNLESS_DEFAULT)
"""Every argument of an initializer, regularizer or constraint that can change the key."""

OPTIMIZER_COUNTED_UNLESS_DEFAULT = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
    # Adam's
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-07,
    "amsgrad": False,
}
"""Optimizer settings that enter the key when they differ from these values.

The learning rate always does (and the optimizer's class).
"""

OPTIMIZER_COUNTED = frozenset({"learning_rate"}) | frozenset(OPTIMIZER_COUNTED_UNLESS_DEFAULT)
"""Every entry of the optimizer's ``get_config()`` that can change the key."""

OPTIMIZER_IGNORED = frozenset({"name"})
"""Optimizer entries left out on purpose."""


def _is_layer(config) -> bool:
    """A serialized layer (every layer's config has ``trainable``), not an initializer."""
    return isinstance(config, dict) and "trainable" in (config.get("config") or {})


def _settings(config):
    """The computation settings of a layer config, nested layers and initializers included."""
    if isinstance(config, dict) and "class_name" in config:  # a serialized object
        inner = config.get("config") or {}
        if _is_layer(config):
            return [config["class_name"], _settings(inner)]
        if config["class_name"].endswith("DTypePolicy"):
            return inner.get("name")
        # An initializer, regularizer or constraint: its class (Keras 3.0 called
        # Orthogonal "OrthogonalInitializer") and the arguments that change it.
        name = config["class_name"].removesuffix("Initializer")
        return [name, _counted(inner, INITIALIZER_SETTINGS, OBJECT_COUNTED_UNLESS_DEFAULT)]
    if isinstance(config, dict):
        return _counted(config, COMPUTATION_SETTINGS, COUNTED_UNLESS_DEFAULT)
    return config


def _counted(config: dict, always, unless_default: dict) -> dict:
    out = {}
    for key, value in config.items():
        if key in always:
            out[key] = _settings(value)
        elif key in unless_default:
            value = _settings(value)
            if value != unless_default[key]:
                out[key] = value
    return out


def unclassified_settings(model: keras.Model) -> list[str]:
    """Configuration entries of a model that :func:`run_key` has no decision for.

    Every entry of each layer's ``get_config()`` (wrapped layers and their
    initializers, regularizers and constraints included) and of the
    optimizer's must be counted or deliberately ignored (the ``*_COUNTED``,
    ``*_SETTINGS`` and ``*_IGNORED`` sets of this module).

    Parameters
    ----------
    model : keras.Model
        A compiled model.

    Returns
    -------
    list of str
        ``"Class.entry"`` for each unclassified entry, sorted; empty when all
        are classified.

    Examples
    --------
    >>> from rnnbook.models import basic_rnn
    >>> model = basic_rnn()
    >>> model.compile(optimizer="adam", loss="binary_crossentropy")
    >>> unclassified_settings(model)
    []
    """
    found = set()

    def layer(name, config):
        for key, value in config.items():
            if key not in COUNTED_SETTINGS | IGNORED_SETTINGS:
                found.add(f"{name}.{key}")
            if isinstance(value, dict) and "class_name" in value:
                inner = value.get("config") or {}
                if _is_layer(value):
                    layer(value["class_name"], inner)
                elif not value["class_name"].endswith("DTypePolicy"):
                    found.update(
                        f"{value['class_name']}.{k}" for k in inner if k not in OBJECT_SETTINGS
                    )

    for each in model.layers:
        layer(type(each).__name__, each.get_config())
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        known = OPTIMIZER_COUNTED | OPTIMIZER_IGNORED
        found.update(
            f"{type(optimizer).__name__}.{k}" for k in optimizer.get_config() if k not in known
        )
    return sorted(found)


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
        "optimizer": _optimizer(optimizer),
        "loss": str(model.loss),
        "profile": {k: v for k, v in asdict(profile).items() if k != "description"},
        "options": {k: v for k, v in sorted(options.items()) if v is not None},
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _optimizer(optimizer) -> list:
    """Class and learning rate, then the settings that differ from their defaults."""
    out = [type(optimizer).__name__, float(keras.ops.convert_to_numpy(optimizer.learning_rate))]
    config = optimizer.get_config()
    changed = {
        key: config[key]
        for key, default in OPTIMIZER_COUNTED_UNLESS_DEFAULT.items()
        if key in config and config[key] != default
    }
    return out + [changed] if changed else out
