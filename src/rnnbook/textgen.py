"""Character-level language models of the reviews: text, windows, n-grams, sampling.

The chapter *A language model that writes movie reviews* trains a network
to predict the next character of review text and then lets it write. This
module holds what that page needs besides the model itself:

* :func:`clean_review` and :data:`VOCABULARY`: the one way the book turns a
  raw review into characters of a fixed set, and characters into indices;
* :func:`corpus` and :func:`windows`: a stretch of reviews as one string,
  cut into input windows and targets shifted by one character;
  :func:`stream_windows` orders the windows so that each batch goes on
  where the previous one stopped, :class:`CarriedState` carries a
  recurrent layer's states from one batch to the next, and
  :class:`ResetStates` sets them to zero where a pass over the text begins;
* :class:`NGramModel`, :func:`target_probabilities` and :func:`perplexity`:
  the baseline that counts which character follows which few characters,
  the probabilities a network gives to the true characters, and the
  measure both are compared by;
* :func:`count_weights` and :func:`units_for_budget`: the sizes that give
  ``SimpleRNN``, ``GRU`` and ``LSTM`` models the same number of weights;
* :func:`sample_next` and :func:`generate`: one-to-many generation from a
  step model, with a temperature.
"""

from __future__ import annotations

import re

import keras
import numpy as np

from .data import HTML_BREAK
from .vocab import Vocabulary

__all__ = [
    "ALPHABET",
    "END",
    "KINDS",
    "UNKNOWN",
    "VOCABULARY",
    "CarriedState",
    "NGramModel",
    "ResetStates",
    "Vocabulary",
    "clean_review",
    "corpus",
    "count_weights",
    "generate",
    "perplexity",
    "sample_next",
    "stream_windows",
    "target_probabilities",
    "units_for_budget",
    "windows",
]

END = "\n"
"""Ends every review in a corpus, so that a model learns where reviews stop."""
UNKNOWN = "~"
"""Stands for every character outside :data:`ALPHABET`."""
ALPHABET = " abcdefghijklmnopqrstuvwxyz0123456789.,'-\"()!?:;/*&"
"""The characters kept: lower-case letters, digits, space and common punctuation."""
KINDS = ("SimpleRNN", "GRU", "LSTM")
"""The recurrent layers :func:`count_weights` knows, by their Keras names."""

_SPACE = re.compile(r"\s+")


def clean_review(text: str) -> str:
    """Turn a raw review into characters of :data:`ALPHABET` and :data:`UNKNOWN`.

    The HTML line breaks (``<br />``) become spaces, every run of white
    space becomes one space, letters become lower case, and every other
    character outside the alphabet becomes :data:`UNKNOWN`.

    Parameters
    ----------
    text : str
        One review as stored in the dataset.

    Returns
    -------
    str

    Examples
    --------
    >>> clean_review("Great   film!<br /><br />Ten/10 — really.")
    'great film! ten/10 ~ really.'
    """
    text = _SPACE.sub(" ", HTML_BREAK.sub(" ", text)).strip().lower()
    return "".join(ch if ch in _KEPT else UNKNOWN for ch in text)


_KEPT = frozenset(ALPHABET)


VOCABULARY = Vocabulary(END + UNKNOWN + ALPHABET)
"""The book's characters: :data:`END` (index 0), :data:`UNKNOWN` (1), then :data:`ALPHABET`."""


