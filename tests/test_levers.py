"""Tests of rnnbook.levers: word2vec vectors, language-model pretraining, averaged predictions."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from rnnbook import models
from rnnbook.levers import (
    average_predictions,
    averaged_summaries,
    decode_predictions,
    encode_predictions,
    pretrain_language_model,
    word2vec_vectors,
)


def reviews(rows=40, steps=12, words=30, seed=0):
    """Front-padded reviews: a few padding steps, then words 1..words-1."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, words, size=(rows, steps)).astype("int32")
    x[:, :3] = 0
    return x


def test_word2vec_gives_each_seen_word_a_vector_and_unseen_ones_zeros():
    x = reviews(words=20)
    vectors = word2vec_vectors(x, num_words=25, dim=6, seed=3)
    assert vectors.shape == (25, 6) and vectors.dtype == np.float32
    assert not vectors[0].any()  # padding
    assert not vectors[20:].any()  # never in the reviews
    assert all(vectors[i].any() for i in np.unique(x[x > 0]))


def test_word2vec_is_reproducible_by_seed_across_processes():
    """gensim seeds with Python's hash() unless told otherwise; the vectors must not vary."""
    x = reviews()
    a = word2vec_vectors(x, 30, 4, seed=1)
    np.testing.assert_array_equal(a, word2vec_vectors(x, 30, 4, seed=1))
    assert not np.array_equal(a, word2vec_vectors(x, 30, 4, seed=2))
    import subprocess
    import sys

    code = (
        "import numpy as np, sys; from rnnbook.levers import word2vec_vectors;"
        "rng = np.random.default_rng(0); x = rng.integers(1, 30, size=(40, 12)).astype('int32');"
        "x[:, :3] = 0; sys.stdout.write(word2vec_vectors(x, 30, 4, seed=1).tobytes().hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    ).stdout
    assert bytes.fromhex(other) == a.tobytes()


def test_word2vec_refuses_bad_reviews():
    with pytest.raises(ValueError, match="needs padded reviews as a 2-D integer array"):
        word2vec_vectors(np.ones((3, 4), "float32"), 10, 4)
    with pytest.raises(ValueError, match="holds word index 29 but num_words=10"):
        word2vec_vectors(np.array([[0, 29]]), 10, 4)


def test_language_model_pretraining_trains_the_classifiers_own_layers():
    keras.utils.set_random_seed(0)
    x = reviews(rows=64, steps=12)
    model = models.lstm(30, 12, units=4)
    embedding_before = model.layers[0].get_weights()[0].copy()
    lstm_before = [w.copy() for w in model.layers[1].get_weights()]
    history = pretrain_language_model(model, x, epochs=2, batch_size=16, outputs=10, window=8)
    assert len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]
    assert not np.allclose(model.layers[0].get_weights()[0], embedding_before)
    after = model.layers[1].get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(after, lstm_before))
    # The classifier still works on full-length reviews afterwards.
    assert model.predict(x, verbose=0).shape == (64, 1)


def test_language_model_pretraining_needs_embedding_then_lstm():
    with pytest.raises(ValueError, match="needs Embedding → LSTM → ..., got Embedding → GRU"):
        pretrain_language_model(models.gru(30, 12), reviews())


def test_predictions_round_trip_within_half_a_step():
    p = np.random.default_rng(1).random(1000)
    q = decode_predictions(encode_predictions(p))
    assert q.shape == (1000,) and np.abs(q - p).max() <= 0.5 / 255 + 1e-7
    assert len(encode_predictions(p)) < 1400  # about 1.33 characters a review


def test_average_predictions_is_the_accuracy_of_the_mean():
    assert average_predictions([0.9, 0.2], [0.2, 0.2], [1, 0]) == 1.0
    assert average_predictions([0.6, 0.6], [0.2, 0.2], [1, 0]) == 0.5
    with pytest.raises(ValueError, match="predictions of 2 and 3 reviews for 2 labels"):
        average_predictions([0.1, 0.2], [0.1, 0.2, 0.3], [0, 1])


def test_averaged_summaries_pair_the_runs_seed_by_seed():
    from rnnbook.profiles import get_profile
    from rnnbook.records import Run
    from rnnbook.study import Study

    labels = {"validation": np.array([1, 0, 1, 0]), "test": np.array([1, 1, 0])}

    def run(name, seed, validation, test, keep=True):
        predictions = {
            "validation": encode_predictions(validation),
            "test": encode_predictions(test),
        }
        return Run(
            name,
            seed,
            10,
            {"val_loss": [0.5]},
            0.4,
            0.5,
            [1.0],
            predictions=predictions if keep else None,
        )

    runs = [
        run("a", 1, [0.9, 0.4, 0.9, 0.1], [0.9, 0.4, 0.1]),
        run("b", 1, [0.9, 0.4, 0.05, 0.1], [0.9, 0.8, 0.1]),  # averaged: 3/4 and 3/3
        run("a", 2, [0.1, 0.9, 0.1, 0.9], [0.1, 0.1, 0.9]),
        run("b", 2, [0.1, 0.9, 0.1, 0.9], [0.1, 0.1, 0.9]),  # averaged: 0/4 and 0/3
        run("a", 3, [0.9] * 4, [0.9] * 3),  # no partner: left out
    ]
    study = Study(get_profile("full"), runs)
    out = averaged_summaries(study, "a", "b", labels)
    assert out["validation"].n == 2 and out["validation"].mean == pytest.approx(0.375)
    assert out["test"].mean == pytest.approx(0.5) and out["test"].max == 1.0
    study.runs[1] = run("b", 1, [0.5] * 4, [0.5] * 3, keep=False)
    with pytest.raises(ValueError, match="'b' seed 1 kept no predictions"):
        averaged_summaries(study, "a", "b", labels)
    with pytest.raises(ValueError, match="'a' and 'c' share 0 seeds"):
        averaged_summaries(
            Study(study.profile, runs + [run("c", 9, [0.5] * 4, [0.5] * 3)]), "a", "c", labels
        )
