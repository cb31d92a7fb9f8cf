"""Features of encoded reviews for models that do not read them in order.

:func:`tfidf` turns the word indices of :func:`rnnbook.data.load_imdb`
into TF-IDF vectors of words and word pairs (SciPy sparse matrices), and
:class:`SparseBatches` feeds them to ``Model.fit`` one dense batch at a
time: the baseline chapter's logistic regression and the study's TF-IDF
setup train on them. Both are also reachable under their former names,
``rnnbook.data.tfidf`` and ``rnnbook.data.SparseBatches``.
"""

from __future__ import annotations

import keras
import numpy as np

from .data import PAD

__all__ = ["NB_VERSION", "TFIDF_VERSION", "SparseBatches", "nb_weighted", "tfidf"]

TFIDF_VERSION = 3  # bump when tfidf() or SparseBatches changes: part of the TF-IDF run key
NB_VERSION = 1  # bump when nb_weighted() changes: part of the NB run key


def tfidf(
    x_fit: np.ndarray,
    *arrays: np.ndarray,
    max_tokens: int = 20_000,
    return_vocabulary: bool = False,
):
    """TF-IDF vectors of the words and word pairs of encoded reviews.

    The vocabulary (the ``max_tokens`` most frequent words and adjacent word
    pairs) and the inverse document frequencies are learned from ``x_fit``
    only, with scikit-learn's ``TfidfVectorizer`` (smoothed idf, each row
    scaled to unit length); then every array is transformed. Padding (0) is
    dropped; the start mark (1) and the out-of-vocabulary index (2) count as
    words.

    The vectors come back as SciPy sparse matrices: a review uses a few
    hundred of the features, so 25,000 reviews take tens of MB, where a
    dense ``float32`` array of 20,000 features takes 2 GB. Train on them
    with :class:`SparseBatches`, which densifies one batch at a time.

    Parameters
    ----------
    x_fit : array of int, shape (n, steps)
        Encoded reviews to learn from (pass the training part only, so that
        validation and test reviews stay unseen).
    *arrays : array of int
        Encoded reviews to transform, for example the training and test sets.
    max_tokens : int
        Number of features; a vocabulary smaller than this leaves the last
        columns empty.
    return_vocabulary : bool
        Also return what each feature counts.

    Returns
    -------
    list of scipy.sparse.csr_matrix
        One ``float32`` matrix of shape ``(len(array), max_tokens)`` per array.
    vocabulary : list of tuple of int
        Only with ``return_vocabulary=True``: for each feature, the word
        indices it counts, ``(i,)`` for a word and ``(i, j)`` for a pair
        (``()`` for an empty column).

    Raises
    ------
    ValueError
        If an input is not a 2-D integer array or ``max_tokens`` < 2.

    Examples
    --------
    >>> x = np.array([[0, 1, 5, 6], [1, 5, 5, 7]])
    >>> (features,), vocabulary = tfidf(x, x, max_tokens=8, return_vocabulary=True)
    >>> features.shape, features.nnz, vocabulary[:3]
    ((2, 8), 11, [(1,), (1, 5), (5,)])
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if max_tokens < 2:
        raise ValueError(f"max_tokens must be at least 2, got {max_tokens}")
    _check_encoded("tfidf", x_fit, *arrays)
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2),
        max_features=max_tokens,
        token_pattern=r"\S+",
        lowercase=False,
        dtype=np.float32,
    )
    vectorizer.fit(_texts(x_fit))
    out = [_transform(vectorizer, array, max_tokens) for array in arrays]
    if return_vocabulary:
        names = vectorizer.get_feature_names_out()
        vocabulary = [tuple(int(part) for part in name.split()) for name in names]
        return out, vocabulary + [()] * (max_tokens - len(vocabulary))
    return out


def _check_encoded(who: str, *arrays) -> None:
    """Raise if an array is not padded reviews (2-D integers); ``who`` names the caller."""
    for array in arrays:
        array = np.asarray(array)
        if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(
                f"{who} needs padded reviews as a 2-D integer array, got shape "
                f"{array.shape} of {array.dtype}: pass load_imdb(..., maxlen=...) output"
            )


def _texts(x) -> list[str]:
    """Each review as text of its word indices, padding dropped, for scikit-learn."""
    return [" ".join(map(str, row[row != PAD])) for row in np.asarray(x)]


def _transform(vectorizer, array, max_tokens: int):
    """A fitted vectorizer's features of ``array``, always ``max_tokens`` columns wide."""
    from scipy import sparse

    found = vectorizer.transform(_texts(array))  # columns: the vocabulary found
    return sparse.csr_matrix(
        (found.data, found.indices, found.indptr),
        shape=(len(array), max_tokens),
        dtype=np.float32,
    )