def corpus(texts, max_chars: int) -> str:
    """Clean reviews in order, end each with :data:`END`, and keep the first ``max_chars``.

    Parameters
    ----------
    texts : iterable of str
        Raw reviews, as :func:`rnnbook.load_imdb_texts` returns them.
    max_chars : int
        Length of the result; reviews are read only until it is reached.

    Returns
    -------
    str
        Exactly ``max_chars`` characters.

    Raises
    ------
    ValueError
        If ``max_chars`` is not positive or the reviews are too short.

    Examples
    --------
    >>> corpus(["Good!", "Bad<br />film", "unused"], 15)
    'good!\\nbad film\\n'
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    parts, total = [], 0
    for text in texts:
        parts.append(clean_review(text) + END)
        total += len(parts[-1])
        if total >= max_chars:
            return "".join(parts)[:max_chars]
    raise ValueError(f"the reviews hold {total:,} characters, fewer than max_chars={max_chars:,}")


def windows(ids, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a text into windows of ``length`` inputs and their targets, shifted by one.

    Window ``i`` reads ``ids[i*length : (i+1)*length]`` and its targets are
    the next characters, ``ids[i*length + 1 : (i+1)*length + 1]``. Windows
    do not overlap, so every character is an input once; a tail too short
    for a window is dropped.

    Parameters
    ----------
    ids : array-like of int
        An encoded text.
    length : int
        Steps per window ($T$).

    Returns
    -------
    x, y : numpy.ndarray
        ``int32`` arrays of shape ``(windows, length)``.

    Raises
    ------
    ValueError
        If ``length`` is not positive or the text is too short for one window.

    Examples
    --------
    >>> x, y = windows([0, 1, 2, 3, 4, 5, 6], 3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    ids = np.asarray(ids, dtype=np.int32)
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    n = (len(ids) - 1) // length
    if n < 1:
        raise ValueError(
            f"a text of {len(ids)} tokens is too short for windows of {length}: "
            "use a longer text or shorter windows"
        )
    return ids[: n * length].reshape(n, length), ids[1 : n * length + 1].reshape(n, length)


def stream_windows(ids, length: int, streams: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a text into ``streams`` equal parts and interleave their windows.

    Stream ``j`` is the ``j``-th of ``streams`` consecutive stretches of
    the text. Row ``b * streams + j`` of the result is window ``b`` of
    stream ``j``, so a batch of ``streams`` rows holds one window of every
    stream, and row ``j`` of each batch goes on where row ``j`` of the
    batch before it stopped. Read in order, in batches of ``streams``, a
    layer that keeps its states between batches (:class:`CarriedState`)
    reads every stream as running text. ``stream_windows(ids, length, 1)``
    is :func:`windows`. A tail too short for a window in every stream is
    dropped.

    Parameters
    ----------
    ids : array-like of int
        An encoded text.
    length : int
        Steps per window ($T$).
    streams : int
        Rows per batch.

    Returns
    -------
    x, y : numpy.ndarray
        ``int32`` arrays of shape ``(windows, length)``, ``windows`` a
        multiple of ``streams``; ``y`` is ``x`` shifted by one character
        within each stream.

    Raises
    ------
    ValueError
        If ``length`` or ``streams`` is not positive or the text is too
        short for one window per stream.

    Examples
    --------
    >>> x, y = stream_windows(range(13), 2, 3)
    >>> x.tolist()
    [[0, 1], [4, 5], [8, 9], [2, 3], [6, 7], [10, 11]]
    >>> y.tolist()
    [[1, 2], [5, 6], [9, 10], [3, 4], [7, 8], [11, 12]]
    """
    ids = np.asarray(ids, dtype=np.int32)
    if length < 1 or streams < 1:
        raise ValueError(f"length and streams must be at least 1, got {length} and {streams}")
    n = (len(ids) - 1) // (streams * length)  # windows per stream
    if n < 1:
        raise ValueError(
            f"a text of {len(ids)} tokens is too short for {streams} streams of windows of "
            f"{length}: use a longer text, fewer streams or shorter windows"
        )

    def interleave(part):
        return part.reshape(streams, n, length).transpose(1, 0, 2).reshape(n * streams, length)

    size = streams * n * length
    return interleave(ids[:size]), interleave(ids[1 : size + 1])


