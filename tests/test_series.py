"""Tests of rnnbook.series: the real series, chronological splits and windows without leakage."""

import sys

import numpy as np
import pandas as pd
import pytest

from rnnbook import series


@pytest.fixture(scope="module")
def co2():
    return series.load_series("co2")


# Loading


def test_co2_is_monthly_without_gaps(co2):
    assert len(co2) == 526 and co2.notna().all()
    assert co2.index[0] == pd.Timestamp("1958-03-01") and co2.index[-1] == pd.Timestamp(
        "2001-12-01"
    )
    assert (co2.index == pd.date_range("1958-03-01", "2001-12-01", freq="MS")).all()
    assert 310 < co2.min() < co2.max() < 375  # ppm


def test_co2_months_are_means_of_their_weeks_and_gaps_are_interpolated(co2):
    from statsmodels.datasets import co2 as source

    weekly = source.load_pandas().data["co2"]
    means = weekly.groupby(weekly.index.to_period("M")).mean()
    assert co2["1990-05-01"] == pytest.approx(means[pd.Period("1990-05", "M")])
    empty = means[means.isna()].index
    assert [str(p) for p in empty] == ["1958-06", "1958-10", "1964-02", "1964-03", "1964-04"]
    # February to April 1964 lie on the straight line from January to May.
    jan, may = co2["1964-01-01"], co2["1964-05-01"]
    assert co2["1964-03-01"] == pytest.approx(jan + (may - jan) * 2 / 4)


def test_sunspots_are_yearly():
    sunspots = series.load_series("sunspots")
    assert len(sunspots) == 309 and list(sunspots.index[:2]) == [1700, 1701]
    assert sunspots.notna().all() and (sunspots >= 0).all()


def test_unknown_series_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown series 'co3': choose one of 'co2', 'sunspots'"):
        series.load_series("co3")


def test_missing_statsmodels_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsmodels", None)
    with pytest.raises(ImportError, match="pip install statsmodels"):
        series.load_series("co2")


# Splits and normalization


def test_split_is_chronological_and_covers_the_series():
    train_end, val_end = series.chronological_split(526)
    assert (train_end, val_end) == (368, 447)
    assert val_end - train_end == 526 - val_end == 79  # 15 % each


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"validation": 0.0}, r"validation=0.0 must be a share between 0 and 1"),
        ({"test": 1.5}, r"test=1.5 must be a share between 0 and 1"),
        ({"validation": 0.5, "test": 0.5}, r"leaves no training steps"),
    ],
)
def test_bad_shares_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        series.chronological_split(100, **kwargs)


def test_too_short_a_series_cannot_be_split():
    with pytest.raises(ValueError, match="too short to split in three: use a longer one"):
        series.chronological_split(3)


def test_statistics_come_from_the_training_part_only():
    values = np.array([1.0, 3.0, 5.0, 1000.0, -1000.0])
    assert series.train_statistics(values, 3) == pytest.approx((3.0, np.sqrt(8 / 3)))
    values[3:] = 0.0  # changing the future changes nothing
    assert series.train_statistics(values, 3) == pytest.approx((3.0, np.sqrt(8 / 3)))


@pytest.mark.parametrize("train_end", [1, 0, 6])
def test_statistics_need_a_training_part(train_end):
    with pytest.raises(ValueError, match="use the first value chronological_split returns"):
        series.train_statistics(np.arange(5.0), train_end)


def test_statistics_of_a_constant_part_are_refused():
    with pytest.raises(ValueError, match="the training part is constant"):
        series.train_statistics(np.ones(5), 3)


# Windows


def test_windows_cut_inputs_and_targets_in_time_order():
    x, y = series.windows(np.arange(10), w=3, H=2, start=0, end=10)
    assert x.shape == (6, 3, 1) and y.shape == (6, 2) and x.dtype == y.dtype == np.float32
    steps = np.concatenate([x[..., 0], y], axis=1)
    assert (np.diff(steps, axis=1) == 1).all()  # inputs, then the steps right after them
    assert (np.diff(steps[:, 0]) == 1).all()  # one window per step, in order


@pytest.fixture(scope="module")
def parts():
    """Windows of the chapter's split on a series whose values are their own time steps."""
    n, w, H = 526, 24, 12
    train_end, val_end = series.chronological_split(n)
    steps = np.arange(n)
    bounds = {"train": (0, train_end), "val": (train_end, val_end), "test": (val_end, n)}
    return w, H, bounds, {k: series.windows(steps, w, H, *b) for k, b in bounds.items()}


def test_window_shapes(parts):
    w, H, bounds, windows = parts
    for name, (start, end) in bounds.items():
        x, y = windows[name]
        count = end - max(start, w) - H + 1
        assert x.shape == (count, w, 1) and y.shape == (count, H), name
    assert [len(windows[k][0]) for k in ("train", "val", "test")] == [333, 68, 68]