def nb_weighted(x_fit, y_fit, *arrays, max_tokens: int = 20_000, alpha: float = 1.0):
    """Naive-Bayes-weighted word and word-pair features (Wang & Manning 2012).

    Each review becomes a binary vector: which of the ``max_tokens`` most
    frequent words and adjacent word pairs of ``x_fit`` it contains. Each
    feature is then scaled by its log-count ratio

    .. math:: r = \\log \\frac{p / \\lVert p \\rVert_1}{q / \\lVert q \\rVert_1},

    where :math:`p` (:math:`q`) is ``alpha`` plus the number of positive
    (negative) reviews of ``x_fit`` that contain it: a feature that occurs
    mostly in positive reviews gets a large positive weight before any
    training. A logistic regression on these features is the NB-LR
    variant of Wang & Manning's NBSVM.

    Parameters
    ----------
    x_fit : array of int, shape (n, steps)
        Encoded reviews the vocabulary and the ratios are learned from (the
        training part only).
    y_fit : array of 0/1, shape (n,)
        Their labels.
    *arrays : array of int
        Encoded reviews to transform.
    max_tokens : int
        Number of features.
    alpha : float
        Smoothing count added to :math:`p` and :math:`q`.

    Returns
    -------
    list of scipy.sparse.csr_matrix
        One ``float32`` matrix of shape ``(len(array), max_tokens)`` per array.

    Raises
    ------
    ValueError
        If an input is not a 2-D integer array, ``y_fit`` is not one 0/1
        label per row of ``x_fit``, or ``max_tokens`` < 2.

    Examples
    --------
    >>> x = np.array([[0, 1, 5, 6], [1, 5, 5, 7]])
    >>> (features,) = nb_weighted(x, np.array([1, 0]), x, max_tokens=8)
    >>> features.shape, features.nnz
    ((2, 8), 11)
    >>> bool(features[0, 6] > 0), bool(features[1, 5] < 0)  # "6" and "5 7"
    (True, True)
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    if max_tokens < 2:
        raise ValueError(f"max_tokens must be at least 2, got {max_tokens}")
    _check_encoded("nb_weighted", x_fit, *arrays)
    y_fit = np.asarray(y_fit)
    if y_fit.shape != (len(x_fit),) or not np.isin(y_fit, (0, 1)).all():
        raise ValueError(
            f"y_fit must hold one 0/1 label per review of x_fit ({len(x_fit)}), "
            f"got shape {y_fit.shape}: pass the labels of the training part"
        )
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        max_features=max_tokens,
        token_pattern=r"\S+",
        lowercase=False,
        binary=True,
        dtype=np.float32,
    )
    counts = vectorizer.fit_transform(_texts(x_fit))
    p = alpha + np.asarray(counts[y_fit == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(counts[y_fit == 0].sum(axis=0)).ravel()
    ratio = np.zeros(max_tokens, np.float32)
    ratio[: len(p)] = np.log((p / p.sum()) / (q / q.sum()))
    return [
        sparse.csr_matrix(
            _transform(vectorizer, array, max_tokens).multiply(ratio[None, :]),
            dtype=np.float32,
        )
        for array in arrays
    ]


class SparseBatches(keras.utils.PyDataset):
    """Batches of a sparse matrix for ``Model.fit``, densified one batch at a time.

    Each batch is ``(x[rows].toarray(), y[rows])``: a dense ``float32``
    array of ``batch_size`` rows (fewer in the last batch) and their
    labels, so a model with a dense input trains on sparse features while
    only one batch is ever dense. With ``shuffle=True`` the rows are drawn
    in a new random order at every epoch, from
    ``numpy.random.default_rng(seed)``; otherwise in their order.

    Parameters
    ----------
    x : scipy.sparse matrix, shape (n, features)
        For example the output of :func:`tfidf`.
    y : array, shape (n,)
        The labels.
    batch_size : int
        Rows per batch, at least 1.
    shuffle : bool
        Draw the rows in a new order at each epoch.
    seed : int, optional
        Seed of that order (the same seed gives the same orders).

    Raises
    ------
    ValueError
        If ``x`` is not a 2-D sparse matrix, ``x`` and ``y`` differ in
        length, or ``batch_size`` < 1.

    Examples
    --------
    >>> from scipy import sparse
    >>> x = sparse.csr_matrix(np.eye(5, dtype=np.float32))
    >>> batches = SparseBatches(x, np.arange(5), batch_size=2)
    >>> len(batches)
    3
    >>> features, labels = batches[2]
    >>> features, labels
    (array([[0., 0., 0., 0., 1.]], dtype=float32), array([4]))
    """

    def __init__(self, x, y, batch_size: int, shuffle: bool = False, seed: int | None = None):
        from scipy import sparse

        super().__init__()
        if not sparse.issparse(x) or len(x.shape) != 2:
            raise ValueError(
                f"SparseBatches needs a 2-D SciPy sparse matrix, got {type(x).__name__}: "
                "pass the output of tfidf"
            )
        y = np.asarray(y)
        if x.shape[0] != len(y):
            raise ValueError(
                f"x has {x.shape[0]} rows but y has {len(y)} labels: pass one label per row"
            )
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        self.x, self.y, self.batch_size = x.tocsr(), y, int(batch_size)
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(y))
        self._new_order()

    def _new_order(self) -> None:
        if self.shuffle:
            self._order = self._rng.permutation(len(self.y))

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.x[rows].toarray().astype(np.float32, copy=False), self.y[rows]

    def on_epoch_end(self) -> None:
        """Draw the next epoch's order (with ``shuffle=True``); Keras calls this."""
        self._new_order()
