"""Tests of rnnbook.stats: summaries over seeds and the two-standard-error rule."""

import numpy as np
import pytest

from rnnbook.records import Run
from rnnbook.stats import Summary, compare, summarize, validation_accuracy


def run(name, seed, accuracy, val_loss=(0.5, 0.4, 0.45), seconds=(3.0, 2.0, 2.0)):
    return Run(name, seed, 7, {"val_loss": list(val_loss)}, 0.3, accuracy, list(seconds))


def test_summarize_uses_the_sample_standard_deviation_and_medians():
    runs = [run("m", 1, 0.80), run("m", 2, 0.84, seconds=(5.0,)), run("m", 3, 0.88)]
    stats = summarize(runs)["m"]
    assert stats.n == 3 and stats.params == 7
    assert stats.mean == pytest.approx(0.84) and stats.std == pytest.approx(0.04)
    assert (stats.min, stats.max) == (0.80, 0.88)
    assert stats.seconds_per_epoch == 2.0 and stats.epochs_run == 3 and stats.best_epoch == 2


def test_summarize_keeps_the_order_of_first_appearance():
    runs = [run("b", 1, 0.7), run("a", 1, 0.8), run("b", 2, 0.7)]
    assert list(summarize(runs)) == ["b", "a"]


def test_compare_applies_the_two_standard_error_rule():
    a = Summary(5, 0.80, 0.02, 0.78, 0.82, 10, 3, 5.0, 7)
    b = Summary(5, 0.78, 0.02, 0.76, 0.80, 10, 3, 5.0, 7)
    gap = compare(a, b)
    assert gap.gap == pytest.approx(2.0)
    assert gap.two_se == pytest.approx(200 * np.sqrt(2 * 0.02**2 / 5))
    assert gap.clear is False  # 2.0 < 2.53
    assert compare(a, Summary(5, 0.75, 0.02, 0.73, 0.77, 10, 3, 5.0, 7)).clear is True
    assert compare(b, a).gap == pytest.approx(-2.0)


def test_compare_needs_two_seeds_on_each_side():
    a = Summary(5, 0.80, 0.02, 0.78, 0.82, 10, 3, 5.0, 7)
    single = Summary(1, 0.5, float("nan"), 0.5, 0.5, 10, 3, 5.0, 7)
    with pytest.raises(ValueError, match="needs at least two seeds on each side, got 5 and 1"):
        compare(a, single)


def test_validation_accuracy_is_that_of_the_tested_weights():
    history = {"val_loss": [0.5, 0.4, 0.45], "val_accuracy": [0.70, 0.80, 0.82]}
    r = Run("m", 1, 7, history, 0.3, 0.79, [1.0, 1.0, 1.0])
    assert validation_accuracy(r, restored=True) == 0.80  # lowest validation loss
    assert validation_accuracy(r, restored=False) == 0.82  # the last epoch


def test_validation_accuracy_needs_the_metric():
    with pytest.raises(ValueError, match="run 'm' \\(seed 1\\) kept no val_accuracy"):
        validation_accuracy(run("m", 1, 0.8), restored=True)


def test_summarize_any_accuracy():
    runs = [run("m", 1, 0.80), run("m", 2, 0.84)]
    stats = summarize(runs, accuracy=lambda r: r.test_accuracy - 0.1)["m"]
    assert stats.mean == pytest.approx(0.72)
