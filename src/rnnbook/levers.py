"""What a practitioner adds to an IMDB model before training it: the levers chapter's tools.

Three ways to give a recurrent classifier more than its 20,000 labeled
training reviews teach it directly, each learned from those same reviews
and nothing else:

* :func:`word2vec_vectors`: word vectors learned by word2vec (gensim)
  from the reviews' text, to start (or freeze) the ``Embedding`` layer;
* :func:`pretrain_language_model`: the ``Embedding`` and ``LSTM`` layers
  trained first to predict each next word of the reviews, then fine-tuned
  on the labels (Dai & Le 2015);
* :func:`average_predictions`: a recurrent model's probabilities averaged
  with a linear model's (Mesnil et al. 2015), from the predictions the
  study keeps (:func:`encode_predictions`).
"""

from __future__ import annotations

import base64
import zlib

import keras
import numpy as np
from keras import layers

from .data import PAD
from .features import _check_encoded

__all__ = [
    "LM_OUTPUTS",
    "LM_WINDOW",
    "LEVERS_VERSION",
    "average_predictions",
    "averaged_summaries",
    "decode_predictions",
    "encode_predictions",
    "pretrain_language_model",
    "word2vec_vectors",
]

LEVERS_VERSION = 1  # bump when word2vec_vectors() or pretrain_language_model() changes
LM_OUTPUTS = 1000  # words the language model predicts; rarer words share the OOV index
LM_WINDOW = 200  # last tokens of each review the language model reads


def _stable_hash(text: str) -> int:
    """gensim seeds each word's starting vector with this (Python's hash() varies by process)."""
    return zlib.crc32(text.encode())


def word2vec_vectors(
    x_fit: np.ndarray, num_words: int, dim: int, seed: int = 1, epochs: int = 5
) -> np.ndarray:
    """Word vectors learned by word2vec from encoded reviews, as an ``Embedding`` matrix.

    gensim's skip-gram word2vec with negative sampling (window 5, every
    word kept) reads each review of ``x_fit`` as a sentence of word
    indices; padding is dropped. Row ``i`` of the result is the vector of
    word index ``i``; indices that never occur (and padding, 0) get zeros.

    Parameters
    ----------
    x_fit : array of int, shape (n, steps)
        Encoded reviews (the training part only: no labels are used, but
        validation and test reviews stay unseen).
    num_words : int
        Rows of the matrix: the vocabulary size of the encoding.
    dim : int
        Size of each vector (the ``Embedding`` layer's output size).
    seed : int
        Seed of the starting vectors and the sampling (one worker thread,
        so the same seed gives the same vectors).
    epochs : int
        Passes over the reviews.

    Returns
    -------
    numpy.ndarray, shape (num_words, dim), float32

    Raises
    ------
    ValueError
        If ``x_fit`` is not a 2-D integer array or holds an index
        ``>= num_words``.

    Examples
    --------
    >>> x = np.tile(np.array([[0, 1, 4, 5, 6, 4, 5, 7]]), (20, 1))
    >>> vectors = word2vec_vectors(x, num_words=10, dim=4)
    >>> vectors.shape, bool((vectors[0] == 0).all()), bool((vectors[4] != 0).any())
    ((10, 4), True, True)
    """
    from gensim.models import Word2Vec

    _check_encoded("word2vec", x_fit)
    x_fit = np.asarray(x_fit)
    if x_fit.max() >= num_words:
        raise ValueError(
            f"x_fit holds word index {x_fit.max()} but num_words={num_words}: "
            "pass the num_words the reviews were encoded with"
        )
    sentences = [[str(i) for i in row[row != PAD]] for row in x_fit]
    model = Word2Vec(
        sentences,
        vector_size=dim,
        window=5,
        min_count=1,
        sg=1,
        negative=5,
        workers=1,
        seed=seed,
        epochs=epochs,
        hashfxn=_stable_hash,
    )
    vectors = np.zeros((num_words, dim), np.float32)
    for word, row in model.wv.key_to_index.items():
        vectors[int(word)] = model.wv.vectors[row]
    return vectors


