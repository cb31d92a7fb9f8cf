"""Training helpers: a readable per-epoch log with timings, and run metadata.

Model definitions, ``compile`` and ``fit`` stay in the notebooks; this module
only holds what every training notebook repeats.
"""

from __future__ import annotations

import platform
import time

import keras

from .profiles import Profile

__all__ = ["ProgressLog", "describe_run", "glue"]


class ProgressLog(keras.callbacks.Callback):
    """Print one line per epoch and record how long each epoch took.

    Keras' own progress bar redraws a line with carriage returns, which
    reads well live but badly on a rendered page. This callback prints one
    plain line per epoch instead; pass ``verbose=0`` to ``fit``.

    Attributes
    ----------
    epoch_seconds : list of float
        Wall time of each epoch, validation included.

    Examples
    --------
    >>> log = ProgressLog()
    >>> history = model.fit(x, y, epochs=2, verbose=0, callbacks=[log])  # doctest: +SKIP
    epoch  1/2   12.3 s   loss 0.6931  accuracy 0.5012  val_loss 0.6925  ...
    """

    def __init__(self, printer=print):
        super().__init__()
        self.epoch_seconds: list[float] = []
        self._print = printer
        self._start = 0.0
        self._epochs = 0

    def on_train_begin(self, logs=None):
        self.epoch_seconds = []
        self._epochs = self.params.get("epochs", 0) if self.params else 0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        self.epoch_seconds.append(seconds)
        width = len(str(self._epochs))
        metrics = "  ".join(f"{k} {float(v):.4f}" for k, v in (logs or {}).items())
        self._print(
            f"epoch {epoch + 1:>{width}}/{self._epochs}  {seconds:6.1f} s  {metrics}",
            flush=True,
        )

    @property
    def seconds_per_epoch(self) -> float:
        """Median epoch time in seconds.

        The median is robust to the first epoch, which also compiles the
        model, and to a noisy neighbour on a shared machine.

        Raises
        ------
        ValueError
            If no epoch has finished yet.
        """
        if not self.epoch_seconds:
            raise ValueError("no epoch has finished yet: call model.fit first")
        ordered = sorted(self.epoch_seconds)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2


def backend_info() -> tuple[str, str, str]:
    """The Keras backend in use, its version and its device (``"cpu"`` or ``"gpu"``).

    Examples
    --------
    >>> backend_info()  # doctest: +SKIP
    ('jax', '0.10.2', 'cpu')
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


def describe_run(profile: Profile) -> str:
    """One line naming the profile, backend and library versions of this run.

    Parameters
    ----------
    profile : Profile
        From :func:`rnnbook.get_profile`.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_run(get_profile("smoke"))  # doctest: +SKIP
    "profile 'smoke' ... | Keras 3.15.1, backend jax 0.10.2 on cpu | Python 3.11.7"
    """
    backend, version, device = backend_info()
    return (
        f"{profile} | Keras {keras.__version__}, backend {backend} {version} on "
        f"{device} | Python {platform.python_version()}"
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