def test_no_training_window_reads_or_predicts_after_training(parts):
    _, _, bounds, windows = parts
    x, y = windows["train"]
    train_end = bounds["train"][1]
    assert x.max() < train_end and y.max() < train_end
    assert y.max() == train_end - 1  # the last training step is still predicted


def test_validation_and_test_windows_predict_only_their_own_part(parts):
    _, _, bounds, windows = parts
    for name in ("val", "test"):
        (start, end), (x, y) = bounds[name], windows[name]
        assert y.min() == start and y.max() == end - 1, name  # every step, no other
        assert x.max() < end, name  # inputs never read the part after
    # A test window may read the end of validation (the known past), never the test
    # steps it predicts: its inputs all come before its first target.
    x, y = windows["test"]
    assert x.min() < bounds["test"][0]
    assert (x[:, -1, 0] < y[:, 0]).all()


def test_each_step_of_a_part_is_the_first_target_of_one_window(parts):
    w, H, bounds, windows = parts
    for name, (start, end) in bounds.items():
        first_targets = windows[name][1][:, 0]
        assert first_targets.tolist() == list(range(max(start, w), end - H + 1)), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, 5, 0, 12), r"needs 15 steps, but the series has 12 .*use a shorter window"),
        ((3, 5, 9, 12), r"has 3 steps, fewer than the horizon H=5: .*shorter horizon"),
        ((0, 2, 0, 12), r"w=0 and H=2 must both be at least 1 step"),
        ((3, 2, 5, 20), r"not inside the series of 12 steps: use the bounds"),
        ((3, 2, 6, 6), r"not inside the series of 12 steps"),
    ],
)
def test_bad_windows_are_refused(args, message):
    w, H, start, end = args
    with pytest.raises(ValueError, match=message):
        series.windows(np.arange(12), w, H, start, end)


def test_windows_need_one_series():
    with pytest.raises(ValueError, match=r"shape \(6, 2\): pass one series"):
        series.windows(np.zeros((6, 2)), 2, 1, 0, 6)


# Forecasts that need no training


def test_last_value_repeats_the_last_step():
    x = np.array([[1.0, 4.0, 2.0], [0.0, 0.0, 7.0]])[..., None]
    assert series.last_value(x, H=2).tolist() == [[2.0, 2.0], [7.0, 7.0]]


def test_seasonal_naive_copies_the_step_one_season_earlier():
    rng = np.random.default_rng(0)
    values = rng.normal(size=60)
    x, y = series.windows(values, w=24, H=12, start=24, end=60)
    forecast = series.seasonal_naive(x, H=12, season=12)
    # Window i ends at step 23 + i; its step h ahead, 23 + i + h, is forecast as 11 + i + h.
    for i in range(len(x)):
        np.testing.assert_array_equal(forecast[i], values[12 + i : 24 + i].astype("float32"))
    assert series.seasonal_naive(x, H=5, season=12).shape == (len(x), 5)


def test_seasonal_naive_with_drift_is_exact_on_a_trend_plus_a_season():
    # A straight line plus a season of length 12: the seasonal naive forecast is off by one
    # season's rise everywhere, the drift adds exactly that rise.
    t = np.arange(80)
    values = 0.3 * t + np.sin(2 * np.pi * t / 12)
    x, y = series.windows(values, w=24, H=12, start=24, end=80)
    drift = series.seasonal_naive_with_drift(x, H=12, season=12)
    np.testing.assert_allclose(drift, y, atol=1e-4)
    naive = series.seasonal_naive(x, H=12, season=12)
    np.testing.assert_allclose(y - naive, 0.3 * 12, atol=1e-4)


def test_seasonal_naive_with_drift_adds_the_last_seasons_increase():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 24, 1))
    drift = series.seasonal_naive_with_drift(x, H=12, season=12)
    increase = x[:, -1, 0] - x[:, -13, 0]
    np.testing.assert_allclose(
        drift - series.seasonal_naive(x, H=12, season=12), np.repeat(increase[:, None], 12, 1)
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: series.last_value(x[..., 0], H=3), r"shape \(4, 24\): pass windows of shape"),
        (lambda x: series.last_value(x, H=0), r"H=0 must be at least 1"),
        (lambda x: series.seasonal_naive(x, H=13, season=12), r"H=13 must lie between 1 and"),
        (lambda x: series.seasonal_naive(x, H=3, season=30), r"reads 30 steps back.*w=24"),
        (
            lambda x: series.seasonal_naive_with_drift(x, H=3, season=24),
            r"reads 25 steps back.*w=24: use a longer window",
        ),
    ],
)
def test_bad_forecast_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.zeros((4, 24, 1)))
