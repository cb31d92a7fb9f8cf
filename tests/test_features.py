"""Tests of rnnbook.features: TF-IDF vectors and their batches."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from scipy import sparse

import rnnbook.data
from rnnbook.features import SparseBatches, tfidf


def test_the_former_names_in_rnnbook_data_still_work():
    """The notebooks and the study call rnnbook.data.tfidf and rnnbook.data.SparseBatches."""
    assert rnnbook.data.tfidf is tfidf and rnnbook.data.SparseBatches is SparseBatches
    with pytest.raises(AttributeError, match="module 'rnnbook.data' has no attribute 'nothing'"):
        rnnbook.data.nothing  # noqa: B018


# --- TF-IDF -------------------------------------------------------------------


def test_tfidf_counts_words_and_pairs_learned_from_the_fit_reviews():
    x_fit = np.array([[0, 1, 5, 6], [1, 5, 5, 7]])
    x_new = np.array([[0, 0, 9, 9]])  # word 9 was never seen while fitting
    (f_fit, f_new), vocabulary = tfidf(x_fit, x_fit, x_new, max_tokens=16, return_vocabulary=True)
    assert isinstance(f_fit, sparse.csr_matrix) and f_fit.dtype == np.float32
    assert f_fit.shape == (2, 16) and f_new.shape == (1, 16) and len(vocabulary) == 16
    assert {(5,), (1, 5), (5, 5), (5, 6)} <= set(vocabulary) and vocabulary[-1] == ()
    assert (9,) not in vocabulary and (0,) not in vocabulary  # padding is dropped
    dense = f_fit.toarray()
    five = vocabulary.index((5,))
    assert dense[1, five] > dense[0, five] > 0  # review 2 says "5" twice
    pair = vocabulary.index((5, 6))
    assert dense[0, pair] > 0 and dense[1, pair] == 0
    assert f_new.nnz == 0  # nothing it says was seen while fitting
    np.testing.assert_allclose(np.linalg.norm(dense, axis=1), 1, rtol=1e-6)


def test_tfidf_is_tf_times_smoothed_idf_scaled_to_unit_length():
    """v(u, D) = tf(u, D) (1 + ln((1 + M) / (1 + df(u)))), then each row divided by its norm."""
    x_fit = np.array([[0, 1, 5, 6], [1, 5, 5, 7], [1, 8, 6, 6]])
    (features,), vocabulary = tfidf(x_fit, x_fit, max_tokens=30, return_vocabulary=True)
    features = features.toarray()
    docs = [[int(t) for t in row if t] for row in x_fit]
    grams = [[(a,) for a in d] + [(a, b) for a, b in zip(d, d[1:])] for d in docs]
    m = len(docs)
    expected = np.zeros_like(features)
    for i, doc in enumerate(grams):
        for j, gram in enumerate(vocabulary):
            if gram:
                df = sum(gram in g for g in grams)
                expected[i, j] = doc.count(gram) * (1 + np.log((1 + m) / (1 + df)))
        expected[i] /= np.linalg.norm(expected[i])
    np.testing.assert_allclose(features, expected, rtol=1e-5)


def test_tfidf_without_vocabulary_returns_the_arrays_only():
    x = np.array([[1, 4, 5]])
    (features,) = tfidf(x, x, max_tokens=4)
    assert features.shape == (1, 4)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.ones((2, 3), int),), {"max_tokens": 1}, "max_tokens must be at least 2, got 1"),
        (
            (np.ones(3, int),),
            {},
            r"tfidf needs padded reviews as a 2-D integer array, got shape \(3,\)",
        ),
        ((np.ones((2, 3)),), {}, "got shape \\(2, 3\\) of float64"),
    ],
)
def test_tfidf_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tfidf(*args, **kwargs)


# --- batches of sparse features -----------------------------------------------


def sparse_rows(n=10, features=6):
    """A sparse matrix whose row i holds i + 1 in column i % features: rows are recognisable."""
    rows = np.arange(n)
    return sparse.csr_matrix(
        ((rows + 1).astype(np.float32), (rows, rows % features)), shape=(n, features)
    )


def row_ids(batch):
    """Which rows of sparse_rows a dense batch holds."""
    return (batch.sum(axis=1) - 1).astype(int).tolist()


def epoch(batches):
    """Every batch of one epoch, then the epoch's end, as Model.fit calls them."""
    out = [batches[i] for i in range(len(batches))]
    batches.on_epoch_end()
    return out


def test_sparse_batches_are_dense_float32_batches_of_the_rows():
    x, y = sparse_rows(10), np.arange(10) % 2
    batches = SparseBatches(x, y, batch_size=4)
    assert isinstance(batches, keras.utils.PyDataset) and len(batches) == 3
    shapes = [(features.shape, labels.shape) for features, labels in batches]
    assert shapes == [((4, 6), (4,)), ((4, 6), (4,)), ((2, 6), (2,))]
    features, labels = batches[1]
    assert isinstance(features, np.ndarray) and features.dtype == np.float32
    np.testing.assert_array_equal(features, x[4:8].toarray())
    np.testing.assert_array_equal(labels, y[4:8])
    with pytest.raises(IndexError):
        batches[3]


