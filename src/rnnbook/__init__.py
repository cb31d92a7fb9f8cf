"""Helper package of the executable book *Understanding RNNs*.

Small on purpose: the IMDB data (:mod:`rnnbook.data`), run profiles
(:mod:`rnnbook.profiles`), training logs (:mod:`rnnbook.training`), runs and their records
(:mod:`rnnbook.experiment`), plots
(:mod:`rnnbook.plotting`) and the reference's models (:mod:`rnnbook.models`).
"""

from . import models
from .data import decode_review, get_word_index, load_imdb, load_imdb_texts
from .experiment import Run, load_run, train_and_evaluate
from .plotting import plot_history
from .profiles import PROFILES, Profile, get_profile
from .training import ProgressLog, describe_run, glue

__version__ = "0.1.0"

__all__ = [
    "PROFILES",
    "Run",
    "Profile",
    "ProgressLog",
    "decode_review",
    "describe_run",
    "get_profile",
    "get_word_index",
    "glue",
    "load_imdb",
    "load_imdb_texts",
    "load_run",
    "models",
    "train_and_evaluate",
    "plot_history",
]
