"""The variance study: every setup of :mod:`rnnbook.setups`, trained with several seeds.

A single training run is one draw from a distribution: another seed gives
other initial weights and another batch order, and so another accuracy.
The study trains each setup with its seeds under the full profile and
commits the runs to ``results/study-full.json``, which ships with the
package. The book's rule for its numbers:

* a chapter trains its own seed-1 runs live in every build and says so
  ("this build's run"); their numbers are glued into the text;
* every number over seeds comes from the committed study and is labelled
  so ("the committed five-seed study"); prose about it is written by hand
  and checked by an ``assert`` in the page, so the build fails if the
  study stops supporting it;
* pages that only compare models trained elsewhere (the comparison and
  the closing chapter) and the one model too slow to retrain in every
  build (the bidirectional LSTM) read seed-1 runs from the study too, and
  say so.

The module has three parts: reading the study (:func:`load_study`,
:class:`Study`), training it (:func:`train`, and :func:`run_study`, which
runs each training as a task of a Dask cluster, :mod:`rnnbook.cluster`),
and its command line (``make study`` or ``python -m rnnbook.study``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

import keras

from .cluster import connect
from .data import TOKENIZER_VERSION, atomic_write, load_imdb
from .features import NB_VERSION, TFIDF_VERSION, SparseBatches, nb_weighted, tfidf
from .levers import (
    LEVERS_VERSION,
    encode_predictions,
    pretrain_language_model,
    word2vec_vectors,
)
from .models import TFIDF_FEATURES
from .profiles import Profile, get_profile
from .records import Run, run_key
from .setups import STUDY_MODELS, Setup, group
from .stats import Gap, Summary, compare, summarize, validation_accuracy
from .training import TrainingLog

__all__ = [
    "FORMAT",
    "Study",
    "default_study_path",
    "load_study",
    "run_study",
    "setup_key",
    "train",
]

FORMAT = 2
"""Version of the study file's layout."""

# ----------------------------------------------------------------------------
# Reading the study
# ----------------------------------------------------------------------------


@dataclass
class Study:
    """The committed runs of the study, with the profile they ran under.

    Attributes
    ----------
    profile : Profile
    runs : list of Run
    """

    profile: Profile
    runs: list

    def of(self, name: str) -> list[Run]:
        """Every run of one setup, in seed order.

        Raises
        ------
        KeyError
            If the study has no run of that setup.
        """
        found = sorted((r for r in self.runs if r.name == name), key=lambda r: r.seed)
        if not found:
            raise KeyError(f"the study has no runs of {name!r}: run `make study`")
        return found

    def run(self, name: str, seed: int) -> Run:
        """The run of one setup with one seed.

        Raises
        ------
        KeyError
            If the study has no such run.
        """
        for run in self.of(name):
            if run.seed == seed:
                return run
        raise KeyError(f"the study has no run of {name!r} with seed {seed}: run `make study`")

    def summary(self, names=None, on: str = "test") -> dict[str, Summary]:
        """:func:`rnnbook.stats.summarize` of the named setups (default: all), in that order.

        ``on="validation"`` summarizes the validation accuracy of the weights
        each run tested (:func:`rnnbook.stats.validation_accuracy`, with
        weights restored where the setup uses early stopping) instead of the
        test accuracy: the number to choose a model by.

        Raises
        ------
        ValueError
            If ``on`` is neither ``"test"`` nor ``"validation"``.
        KeyError
            With ``on="validation"``, for a setup that is not in
            :data:`rnnbook.setups.STUDY_MODELS`.
        """
        if on not in ("test", "validation"):
            raise ValueError(f"on={on!r}: summarize on 'test' or 'validation' accuracy")
        names = list(dict.fromkeys(r.name for r in self.runs)) if names is None else names
        runs = [run for name in names for run in self.of(name)]
        if on == "test":
            return summarize(runs)
        unknown = [name for name in names if name not in STUDY_MODELS]
        if unknown:
            raise KeyError(f"{unknown[0]!r} is not a setup of rnnbook.setups.STUDY_MODELS")
        return summarize(
            runs,
            accuracy=lambda run: validation_accuracy(
                run, restored=STUDY_MODELS[run.name].early_stopping is not None
            ),
        )

    def compare(self, a: str, b: str, on: str = "test") -> Gap:
        """The 2 SE rule (:func:`rnnbook.stats.compare`) for setups ``a`` and ``b``.

        ``on`` as in :meth:`summary`.
        """
        stats = self.summary([a, b], on=on)
        return compare(stats[a], stats[b])

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "profile": asdict(self.profile),
            "runs": [run.to_dict() for run in self.runs],
        }


