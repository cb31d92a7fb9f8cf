"""Tests of rnnbook.setups."""

import pytest

from rnnbook import models
from rnnbook.profiles import Profile
from rnnbook.setups import PATIENCE, STUDY_MODELS, Setup, group, protocol
from rnnbook.study import setup_key

TINY = Profile("tiny", 30, 5, None, None, 1, 8, 0.25, "one epoch on random data")


def test_groups_hold_every_setup():
    groups = ("comparison", "overfitting", "masking")
    assert sum(len(group(g)) for g in groups) == len(STUDY_MODELS)
    assert len(group("comparison")) == 10 and len(group("masking")) == 8
    with pytest.raises(ValueError, match="unknown study group 'other': choose one of"):
        group("other")


def test_training_options_are_part_of_the_key():
    plain = setup_key(Setup(models.basic_rnn), TINY)
    assert setup_key(Setup(models.basic_rnn, group="masking", seeds=(1,)), TINY) == plain
    for options in ({"padding": "post"}, {"truncating": "post"}, {"early_stopping": PATIENCE}):
        assert setup_key(Setup(models.basic_rnn, **options), TINY) != plain


def test_masking_grid_defaults_are_the_comparisons_models():
    grid = group("masking")
    assert setup_key(grid["SimpleRNN: pre-padding, post-truncation, mask off"], TINY) != setup_key(
        STUDY_MODELS["Basic RNN"], TINY
    )
    lstm = Setup(models.lstm, early_stopping=PATIENCE)
    assert setup_key(STUDY_MODELS["LSTM"], TINY) == setup_key(lstm, TINY)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Basic RNN", ("no", "no", "no", "pre/pre", 5)),
        ("LSTM", ("yes", "yes (2)", "no", "pre/pre", 5)),
        ("Basic RNN + dropout + early stopping", ("no", "yes (2)", "yes", "pre/pre", 5)),
        ("Bidirectional LSTM", ("yes", "yes (2)", "no", "pre/pre", 5)),
        ("SimpleRNN: post-padding, pre-truncation, mask on", ("yes", "no", "no", "post/pre", 3)),
        ("LSTM: pre-padding, pre-truncation, mask off", ("no", "yes (2)", "no", "pre/pre", 3)),
    ],
)
def test_protocol_reads_what_each_setup_trained_with(name, expected):
    got = protocol(name)
    assert tuple(got[k] for k in ("mask", "early stopping", "dropout", "padding", "seeds")) == (
        expected
    )


def test_protocol_of_an_unknown_setup_names_it():
    with pytest.raises(KeyError, match="'Tiny RNN' is not a setup of rnnbook.setups"):
        protocol("Tiny RNN")
