"""Every IMDB model of the book, for notebooks and the study that train them all.

Each chapter notebook builds its model in plain sight; the comparison
notebook and the variance study (:mod:`rnnbook.study`) build them from here.
A test checks that the two stay the same.

The first four are the reference document's models. The others go beyond
it: the true convolution-recurrent hybrid, LSTM, GRU, bidirectional LSTM,
an LSTM with attention pooling, and a non-recurrent baseline (TF-IDF of
words and word pairs, then one Dense layer).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

__all__ = [
    "AttentionPooling",
    "REFERENCE_ACCURACY",
    "REFERENCE_MODELS",
    "TFIDF_FEATURES",
    "attention_lstm",
    "attention_weights",
    "basic_rnn",
    "bidirectional_lstm",
    "bidirectional_rnn",
    "conv1d",
    "conv_rnn_hybrid",
    "gru",
    "lstm",
    "nb_logistic",
    "stacked_rnn",
    "tfidf_logistic",
]

EMBEDDING_DIM = 32  # size of each word vector, as in the reference
UNITS = 32  # recurrent units (and convolution filters), as in the reference


def basic_rnn(
    num_words: int = 5000,
    maxlen: int = 500,
    mask_zero: bool = False,
    dropout: float = 0.0,
) -> keras.Sequential:
    """Embedding → SimpleRNN(32) → Dense(1, sigmoid): 162,113 weights at 5,000 words.

    ``mask_zero=True`` makes the recurrent layer skip padding steps, and
    ``dropout`` sets both the input and the recurrent dropout of the
    SimpleRNN; the defaults are the reference's model.

    Examples
    --------
    >>> basic_rnn().count_params()
    162113
    """
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM, mask_zero=mask_zero),
            layers.SimpleRNN(UNITS, dropout=dropout, recurrent_dropout=dropout),
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


def bidirectional_rnn(
    num_words: int = 5000, maxlen: int = 500, mask_zero: bool = False
) -> keras.Sequential:
    """Bidirectional(SimpleRNN(32)): one RNN reads forwards, one backwards.

    ``mask_zero=True`` makes both directions skip the padding.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM, mask_zero=mask_zero),
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


