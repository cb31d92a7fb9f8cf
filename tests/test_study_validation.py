"""Tests of Study.summary / Study.compare on validation accuracy (rnnbook.study)."""

import pytest

import rnnbook
from rnnbook.setups import STUDY_MODELS
from rnnbook.stats import validation_accuracy


@pytest.fixture(scope="module")
def study():
    return rnnbook.load_study()


def test_validation_summary_restores_where_the_setup_stopped_early(study):
    for name, restored in (("LSTM", True), ("Basic RNN", False)):
        assert (STUDY_MODELS[name].early_stopping is not None) == restored
        expected = [validation_accuracy(r, restored=restored) for r in study.of(name)]
        summary = study.summary([name], on="validation")[name]
        assert summary.mean == pytest.approx(sum(expected) / len(expected))
        assert summary.n == len(expected)


def test_validation_and_test_summaries_differ(study):
    test = study.summary(["LSTM"])["LSTM"]
    validation = study.summary(["LSTM"], on="validation")["LSTM"]
    assert test.mean != validation.mean and test.params == validation.params


def test_compare_on_validation(study):
    gap = study.compare("GRU", "Basic RNN", on="validation")
    val = study.summary(["GRU", "Basic RNN"], on="validation")
    assert gap.gap == pytest.approx(100 * (val["GRU"].mean - val["Basic RNN"].mean))


def test_summary_refuses_another_metric(study):
    with pytest.raises(ValueError, match="on='train': summarize on 'test' or 'validation'"):
        study.summary(["LSTM"], on="train")
