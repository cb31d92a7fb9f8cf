"""Real time series for the forecasting chapter: loading, chronological splits, windows.

The series come with ``statsmodels``, inside its wheel, so nothing is
downloaded:

* ``"co2"``: CO₂ at Mauna Loa (ppm), weekly 1958–2001, as monthly means;
* ``"sunspots"``: the yearly mean sunspot number, 1700–2008.

A forecaster reads a window of the last :math:`w` values and predicts the
next :math:`H`. Splits are chronological (training, then validation, then
test) and a window belongs to the part that holds *all of its targets*:
its inputs may reach back into an earlier part, which is the known past,
but no window reads or predicts a step after the end of its part::

    values = load_series("co2").to_numpy()
    train_end, val_end = chronological_split(len(values))
    mean, std = train_statistics(values, train_end)
    scaled = (values - mean) / std
    x_train, y_train = windows(scaled, w=24, H=12, start=0, end=train_end)
    x_val, y_val = windows(scaled, w=24, H=12, start=train_end, end=val_end)
    x_test, y_test = windows(scaled, w=24, H=12, start=val_end, end=len(values))

Three forecasts that need no training read the same windows:
:func:`last_value`, :func:`seasonal_naive` and
:func:`seasonal_naive_with_drift`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SERIES",
    "chronological_split",
    "last_value",
    "load_series",
    "seasonal_naive",
    "seasonal_naive_with_drift",
    "train_statistics",
    "windows",
]

SERIES = {
    "co2": "CO₂ at Mauna Loa (ppm), monthly means of the weekly record, 1958–2001",
    "sunspots": "yearly mean sunspot number, 1700–2008",
}
"""The series :func:`load_series` knows, with a one-line description."""


def load_series(name: str):
    """Load a real time series shipped with ``statsmodels``, as a ``pandas.Series``.

    ``"co2"``: the weekly CO₂ record of Mauna Loa (ppm) averaged into
    calendar months (index: the first day of each month). 59 of its 2,284
    weeks have no measurement; a month's mean uses the weeks it has, and
    the 5 months without any measured week (two in 1958, three in 1964) are
    interpolated linearly between their neighbours.

    ``"sunspots"``: the yearly mean sunspot number (index: the year).

    Parameters
    ----------
    name : str
        A key of :data:`SERIES`.

    Returns
    -------
    pandas.Series
        Float values without missing steps, in time order.

    Raises
    ------
    ValueError
        If the name is unknown.
    ImportError
        If ``statsmodels`` is not installed.

    Examples
    --------
    >>> co2 = load_series("co2")
    >>> len(co2), co2.index[0].strftime("%Y-%m"), co2.index[-1].strftime("%Y-%m")
    (526, '1958-03', '2001-12')
    >>> int(co2.isna().sum())
    0
    >>> sunspots = load_series("sunspots")
    >>> len(sunspots), int(sunspots.index[0]), int(sunspots.index[-1])
    (309, 1700, 2008)
    """
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}: choose one of {', '.join(map(repr, SERIES))}")
    try:
        from statsmodels import datasets
    except ImportError:
        raise ImportError(
            "load_series needs statsmodels, which ships the data: pip install statsmodels"
        ) from None
    if name == "co2":
        weekly = datasets.co2.load_pandas().data["co2"]
        monthly = weekly.resample("MS").mean().interpolate("linear")
        return monthly.astype(float).rename("co2 (ppm)")
    yearly = datasets.sunspots.load_pandas().data
    index = yearly["YEAR"].astype(int).rename("year")
    return yearly["SUNACTIVITY"].astype(float).set_axis(index).rename("sunspot number")


def chronological_split(n: int, validation: float = 0.15, test: float = 0.15) -> tuple[int, int]:
    """Where validation and test begin in a series of ``n`` steps, cut in time order.

    Training is ``[0, train_end)``, validation ``[train_end, val_end)`` and
    test ``[val_end, n)``: the last ``test`` share of the steps is the test
    part, the ``validation`` share before it the validation part.

    Parameters
    ----------
    n : int
        Length of the series.
    validation, test : float
        Shares of the steps, each strictly between 0 and 1, together below 1.

    Returns
    -------
    (int, int)
        ``train_end`` and ``val_end``.

    Raises
    ------
    ValueError
        If a share is out of range or a part would be empty.

    Examples
    --------
    >>> chronological_split(100)
    (70, 85)
    >>> chronological_split(526)
    (368, 447)
    """
    for label, share in (("validation", validation), ("test", test)):
        if not 0 < share < 1:
            raise ValueError(f"{label}={share!r} must be a share between 0 and 1, e.g. 0.15")
    if validation + test >= 1:
        raise ValueError(
            f"validation + test = {validation + test:g} leaves no training steps: "
            "make them sum to less than 1"
        )
    val_end = n - round(test * n)
    train_end = val_end - round(validation * n)
    if not 0 < train_end < val_end < n:
        raise ValueError(f"a series of {n} steps is too short to split in three: use a longer one")
    return train_end, val_end


def train_statistics(values, train_end: int) -> tuple[float, float]:
    """Mean and standard deviation of the training part only, for normalizing.

    Statistics of the whole series would let the test period's level leak
    into the inputs of training.

    Parameters
    ----------
    values : array_like
        The series.
    train_end : int
        End of the training part (exclusive), from :func:`chronological_split`.

    Returns
    -------
    (float, float)

    Raises
    ------
    ValueError
        If the training part has fewer than two steps or no spread.

    Examples
    --------
    >>> train_statistics([1.0, 3.0, 100.0], train_end=2)
    (2.0, 1.0)
    """
    part = np.asarray(values, dtype=float)[:train_end]
    if len(part) < 2 or not 0 < train_end <= len(values):
        raise ValueError(
            f"train_end={train_end} must leave at least 2 training steps in a series of "
            f"{len(values)}: use the first value chronological_split returns"
        )
    std = float(part.std())
    if std == 0:
        raise ValueError("the training part is constant: there is nothing to scale by")
    return float(part.mean()), std


def windows(values, w: int, H: int, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``w`` past steps and the ``H`` steps after them, whose targets lie in one part.

    Built with ``keras.utils.timeseries_dataset_from_array``: one sequence
    of ``w + H`` consecutive steps per window, cut into the inputs (the
    first ``w``) and the targets (the last ``H``). A window is kept when all
    its targets lie in ``[start, end)``; its inputs may begin before
    ``start`` (the known past), never at or after ``end``. Consecutive
    windows start one step apart, in time order.

    ``timeseries_dataset_from_array`` builds a ``tf.data`` pipeline, so
    TensorFlow must be installed whatever the Keras backend (Colab has it).

    Parameters
    ----------
    values : array_like, shape (T,)
        The (normalized) series.
    w : int
        Window length: past steps the forecaster reads.
    H : int
        Horizon: steps ahead to predict.
    start, end : int
        The part the targets must lie in, for example ``0, train_end``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Inputs of shape ``(windows, w, 1)`` and targets of shape
        ``(windows, H)``, in float32; there are ``end - max(start, w) - H + 1``
        windows.

    Raises
    ------
    ValueError
        If ``w`` or ``H`` is not positive, the part lies outside the series,
        or it holds no window (a window longer than the series, a part
        shorter than the horizon).

    Examples
    --------
    >>> x, y = windows(np.arange(10), w=3, H=2, start=6, end=10)
    >>> x.shape, y.shape
    ((3, 3, 1), (3, 2))
    >>> x[..., 0].tolist(), y.tolist()
    ([[3.0, 4.0, 5.0], [4.0, 5.0, 6.0], [5.0, 6.0, 7.0]], [[6.0, 7.0], [7.0, 8.0], [8.0, 9.0]])
    """
    values = np.asarray(values, dtype="float32")
    if values.ndim != 1:
        raise ValueError(f"values has shape {values.shape}: pass one series, shape (T,)")
    n = len(values)
    if w < 1 or H < 1:
        raise ValueError(f"w={w} and H={H} must both be at least 1 step")
    if not 0 <= start < end <= n:
        raise ValueError(
            f"the part [{start}, {end}) is not inside the series of {n} steps: "
            "use the bounds chronological_split returns"
        )
    if w + H > end:
        raise ValueError(
            f"a window of w={w} past steps and H={H} ahead needs {w + H} steps, but the "
            f"series has {end} up to the part's end: use a shorter window or horizon"
        )
    if end - start < H:
        raise ValueError(
            f"the part [{start}, {end}) has {end - start} steps, fewer than the horizon H={H}: "
            "give it a larger share or use a shorter horizon"
        )
    import keras

    first = max(0, start - w)  # the first window's first input
    sequences = keras.utils.timeseries_dataset_from_array(
        values[first:end], targets=None, sequence_length=w + H, batch_size=1024
    )
    stacked = np.concatenate([np.asarray(batch) for batch in sequences])
    return stacked[:, :w, None], stacked[:, w:]


