"""The variance study: every model of the comparison, trained with several seeds.

A single training run is one draw from a distribution: another seed gives
other initial weights and another batch order, and so another accuracy.
This module trains each model with several seeds under one profile and
keeps the results in a JSON file that ships with the package, so the book
can show means and spreads without retraining during its build.

Run it with ``make study`` or::

    python -m rnnbook.study --seeds 1 2 3 4 5

The file is written after every run, atomically, and a run already in the
file for the same model definition and seed is not repeated, so an
interrupted study resumes where it stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import tempfile
import time
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import keras
import numpy as np

from .data import load_imdb
from .experiment import _backend_version, architecture, train_and_evaluate
from .models import REFERENCE_MODELS
from .profiles import Profile, get_profile

__all__ = [
    "STUDY_MODELS",
    "definition_hash",
    "default_study_path",
    "load_study",
    "summarize",
    "run_study",
]

STUDY_MODELS = dict(REFERENCE_MODELS)
"""Builders ``(num_words, maxlen) -> compiled-ready model`` in the study, by name."""

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
    """Hash of a model's architecture and the training settings of a profile.

    Two study entries are comparable, and an entry is still valid, exactly
    when this hash is the same.

    Parameters
    ----------
    builder : callable
        ``builder(num_words, maxlen)`` returns the uncompiled model.
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
    model = _compile(builder(profile.num_words, profile.maxlen))
    content = {
        "architecture": architecture(model),
        "input_shape": list(model.input_shape),
        "optimizer": "adam",
        "loss": "binary_crossentropy",
        "profile": asdict(profile),
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


def run_study(
    models: dict,
    seeds: list[int],
    profile: Profile,
    path: str | os.PathLike,
    data=None,
) -> dict:
    """Train every model with every seed, skipping runs already in the file.

    Parameters
    ----------
    models : dict of str to callable
        Builders ``(num_words, maxlen) -> keras.Model``.
    seeds : list of int
        Seeds for ``keras.utils.set_random_seed`` before each model is built.
    profile : Profile
        Data sizes and training settings.
    path : str or path-like
        The study file; created if missing, updated after every run.
    data : ((x_train, y_train), (x_test, y_test)), optional
        Defaults to :func:`rnnbook.load_imdb` with the profile's options.

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
    if not seeds or not models:
        raise ValueError("a study needs at least one model and one seed: pass --seeds 1 2 3 4 5")
    path = Path(path)
    study = load_study(path) if path.exists() else {"profile": asdict(profile), "entries": []}
    if study["profile"] != asdict(profile):
        raise ValueError(
            f"'{path}' holds a study of profile {study['profile'].get('name')!r}, not "
            f"{profile.name!r}: choose another file or delete it"
        )
    if data is None:
        data = load_imdb(**profile.data_options())
    train, test = data
    hashes = {name: definition_hash(builder, profile) for name, builder in models.items()}
    # Drop entries whose model definition changed since they were trained.
    study["entries"] = [
        entry
        for entry in study["entries"]
        if entry["model"] not in hashes or entry["definition"] == hashes[entry["model"]]
    ]
    done = {(entry["model"], entry["seed"]) for entry in study["entries"]}
    for seed in seeds:
        for name, builder in models.items():
            if (name, seed) in done:
                continue
            print(f"\n{name}, seed {seed}", flush=True)
            keras.utils.set_random_seed(seed)
            model = _compile(builder(profile.num_words, profile.maxlen))
            start = time.perf_counter()
            run = train_and_evaluate(model, train, test, profile, seed)
            wall = time.perf_counter() - start
            study["entries"].append(
                {
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
            )
            _write(path, study)
    return study


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Train the book's models with several seeds.")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument(
        "--models", nargs="+", default=list(STUDY_MODELS), help="names in rnnbook.study"
    )
    parser.add_argument("--profile", default=None, help="full (default) or smoke")
    parser.add_argument("--output", default=None, help="study file (default: the shipped one)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.models if name not in STUDY_MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}: choose from {list(STUDY_MODELS)}")
    profile = get_profile(args.profile)
    output = Path(args.output) if args.output else default_study_path(profile.name)
    start = time.perf_counter()
    models = {name: STUDY_MODELS[name] for name in args.models}
    run_study(models, args.seeds, profile, output)
    print(f"\nstudy written to {output} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
