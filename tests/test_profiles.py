"""Tests of rnnbook.profiles."""

import pytest

from rnnbook.profiles import PROFILES, get_profile


def test_default_is_the_reference_experiment(monkeypatch):
    monkeypatch.delenv("RNNBOOK_PROFILE", raising=False)
    profile = get_profile()
    assert profile.name == "full"
    assert (profile.num_words, profile.maxlen, profile.epochs) == (5000, 500, 10)
    assert (profile.batch_size, profile.validation_split) == (32, 0.2)
    assert profile.train_size is None and profile.test_size is None


def test_environment_selects_the_profile(monkeypatch):
    monkeypatch.setenv("RNNBOOK_PROFILE", "smoke")
    assert get_profile() is PROFILES["smoke"]
    assert get_profile("full") is PROFILES["full"]


def test_smoke_is_smaller_but_keeps_the_model():
    full, smoke = PROFILES["full"], PROFILES["smoke"]
    assert smoke.num_words == full.num_words  # same architectures and weight counts
    assert smoke.maxlen < full.maxlen and smoke.epochs < full.epochs
    assert smoke.train_size < 25000 and smoke.test_size < 25000


def test_data_options_feed_load_imdb():
    assert PROFILES["smoke"].data_options() == {
        "num_words": 5000,
        "maxlen": 80,
        "train_size": 1280,
        "test_size": 512,
    }
    assert "smoke" in str(PROFILES["smoke"])


def test_smoke_batches_are_whole():
    # A partial last batch makes JAX compile each step again for its shape.
    smoke = PROFILES["smoke"]
    fit = int(smoke.train_size * (1 - smoke.validation_split))
    for rows in (fit, smoke.train_size - fit, smoke.test_size):
        assert rows % smoke.batch_size == 0, rows


def test_unknown_profile(monkeypatch):
    with pytest.raises(ValueError, match="unknown profile 'fast': set RNNBOOK_PROFILE to one of"):
        get_profile("fast")
    monkeypatch.setenv("RNNBOOK_PROFILE", "Full")
    with pytest.raises(ValueError, match="unknown profile 'Full'"):
        get_profile()
