"""Helper package of the executable book *Understanding RNNs*.

Small on purpose, one job per module:

* :mod:`rnnbook.data`: the IMDB reviews, tokenized the book's way;
* :mod:`rnnbook.features`: TF-IDF vectors of the reviews and their batches;
* :mod:`rnnbook.profiles`: the full and the smoke run profile;
* :mod:`rnnbook.models`: every IMDB model of the book;
* :mod:`rnnbook.training`: the training log (one line per epoch, the run's record);
* :mod:`rnnbook.records`: the record of a run and its key;
* :mod:`rnnbook.setups`, :mod:`rnnbook.study`, :mod:`rnnbook.stats`: the
  committed variance study and the two-standard-error rule;
* :mod:`rnnbook.cluster`: the Dask cluster the study's runs are trained on;
* :mod:`rnnbook.report`, :mod:`rnnbook.plotting`, :mod:`rnnbook.page`:
  tables, plots and glued numbers for the pages;
* :mod:`rnnbook.cells`, :mod:`rnnbook.bptt`, :mod:`rnnbook.chartrain`: the
  NumPy cells, backpropagation through time, and the from-scratch training
  stack (all three also importable from :mod:`rnnbook.scratch`);
* :mod:`rnnbook.diagrams`: the figures of the theory part;
* :mod:`rnnbook.memory`: the long-memory task's sequences;
* :mod:`rnnbook.series`: real time series shipped with statsmodels,
  chronological splits and forecasting windows;
* :mod:`rnnbook.vocab`: characters and their indices, for both character models;
* :mod:`rnnbook.textgen`: the character-level language model's text,
  baselines and sampling;
* :mod:`rnnbook.seq2seq`: the date task, vocabularies, additive attention
  and greedy decoding of the encoder–decoder chapter.

Importing the package chooses the Keras backend when ``KERAS_BACKEND`` is
not set and Keras is not imported yet: JAX when it is installed (the
fastest we measured on CPU), otherwise TensorFlow.
"""

import importlib.metadata
import importlib.util
import os
import sys


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ValueError:  # a module set to None in sys.modules: blocked
        return False


if "KERAS_BACKEND" not in os.environ and "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "jax" if _installed("jax") else "tensorflow"

if (
    os.environ.get("RNNBOOK_LAZY_TENSORFLOW")
    and os.environ["KERAS_BACKEND"] == "jax"
    and "tensorflow" not in sys.modules
):
    # Set by the book's build (tools/execute_book.py): on JAX,
    # keras.utils.set_random_seed imports TensorFlow only to seed tf.data,
    # which the pages' NumPy inputs never use (1.7 s of CPU per notebook,
    # benchmarks/processes.py). Keras still imports TensorFlow on first use.
    # This is a private Keras internal: where a Keras release changes it,
    # seeding imports TensorFlow as usual (same numbers, 1.7 s slower), and
    # tests/test_package.py::test_the_build_skips_tensorflow_when_seeding_on_jax
    # fails, so that someone updates or removes this patch.
    try:
        from keras.src.utils import module_utils as _module_utils

        _module_utils.tensorflow._available = False
    except (ImportError, AttributeError):  # another Keras layout: seed as usual
        pass

from . import models  # noqa: E402
from .data import decode_review, get_word_index, load_imdb, load_imdb_texts  # noqa: E402
from .page import describe_run, glue  # noqa: E402
from .plotting import plot_history  # noqa: E402
from .profiles import PROFILES, Profile, get_profile  # noqa: E402
from .records import Run  # noqa: E402
from .training import TrainingLog  # noqa: E402

try:  # the one place the version is written is pyproject.toml
    __version__ = importlib.metadata.version("rnnbook")
except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
    __version__ = "0+unknown"


_LAZY_MODULES = (
    "features",
    "report",
    "setups",
    "stats",
    "study",
    "cluster",
    "scratch",
    "cells",
    "bptt",
    "chartrain",
    "diagrams",
    "memory",
    "series",
    "vocab",
    "textgen",
    "seq2seq",
)


def __getattr__(name):
    # rnnbook.load_study and rnnbook.setups, rnnbook.report, ... without importing
    # them at package import (pandas, the study file), and so that
    # `python -m rnnbook.study` runs that module once, cleanly.
    import importlib

    if name == "load_study":
        return importlib.import_module(".study", __name__).load_study
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'rnnbook' has no attribute {name!r}")


__all__ = [
    "PROFILES",
    "Profile",
    "Run",
    "TrainingLog",
    "decode_review",
    "describe_run",
    "get_profile",
    "get_word_index",
    "glue",
    "load_imdb",
    "load_imdb_texts",
    "load_study",
    "models",
    "plot_history",
]
