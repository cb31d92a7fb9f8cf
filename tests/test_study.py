"""Tests of rnnbook.study, and that the shipped study matches today's models."""

import json

import keras
import numpy as np
import pytest

import rnnbook.study as study_module
from rnnbook import models
from rnnbook.profiles import Profile, get_profile
from rnnbook.study import (
    STUDY_MODELS,
    Setup,
    compare,
    default_study_path,
    definition_hash,
    group,
    load_study,
    run_study,
    study_run,
    summarize,
)

TINY = Profile("tiny", 30, 5, None, None, 1, 8, 0.25, "one epoch on random data")


def tiny_builder(units):
    def build(num_words, maxlen):
        return keras.Sequential(
            [
                keras.Input(shape=(maxlen,), dtype="int32"),
                keras.layers.Embedding(num_words, 4),
                keras.layers.SimpleRNN(units),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )

    return build


def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 30, size=(48, 5)).astype("int32")
    y = (x[:, -1] > 15).astype("int64")
    return (x[:32], y[:32]), (x[32:], y[32:])


def test_study_trains_each_model_and_seed_once(tmp_path, cache_dir, monkeypatch):
    path = tmp_path / "study.json"
    models = {"a": tiny_builder(2), "b": tiny_builder(3)}
    study = run_study(models, [1, 2], TINY, path, data=tiny_data())
    assert sorted((e["model"], e["seed"]) for e in study["entries"]) == [
        ("a", 1),
        ("a", 2),
        ("b", 1),
        ("b", 2),
    ]
    on_disk = load_study(path)
    assert on_disk == json.loads(json.dumps(study))
    assert not list(tmp_path.glob(".study-*"))

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(study_module, "train_and_evaluate", no_training)
    run_study(models, [1, 2], TINY, path, data=tiny_data())


def test_changed_definition_is_retrained(tmp_path, cache_dir):
    path = tmp_path / "study.json"
    run_study({"a": tiny_builder(2)}, [1], TINY, path, data=tiny_data())
    old = load_study(path)["entries"][0]["definition"]
    study = run_study({"a": tiny_builder(4)}, [1], TINY, path, data=tiny_data())
    (entry,) = study["entries"]
    assert entry["definition"] != old and entry["params"] == 30 * 4 + (4 * 4 + 4 * 4 + 4) + 5


def test_study_refuses_another_profiles_file(tmp_path, cache_dir):
    path = tmp_path / "study.json"
    run_study({"a": tiny_builder(2)}, [1], TINY, path, data=tiny_data())
    with pytest.raises(ValueError, match="holds a study of profile 'tiny', not 'smoke'"):
        run_study({"a": tiny_builder(2)}, [1], get_profile("smoke"), path, data=tiny_data())
    with pytest.raises(ValueError, match="needs at least one model and one seed"):
        run_study({"a": tiny_builder(2)}, [], TINY, path, data=tiny_data())


def test_load_study_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no study results at .*: run `make study`"):
        load_study(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"entries": [{"model": "a"}]}')
    with pytest.raises(ValueError, match="lacks the fields"):
        load_study(bad)
    bad.write_text("not json")
    with pytest.raises(ValueError, match="is not a study file"):
        load_study(bad)


def test_summarize_uses_the_sample_standard_deviation():
    rows = [
        {"model": "m", "test_accuracy": a, "seconds_per_epoch": s, "params": 7}
        for a, s in ((0.80, 3.0), (0.84, 5.0), (0.88, 4.0))
    ]
    stats = summarize(rows)["m"]
    assert stats["n"] == 3 and stats["params"] == 7
    assert stats["mean"] == pytest.approx(0.84) and stats["std"] == pytest.approx(0.04)
    assert (stats["min"], stats["max"], stats["seconds_per_epoch"]) == (0.80, 0.88, 4.0)


