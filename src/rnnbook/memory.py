"""The long-memory task: a label at the first step, noise after it.

Used by the long-memory chapter (which trains simple and gated cells on it)
and by the LSTM chapter (whose trained gates show how a cell solves it).
"""

import numpy as np


def long_memory_data(size, lag, features=8, noise_scale=1.0, rng=None):
    """Sequences of ``lag + 1`` steps whose label is written at the first step.

    Step 1 carries the label ``y`` in {0, 1}: channel 0 (a marker) is 1 and
    channel 1 holds the sign ``2 y - 1``. The ``lag`` steps after it are
    noise: channels 2 and up are normal numbers of standard deviation
    ``noise_scale``, channels 0 and 1 are 0. A model that predicts ``y``
    from the whole sequence must carry one bit across ``lag`` steps.

    Parameters
    ----------
    size : int
        Number of sequences, at least 1.
    lag : int
        Noise steps after the label, at least 1.
    features : int
        Channels per step, at least 3 (marker, sign, and noise channels).
    noise_scale : float
        Standard deviation of the noise, at least 0.
    rng : numpy.random.Generator or int or None
        The random generator (drawn from, so that successive calls give new
        sequences) or a seed for a new one.

    Returns
    -------
    x : numpy.ndarray
        Shape ``(size, lag + 1, features)``, float32.
    y : numpy.ndarray
        Shape ``(size,)``, float32, 0 or 1.

    Raises
    ------
    ValueError
        If a size is out of range.

    Examples
    --------
    >>> x, y = long_memory_data(4, lag=3, features=4, rng=0)
    >>> x.shape, y.shape
    ((4, 4, 4), (4,))
    >>> bool((x[:, 0, 1] == 2 * y - 1).all()), float(x[:, 1:, :2].sum())
    (True, 0.0)
    """
    for name, value, least in (("size", size, 1), ("lag", lag, 1), ("features", features, 3)):
        if not (isinstance(value, int | np.integer) and value >= least):
            raise ValueError(f"{name} must be an integer of at least {least}; got {value!r}")
    if not noise_scale >= 0:
        raise ValueError(
            f"noise_scale must be at least 0 (a standard deviation); got {noise_scale!r}"
        )
    rng = np.random.default_rng(rng)
    y = rng.integers(0, 2, size=size)
    x = np.zeros((size, lag + 1, features), dtype="float32")
    x[:, 0, 0] = 1.0  # marker
    x[:, 0, 1] = 2 * y - 1  # the label, as -1 or +1
    x[:, 1:, 2:] = noise_scale * rng.normal(size=(size, lag, features - 2))
    return x, y.astype("float32")
