"""Sequence to sequence: dates as people write them, rewritten in one long form.

The chapter *An encoder–decoder whose attention you can see* trains two
character-level encoder–decoders to rewrite dates such as ``"Friday, March
3rd 2017"`` or ``"03/03/17"`` as ``"3 March 2017"``, an output of 10 to 17
characters. The models are written on the page; this module holds the rest:

* :data:`FORMATS`, :data:`TARGET_FORMAT`, :func:`format_date` and
  :func:`date_examples`: the task,
  generated from Python's ``datetime`` with a fixed seed, its month and
  weekday names spelled here (no locale, no download), the held-out dates
  disjoint from the training dates;
* :class:`Vocabulary`, :data:`SOURCE` and :data:`TARGET`: characters to
  indices and back, with the padding, start and end tokens;
* :func:`teacher_forcing` and :func:`encode_pairs`: the arrays ``fit``
  takes, the decoder's input being the target shifted right behind a start
  token;
* :class:`BahdanauAttention`: additive attention of decoder states over
  encoder states, returning the weights with the context;
* :func:`greedy_decode`, :func:`exact_match` and :class:`ExactMatchLog`:
  decoding one character at a time from the model's own output until each
  output's end token, collecting the attention weights; the share of
  outputs that are exactly right, and that share after every epoch.
"""

from __future__ import annotations

import datetime as dt
import string

import keras
import numpy as np
from keras import layers, ops

from .vocab import Vocabulary

