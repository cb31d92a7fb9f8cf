"""The reference document's four IMDB models, for notebooks that train them all.

Each chapter notebook builds its model in plain sight; the comparison
notebook, which reruns the reference's whole experiment, builds them from
here. A test checks that the two stay the same.
"""

from __future__ import annotations

import keras
from keras import layers

__all__ = ["basic_rnn", "stacked_rnn", "bidirectional_rnn", "conv1d", "REFERENCE_MODELS"]

EMBEDDING_DIM = 32  # size of each word vector, as in the reference
UNITS = 32  # recurrent units (and convolution filters), as in the reference


def basic_rnn(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """Embedding → SimpleRNN(32) → Dense(1, sigmoid): 162,113 weights at 5,000 words.

    Examples
    --------
    >>> basic_rnn().count_params()
    162113
    """
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM),
            layers.SimpleRNN(UNITS),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="basic_rnn",
    )


def stacked_rnn(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """Two SimpleRNN(32) layers, the first returning its whole sequence."""
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM),
            layers.SimpleRNN(UNITS, return_sequences=True),
            layers.SimpleRNN(UNITS),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="stacked_rnn",
    )


def bidirectional_rnn(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """Bidirectional(SimpleRNN(32)): one RNN reads forwards, one backwards."""
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM),
            layers.Bidirectional(layers.SimpleRNN(UNITS)),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="bidirectional_rnn",
    )


def conv1d(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """The reference's "Hybrid RNN with Conv1D", which has no recurrent layer.

    Embedding → Conv1D(32, 7, relu) → GlobalMaxPooling1D → Dense(1, sigmoid).
    """
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM),
            layers.Conv1D(UNITS, 7, activation="relu"),
            layers.GlobalMaxPooling1D(),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="conv1d",
    )


REFERENCE_MODELS = {
    "Basic RNN": basic_rnn,
    "Stacked RNN": stacked_rnn,
    "Bidirectional RNN": bidirectional_rnn,
    'Conv1D ("Hybrid RNN with Conv1D")': conv1d,
}
"""Builders in the reference's order, by the name the book uses."""

REFERENCE_ACCURACY = {
    "Basic RNN": 80.33,
    "Stacked RNN": 74.89,
    "Bidirectional RNN": 76.02,
    'Conv1D ("Hybrid RNN with Conv1D")': 86.98,
}
"""Test accuracies (%) the reference document reports, one run each."""