def default_study_path(profile_name: str = "full") -> Path:
    """The study file shipped with the package for a profile."""
    return Path(str(resources.files("rnnbook") / "results" / f"study-{profile_name}.json"))


def load_study(path: str | os.PathLike | None = None) -> Study:
    """Read a study file.

    Parameters
    ----------
    path : str or path-like, optional
        Defaults to the full-profile study shipped with the package.

    Returns
    -------
    Study

    Raises
    ------
    FileNotFoundError
        If there is no study file yet (run ``make study``).
    ValueError
        If the file is not a study file of this format.

    Examples
    --------
    >>> study = load_study()
    >>> study.profile.name, study.run("Basic RNN", 1).params
    ('full', 162113)
    """
    path = Path(path) if path is not None else default_study_path()
    if not path.exists():
        raise FileNotFoundError(f"no study results at '{path}': run `make study` to create them")
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return Study(Profile(**data["profile"]), [Run.from_dict(r) for r in data["runs"]])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"'{path}' is not a study file ({error}): run `make study` again"
        ) from None


# ----------------------------------------------------------------------------
# Training the study
# ----------------------------------------------------------------------------


def _compile(model: keras.Model) -> keras.Model:
    """The reference's optimizer and loss, as every page compiles its models."""
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def setup_key(setup: Setup, profile: Profile) -> str:
    """:func:`rnnbook.records.run_key` of a setup's model under a profile.

    Besides the model and the training options, the key includes the
    versions of the tokenizer and, for TF-IDF setups, of the features, so a
    change to either invalidates the runs trained on the old data.

    Examples
    --------
    >>> from rnnbook.setups import STUDY_MODELS
    >>> len(setup_key(STUDY_MODELS["Basic RNN"], get_profile("full")))
    16
    """
    return _key(_compile(setup.build(*setup.sizes(profile))), setup, profile)


def _key(model, setup: Setup, profile: Profile) -> str:
    return run_key(model, profile, **setup.options(), data=_data_version(setup))


def _training_rows(n: int, profile: Profile) -> int:
    """How many of ``n`` training reviews fit trains on; the rest validate (as Keras splits)."""
    return int(n * (1 - profile.validation_split))


def _data_version(setup: Setup) -> str:
    version = f"tokens v{TOKENIZER_VERSION}"
    if setup.features == "tfidf":
        version += f", tfidf v{TFIDF_VERSION}"
    if setup.features == "nb":
        version += f", nb v{NB_VERSION}"
    if setup.embedding or setup.pretraining:
        version += f", levers v{LEVERS_VERSION}"
    return version


def train(name: str, setup: Setup, seed: int, profile: Profile, data, printer=print) -> Run:
    """Train one setup with one seed exactly as the chapters do, and return its record.

    The same calls the pages show: ``fit`` with the profile's batch size,
    epochs and validation split (and ``EarlyStopping`` on the validation
    loss, best weights restored, when the setup asks for it), then one
    ``evaluate`` on the test set.

    A setup with word2vec vectors or language-model pretraining first
    learns them from the training part of the reviews
    (:mod:`rnnbook.levers`), timed apart from the epochs.

    A TF-IDF or NB setup's features are sparse matrices, fed as the baseline
    page feeds them: :class:`rnnbook.data.SparseBatches` of the first part
    of the training reviews, shuffled at each epoch with the run's seed,
    the last part (the profile's validation split) for validation, and the
    test set, each densified a batch at a time.

    Parameters
    ----------
    name : str
        The setup's name, for the record.
    setup : Setup
    seed : int
    profile : Profile
    data : ((x_train, y_train), (x_test, y_test))
        Sparse feature matrices for a TF-IDF setup.
    printer : callable
        Receives the training log's lines (:class:`rnnbook.TrainingLog`).

    Returns
    -------
    Run
        With ``key`` set to :func:`setup_key`.
    """
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(seed)
    num_words, maxlen = setup.sizes(profile)
    model = _compile(setup.build(num_words, maxlen))
    key = _key(model, setup, profile)
    split = _training_rows(len(y_train), profile)
    pretraining_seconds = None
    if setup.embedding is not None or setup.pretraining is not None:
        start = time.perf_counter()
        if setup.embedding == "word2vec":
            embedding = model.layers[0]
            vectors = word2vec_vectors(x_train[:split], num_words, embedding.output_dim, seed)
            embedding.set_weights([vectors])
        if setup.pretraining == "language model":
            pretrain_language_model(model, x_train[:split])
        pretraining_seconds = time.perf_counter() - start
    log = TrainingLog(name, seed, printer=printer)
    callbacks = [log]
    if setup.early_stopping is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=setup.early_stopping, restore_best_weights=True
            )
        )
    if setup.features in ("tfidf", "nb"):
        train = SparseBatches(
            x_train[:split], y_train[:split], profile.batch_size, shuffle=True, seed=seed
        )
        validation = SparseBatches(x_train[split:], y_train[split:], 256)
        model.fit(
            train,
            validation_data=validation,
            epochs=profile.epochs,
            callbacks=callbacks,
            verbose=0,
        )
        test = SparseBatches(x_test, y_test, 256)
        model.evaluate(test, callbacks=[log], verbose=0)
        return _finished(log.run, key, setup, model, validation, test, pretraining_seconds)
    model.fit(
        x_train,
        y_train,
        batch_size=profile.batch_size,
        epochs=profile.epochs,
        validation_split=profile.validation_split,
        callbacks=callbacks,
        verbose=0,
    )
    model.evaluate(x_test, y_test, batch_size=256, callbacks=[log], verbose=0)
    return _finished(log.run, key, setup, model, x_train[split:], x_test, pretraining_seconds)


