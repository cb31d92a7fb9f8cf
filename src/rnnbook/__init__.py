"""Helper package of the executable book *Understanding RNNs*.

Small on purpose, one job per module:

* :mod:`rnnbook.data`: the IMDB reviews, tokenized the book's way;
* :mod:`rnnbook.profiles`: the full and the smoke run profile;
* :mod:`rnnbook.models`: every IMDB model of the book;
* :mod:`rnnbook.training`: the training log (one line per epoch, the run's record);
* :mod:`rnnbook.records`: the record of a run and its key;
* :mod:`rnnbook.setups`, :mod:`rnnbook.study`, :mod:`rnnbook.stats`: the
  committed variance study and the two-standard-error rule;
* :mod:`rnnbook.report`, :mod:`rnnbook.plotting`, :mod:`rnnbook.page`:
  tables, plots and glued numbers for the pages;
* :mod:`rnnbook.scratch`, :mod:`rnnbook.diagrams`: the NumPy models and
  the figures of the theory part.

Importing the package chooses the Keras backend when ``KERAS_BACKEND`` is
not set and Keras is not imported yet: JAX when it is installed (the
fastest we measured on CPU), otherwise TensorFlow.
"""

import importlib.util
import os
import sys

if "KERAS_BACKEND" not in os.environ and "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "jax" if importlib.util.find_spec("jax") else "tensorflow"

from . import models  # noqa: E402
from .data import decode_review, get_word_index, load_imdb, load_imdb_texts  # noqa: E402
from .page import describe_run, glue  # noqa: E402
from .plotting import plot_history  # noqa: E402
from .profiles import PROFILES, Profile, get_profile  # noqa: E402
from .records import Run  # noqa: E402
from .training import TrainingLog  # noqa: E402

__version__ = "0.2.0"


_LAZY_MODULES = ("report", "setups", "stats", "study", "scratch", "diagrams")


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