def pretrain_language_model(
    model: keras.Model,
    x_fit: np.ndarray,
    epochs: int = 1,
    batch_size: int = 32,
    outputs: int = LM_OUTPUTS,
    window: int = LM_WINDOW,
) -> keras.callbacks.History:
    """Train a classifier's ``Embedding`` and ``LSTM`` layers as a language model first.

    A language model is built around the classifier's own ``Embedding``
    layer (shared, so it is trained in place) and a new ``LSTM`` of the
    same size that returns its whole sequence, followed by a softmax over
    the ``outputs`` most frequent word indices (rarer words are predicted
    as the out-of-vocabulary index 2). It learns to predict each next word
    of the last ``window`` tokens of every review of ``x_fit`` (under front
    padding, the reviews' words; padding is masked), with Adam. Its LSTM
    weights are then copied into the classifier's ``LSTM``, which
    ``fit`` fine-tunes on the labels as usual.

    Parameters
    ----------
    model : keras.Model
        A classifier whose layers are ``Embedding`` (``mask_zero=True``),
        ``LSTM`` and the rest, as :func:`rnnbook.models.lstm` builds it.
    x_fit : array of int, shape (n, steps)
        Encoded, front-padded reviews (the training part only).
    epochs, batch_size : int
        Of the language model's training.
    outputs : int
        Size of the language model's softmax: predicting all 5,000 or
        20,000 words costs five to twenty times more.
    window : int
        Tokens of each review's end that the language model reads (all of
        them in reviews cut shorter).

    Returns
    -------
    keras.callbacks.History
        Of the language model's ``fit`` (its ``loss``, in nats per word).

    Raises
    ------
    ValueError
        If the model's first two layers are not ``Embedding`` and ``LSTM``.
    """
    embedding, recurrent = model.layers[0], model.layers[1]
    if not (isinstance(embedding, layers.Embedding) and isinstance(recurrent, layers.LSTM)):
        raise ValueError(
            f"pretrain_language_model needs Embedding → LSTM → ..., got "
            f"{type(embedding).__name__} → {type(recurrent).__name__}: "
            "build the classifier with rnnbook.models.lstm"
        )
    x = np.asarray(x_fit)[:, -(window + 1) :]
    inputs, targets = x[:, :-1], x[:, 1:].copy()
    targets[targets >= outputs] = 2  # the out-of-vocabulary index
    sequence = layers.LSTM(recurrent.units, return_sequences=True)
    language_model = keras.Sequential(
        [
            keras.Input(shape=(inputs.shape[1],), dtype="int32"),
            embedding,
            sequence,
            layers.Dense(outputs, activation="softmax"),
        ],
        name="language_model",
    )
    language_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = language_model.fit(inputs, targets, batch_size=batch_size, epochs=epochs, verbose=0)
    recurrent.set_weights(sequence.get_weights())
    return history


def encode_predictions(probabilities) -> str:
    """Probabilities as a short text for the study file: one byte each, base64.

    Each probability is rounded to the nearest multiple of 1/255 (an error
    of at most 0.002, far below what moves an average across 0.5 except
    at a near tie).

    Examples
    --------
    >>> decode_predictions(encode_predictions([0.0, 0.25, 1.0]))
    array([0.       , 0.2509804, 1.       ], dtype=float32)
    """
    p = np.clip(np.asarray(probabilities, np.float64).ravel(), 0.0, 1.0)
    return base64.b64encode(np.round(p * 255).astype(np.uint8).tobytes()).decode("ascii")


def decode_predictions(text: str) -> np.ndarray:
    """The probabilities :func:`encode_predictions` stored."""
    return np.frombuffer(base64.b64decode(text), np.uint8).astype(np.float32) / 255


def average_predictions(a, b, labels) -> float:
    """Accuracy of the average of two models' probabilities (a two-model ensemble).

    Parameters
    ----------
    a, b : array of float, shape (n,)
        Each model's probability of a positive review.
    labels : array of 0/1, shape (n,)

    Returns
    -------
    float
        Share of reviews where the averaged probability is on the label's
        side of 0.5.

    Raises
    ------
    ValueError
        If the three arrays differ in length.

    Examples
    --------
    >>> average_predictions([0.9, 0.4, 0.2], [0.3, 0.8, 0.4], [1, 1, 0])
    1.0
    """
    a, b, labels = (np.asarray(v, np.float64).ravel() for v in (a, b, labels))
    if not len(a) == len(b) == len(labels):
        raise ValueError(
            f"predictions of {len(a)} and {len(b)} reviews for {len(labels)} labels: "
            "pass both models' predictions of the same reviews"
        )
    return float(np.mean(((a + b) / 2 > 0.5) == (labels == 1)))


def averaged_summaries(study, a: str, b: str, labels: dict) -> dict:
    """Two setups of the study averaged seed by seed: accuracy over the seeds they share.

    For each seed that both setups ran, the probabilities their runs kept
    (:attr:`rnnbook.records.Run.predictions`) are averaged
    (:func:`average_predictions`), on the validation reviews and on the
    test reviews.

    Parameters
    ----------
    study : rnnbook.study.Study
    a, b : str
        Setups whose runs kept their predictions.
    labels : dict
        ``{"validation": y_validation, "test": y_test}``, in the order the
        runs predicted them (the last part of the training reviews, and
        the test reviews).

    Returns
    -------
    dict
        ``{"validation": Summary, "test": Summary}``
        (:class:`rnnbook.stats.Summary`; its epochs and seconds are those
        of ``a``).

    Raises
    ------
    ValueError
        If a run kept no predictions, or the two setups share fewer than
        two seeds.
    """
    from .records import Run
    from .stats import summarize

    seeds = sorted({r.seed for r in study.of(a)} & {r.seed for r in study.of(b)})
    if len(seeds) < 2:
        raise ValueError(
            f"{a!r} and {b!r} share {len(seeds)} seeds: train at least two of each "
            "with `make study`"
        )
    out = {}
    for part in ("validation", "test"):
        runs = []
        for seed in seeds:
            pair = study.run(a, seed), study.run(b, seed)
            for run in pair:
                if not run.predictions:
                    raise ValueError(
                        f"{run.name!r} seed {seed} kept no predictions: give its setup "
                        "keep_predictions=True and run `make study`"
                    )
            accuracy = average_predictions(
                *(decode_predictions(run.predictions[part]) for run in pair), labels[part]
            )
            first = pair[0]
            runs.append(
                Run(
                    "averaged",
                    seed,
                    first.params + pair[1].params,
                    first.history,
                    float("nan"),
                    accuracy,
                    first.epoch_seconds,
                )
            )
        out[part] = summarize(runs)["averaged"]
    return out