def _finished(run, key, setup, model, x_validation, x_test, pretraining_seconds) -> Run:
    """The run's record with its key, pretraining time and, if kept, predictions."""
    predictions = None
    if setup.keep_predictions:
        predictions = {
            part: encode_predictions(model.predict(x, batch_size=256, verbose=0))
            for part, x in (("validation", x_validation), ("test", x_test))
        }
    return replace(run, key=key, pretraining_seconds=pretraining_seconds, predictions=predictions)


def _write(path: Path, study: Study) -> None:
    """Replace the file atomically: a reader never sees half a study."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as out:
        json.dump(study.to_dict(), out, indent=1)
        out.write("\n")


def _read_current(path: Path, profile: Profile, keys: dict) -> Study:
    """The study on disk (or a new one), without runs whose setup changed since."""
    study = load_study(path) if path.exists() else Study(profile, [])
    if study.profile != profile:
        raise ValueError(
            f"'{path}' holds a study of profile {study.profile.name!r}, not "
            f"{profile.name!r}: choose another file or delete it"
        )
    study.runs = [r for r in study.runs if r.name not in keys or r.key == keys[r.name]]
    return study


class _Data:
    """The data of each padding variant and feature kind, loaded once.

    TF-IDF and NB features are sparse matrices, learned from the reviews
    ``fit`` trains on (all but the profile's validation split).
    """

    def __init__(self, profile: Profile, data=None):
        self.profile, self.given, self.cache = profile, data, {}

    def __call__(self, setup: Setup):
        num_words, maxlen = setup.sizes(self.profile)
        key = (setup.padding, setup.truncating, setup.features, num_words, maxlen)
        if key not in self.cache:
            if self.given is not None:
                data = self.given
            else:
                data = load_imdb(
                    **{
                        **self.profile.data_options(),
                        "num_words": num_words,
                        "maxlen": maxlen,
                    },
                    padding=setup.padding,
                    truncating=setup.truncating,
                )
            if setup.features == "tfidf":
                (x_train, y_train), (x_test, y_test) = data
                fit = _training_rows(len(x_train), self.profile)
                x_train, x_test = tfidf(x_train[:fit], x_train, x_test, max_tokens=TFIDF_FEATURES)
                data = (x_train, y_train), (x_test, y_test)
            if setup.features == "nb":
                (x_train, y_train), (x_test, y_test) = data
                fit = _training_rows(len(x_train), self.profile)
                x_train, x_test = nb_weighted(
                    x_train[:fit], y_train[:fit], x_train, x_test, max_tokens=TFIDF_FEATURES
                )
                data = (x_train, y_train), (x_test, y_test)
            self.cache[key] = data
        return self.cache[key]


_LOADED: dict = {}
"""Each worker process's data, by profile: loaded once, read by every run it trains."""


def _train_task(name: str, setup: Setup, seed: int, profile: Profile, data) -> Run:
    """One run of the study, as a task on a worker of the cluster."""
    if data is None:
        load = _LOADED.setdefault(profile, _Data(profile))
    else:
        load = _Data(profile, data)
    return train(
        name,
        setup,
        seed,
        profile,
        load(setup),
        printer=lambda line: print(f"{name}, seed {seed}: {line}", flush=True),
    )


def run_study(
    setups: dict,
    seeds: list[int] | None,
    profile: Profile,
    path: str | os.PathLike,
    data=None,
    cluster=None,
) -> Study:
    """Train every setup with every seed on a cluster, skipping runs already in the file.

    Each missing run is a task of the cluster (:func:`rnnbook.cluster.connect`:
    a local cluster of this machine's cores unless ``cluster`` or
    ``$RNNBOOK_CLUSTER`` names one). This process, the driver, is the only
    one that writes the file: atomically, after each finished run, so an
    interrupted study resumes where it stopped. A run whose worker dies is
    trained again on another worker and written once.

    Parameters
    ----------
    setups : dict of str to Setup
    seeds : list of int or None
        Seeds to train; ``None``: each setup's own ``seeds``.
    profile : Profile
        Data sizes and training settings.
    path : str or path-like
        The study file; created if missing.
    data : ((x_train, y_train), (x_test, y_test)), optional
        Defaults to :func:`rnnbook.load_imdb` with the profile's options and
        each setup's padding and truncation, loaded by each worker.
    cluster : str or distributed.Client, optional
        A scheduler's address or a client; see :func:`rnnbook.cluster.connect`.

    Returns
    -------
    Study
        As written.

    Raises
    ------
    ValueError
        If no seeds or setups are given, or the file belongs to another
        profile.
    ConnectionError
        If no scheduler answers at the cluster's address.
    RuntimeError
        If a run failed or a worker computed another run key (another
        ``rnnbook`` or Keras); every other run is written first.
    """
    if (seeds is not None and not seeds) or not setups:
        raise ValueError("a study needs at least one setup and one seed: pass --seeds 1 2 3 4 5")
    path = Path(path)
    keys = {name: setup_key(setup, profile) for name, setup in setups.items()}
    study = _read_current(path, profile, keys)
    done = {(r.name, r.seed) for r in study.runs}
    all_seeds = sorted({seed for setup in setups.values() for seed in setup.seeds})
    todo = [
        (name, seed)
        for seed in (seeds if seeds is not None else all_seeds)
        for name, setup in setups.items()
        if (seeds is not None or seed in setup.seeds) and (name, seed) not in done
    ]
    if not todo:
        print(f"every run is already in {path}: nothing to train", flush=True)
        return study
    failures = []
    with connect(cluster) as client:
        from distributed import as_completed

        # hash=False: a key of its own, so that the release of identical data
        # scattered earlier on the same cluster cannot take this copy with it
        # (seen in CI as a task cancelled for lost data).
        shared = None if data is None else client.scatter([data], broadcast=True, hash=False)[0]
        futures = {
            client.submit(_train_task, name, setups[name], seed, profile, shared, pure=False): (
                name,
                seed,
            )
            for name, seed in todo
        }
        for number, future in enumerate(as_completed(futures), 1):
            name, seed = futures.pop(future)
            if future.status != "finished":
                why = future.status if future.status == "cancelled" else repr(future.exception())
                failures.append(f"{name}, seed {seed}: {why}")
                print(f"[{number}/{len(todo)}] {name}, seed {seed} FAILED", flush=True)
                continue
            run = future.result()
            if run.key != keys[name]:
                failures.append(
                    f"{name}, seed {seed}: the worker's run key {run.key} is not the "
                    f"driver's {keys[name]}: install the same rnnbook and Keras on every worker"
                )
                continue
            study.runs = [r for r in study.runs if (r.name, r.seed) != (name, seed)] + [run]
            _write(path, study)
            print(f"[{number}/{len(todo)}] {name}, seed {seed} written to {path}", flush=True)
    if failures:
        raise RuntimeError(f"{len(failures)} runs failed: " + "; ".join(failures))
    return study


# ----------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Train the book's setups with several seeds.")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=None, help="default: each setup's own seeds"
    )
    parser.add_argument(
        "--models", nargs="+", default=None, help="setup names of rnnbook.setups (default: all)"
    )
    parser.add_argument(
        "--group", default=None, help="comparison, overfitting, masking or levers (default: all)"
    )
    parser.add_argument("--profile", default=None, help="full (default) or smoke")
    parser.add_argument("--output", default=None, help="study file (default: the shipped one)")
    args = parser.parse_args(argv)
    names = args.models if args.models is not None else list(STUDY_MODELS)
    unknown = [name for name in names if name not in STUDY_MODELS]
    if unknown:
        parser.error(f"unknown setups {unknown}: choose from {list(STUDY_MODELS)}")
    if args.group is not None:
        try:
            names = [name for name in names if name in group(args.group)]
        except ValueError as error:
            parser.error(str(error))
    profile = get_profile(args.profile)
    output = Path(args.output) if args.output else default_study_path(profile.name)
    start = time.perf_counter()
    try:
        study = run_study({name: STUDY_MODELS[name] for name in names}, args.seeds, profile, output)
    except (ConnectionError, ModuleNotFoundError, ValueError) as error:
        parser.error(str(error))
    seconds = time.perf_counter() - start
    print(f"\n{output} holds {len(study.runs)} runs ({seconds:.0f} s)")


if __name__ == "__main__":
    # The tasks sent to the workers must be rnnbook.study's functions, which
    # every worker imports, not copies of this __main__ module's.
    from rnnbook.study import main as _main

    _main()