def test_sparse_batches_keep_the_order_without_shuffle():
    batches = SparseBatches(sparse_rows(10), np.zeros(10), batch_size=3)
    for _ in range(2):
        assert [i for f, _ in epoch(batches) for i in row_ids(f)] == list(range(10))


def test_shuffled_batches_hold_every_row_once_in_a_new_order_each_epoch():
    x, y = sparse_rows(10), np.arange(10)
    batches = SparseBatches(x, y, batch_size=3, shuffle=True, seed=7)
    orders = []
    for _ in range(3):
        found = epoch(batches)
        ids = [i for features, _ in found for i in row_ids(features)]
        assert sorted(ids) == list(range(10))  # every row exactly once
        assert ids == [i for _, labels in found for i in labels]  # labels follow their rows
        orders.append(ids)
    assert orders[0] != orders[1] != orders[2]
    again = SparseBatches(x, y, batch_size=3, shuffle=True, seed=7)
    assert [[i for f, _ in epoch(again) for i in row_ids(f)] for _ in range(3)] == orders


def test_sparse_batches_feed_model_fit_and_evaluate():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    x, y = sparse_rows(12), np.arange(12) % 2
    train = SparseBatches(x[:8], y[:8], batch_size=4, shuffle=True, seed=0)
    history = model.fit(
        train, validation_data=SparseBatches(x[8:], y[8:], 256), epochs=2, verbose=0
    )
    assert len(history.history["val_loss"]) == 2
    loss, accuracy = model.evaluate(SparseBatches(x, y, 256), verbose=0)
    assert 0 <= accuracy <= 1 and loss > 0


@pytest.mark.parametrize(
    ("x", "y", "batch_size", "message"),
    [
        (sparse_rows(4), np.zeros(3), 2, "x has 4 rows but y has 3 labels"),
        (sparse_rows(4), np.zeros(4), 0, "batch_size must be a positive integer, got 0"),
        (sparse_rows(4), np.zeros(4), 2.5, "batch_size must be a positive integer, got 2.5"),
        (np.zeros((4, 6)), np.zeros(4), 2, "needs a 2-D SciPy sparse matrix, got ndarray"),
    ],
)
def test_sparse_batches_errors(x, y, batch_size, message):
    with pytest.raises(ValueError, match=message):
        SparseBatches(x, y, batch_size)


# --- NB-weighted features -----------------------------------------------------


def test_nb_weights_favour_the_class_a_feature_occurs_in():
    from rnnbook.features import nb_weighted

    x_fit = np.array([[0, 1, 5, 6], [0, 1, 5, 7], [1, 8, 5, 7]])
    y_fit = np.array([1, 0, 0])
    x_new = np.array([[0, 0, 6, 9]])
    f_fit, f_new = nb_weighted(x_fit, y_fit, x_fit, x_new, max_tokens=32)
    assert isinstance(f_new, sparse.csr_matrix) and f_new.shape == (1, 32)
    assert f_new.dtype == np.float32
    # "6" occurs in the positive review only: a positive weight; 9 was never seen.
    (column,) = f_new.nonzero()[1]
    assert f_new[0, column] > 0 and f_new.nnz == 1
    # Binary: review 3 says "5" once, like review 2: the same weight.
    dense = f_fit.toarray()
    np.testing.assert_allclose(dense[1][dense[1] < 0].min(), dense[2][dense[2] < 0].min())


def test_nb_weights_come_from_the_fit_labels_only():
    from rnnbook.features import nb_weighted

    x = np.array([[1, 5], [1, 6]])
    (a,) = nb_weighted(x, np.array([1, 0]), x, max_tokens=8)
    (b,) = nb_weighted(x, np.array([0, 1]), x, max_tokens=8)
    np.testing.assert_allclose(a.toarray(), -b.toarray(), atol=1e-6)


def test_nb_weighted_refuses_bad_input():
    from rnnbook.features import nb_weighted

    x = np.array([[1, 5], [1, 6]])
    with pytest.raises(ValueError, match="one 0/1 label per review of x_fit \\(2\\)"):
        nb_weighted(x, np.array([1, 0, 1]), x)
    with pytest.raises(ValueError, match="one 0/1 label per review"):
        nb_weighted(x, np.array([2, 0]), x)
    with pytest.raises(ValueError, match="max_tokens must be at least 2"):
        nb_weighted(x, np.array([1, 0]), x, max_tokens=1)
    with pytest.raises(ValueError, match="2-D integer array"):
        nb_weighted(x.astype(float), np.array([1, 0]), x)