def conv_rnn_hybrid(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """A true hybrid: Conv1D(32, 7) → MaxPooling1D(5) → SimpleRNN(32).

    The convolution finds local patterns, the pooling shortens the sequence
    five-fold, and the recurrent layer reads what is left in order.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM),
            layers.Conv1D(UNITS, 7, activation="relu"),
            layers.MaxPooling1D(5),
            layers.SimpleRNN(UNITS),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="conv_rnn_hybrid",
    )


def lstm(
    num_words: int = 5000,
    maxlen: int = 500,
    mask_zero: bool = True,
    units: int = UNITS,
    trainable_embedding: bool = True,
) -> keras.Sequential:
    """Embedding (masking padding) → LSTM(32) → Dense(1, sigmoid): 168,353 weights.

    ``units`` sets both the size of the word vectors and the LSTM's units
    (32 in the reference); ``trainable_embedding=False`` freezes the word
    vectors (for vectors learned beforehand, :mod:`rnnbook.levers`).

    Examples
    --------
    >>> lstm().count_params()
    168353
    >>> lstm(units=128).count_params()
    771713
    """
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, units, mask_zero=mask_zero, trainable=trainable_embedding),
            layers.LSTM(units),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="lstm",
    )


def gru(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """Embedding (masking padding) → GRU(32) → Dense(1, sigmoid): 166,369 weights."""
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM, mask_zero=True),
            layers.GRU(UNITS),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="gru",
    )


def bidirectional_lstm(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """Embedding (masking padding) → Bidirectional(LSTM(32)) → Dense(1, sigmoid)."""
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM, mask_zero=True),
            layers.Bidirectional(layers.LSTM(UNITS)),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="bidirectional_lstm",
    )


@keras.saving.register_keras_serializable(package="rnnbook")
class AttentionPooling(layers.Layer):
    """Weighted average of a sequence, the weights computed from its content.

    For hidden states :math:`h_1, \\dots, h_T` the layer scores each step,
    :math:`e_t = v_a^\\top \\tanh(W_a h_t + b_a)`, turns the scores into weights
    :math:`\\alpha = \\operatorname{softmax}(e)` over the steps that are not
    masked, and returns the context :math:`\\bar h = \\sum_t \\alpha_t h_t`
    (additive attention, Bahdanau et al. 2015, pooling one sequence as in
    Yang et al. 2016).

    Parameters
    ----------
    units : int
        Size of the hidden layer that scores each step.

    Examples
    --------
    >>> pool = AttentionPooling(8)
    >>> pool(np.ones((2, 5, 3), "float32")).shape
    (2, 3)
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        if units < 1:
            raise ValueError(f"units must be a positive integer, got {units}")
        self.units = units
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        self.w = self.add_weight(
            shape=(features, self.units), initializer="glorot_uniform", name="w"
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.v = self.add_weight(shape=(self.units, 1), initializer="glorot_uniform", name="v")

    def scores(self, inputs, mask=None):
        """Attention weights ``(batch, steps)``; masked steps get weight 0."""
        energy = ops.squeeze(ops.matmul(ops.tanh(ops.matmul(inputs, self.w) + self.b), self.v), -1)
        if mask is not None:
            energy = ops.where(ops.cast(mask, "bool"), energy, -1e9)
        return ops.softmax(energy, axis=-1)

    def call(self, inputs, mask=None):
        weights = self.scores(inputs, mask)
        return ops.sum(inputs * ops.expand_dims(weights, -1), axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def attention_lstm(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """Embedding (masking padding) → LSTM(32, return_sequences) → AttentionPooling → Dense."""
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            layers.Embedding(num_words, EMBEDDING_DIM, mask_zero=True),
            layers.LSTM(UNITS, return_sequences=True),
            AttentionPooling(UNITS),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="attention_lstm",
    )


def attention_weights(model: keras.Model, x) -> np.ndarray:
    """The attention weights a model with an :class:`AttentionPooling` layer gives each step.

    Parameters
    ----------
    model : keras.Model
        A model whose input is word indices (0 = padding) and that contains
        one :class:`AttentionPooling` layer.
    x : array of int, shape (batch, steps)
        Encoded, padded reviews.

    Returns
    -------
    numpy.ndarray, shape (batch, steps)
        Each row sums to 1 over the non-padding steps; padding gets 0.

    Raises
    ------
    ValueError
        If the model has no AttentionPooling layer.
    """
    pools = [layer for layer in model.layers if isinstance(layer, AttentionPooling)]
    if not pools:
        raise ValueError(
            f"model {model.name!r} has no AttentionPooling layer: pass a model such as "
            "rnnbook.models.attention_lstm()"
        )
    pool = pools[0]
    hidden, mask = np.asarray(x), None
    for layer in model.layers[: model.layers.index(pool)]:
        out = layer(hidden) if mask is None else layer(hidden, mask=mask)
        mask = layer.compute_mask(hidden, mask)
        hidden = out
    return np.asarray(pool.scores(hidden, mask=mask))


TFIDF_FEATURES = 20_000
"""Word and word-pair features of the TF-IDF baseline (see :func:`rnnbook.data.tfidf`)."""


def tfidf_logistic(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """The non-recurrent baseline: TF-IDF vector → Dense(1, sigmoid), 20,001 weights.

    Its input is not word indices but the output of :func:`rnnbook.data.tfidf`,
    :data:`TFIDF_FEATURES` numbers per review; ``num_words`` and ``maxlen``
    are accepted so that every model is built the same way, and ignored.
    One Dense layer on TF-IDF features is logistic regression.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(TFIDF_FEATURES,)),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="tfidf_logistic",
    )


def nb_logistic(num_words: int = 5000, maxlen: int = 500) -> keras.Sequential:
    """A stronger linear baseline: NB-weighted word and word-pair features → Dense(1, sigmoid).

    Its input is the output of :func:`rnnbook.features.nb_weighted`,
    :data:`TFIDF_FEATURES` numbers per review (Wang & Manning's NB
    features, trained as logistic regression); ``num_words`` and ``maxlen``
    are ignored, as in :func:`tfidf_logistic`.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(TFIDF_FEATURES,)),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="nb_logistic",
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
