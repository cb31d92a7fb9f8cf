"""The variance study: every model of the comparison, trained with several seeds.

A single training run is one draw from a distribution: another seed gives
other initial weights and another batch order, and so another accuracy.
This module trains each model with several seeds under one profile and
keeps the results in a JSON file that ships with the package, so the book
can show means and spreads without retraining during its build.

Run it with ``make study`` or::

    python -m rnnbook.study --seeds 1 2 3 4 5

The file is written after every run, atomically and under a lock (so two
study processes given different ``--models`` can share one file), and a
run already in the file for the same model definition and seed is not
repeated, so an interrupted study resumes where it stopped.

The study holds three groups of setups: ``comparison`` (every model of the
comparison chapter, five seeds), ``overfitting`` (the basic RNN with early
stopping and dropout, five seeds) and ``masking`` (padding, truncation and
masking for SimpleRNN and LSTM, three seeds).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from importlib import resources
from pathlib import Path

import keras
import numpy as np

from . import models as m
from .data import load_imdb, tfidf
from .experiment import Run, _backend_version, architecture, train_and_evaluate
from .models import REFERENCE_MODELS
from .profiles import Profile, get_profile

__all__ = [
    "STUDY_MODELS",
    "Setup",
    "group",
    "definition_hash",
    "default_study_path",
    "compare",
    "load_study",
    "summarize",
    "run_study",
    "study_run",
]


@dataclass(frozen=True)
class Setup:
    """One model of the study and how it is trained.

    Attributes
    ----------
    build : callable
        ``build(num_words, maxlen)`` returns the uncompiled model.
    group : str
        ``"comparison"``, ``"overfitting"`` or ``"masking"``: the chapter
        that reads it.
    padding, truncating : {"pre", "post"}
        Passed to :func:`rnnbook.load_imdb`.
    early_stopping : int or None
        Patience passed to :func:`rnnbook.train_and_evaluate`.
    features : {None, "tfidf"}
        ``"tfidf"``: the model reads :func:`rnnbook.data.tfidf` vectors of
        the reviews instead of word indices.
    seeds : tuple of int
        Seeds ``make study`` trains it with.
    """

    build: Callable
    group: str = "comparison"
    padding: str = "pre"
    truncating: str = "pre"
    early_stopping: int | None = None
    features: str | None = None
    seeds: tuple = (1, 2, 3, 4, 5)

    def options(self) -> dict:
        """The training options that differ from the reference protocol's."""
        defaults = Setup(self.build)
        return {
            key: getattr(self, key)
            for key in ("padding", "truncating", "early_stopping", "features")
            if getattr(self, key) != getattr(defaults, key)
        }


PATIENCE = 2
"""Early-stopping patience (epochs) of every model beyond the reference's."""

_COMPARISON = {
    **{name: Setup(build) for name, build in REFERENCE_MODELS.items()},
    "Conv1D + SimpleRNN hybrid": Setup(m.conv_rnn_hybrid),
    "LSTM": Setup(m.lstm, early_stopping=PATIENCE),
    "GRU": Setup(m.gru, early_stopping=PATIENCE),
    "Bidirectional LSTM": Setup(m.bidirectional_lstm, early_stopping=PATIENCE),
    "LSTM + attention": Setup(m.attention_lstm, early_stopping=PATIENCE),
    "TF-IDF + logistic regression": Setup(
        m.tfidf_logistic, early_stopping=PATIENCE, features="tfidf"
    ),
}
_OVERFITTING = {
    "Basic RNN + early stopping": Setup(m.basic_rnn, "overfitting", early_stopping=PATIENCE),
    "Basic RNN + dropout": Setup(partial(m.basic_rnn, dropout=0.2), "overfitting"),
    "Basic RNN + dropout + early stopping": Setup(
        partial(m.basic_rnn, dropout=0.2), "overfitting", early_stopping=PATIENCE
    ),
}


def _masking() -> dict:
    """SimpleRNN (reference protocol) and LSTM (early stopping) under padding variants.

    The two default variants are the comparison's "Basic RNN" and "LSTM".
    """
    out = {}
    for cell, build, patience, default_mask in (
        ("SimpleRNN", m.basic_rnn, None, False),
        ("LSTM", m.lstm, PATIENCE, True),
    ):
        for padding, truncating, mask in (
            ("pre", "pre", not default_mask),
            ("post", "pre", False),
            ("post", "pre", True),
            ("pre", "post", default_mask),
        ):
            state = "on" if mask else "off"
            name = f"{cell}: {padding}-padding, {truncating}-truncation, mask {state}"
            out[name] = Setup(
                partial(build, mask_zero=mask),
                "masking",
                padding=padding,
                truncating=truncating,
                early_stopping=patience,
                seeds=(1, 2, 3),
            )
    return out