def test_shipped_study_matches_the_current_models():
    """Fails when a model definition changes without `make study` being rerun."""
    study = load_study(default_study_path("full"))
    profile = get_profile("full")
    assert study["profile"]["name"] == "full"
    hashes = {name: definition_hash(setup, profile) for name, setup in STUDY_MODELS.items()}
    for entry in study["entries"]:
        assert entry["model"] in hashes, f"{entry['model']} is not in the study's models"
        assert entry["definition"] == hashes[entry["model"]], (
            f"{entry['model']} changed since the study: run `make study`"
        )
    for name, setup in STUDY_MODELS.items():
        seeds = {e["seed"] for e in study["entries"] if e["model"] == name}
        assert seeds >= set(setup.seeds), f"{name} lacks seeds {set(setup.seeds) - seeds}"
    for name, setup in group("comparison").items():
        assert len(setup.seeds) >= 5, f"{name}: the comparison needs at least 5 seeds"


def test_groups_hold_every_setup():
    groups = ("comparison", "overfitting", "masking")
    assert sum(len(group(g)) for g in groups) == len(STUDY_MODELS)
    assert len(group("comparison")) == 10 and len(group("masking")) == 8
    with pytest.raises(ValueError, match="unknown study group 'other': choose one of"):
        group("other")


def test_training_options_are_part_of_the_definition():
    profile = TINY
    build = tiny_builder(2)
    plain = definition_hash(build, profile)
    assert definition_hash(Setup(build), profile) == plain  # the reference protocol
    assert definition_hash(Setup(build, group="masking", seeds=(1,)), profile) == plain
    for options in ({"padding": "post"}, {"truncating": "post"}, {"early_stopping": 2}):
        assert definition_hash(Setup(build, **options), profile) != plain


def test_each_setup_trains_its_own_seeds(tmp_path, cache_dir):
    path = tmp_path / "study.json"
    setups = {"a": Setup(tiny_builder(2), seeds=(1, 2)), "b": Setup(tiny_builder(3), seeds=(3,))}
    study = run_study(setups, None, TINY, path, data=tiny_data())
    assert sorted((e["model"], e["seed"]) for e in study["entries"]) == [
        ("a", 1),
        ("a", 2),
        ("b", 3),
    ]


def test_studies_of_different_models_share_one_file(tmp_path, cache_dir):
    path = tmp_path / "study.json"
    run_study({"a": tiny_builder(2)}, [1], TINY, path, data=tiny_data())
    run_study({"b": tiny_builder(3)}, [1], TINY, path, data=tiny_data())
    assert {e["model"] for e in load_study(path)["entries"]} == {"a", "b"}
    assert not list(tmp_path.glob(".study-*.tmp"))


def test_tfidf_setup_trains_on_tfidf_vectors(tmp_path, cache_dir):
    setup = Setup(models.tfidf_logistic, early_stopping=1, features="tfidf", seeds=(1,))
    study = run_study({"tfidf": setup}, None, TINY, tmp_path / "s.json", data=tiny_data())
    (entry,) = study["entries"]
    assert entry["params"] == models.TFIDF_FEATURES + 1 and entry["epochs_run"] == 1


def test_study_run_reads_one_entry_as_a_run(tmp_path, cache_dir):
    path = tmp_path / "study.json"
    study = run_study({"a": tiny_builder(2)}, [1, 2], TINY, path, data=tiny_data())
    run = study_run("a", 2, load_study(path))
    (entry,) = [e for e in study["entries"] if e["seed"] == 2]
    assert run.test_accuracy == entry["test_accuracy"] and run.params == entry["params"]
    assert run.history == {"val_loss": entry["val_loss"], "val_accuracy": entry["val_accuracy"]}
    assert run.setup["seed"] == 2 and run.best_epoch == 1
    with pytest.raises(KeyError, match="the study has no run of 'a' with seed 3"):
        study_run("a", 3, load_study(path))


def test_compare_applies_the_two_standard_error_rule():
    a = {"n": 5, "mean": 0.80, "std": 0.02}
    b = {"n": 5, "mean": 0.78, "std": 0.02}
    result = compare(a, b)
    assert result["gap"] == pytest.approx(2.0)
    assert result["two_se"] == pytest.approx(200 * np.sqrt(2 * 0.02**2 / 5))
    assert result["clear"] is False  # 2.0 < 2.53
    assert compare(a, {**b, "mean": 0.75})["clear"] is True
    assert compare(b, a)["gap"] == pytest.approx(-2.0)
    single = compare(a, {"n": 1, "mean": 0.5, "std": float("nan")})
    assert single["clear"] is None and np.isnan(single["two_se"])