class CarriedState(keras.layers.Layer):
    """A recurrent layer that starts each call from the states its last call ended in.

    Wraps a Keras ``SimpleRNN``, ``GRU`` or ``LSTM`` built with
    ``return_sequences=True, return_state=True``. The states of a batch of
    ``batch_size`` rows are kept as non-trainable variables (zeros at
    first); every call starts the layer from them and stores the states
    it ends in, so row ``j`` of the next batch goes on from row ``j`` of
    this one. No gradient flows through the stored states: training
    backpropagates within a window only (truncated backpropagation through
    time). :meth:`reset_state` sets them back to zero. This is what a
    ``stateful=True`` layer does, written so that ``fit`` carries the
    states on every backend (with the JAX backend of Keras 3.15, ``fit``
    does not carry a ``stateful=True`` layer's states from batch to batch).

    Parameters
    ----------
    rnn : keras.layers.RNN
        The recurrent layer, with ``return_sequences=True, return_state=True``.
    batch_size : int
        Rows of every batch the layer will see.

    Examples
    --------
    >>> rnn = keras.layers.GRU(3, return_sequences=True, return_state=True)
    >>> layer = CarriedState(rnn, batch_size=2)
    >>> x = np.ones((2, 5, 4), dtype="float32")
    >>> both = layer(np.concatenate([x, x], axis=1))  # ten steps from zeros
    >>> layer.reset_state()
    >>> halves = np.concatenate([layer(x), layer(x)], axis=1)  # five, then five more
    >>> bool(np.allclose(halves, both, atol=1e-6))
    True
    """

    def __init__(self, rnn, batch_size: int, **kwargs):
        if not (getattr(rnn, "return_sequences", False) and getattr(rnn, "return_state", False)):
            raise ValueError(
                "CarriedState needs a recurrent layer built with "
                "return_sequences=True, return_state=True"
            )
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        super().__init__(**kwargs)
        self.rnn = rnn
        sizes = rnn.cell.state_size  # an int, or one int per state (an LSTM's h and c)
        self.states = [
            self.add_weight(shape=(batch_size, size), initializer="zeros", trainable=False)
            for size in (sizes if isinstance(sizes, (list, tuple)) else [sizes])
        ]

    def _check_batch(self, x) -> None:
        rows = self.states[0].shape[0]
        if x.shape[0] is not None and x.shape[0] != rows:
            raise ValueError(
                f"CarriedState carries {rows} rows but got a batch of {x.shape[0]}: "
                f"give every batch {rows} rows (stream_windows, fit(batch_size={rows}))"
            )

    def call(self, x):
        self._check_batch(x)
        y, *states = self.rnn(x, initial_state=[state.value for state in self.states])
        for state, new in zip(self.states, states):
            state.assign(new)  # where the next call starts
        return y

    def reset_state(self) -> None:
        """Set the carried states back to zero."""
        for state in self.states:
            state.assign(keras.ops.zeros(state.shape, state.dtype))


class ResetStates(keras.callbacks.Callback):
    """Set the states of every :class:`CarriedState` layer to zero where a pass begins.

    At the start of each training epoch, of each evaluation (the
    validation passes of ``fit`` included) and of each ``predict``, so
    that every pass reads its streams from their start.

    Examples
    --------
    >>> rnn = keras.layers.GRU(2, return_sequences=True, return_state=True)
    >>> model = keras.Sequential([keras.Input(batch_shape=(1, 3, 1)), CarriedState(rnn, 1)])
    >>> x = np.ones((1, 3, 1), dtype="float32")
    >>> first = model.predict(x, verbose=0, callbacks=[ResetStates()])
    >>> bool(np.allclose(model.predict(x, verbose=0, callbacks=[ResetStates()]), first))
    True
    """

    def _reset(self, *args) -> None:
        for layer in self.model.layers:
            if isinstance(layer, CarriedState):
                layer.reset_state()

    on_epoch_begin = on_test_begin = on_predict_begin = _reset