STUDY_MODELS = {**_COMPARISON, **_OVERFITTING, **_masking()}
"""Every setup of the study, by name."""


def group(name: str) -> dict:
    """The setups of one group, by name, in the study's order.

    Raises
    ------
    ValueError
        For an unknown group.
    """
    out = {key: setup for key, setup in STUDY_MODELS.items() if setup.group == name}
    if not out:
        groups = sorted({setup.group for setup in STUDY_MODELS.values()})
        raise ValueError(f"unknown study group {name!r}: choose one of {groups}")
    return out


def _setup(model) -> Setup:
    return model if isinstance(model, Setup) else Setup(model)


FIELDS = (
    "model",
    "seed",
    "definition",
    "params",
    "test_accuracy",
    "test_loss",
    "epochs_run",
    "seconds_per_epoch",
    "epoch_seconds",
    "wall_seconds",
    "val_accuracy",
    "val_loss",
    "backend",
    "keras",
    "numpy",
    "python",
    "machine",
    "finished",
)


def _compile(model: keras.Model) -> keras.Model:
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def definition_hash(builder, profile: Profile) -> str:
    """Hash of a model's architecture, its training options and the settings of a profile.

    Two study entries are comparable, and an entry is still valid, exactly
    when this hash is the same.

    Parameters
    ----------
    builder : Setup or callable
        A setup, or ``builder(num_words, maxlen)`` returning the uncompiled
        model (trained with the reference protocol).
    profile : Profile
        The profile the study runs under.

    Returns
    -------
    str
        16 hex digits.

    Examples
    --------
    >>> from rnnbook.models import basic_rnn
    >>> len(definition_hash(basic_rnn, get_profile("full")))
    16
    """
    setup = _setup(builder)
    model = _compile(setup.build(profile.num_words, profile.maxlen))
    content = {
        "architecture": architecture(model),
        "input_shape": list(model.input_shape),
        "optimizer": "adam",
        "loss": "binary_crossentropy",
        "profile": asdict(profile),
        **setup.options(),  # absent for the reference protocol
    }
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_study_path(profile_name: str = "full") -> Path:
    """The study file shipped with the package for a profile."""
    return Path(str(resources.files("rnnbook") / "results" / f"study-{profile_name}.json"))


def load_study(path: str | os.PathLike | None = None) -> dict:
    """Read a study file.

    Parameters
    ----------
    path : str or path-like, optional
        Defaults to the full-profile study shipped with the package.

    Returns
    -------
    dict
        ``{"profile": {...}, "entries": [...]}``; one entry per model and
        seed with the keys in :data:`FIELDS`.

    Raises
    ------
    FileNotFoundError
        If there is no study file yet (run ``make study``).
    ValueError
        If the file is not a study file.
    """
    path = Path(path) if path is not None else default_study_path()
    if not path.exists():
        raise FileNotFoundError(f"no study results at '{path}': run `make study` to create them")
    try:
        study = json.loads(path.read_text())
        entries = study["entries"]
        missing = {field for entry in entries for field in FIELDS if field not in entry}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"'{path}' is not a study file ({error}): run `make study` again"
        ) from None
    if missing:
        raise ValueError(f"'{path}' lacks the fields {sorted(missing)}: run `make study` again")
    return study


def summarize(entries: list[dict]) -> dict[str, dict]:
    """Mean, standard deviation (ddof=1), extremes and count of test accuracy per model.

    Parameters
    ----------
    entries : list of dict
        From :func:`load_study`.

    Returns
    -------
    dict of str to dict
        Keys ``n``, ``mean``, ``std``, ``min``, ``max`` (accuracies as
        fractions), ``seconds_per_epoch`` (median) and ``params``, in the
        order in which models first appear.

    Examples
    --------
    >>> summarize([{"model": "m", "test_accuracy": a, "seconds_per_epoch": 2.0,
    ...             "params": 10} for a in (0.8, 0.9)])["m"]["mean"]
    0.85
    """
    out: dict[str, dict] = {}
    for name in dict.fromkeys(entry["model"] for entry in entries):
        rows = [entry for entry in entries if entry["model"] == name]
        accuracy = np.array([row["test_accuracy"] for row in rows])
        out[name] = {
            "n": len(rows),
            "mean": float(accuracy.mean()),
            "std": float(accuracy.std(ddof=1)) if len(rows) > 1 else float("nan"),
            "min": float(accuracy.min()),
            "max": float(accuracy.max()),
            "seconds_per_epoch": float(np.median([row["seconds_per_epoch"] for row in rows])),
            "params": rows[0]["params"],
        }
    return out


