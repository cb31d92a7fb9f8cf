"""What a page says about itself: the run description and numbers for its text.

These helpers are for the book's pages only; nothing here trains.
"""

from __future__ import annotations

import os
import platform

import keras

from .profiles import Profile

__all__ = ["backend_info", "concurrent_notebooks", "describe_run", "glue"]


def backend_info() -> tuple[str, str, str]:
    """The Keras backend in use, its version and its device (``"cpu"`` or ``"gpu"``).

    Examples
    --------
    >>> backend_info()[0] == keras.backend.backend()
    True
    """
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return backend, jax.__version__, jax.default_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        device = "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
        return backend, tf.__version__, device
    return backend, "", "?"


def concurrent_notebooks() -> int:
    """How many notebooks the build executes at once (``$RNNBOOK_CONCURRENT``; 1 outside it)."""
    return int(os.environ.get("RNNBOOK_CONCURRENT", "1") or 1)


def describe_run(profile: Profile, settings: str | None = None) -> str:
    """One line naming the profile, backend, library versions and machine load of this run.

    Parameters
    ----------
    profile : Profile
        From :func:`rnnbook.get_profile`.
    settings : str, optional
        What the profile means on this page, in place of its IMDB
        description (for pages that train on other data).

    Returns
    -------
    str

    Examples
    --------
    >>> from rnnbook.profiles import get_profile
    >>> describe_run(get_profile("smoke"))  # doctest: +ELLIPSIS
    "profile 'smoke': ... | Keras ..., backend ... on ... (... cores) | Python ..."
    """
    backend, version, device = backend_info()
    concurrent = concurrent_notebooks()
    load = f" | {concurrent} notebooks executed at once" if concurrent > 1 else ""
    what = f"profile {profile.name!r}: {settings}" if settings else str(profile)
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    cores_text = f"{cores} cores" if usable == cores else f"{usable} of {cores} cores"
    return (
        f"{what} | Keras {keras.__version__}, backend {backend} {version} on "
        f"{device} ({cores_text}) | Python {platform.python_version()}{load}"
    )


def glue(name: str, value, display: bool = False) -> None:
    """Store a value for the book's text (myst-nb glue), or do nothing outside it.

    In the book build, ``myst_nb.glue`` makes the value available to
    ``{glue:text}`` roles. In Colab, where myst-nb is not installed, nothing
    is stored. Nothing is returned, so that a ``glue`` call at the end of a
    cell does not echo its value.

    Parameters
    ----------
    name : str
        The glue key, unique within the notebook.
    value : object
        A number, string or figure. NumPy scalars are stored as Python
        numbers, so that format specs such as ``{glue:text}`key:.2f``` work.
    display : bool
        Also show the value in the notebook's output.
    """
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