class NGramModel:
    """A character n-gram model with interpolated Witten–Bell smoothing.

    The probability of token $w$ after the history $h$ of the last
    ``order - 1`` tokens mixes the counts of $h$ with the model one order
    lower, down to the uniform $1/V$:

    $$P(w \\mid h) = \\frac{c(h w) + u(h)\\, P(w \\mid h')}{c(h) + u(h)},$$

    where $c(h w)$ counts $h$ followed by $w$ in the training text, $c(h)$
    counts $h$, $u(h)$ is the number of different tokens seen after $h$,
    and $h'$ is $h$ without its oldest token (Witten and Bell, 1991; Chen
    and Goodman, 1999). A history never seen leaves the lower order's
    probability unchanged. Every distribution sums to 1 and no token gets
    probability 0.

    Parameters
    ----------
    order : int
        $n$: the model reads the last ``order - 1`` tokens (1 is a unigram model).
    vocabulary_size : int
        $V$, the number of different tokens.

    Examples
    --------
    >>> model = NGramModel(2, 3).fit([0, 1, 0, 1, 0, 2])
    >>> model.distribution([0]).round(3).tolist()
    [0.178, 0.533, 0.289]
    >>> round(float(model.distribution([0]).sum()), 12)
    1.0
    """

    def __init__(self, order: int, vocabulary_size: int):
        if order < 1:
            raise ValueError(f"order must be at least 1 (1 is a unigram model), got {order}")
        if vocabulary_size < 1:
            raise ValueError(f"vocabulary_size must be at least 1, got {vocabulary_size}")
        if vocabulary_size**order >= 2**62:
            raise ValueError(
                f"order {order} is too high for {vocabulary_size} tokens: "
                "the counts are keyed by 64-bit integers; choose a lower order"
            )
        self.order, self.vocabulary_size = order, vocabulary_size
        self._tables: list | None = None

    def _check(self, ids) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocabulary_size):
            raise ValueError(
                f"token indices must lie in [0, {self.vocabulary_size}): "
                "encode the text with the same vocabulary"
            )
        return ids

    def fit(self, ids) -> NGramModel:
        """Count the n-grams of an encoded text; returns the model itself."""
        ids = self._check(ids)
        if len(ids) < self.order:
            raise ValueError(
                f"the text needs at least {self.order} tokens to fit order {self.order}"
            )
        V, tables, code = self.vocabulary_size, [], np.zeros(len(ids), dtype=np.int64)
        for k in range(self.order):  # k: length of the history
            if k:
                code[k:] += ids[:-k] * V ** (k - 1)
            pairs, pair_counts = np.unique(code[k:] * V + ids[k:], return_counts=True)
            histories, start, types = np.unique(pairs // V, return_index=True, return_counts=True)
            totals = np.add.reduceat(pair_counts, start)
            tables.append((histories, totals, types, pairs, pair_counts))
        self._tables = tables
        return self

    def _predict(self, history: list, targets: np.ndarray) -> np.ndarray:
        # history[j - 1]: the token j steps back for each target, -1 where the text starts.
        if self._tables is None:
            raise ValueError("the model has no counts yet: call fit(training_ids) first")
        V = self.vocabulary_size
        p = np.full(len(targets), 1.0 / V)
        code = np.zeros(len(targets), dtype=np.int64)
        known = np.ones(len(targets), dtype=bool)
        for k, (histories, totals, types, pairs, pair_counts) in enumerate(self._tables):
            if k:
                back = history[k - 1]
                known &= back >= 0
                code += np.where(known, back, 0) * V ** (k - 1)
            i = np.minimum(np.searchsorted(histories, code), len(histories) - 1)
            seen = known & (histories[i] == code)
            pair = code * V + targets
            j = np.minimum(np.searchsorted(pairs, pair), len(pairs) - 1)
            count = np.where(seen & (pairs[j] == pair), pair_counts[j], 0)
            total, u = np.where(seen, totals[i], 0), np.where(seen, types[i], 0)
            p = np.where(seen, (count + u * p) / np.maximum(total + u, 1), p)
        return p

    def probabilities(self, ids) -> np.ndarray:
        """$P(\\text{ids}[t] \\mid \\text{ids}[:t])$ for ``t = 1, ..., len(ids) - 1``.

        The first token is not predicted: it has no history.
        """
        ids = self._check(ids)
        if len(ids) < 2:
            raise ValueError("the text needs at least 2 tokens: one to read, one to predict")
        return self.window_probabilities(ids[None, :-1], ids[None, 1:])[0]

    def window_probabilities(self, x, y) -> np.ndarray:
        """The probability of each target ``y[i, t]`` given ``x[i, :t + 1]``, window by window.

        The history of a target stops at the start of its window, as a
        network's does when it reads each window from zero states; so both
        models predict the same characters from the same characters.

        Parameters
        ----------
        x, y : numpy.ndarray
            Windows and their targets, as :func:`windows` returns them.

        Returns
        -------
        numpy.ndarray
            Shape of ``y``.

        Examples
        --------
        >>> model = NGramModel(2, 3).fit([0, 1, 0, 1, 0, 2])
        >>> x, y = windows([0, 1, 0, 1, 2], 2)
        >>> model.window_probabilities(x, y).round(3).tolist()
        [[0.533, 0.815], [0.533, 0.074]]
        """
        x, y = self._check(x).reshape(np.shape(x)), self._check(y).reshape(np.shape(y))
        if x.ndim != 2 or x.shape != y.shape or not (x[:, 1:] == y[:, :-1]).all():
            raise ValueError("y must be x shifted by one step, both 2-D: make them with windows()")
        t = np.arange(x.shape[1])
        history = [
            np.where(t >= j - 1, x[:, np.maximum(t - j + 1, 0)], -1).ravel()
            for j in range(1, self.order)
        ]
        return self._predict(history, y.ravel()).reshape(y.shape)

    def distribution(self, context) -> np.ndarray:
        """The probabilities of every token after ``context`` (a sequence of indices)."""
        context = self._check(context)
        V = self.vocabulary_size
        history = [
            np.full(V, context[-j] if j <= len(context) else -1) for j in range(1, self.order)
        ]
        return self._predict(history, np.arange(V))


def perplexity(probabilities) -> float:
    """Perplexity of the probabilities $p_t$ a model gave to the true tokens.

    $\\mathrm{PPL} = \\exp(-\\frac{1}{N}\\sum_{t=1}^{N} \\log p_t)$, the
    exponential of the mean cross-entropy per token.

    Parameters
    ----------
    probabilities : array-like of float
        $p_t$, the probability a model gave to the token that came next.

    Returns
    -------
    float
        1 for a model that is always sure and right; $V$ for the uniform
        model over $V$ tokens.

    Examples
    --------
    >>> perplexity([0.25, 0.25, 0.25])
    4.0
    """
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("no probabilities given: pass one per predicted token")
    if (p <= 0).any() or (p > 1).any():
        raise ValueError("probabilities must lie in (0, 1]: smooth the model so none is 0")
    return float(np.exp(-np.mean(np.log(p))))


def target_probabilities(logits, targets) -> np.ndarray:
    """The probability that ``softmax(logits)`` gives to each target.

    Parameters
    ----------
    logits : array-like of float
        Shape ``(..., V)``, for example a language model's output of shape
        ``(windows, steps, V)``.
    targets : array-like of int
        Shape ``(...)``: the true next tokens.

    Returns
    -------
    numpy.ndarray
        Shape of ``targets``; :func:`perplexity` of it equals ``exp`` of the
        model's mean cross-entropy.

    Examples
    --------
    >>> target_probabilities([[0.0, 0.0], [0.0, np.log(3)]], [1, 1]).tolist()
    [0.5, 0.75]
    """
    z = np.asarray(logits, dtype=np.float64)
    targets = np.asarray(targets)
    if z.shape[:-1] != targets.shape:
        raise ValueError(
            f"logits of shape {z.shape} need targets of shape {z.shape[:-1]}, got {targets.shape}"
        )
    z = z - z.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return np.exp(np.take_along_axis(log_p, targets[..., None].astype(np.int64), axis=-1)[..., 0])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown model type {kind!r}: choose one of {', '.join(KINDS)}")


def count_weights(kind: str, units: int, vocabulary_size: int, embedding_dim: int) -> int:
    """Weights of ``Embedding(V, d)`` → one recurrent layer of ``units`` → ``Dense(V)``.

    The recurrent layer has $n(d + n + 1)$ weights for ``SimpleRNN``,
    four times as many for ``LSTM`` and $3n(d + n + 2)$ for Keras' ``GRU``
    (whose default ``reset_after=True`` keeps two biases per gate).

    Parameters
    ----------
    kind : {"SimpleRNN", "GRU", "LSTM"}
    units : int
        $n$.
    vocabulary_size, embedding_dim : int
        $V$ and $d$.

    Examples
    --------
    >>> count_weights("LSTM", 10, 5, 3)  # 5 * 3 + 4 * 10 * (3 + 10 + 1) + (10 + 1) * 5
    630
    """
    _check_kind(kind)
    n, d, V = units, embedding_dim, vocabulary_size
    recurrent = {
        "SimpleRNN": n * (d + n + 1),
        "GRU": 3 * n * (d + n + 2),
        "LSTM": 4 * n * (d + n + 1),
    }
    return V * d + recurrent[kind] + (n + 1) * V


def units_for_budget(kind: str, budget: int, vocabulary_size: int, embedding_dim: int) -> int:
    """The most units whose model (see :func:`count_weights`) has at most ``budget`` weights.

    Examples
    --------
    >>> [units_for_budget(k, 20_000, 53, 16) for k in ("SimpleRNN", "GRU", "LSTM")]
    [107, 63, 55]
    """
    if count_weights(kind, 1, vocabulary_size, embedding_dim) > budget:  # checks kind
        raise ValueError(f"a budget of {budget:,} weights is too small for one unit: raise it")
    units = 1
    while count_weights(kind, units + 1, vocabulary_size, embedding_dim) <= budget:
        units += 1
    return units


def _check_temperature(temperature: float) -> None:
    if not temperature >= 0:
        raise ValueError(
            f"temperature must be >= 0 (0 picks the most likely token), got {temperature}"
        )


def sample_next(logits, temperature: float, rng: np.random.Generator) -> int:
    """Draw the next token from ``softmax(logits / temperature)``; the argmax at temperature 0.

    Parameters
    ----------
    logits : array-like of float
        One score per token of the vocabulary.
    temperature : float
        $\\tau \\ge 0$. Below 1 sharpens the distribution, above 1 flattens it.
    rng : numpy.random.Generator
        The source of randomness (not used at temperature 0).

    Returns
    -------
    int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sample_next([0.1, 2.0, 0.3], 0, rng)
    1
    >>> [sample_next([0.0, 0.0, 5.0], 1.0, rng) for _ in range(5)]
    [2, 2, 2, 2, 2]
    """
    _check_temperature(temperature)
    z = np.asarray(logits, dtype=np.float64).ravel()
    if temperature == 0:
        return int(np.argmax(z))
    p = np.exp((z - z.max()) / temperature)
    return int(rng.choice(len(p), p=p / p.sum()))


def _check_generate(step_model, prompt: str, length: int, temperature: float) -> None:
    _check_temperature(temperature)
    if not prompt:
        raise ValueError("the prompt is empty: give at least one character, e.g. 'this movie'")
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    if len(step_model.inputs) < 2 or len(step_model.outputs) != len(step_model.inputs):
        raise ValueError(
            "step_model must take [tokens, *states] and return [logits, *states]: "
            "build its recurrent layer with return_sequences=True, return_state=True"
        )


def generate(
    step_model,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    seed: int = 0,
    vocabulary: Vocabulary = VOCABULARY,
) -> str:
    """Continue ``prompt`` by ``length`` characters, one at a time, carrying the states.

    Parameters
    ----------
    step_model : keras.Model
        Takes ``[tokens, *states]`` (tokens of shape ``(1, steps)``, each
        state ``(1, units)``) and returns ``[logits, *new_states]``.
    prompt : str
        The start of the text, at least one character of ``vocabulary``.
    length : int
        Characters to add.
    temperature : float
        $\\tau \\ge 0$; 0 always takes the most likely character (greedy).
    seed : int
        Seed of the ``numpy.random.Generator`` that draws the characters.
    vocabulary : Vocabulary

    Returns
    -------
    str
        The ``length`` new characters (without the prompt).
    """
    _check_generate(step_model, prompt, length, temperature)
    rng = np.random.default_rng(seed)
    tokens = vocabulary.encode(prompt)[None, :]  # the whole prompt, read in the first call
    states = [np.zeros((1, s.shape[-1]), "float32") for s in step_model.inputs[1:]]
    out = []
    for _ in range(length):
        logits, *states = step_model.predict_on_batch([tokens, *states])  # states carried
        out.append(sample_next(logits[0, -1], temperature, rng))  # after the last step read
        tokens = np.array([[out[-1]]], dtype=np.int32)  # the drawn character, read next
    return vocabulary.decode(out)