def study_run(name: str, seed: int, study: dict | None = None) -> Run:
    """One run of the study as a :class:`rnnbook.Run`, for a chapter that does not retrain it.

    The study keeps validation curves only, so ``history`` has ``val_loss``
    and ``val_accuracy`` but no training values.

    Parameters
    ----------
    name : str
        A setup name of :data:`STUDY_MODELS`.
    seed : int
    study : dict, optional
        From :func:`load_study`; defaults to the shipped full-profile study.

    Returns
    -------
    Run

    Raises
    ------
    KeyError
        If the study has no run of that setup and seed.
    """
    study = study if study is not None else load_study()
    for entry in study["entries"]:
        if entry["model"] == name and entry["seed"] == seed:
            return Run(
                name=name,
                history={"val_loss": entry["val_loss"], "val_accuracy": entry["val_accuracy"]},
                test_loss=entry["test_loss"],
                test_accuracy=entry["test_accuracy"],
                epoch_seconds=entry["epoch_seconds"],
                params=entry["params"],
                key=f"study:{entry['definition']}",
                setup={
                    "profile": study["profile"]["name"],
                    "seed": seed,
                    "backend": entry["backend"],
                    "keras": entry["keras"],
                    "finished": entry["finished"],
                },
            )
    raise KeyError(f"the study has no run of {name!r} with seed {seed}: run `make study`")


def compare(a: dict, b: dict) -> dict:
    """Is the gap between two setups' mean test accuracies larger than the seeds explain?

    The book's rule: with means :math:`m`, sample standard deviations
    :math:`s` and :math:`n` seeds, the gap is *clear* when
    :math:`|m_a - m_b| > 2\\sqrt{s_a^2/n_a + s_b^2/n_b}`, twice the standard
    error of the difference (roughly a 95 % test; a loose one with five
    seeds).

    Parameters
    ----------
    a, b : dict
        Values of :func:`summarize` (keys ``n``, ``mean``, ``std``).

    Returns
    -------
    dict
        ``gap``: ``a`` minus ``b`` in percentage points; ``two_se``: twice the
        standard error of the gap in points (NaN with fewer than two seeds
        on either side); ``clear``: a bool, or ``None`` when either side has
        fewer than two seeds and there is no spread to compare with.

    Examples
    --------
    >>> a = {"n": 5, "mean": 0.87, "std": 0.004}
    >>> b = {"n": 5, "mean": 0.75, "std": 0.02}
    >>> result = compare(a, b)
    >>> round(result["gap"], 2), result["clear"]
    (12.0, True)
    """
    gap = 100 * (a["mean"] - b["mean"])
    if a["n"] < 2 or b["n"] < 2:
        return {"gap": gap, "two_se": float("nan"), "clear": None}
    two_se = 200 * float(np.sqrt(a["std"] ** 2 / a["n"] + b["std"] ** 2 / b["n"]))
    return {"gap": gap, "two_se": two_se, "clear": bool(abs(gap) > two_se)}