def _check_windows(x, H: int, reach: int) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[-1] != 1:
        raise ValueError(
            f"x has shape {x.shape}: pass windows of shape (windows, w, 1), as windows() returns"
        )
    if H < 1 or reach > x.shape[1]:
        raise ValueError(
            f"H={H} must be at least 1 and the forecast reads {reach} steps back, but the "
            f"windows have w={x.shape[1]}: use a longer window"
        )
    return x[..., 0]


def last_value(x, H: int) -> np.ndarray:
    """Forecast every step ahead as the window's last value.

    Parameters
    ----------
    x : array_like, shape (windows, w, 1)
        Windows from :func:`windows`.
    H : int
        Steps ahead.

    Returns
    -------
    numpy.ndarray, shape (windows, H)

    Raises
    ------
    ValueError
        If ``x`` is not a batch of windows or ``H`` is not positive.

    Examples
    --------
    >>> last_value(np.arange(6.0).reshape(1, 6, 1), H=3).tolist()
    [[5.0, 5.0, 5.0]]
    """
    x = _check_windows(x, H, 1)
    return np.repeat(x[:, -1:], H, axis=1)


def seasonal_naive(x, H: int, season: int) -> np.ndarray:
    """Forecast each step as the value one season earlier.

    Step :math:`h` ahead of the window's last step :math:`t` is forecast
    as :math:`y_{t+h-m}`, :math:`m` the season; with :math:`H \\le m \\le w`
    that is a stretch of the window.

    Parameters
    ----------
    x : array_like, shape (windows, w, 1)
    H : int
        Steps ahead, at most ``season``.
    season : int
        :math:`m`, steps in one seasonal cycle, at most the window's length.

    Returns
    -------
    numpy.ndarray, shape (windows, H)

    Raises
    ------
    ValueError
        If the window is shorter than the season or ``H`` is not between 1
        and ``season``.

    Examples
    --------
    >>> x = np.array([1.0, 2, 3, 4, 2, 3, 4, 5]).reshape(1, 8, 1)
    >>> seasonal_naive(x, H=2, season=4).tolist()
    [[2.0, 3.0]]
    """
    if not 1 <= H <= season:
        raise ValueError(f"H={H} must lie between 1 and season={season}: one season ahead at most")
    x = _check_windows(x, H, season)
    return x[:, -season:][:, :H]