__all__ = [
    "END",
    "FIRST_DATE",
    "FORMATS",
    "LAST_DATE",
    "MONTHS",
    "PAD",
    "RESERVED",
    "SOURCE",
    "SOURCE_LENGTH",
    "START",
    "TARGET",
    "WEEKDAYS",
    "TARGET_FORMAT",
    "TARGET_LENGTH",
    "BahdanauAttention",
    "ExactMatchLog",
    "Vocabulary",
    "date_examples",
    "encode_pairs",
    "exact_match",
    "format_date",
    "greedy_decode",
    "teacher_forcing",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
"""Month names, spelled here so that no locale changes them."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Weekday names in the order of :meth:`datetime.date.weekday` (Monday is 0)."""

FIRST_DATE = dt.date(1950, 1, 1)
LAST_DATE = dt.date(2049, 12, 31)
"""The dates of the task. Within this century a two-digit year names one
year: 50 to 99 are 1950 to 1999, 00 to 49 are 2000 to 2049."""

FORMATS = (
    "{d} {Month} {Y}",
    "{Mon} {d}, {Y}",
    "{mm}/{dd}/{yy}",
    "{Weekday}, {Month} {d}{th} {Y}",
    "{d}.{m}.{Y}",
    "{Month} {d}, {Y}",
    "{dd}-{Mon}-{Y}",
    "{Wkd} {d} {Mon} {Y}",
    "the {d}{th} of {Month} {Y}",
    "{MONTH} {d} {Y}",
    "{Y}/{mm}/{dd}",
    "{d} {mon} {yy}",
)
"""The human formats of the task, as :meth:`str.format` templates.

Fields: ``d``/``dd`` the day (``3``/``03``), ``m``/``mm`` the month number,
``Y``/``yy`` the year (``2017``/``17``), ``Month``, ``Mon``, ``MONTH``,
``mon`` the month's name (``March``, ``Mar``, ``MARCH``, ``mar``),
``Weekday``/``Wkd`` the weekday (``Friday``/``Fri``) and ``th`` the
ordinal suffix of the day (``3rd``). Slashes with a two-digit year put the
month first (US style); dots put the day first. Every format writes
different dates differently, so the input always determines the target.
"""

TARGET_FORMAT = "{d} {Month} {Y}"
"""The form every date is rewritten in: ``"3 March 2017"``, 10 to 17 characters.

It is also the first of :data:`FORMATS`, so on one input format in twelve
the task is a copy.
"""

RESERVED = ("pad", "start", "end")
"""The tokens before the characters in both vocabularies of the task."""
PAD, START, END = (RESERVED.index(name) for name in ("pad", "start", "end"))
"""Indices of the padding, start and end tokens in :data:`SOURCE` and :data:`TARGET`."""


def _suffix(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def format_date(date: dt.date, template: str) -> str:
    """Write a date in a human format.

    Parameters
    ----------
    date : datetime.date
        Between :data:`FIRST_DATE` and :data:`LAST_DATE`.
    template : str
        One of :data:`FORMATS`, or any template with their fields.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If the date is outside the task's century or the template has an
        unknown field.

    Examples
    --------
    >>> day = dt.date(2017, 3, 3)
    >>> format_date(day, "{Weekday}, {Month} {d}{th} {Y}")
    'Friday, March 3rd 2017'
    >>> [format_date(day, f) for f in ("{mm}/{dd}/{yy}", "{d}.{m}.{Y}")]
    ['03/03/17', '3.3.2017']
    """
    if not isinstance(date, dt.date) or not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(
            f"date must be a datetime.date from {FIRST_DATE} to {LAST_DATE}, got {date!r}: "
            "outside this century a two-digit year would name two dates"
        )
    month, weekday = MONTHS[date.month - 1], WEEKDAYS[date.weekday()]
    fields = {
        "d": date.day,
        "dd": f"{date.day:02d}",
        "m": date.month,
        "mm": f"{date.month:02d}",
        "Y": date.year,
        "yy": f"{date.year % 100:02d}",
        "Month": month,
        "Mon": month[:3],
        "MONTH": month.upper(),
        "mon": month[:3].lower(),
        "Weekday": weekday,
        "Wkd": weekday[:3],
        "th": _suffix(date.day),
    }
    try:
        return template.format(**fields)
    except (KeyError, IndexError) as error:
        raise ValueError(
            f"template {template!r} has an unknown field {error}: use the fields "
            f"{', '.join(fields)} in braces"
        ) from None


def date_examples(
    n_train: int, n_test: int, seed: int = 0, formats=FORMATS, target: str = TARGET_FORMAT
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Training and held-out pairs (human date, target), no date in both.

    Draws ``n_train + n_test`` different days between :data:`FIRST_DATE`
    and :data:`LAST_DATE` and writes each in one of ``formats``, chosen at
    random; the first ``n_train`` are the training pairs. As no day is in
    both lists and every format writes different days differently, no
    held-out input occurs in training, in any format.

    Parameters
    ----------
    n_train, n_test : int
        Number of pairs in each list; together at most the 36,525 days of
        the century.
    seed : int
        Seed of the NumPy generator: the same seed gives the same pairs.
    formats : sequence of str
        Templates for :func:`format_date`.
    target : str
        The template of the output, :data:`TARGET_FORMAT` by default
        (``"{Y}-{mm}-{dd}"`` gives ISO dates, all ten characters long).

    Returns
    -------
    train, test : list of (str, str)

    Raises
    ------
    ValueError
        If a count is negative, there are more pairs than days, or
        ``formats`` is empty.

    Examples
    --------
    >>> train, test = date_examples(3, 1, seed=0)
    >>> len(train), len(test)
    (3, 1)
    >>> train[1]
    ('02/10/01', '10 February 2001')
    >>> date_examples(3, 1, seed=0, target="{Y}-{mm}-{dd}")[0][1]
    ('02/10/01', '2001-02-10')
    """
    days = (LAST_DATE - FIRST_DATE).days + 1
    if min(n_train, n_test) < 0 or n_train + n_test > days:
        raise ValueError(
            f"n_train and n_test must be non-negative with a sum of at most {days:,} "
            f"(the days from {FIRST_DATE} to {LAST_DATE}), got {n_train} and {n_test}"
        )
    if len(formats) == 0:
        raise ValueError("formats is empty: pass templates such as rnnbook.seq2seq.FORMATS")
    rng = np.random.default_rng(seed)
    offsets = rng.choice(days, size=n_train + n_test, replace=False)
    chosen = rng.integers(len(formats), size=n_train + n_test)
    pairs = []
    for offset, k in zip(offsets, chosen):
        date = FIRST_DATE + dt.timedelta(days=int(offset))
        pairs.append((format_date(date, formats[k]), format_date(date, target)))
    return pairs[:n_train], pairs[n_train:]


SOURCE = Vocabulary(" ,-./" + string.digits + string.ascii_letters, reserved=RESERVED)
"""Characters of the human dates."""
TARGET = Vocabulary(string.digits + " " + "".join(sorted(set("".join(MONTHS)))), reserved=RESERVED)
"""Characters of the targets: digits, space and the letters of the month names."""
TARGET_LENGTH = len(format_date(dt.date(2000, 9, 27), TARGET_FORMAT))
"""Characters of the longest target, ``"27 September 2000"``."""
SOURCE_LENGTH = max(
    len(format_date(dt.date(2000, 9, 27), f)) for f in FORMATS
)  # Wednesday, September 27th: the longest names and suffix
"""Characters of the longest human date of :data:`FORMATS` (the width of the encoder input)."""


def teacher_forcing(targets, vocab: Vocabulary = TARGET) -> tuple[np.ndarray, np.ndarray]:
    """The decoder's inputs and targets for training with teacher forcing.

    The target of output step :math:`j` is the :math:`j`-th character, and
    :data:`END` after the last; the decoder's input at step :math:`j` is the
    *true* previous character, :data:`START` at the first step. So the
    input is the target shifted one step to the right, without its end
    token. Shorter texts are padded with :data:`PAD` in both arrays.

    Parameters
    ----------
    targets : sequence of str
    vocab : Vocabulary

    Returns
    -------
    decoder_inputs, decoder_targets : numpy.ndarray of int32, shape (len(targets), longest + 1)

    Examples
    --------
    >>> inputs, outputs = teacher_forcing(["3 May 2017"])
    >>> TARGET.decode(outputs[0]), int(inputs[0, 0]) == START
    ('3 May 2017', True)
    >>> bool((inputs[0, 1:] == outputs[0, :-1]).all())
    True
    """
    if isinstance(targets, str):
        raise ValueError("targets must be a sequence of strings: wrap one target in a list")
    ids = vocab.encode(targets)
    n, longest = ids.shape
    outputs = np.full((n, longest + 1), PAD, dtype=np.int32)
    outputs[:, :longest] = ids
    outputs[np.arange(n), [len(t) for t in targets]] = END
    inputs = np.full_like(outputs, PAD)
    inputs[:, 0], inputs[:, 1:] = START, ids
    return inputs, outputs


def encode_pairs(
    pairs, source_length: int = SOURCE_LENGTH
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The arrays an encoder–decoder trains on: ``(source, decoder_inputs), decoder_targets``.

    Parameters
    ----------
    pairs : sequence of (str, str)
        Human dates and their target form, from :func:`date_examples`.
    source_length : int
        Columns of the padded source (:data:`SOURCE_LENGTH` by default).

    Returns
    -------
    (source, decoder_inputs), decoder_targets
        ``source`` has shape (pairs, source_length), indices of
        :data:`SOURCE` padded with :data:`PAD`; the other two come from
        :func:`teacher_forcing` on :data:`TARGET`.

    Examples
    --------
    >>> (source, dec_in), dec_out = encode_pairs([("03/03/17", "3 March 2017")])
    >>> source.shape, dec_in.shape, dec_out.shape
    ((1, 30), (1, 13), (1, 13))
    """
    if len(pairs) == 0 or any(len(p) != 2 for p in pairs):
        raise ValueError("pairs must be a non-empty sequence of (human, target) string pairs")
    sources, targets = zip(*pairs)
    inputs, outputs = teacher_forcing(targets, TARGET)
    return (SOURCE.encode(sources, source_length), inputs), outputs


@keras.saving.register_keras_serializable(package="rnnbook")
class BahdanauAttention(layers.Layer):
    """Additive attention of decoder states over encoder states.

    For each decoder state :math:`s_j` (the query) and encoder states
    :math:`h_1, \\dots, h_T` (the keys, which are also averaged) the layer
    computes the scores
    :math:`e_{jt} = v_a^\\top \\tanh(W_a s_j + U_a h_t + b_a)`
    (Bahdanau et al. 2015), the weights
    :math:`\\alpha_{jt} = \\operatorname{softmax}_t(e_{jt})` over the steps
    that are not masked, and the context
    :math:`\\bar h_j = \\sum_t \\alpha_{jt} h_t`. It returns the contexts
    and the weights.

    Parameters
    ----------
    units : int
        :math:`n_a`, the size of the scoring layer.

    Call arguments
    --------------
    query : tensor, shape (batch, J, n_s)
        Decoder states :math:`s_1, \\dots, s_J`.
    keys : tensor, shape (batch, T, n)
        Encoder states :math:`h_1, \\dots, h_T`.
    keys_mask : tensor of bool, shape (batch, T), optional
        True on input characters, False on padding. Keras fills it in from
        the mask that travels with ``keys`` (an ``Embedding`` with
        ``mask_zero=True``) when it is not given.

    Returns
    -------
    context : tensor, shape (batch, J, n)
    weights : tensor, shape (batch, J, T)
        Each row sums to 1 over the unmasked steps and is 0 on the masked ones.

    Examples
    --------
    >>> attention = BahdanauAttention(8)
    >>> s, h = np.ones((2, 4, 5), "float32"), np.ones((2, 6, 3), "float32")
    >>> mask = np.array([[True] * 6, [True] * 3 + [False] * 3])
    >>> context, weights = attention(s, h, keys_mask=mask)
    >>> tuple(context.shape), tuple(weights.shape)
    ((2, 4, 3), (2, 4, 6))
    >>> [round(float(a), 3) for a in np.asarray(weights)[1, 0]]
    [0.333, 0.333, 0.333, 0.0, 0.0, 0.0]
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int | np.integer) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = int(units)

    def build(self, query_shape, keys_shape):
        n_s, n_h = query_shape[-1], keys_shape[-1]
        self.w = self.add_weight(shape=(n_s, self.units), initializer="glorot_uniform", name="W_a")
        self.u = self.add_weight(shape=(n_h, self.units), initializer="glorot_uniform", name="U_a")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b_a")
        self.v = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="v_a")

    def call(self, query, keys, keys_mask=None):
        # Keras keeps vectors as rows, so self.w holds W_a transposed: s @ w is W_a s.
        ws = ops.expand_dims(ops.matmul(query, self.w), 2)  # (batch, J, 1, n_a)
        uh = ops.expand_dims(ops.matmul(keys, self.u), 1)  # (batch, 1, T, n_a)
        e = ops.sum(ops.tanh(ws + uh + self.b) * self.v, axis=-1)  # (batch, J, T)
        if keys_mask is not None:  # padding gets exp(-1e9) = 0
            e = ops.where(ops.expand_dims(ops.cast(keys_mask, "bool"), 1), e, -1e9)
        alpha = ops.softmax(e, axis=-1)
        return ops.matmul(alpha, keys), alpha  # contexts, weights

    def compute_output_shape(self, query_shape, keys_shape):
        batch, steps = query_shape[:2]
        return (batch, steps, keys_shape[-1]), (batch, steps, keys_shape[1])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _outputs(model, inputs) -> list[np.ndarray]:
    out = model.predict_on_batch(inputs)
    return [np.asarray(o) for o in out] if isinstance(out, list | tuple) else [np.asarray(out)]


def _check_decoder(encoder, step, source, max_length: int, num_states: int) -> np.ndarray:
    source = np.asarray(source)
    if source.ndim != 2 or not np.issubdtype(source.dtype, np.integer):
        raise ValueError(
            f"source must be a 2-D array of indices, got {source.dtype} {source.shape}"
        )
    if max_length < 1:
        raise ValueError(f"max_length must be a positive number of steps, got {max_length}")
    if len(encoder.outputs) + 1 != len(step.inputs) or len(step.outputs) < 1 + num_states:
        raise ValueError(
            f"the step model takes {len(step.inputs)} inputs and returns {len(step.outputs)} "
            f"outputs; it must take [tokens, *state, *memory] for the encoder's "
            f"{len(encoder.outputs)} outputs [*state, *memory] and return "
            f"[logits, *state, ...] with num_states={num_states}"
        )
    return source


def greedy_decode(encoder, step, source, max_length: int, num_states: int = 1):
    """Decode a batch one token at a time, each step reading the last one written.

    The encoder runs once and returns the decoder's first state and what
    every step reads again (the encoder states, their mask). The step
    model reads the previous token (:data:`START` at first), the state and
    that memory, and returns the logits, the new state and any further
    outputs, such as attention weights. Greedy: the next token is the one
    with the largest logit. A row that has written :data:`END` writes
    :data:`PAD` from then on, and decoding stops when every row has ended,
    or after ``max_length`` steps.

    Parameters
    ----------
    encoder : keras.Model
        ``source -> [*state, *memory]``.
    step : keras.Model
        ``[tokens (batch, 1), *state, *memory] -> [logits (batch, 1, V), *state, *extras]``.
    source : array of int, shape (batch, T)
    max_length : int
        Most steps to run (the longest target plus its end token).
    num_states : int
        Arrays in the decoder's state: 1 for a ``GRU``, 2 for an ``LSTM``.

    Returns
    -------
    tokens : numpy.ndarray of int, shape (batch, steps run)
        Decode each row with :meth:`Vocabulary.decode`.
    extras : list of numpy.ndarray
        Each further output of ``step``, its steps joined along axis 1
        (attention weights of shape (batch, steps run, T), say); a row's
        values after its end token mean nothing.

    Raises
    ------
    ValueError
        If ``source`` is not a 2-D batch, ``max_length`` is not positive, or
        the encoder's outputs do not fit the step model's inputs.
    """
    source = _check_decoder(encoder, step, source, max_length, num_states)
    state_and_memory = _outputs(encoder, source)
    state, memory = state_and_memory[:num_states], state_and_memory[num_states:]
    tokens = np.full((len(source), 1), START, dtype=np.int32)
    ended = np.zeros(len(source), dtype=bool)
    written, extras = [], []
    while len(written) < max_length and not ended.all():
        logits, *rest = _outputs(step, [tokens, *state, *memory])
        state, extra = rest[:num_states], rest[num_states:]
        tokens = np.argmax(logits[:, -1:, :], axis=-1).astype(np.int32)
        tokens[ended] = PAD  # a row that has ended writes padding
        ended |= tokens[:, 0] == END
        written.append(tokens[:, 0])
        extras.append(extra)
    joined = [np.concatenate(parts, axis=1) for parts in zip(*extras)]
    return np.stack(written, axis=1), joined


def exact_match(predicted, expected) -> float:
    """The share of outputs that equal their target exactly, character for character.

    Examples
    --------
    >>> exact_match(["2017-03-03", "2017-03-04"], ["2017-03-03", "2017-03-03"])
    0.5
    """
    if isinstance(predicted, str) or isinstance(expected, str):
        raise ValueError("pass sequences of strings, not one string")
    if len(predicted) != len(expected) or not len(expected):
        raise ValueError(
            f"predicted ({len(predicted)}) and expected ({len(expected)}) must be "
            "non-empty and of the same length: decode every example"
        )
    return float(np.mean([p == e for p, e in zip(predicted, expected)]))


class ExactMatchLog(keras.callbacks.Callback):
    """Decode held-out inputs greedily after every epoch and record the exact match.

    ``fit`` reports the loss under teacher forcing; this callback records
    what a reader of the outputs sees, the share of decoded outputs equal
    to their target, after each epoch (in :attr:`exact`). Pass it after the
    :class:`~rnnbook.TrainingLog`, so that the time it takes to decode is
    not counted in the epoch's time.

    Parameters
    ----------
    encoder, step : keras.Model
        As for :func:`greedy_decode`, built from the layers being trained.
    source : array of int, shape (batch, T)
        Encoded inputs, from :func:`encode_pairs`.
    expected : sequence of str
        Their targets.
    max_length : int
        As for :func:`greedy_decode`.
    vocab : Vocabulary
        Of the outputs.

    Raises
    ------
    ValueError
        If ``source`` and ``expected`` differ in length.
    """

    def __init__(self, encoder, step, source, expected, max_length: int, vocab=TARGET):
        super().__init__()
        if len(source) != len(expected) or not len(expected):
            raise ValueError(
                f"source ({len(source)}) and expected ({len(expected)}) must be non-empty "
                "and of the same length: pass the targets of the encoded inputs"
            )
        self.models = encoder, step
        self.source, self.expected = np.asarray(source), list(expected)
        self.max_length, self.vocab = max_length, vocab
        self.exact: list[float] = []

    def on_train_begin(self, logs=None):
        self.exact = []

    def on_epoch_end(self, epoch, logs=None):
        tokens, _ = greedy_decode(*self.models, self.source, self.max_length)
        written = [self.vocab.decode(row) for row in tokens]
        self.exact.append(exact_match(written, self.expected))