def _write(path: Path, study: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".study-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(study, out, indent=1)
            out.write("\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on ``path``'s lock file (other study processes wait)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path, profile: Profile, hashes: dict) -> dict:
    """The study on disk (or a new one), without entries whose definition changed."""
    study = load_study(path) if path.exists() else {"profile": asdict(profile), "entries": []}
    if study["profile"] != asdict(profile):
        raise ValueError(
            f"'{path}' holds a study of profile {study['profile'].get('name')!r}, not "
            f"{profile.name!r}: choose another file or delete it"
        )
    study["entries"] = [
        entry
        for entry in study["entries"]
        if entry["model"] not in hashes or entry["definition"] == hashes[entry["model"]]
    ]
    return study


class _Data:
    """The data of each padding variant and feature kind, loaded once."""

    def __init__(self, profile: Profile, data=None):
        self.profile, self.given, self.cache = profile, data, {}

    def __call__(self, setup: Setup):
        key = (setup.padding, setup.truncating, setup.features)
        if key not in self.cache:
            if self.given is not None:
                data = self.given
            else:
                data = load_imdb(
                    **self.profile.data_options(),
                    padding=setup.padding,
                    truncating=setup.truncating,
                )
            if setup.features == "tfidf":
                (x_train, y_train), (x_test, y_test) = data
                fit = int(len(x_train) * (1 - self.profile.validation_split))
                x_train, x_test = tfidf(x_train[:fit], x_train, x_test, max_tokens=m.TFIDF_FEATURES)
                data = (x_train, y_train), (x_test, y_test)
            self.cache[key] = data
        return self.cache[key]


def run_study(
    models: dict,
    seeds: list[int] | None,
    profile: Profile,
    path: str | os.PathLike,
    data=None,
) -> dict:
    """Train every model with every seed, skipping runs already in the file.

    Parameters
    ----------
    models : dict of str to Setup or callable
        Setups, or builders ``(num_words, maxlen) -> keras.Model`` trained
        with the reference protocol.
    seeds : list of int or None
        Seeds for ``keras.utils.set_random_seed`` before each model is
        built; ``None``: each setup's own ``seeds``.
    profile : Profile
        Data sizes and training settings.
    path : str or path-like
        The study file; created if missing, updated after every run.
    data : ((x_train, y_train), (x_test, y_test)), optional
        Defaults to :func:`rnnbook.load_imdb` with the profile's options and
        each setup's padding and truncation.

    Returns
    -------
    dict
        The study, as written.

    Raises
    ------
    ValueError
        If no seeds or models are given, or the file belongs to another
        profile.
    """
    if (seeds is not None and not seeds) or not models:
        raise ValueError("a study needs at least one model and one seed: pass --seeds 1 2 3 4 5")
    path = Path(path)
    setups = {name: _setup(model) for name, model in models.items()}
    hashes = {name: definition_hash(setup, profile) for name, setup in setups.items()}
    load = _Data(profile, data)
    all_seeds = sorted({seed for setup in setups.values() for seed in setup.seeds})
    for seed in seeds if seeds is not None else all_seeds:
        for name, setup in setups.items():
            if seeds is None and seed not in setup.seeds:
                continue
            with _locked(path):  # this or another study process may have trained it
                entries = _read(path, profile, hashes)["entries"]
            if any((e["model"], e["seed"]) == (name, seed) for e in entries):
                continue
            print(f"\n{name}, seed {seed}", flush=True)
            train, test = load(setup)
            keras.utils.set_random_seed(seed)
            model = _compile(setup.build(profile.num_words, profile.maxlen))
            start = time.perf_counter()
            run = train_and_evaluate(
                model, train, test, profile, seed, early_stopping=setup.early_stopping
            )
            wall = time.perf_counter() - start
            entry = {
                "model": name,
                "seed": seed,
                "definition": hashes[name],
                "params": run.params,
                "test_accuracy": run.test_accuracy,
                "test_loss": run.test_loss,
                "epochs_run": len(run.epoch_seconds),
                "seconds_per_epoch": run.seconds_per_epoch,
                "epoch_seconds": run.epoch_seconds,
                "wall_seconds": wall,
                "val_accuracy": run.history.get("val_accuracy", []),
                "val_loss": run.history.get("val_loss", []),
                "backend": _backend_version(),
                "keras": keras.__version__,
                "numpy": np.__version__,
                "python": platform.python_version(),
                "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
                "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            with _locked(path):  # another study process may have written meanwhile
                study = _read(path, profile, hashes)
                study["entries"] = [
                    e for e in study["entries"] if (e["model"], e["seed"]) != (name, seed)
                ] + [entry]
                _write(path, study)
    with _locked(path):
        return _read(path, profile, hashes)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Train the book's models with several seeds.")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=None, help="default: each setup's own seeds"
    )
    parser.add_argument(
        "--models", nargs="+", default=None, help="names in rnnbook.study (default: all)"
    )
    parser.add_argument(
        "--group", default=None, help="comparison, overfitting or masking (default: all)"
    )
    parser.add_argument("--profile", default=None, help="full (default) or smoke")
    parser.add_argument("--output", default=None, help="study file (default: the shipped one)")
    args = parser.parse_args(argv)
    names = args.models if args.models is not None else list(STUDY_MODELS)
    unknown = [name for name in names if name not in STUDY_MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}: choose from {list(STUDY_MODELS)}")
    if args.group is not None:
        try:
            names = [name for name in names if name in group(args.group)]
        except ValueError as error:
            parser.error(str(error))
    profile = get_profile(args.profile)
    output = Path(args.output) if args.output else default_study_path(profile.name)
    start = time.perf_counter()
    models = {name: STUDY_MODELS[name] for name in names}
    run_study(models, args.seeds, profile, output)
    print(f"\nstudy written to {output} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