def seasonal_naive_with_drift(x, H: int, season: int) -> np.ndarray:
    """The seasonal naive forecast plus the increase over the last season.

    Step :math:`h` ahead is forecast as
    :math:`y_{t+h-m} + (y_t - y_{t-m})`: the value one season earlier, moved
    by as much as the series rose over the season that ends with the
    window: the seasonal naive and drift methods of Hyndman and
    Athanasopoulos (2021, section 5.2) combined, with the drift estimated
    from the last season only. Each forecast step is one season after the
    step it copies, so the whole increase is added to every step.

    Parameters
    ----------
    x : array_like, shape (windows, w, 1)
    H : int
        Steps ahead, at most ``season``.
    season : int
        :math:`m`; the window must be longer than it.

    Returns
    -------
    numpy.ndarray, shape (windows, H)

    Raises
    ------
    ValueError
        If the window has no step one season before its last, or ``H`` is
        not between 1 and ``season``.

    Examples
    --------
    >>> x = np.array([0.0, 1, 2, 3, 4, 5, 6, 7, 8]).reshape(1, 9, 1)
    >>> seasonal_naive_with_drift(x, H=3, season=4).tolist()  # a straight line goes on
    [[9.0, 10.0, 11.0]]
    """
    if not 1 <= H <= season:
        raise ValueError(f"H={H} must lie between 1 and season={season}: one season ahead at most")
    values = _check_windows(x, H, season + 1)
    increase = values[:, -1:] - values[:, -season - 1 : -season]  # y_t - y_{t-m}
    return seasonal_naive(x, H, season) + increase
