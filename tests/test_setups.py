"""Tests of rnnbook.setups."""

import pytest

from rnnbook import models
from rnnbook.profiles import Profile
from rnnbook.setups import PATIENCE, STUDY_MODELS, Setup, group, protocol
from rnnbook.study import setup_key

TINY = Profile("tiny", 30, 5, None, None, 1, 8, 0.25, "one epoch on random data")


def test_groups_hold_every_setup():
    groups = ("comparison", "overfitting", "masking", "levers")
    assert sum(len(group(g)) for g in groups) == len(STUDY_MODELS)
    assert len(group("comparison")) == 10 and len(group("masking")) == 9
    assert len(group("levers")) == 8
    with pytest.raises(ValueError, match="unknown study group 'other': choose one of"):
        group("other")


def test_training_options_are_part_of_the_key():
    plain = setup_key(Setup(models.basic_rnn), TINY)
    assert setup_key(Setup(models.basic_rnn, group="masking", seeds=(1,)), TINY) == plain
    for options in ({"padding": "post"}, {"truncating": "post"}, {"early_stopping": PATIENCE}):
        assert setup_key(Setup(models.basic_rnn, **options), TINY) != plain


def test_each_lever_is_part_of_the_key():
    """A lever changes the key even where it leaves the model's shapes alone."""
    plain = setup_key(Setup(models.lstm), TINY)
    keys = {
        setup_key(Setup(models.lstm, **options), TINY)
        for options in (
            {"embedding": "word2vec"},
            {"pretraining": "language model"},
            {"keep_predictions": True},
            {"num_words": 40},
            {"maxlen": 9},
        )
    }
    assert len(keys) == 5 and plain not in keys


def test_levers_change_one_thing_of_the_comparisons_lstm():
    levers = group("levers")
    lstm = STUDY_MODELS["LSTM"]
    for name, setup in levers.items():
        assert set(setup.seeds) == {1, 2, 3} and setup.early_stopping == lstm.early_stopping, name
    full = Profile("full-like", 5000, 500, None, None, 1, 32, 0.2, "")
    assert levers["LSTM, 20,000 words"].sizes(full) == (20_000, 500)
    assert levers["LSTM, 800 tokens"].sizes(full) == (5000, 800)
    assert levers["LSTM, 64 units"].build(5000, 500).count_params() == 353_089
    frozen = levers["LSTM, word2vec vectors, frozen"].build(5000, 500)
    assert not frozen.layers[0].trainable and frozen.layers[0].output_dim == 32
    assert levers["LSTM, language-model pretraining"].pretraining == "language model"
    combined = levers["LSTM, 20,000 words, 800 tokens, word2vec"]
    assert combined.sizes(full) == (20_000, 800) and combined.embedding == "word2vec"
    assert combined.keep_predictions
    nb = levers["NB-weighted features + logistic regression"]
    assert nb.features == "nb" and nb.keep_predictions


def test_masked_bidirectional_rnn_differs_from_the_reference_only_by_its_mask():
    masked = STUDY_MODELS["Bidirectional RNN: mask on"]
    assert masked.options() == {} and masked.group == "masking"
    layers = masked.build(50, 8).layers
    assert layers[0].mask_zero
    plain = STUDY_MODELS["Bidirectional RNN"].build(50, 8)
    assert [type(x) for x in plain.layers] == [type(x) for x in layers]
    assert protocol("Bidirectional RNN: mask on")["mask"] == "yes"


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


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("LSTM", "no"),
        ("TF-IDF + logistic regression", "no"),
        ("LSTM, 64 units", "64 units"),
        ("LSTM, word2vec vectors, frozen", "word2vec (frozen)"),
        ("LSTM, word2vec vectors, fine-tuned", "word2vec"),
        ("LSTM, language-model pretraining", "language model pretraining"),
        ("LSTM, 20,000 words, 800 tokens, word2vec", "20,000 words, 800 tokens, word2vec"),
        ("NB-weighted features + logistic regression", "NB weights"),
    ],
)
def test_protocol_names_the_levers_a_setup_pulls(name, expected):
    assert protocol(name)["levers"] == expected
