"""Tests of rnnbook.seq2seq: the date task, vocabularies, teacher forcing, attention, decoding."""

from __future__ import annotations

import datetime as dt

import keras
import numpy as np
import pytest
from keras import layers

from rnnbook.seq2seq import (
    END,
    FIRST_DATE,
    FORMATS,
    LAST_DATE,
    MONTHS,
    PAD,
    SOURCE,
    SOURCE_LENGTH,
    START,
    TARGET,
    TARGET_FORMAT,
    TARGET_LENGTH,
    WEEKDAYS,
    BahdanauAttention,
    ExactMatchLog,
    Vocabulary,
    date_examples,
    encode_pairs,
    exact_match,
    format_date,
    greedy_decode,
    teacher_forcing,
)

CENTURY = [FIRST_DATE + dt.timedelta(days=k) for k in range((LAST_DATE - FIRST_DATE).days + 1)]

# ----------------------------------------------------------------------------
# The date task
# ----------------------------------------------------------------------------


def test_formats_write_one_date_as_people_do():
    day = dt.date(2017, 3, 3)
    assert [format_date(day, f) for f in FORMATS] == [
        "3 March 2017",
        "Mar 3, 2017",
        "03/03/17",
        "Friday, March 3rd 2017",
        "3.3.2017",
        "March 3, 2017",
        "03-Mar-2017",
        "Fri 3 Mar 2017",
        "the 3rd of March 2017",
        "MARCH 3 2017",
        "2017/03/03",
        "3 mar 17",
    ]


@pytest.mark.parametrize(
    ("day", "suffix"),
    [(1, "st"), (2, "nd"), (3, "rd"), (4, "th"), (11, "th"), (12, "th"), (13, "th"),
     (21, "st"), (22, "nd"), (23, "rd"), (30, "th"), (31, "st")],
)  # fmt: skip
def test_ordinal_suffixes(day, suffix):
    assert format_date(dt.date(2020, 1, day), "{d}{th}") == f"{day}{suffix}"


def test_names_do_not_depend_on_the_locale():
    # Weekday from datetime's arithmetic, names from the module's own tables.
    day = dt.date(1969, 7, 20)  # a Sunday
    assert format_date(day, "{Weekday} {Wkd} {Month} {Mon} {MONTH} {mon}") == (
        "Sunday Sun July Jul JULY jul"
    )
    assert len(MONTHS) == 12 and WEEKDAYS[day.weekday()] == "Sunday"


def test_every_string_of_the_century_names_one_date():
    # Round trip over the whole task: no two dates share a string, within a format or
    # across formats, so the input always determines the target.
    seen: dict[str, dt.date] = {}
    for day in CENTURY:
        for template in FORMATS:
            text = format_date(day, template)
            assert seen.setdefault(text, day) == day, (text, seen[text], day)
    # Only "{Mon} {d}, {Y}" and "{Month} {d}, {Y}" write the same string, for the same
    # date, in May: its name has three letters.
    assert len(seen) == len(CENTURY) * len(FORMATS) - 31 * 100
    # The encoder's input is wide enough, and its vocabulary has every character.
    assert max(map(len, seen)) == SOURCE_LENGTH == 30
    assert set("".join(seen)) <= set(SOURCE.characters)
    # The targets are 10 to 17 characters long, all in the target vocabulary.
    targets = {format_date(day, TARGET_FORMAT) for day in CENTURY}
    assert min(map(len, targets)) == 10 and max(map(len, targets)) == TARGET_LENGTH == 17
    assert set("".join(targets)) == set(TARGET.characters)
    assert SOURCE.encode(list(seen)[:1000], SOURCE_LENGTH).shape == (1000, 30)


def parse_target(target: str) -> dt.date:
    day, month, year = target.split(" ")
    return dt.date(int(year), MONTHS.index(month) + 1, int(day))


def test_date_examples_round_trip():
    # The target parses back to the date that generated the input.
    train, test = date_examples(300, 100, seed=3)
    for text, target in train + test:
        day = parse_target(target)
        assert (
            FIRST_DATE <= day <= LAST_DATE
            and target == f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        )
        assert text in {format_date(day, f) for f in FORMATS}


def test_date_examples_write_the_target_in_the_template_asked_for():
    long, _ = date_examples(40, 0, seed=2)
    iso, _ = date_examples(40, 0, seed=2, target="{Y}-{mm}-{dd}")
    assert [t for t, _ in long] == [t for t, _ in iso]  # the same inputs
    assert [parse_target(a) for _, a in long] == [dt.date.fromisoformat(b) for _, b in iso]
    assert len({len(a) for _, a in long}) > 1 and {len(b) for _, b in iso} == {10}


def test_date_examples_are_fixed_by_the_seed():
    assert date_examples(50, 10, seed=7) == date_examples(50, 10, seed=7)
    assert date_examples(50, 10, seed=7) != date_examples(50, 10, seed=8)


def test_held_out_examples_are_unseen_in_training():
    train, test = date_examples(3000, 1000, seed=1)
    assert (len(train), len(test)) == (3000, 1000)
    assert not {t for t, _ in train} & {t for t, _ in test}  # no input string in both
    assert not {d for _, d in train} & {d for _, d in test}  # no date in both
    assert len({d for _, d in train + test}) == 4000


def test_date_examples_use_every_format():
    train, _ = date_examples(2000, 0, seed=0)
    used = set()
    for text, target in train:
        day = parse_target(target)
        used |= {f for f in FORMATS if format_date(day, f) == text}
    assert used == set(FORMATS)


def test_format_date_rejects_dates_outside_the_century_and_unknown_fields():
    with pytest.raises(ValueError, match="from 1950-01-01 to 2049-12-31.*two-digit year"):
        format_date(dt.date(2050, 1, 1), FORMATS[0])
    with pytest.raises(ValueError, match="datetime.date"):
        format_date("2017-03-03", FORMATS[0])
    with pytest.raises(ValueError, match="unknown field 'day'.*in braces"):
        format_date(dt.date(2017, 3, 3), "{day}")


def test_date_examples_rejects_bad_counts_and_empty_formats():
    with pytest.raises(ValueError, match="non-negative with a sum of at most 36,525"):
        date_examples(-1, 5)
    with pytest.raises(ValueError, match="at most 36,525"):
        date_examples(36_000, 600)
    with pytest.raises(ValueError, match="formats is empty"):
        date_examples(5, 5, formats=())


# ----------------------------------------------------------------------------
# Vocabularies and the arrays for fit
# ----------------------------------------------------------------------------


def test_vocabularies_start_with_the_three_tokens():
    assert (PAD, START, END) == (0, 1, 2)
    assert len(SOURCE) == 3 + 67 and len(TARGET) == 3 + 37
    assert TARGET.encode(["0"])[0, 0] == 3 and TARGET.encode([" "])[0, 0] == 13


def test_encode_decode_round_trip():
    texts = ["Friday, March 3rd 2017", "03/03/17", ""]
    ids = SOURCE.encode(texts, SOURCE_LENGTH)
    assert ids.shape == (3, SOURCE_LENGTH) and ids.dtype == np.int32
    assert (ids[1, 8:] == PAD).all()
    assert [SOURCE.decode(row) for row in ids] == texts  # padding ends a text


def test_decode_stops_at_end_and_marks_stray_tokens():
    assert TARGET.decode([4, 5, END, 6]) == "12"
    assert TARGET.decode([4, 5, PAD, 6]) == "12"
    assert TARGET.decode([4, START, 5]) == "1\ufffd2"  # never equals a real date
    assert TARGET.decode([]) == ""


def test_vocabulary_errors_name_the_fix():
    with pytest.raises(ValueError, match="without repeated characters"):
        Vocabulary("aa")
    with pytest.raises(ValueError, match="outside the vocabulary: '-'.*build the Vocabulary"):
        TARGET.encode(["12-"])
    with pytest.raises(ValueError, match="more than length=2: pass a larger length"):
        TARGET.encode(["123"], length=2)
    with pytest.raises(ValueError, match="length pads a batch: pass a list of texts"):
        TARGET.encode("123", length=4)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 40\)"):
        TARGET.decode([40])
    with pytest.raises(ValueError, match="one row.*loop over the rows"):
        TARGET.decode([[3, 4]])


def test_teacher_forcing_shifts_the_target_right_behind_the_start_token():
    inputs, outputs = teacher_forcing(["3 March 1717", "12"])
    assert inputs.shape == outputs.shape == (2, 13)
    assert (inputs[:, 0] == START).all()
    assert (inputs[0, 1:] == outputs[0, :-1]).all()  # input j = target j - 1
    assert (inputs[1, 1:3] == outputs[1, :2]).all() and inputs[1, 3] == PAD
    assert outputs[0, 12] == END and outputs[1, 2] == END
    assert (outputs[1, 3:] == PAD).all() and (inputs[1, 3:] == PAD).all()
    assert TARGET.decode(outputs[0]) == "3 March 1717"


def test_encode_pairs_builds_what_fit_takes():
    pairs = [("3 March 2017", "3 March 2017"), ("03/03/17", "3 March 2017")]
    (source, previous), target = encode_pairs(pairs)
    assert source.shape == (2, SOURCE_LENGTH)
    assert previous.shape == target.shape == (2, 13)
    assert SOURCE.decode(source[1]) == "03/03/17"
    with pytest.raises(ValueError, match="non-empty sequence of \\(human, target\\)"):
        encode_pairs([])
    with pytest.raises(ValueError, match="wrap one target in a list"):
        teacher_forcing("3 March 2017")


def test_exact_match_counts_whole_strings():
    assert exact_match(["2017-03-03", "2017-03-0"], ["2017-03-03", "2017-03-03"]) == 0.5
    with pytest.raises(ValueError, match="same length: decode every example"):
        exact_match(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="not one string"):
        exact_match("2017", "2017")


# ----------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------


def random_states(batch=3, J=4, T=7, n=5, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(batch, J, n)).astype("float32")
    h = rng.normal(size=(batch, T, n)).astype("float32")
    lengths = np.array([T, 4, 1])[:batch]
    mask = np.arange(T)[None, :] < lengths[:, None]
    return s, h, mask


def test_attention_weights_sum_to_one_over_the_input_and_zero_on_padding():
    s, h, mask = random_states()
    context, alpha = BahdanauAttention(6)(s, h, keys_mask=mask)
    alpha, context = np.asarray(alpha), np.asarray(context)
    assert alpha.shape == (3, 4, 7) and context.shape == (3, 4, 5)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-6)
    assert (alpha[~np.broadcast_to(mask[:, None, :], alpha.shape)] == 0).all()
    assert (alpha[np.broadcast_to(mask[:, None, :], alpha.shape)] > 0).all()
    np.testing.assert_allclose(alpha[2, :, 0], 1.0)  # one character: all weight on it
    np.testing.assert_allclose(context, np.einsum("bjt,btn->bjn", alpha, h), rtol=1e-5)


def test_attention_follows_the_formula():
    s, h, _ = random_states(batch=1)
    layer = BahdanauAttention(6)
    _, alpha = layer(s, h)
    W, U, b, v = (np.asarray(w) for w in (layer.w, layer.u, layer.b, layer.v))
    e = np.tanh((s[0] @ W)[:, None, :] + (h[0] @ U)[None, :, :] + b) @ v  # e_jt
    expected = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(alpha)[0], expected, rtol=1e-5)
    assert layer.count_params() == 2 * 5 * 6 + 2 * 6


def test_attention_reads_the_mask_that_travels_with_the_keys():
    tokens = np.array([[5, 6, 7, 0, 0]])
    source = keras.Input((None,), dtype="int32")
    h = layers.Embedding(10, 4, mask_zero=True)(source)
    query = keras.Input((None, 3))
    probe = keras.Model([source, query], BahdanauAttention(4)(query, h)[1])
    alpha = np.asarray(probe([tokens, np.ones((1, 2, 3), "float32")]))
    assert (alpha[0, :, 3:] == 0).all()
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-6)


def test_attention_layer_survives_saving(tmp_path):
    s, h, mask = random_states()
    query, keys = keras.Input((None, 5)), keras.Input((None, 5))
    model = keras.Model([query, keys], BahdanauAttention(6)(query, keys)[0])
    path = tmp_path / "attention.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again([s, h]), model([s, h]), rtol=1e-6)


def test_attention_rejects_bad_units():
    with pytest.raises(ValueError, match="positive integer"):
        BahdanauAttention(0)
    with pytest.raises(ValueError, match="positive integer"):
        BahdanauAttention(2.5)


# ----------------------------------------------------------------------------
# Greedy decoding
# ----------------------------------------------------------------------------


def tiny_models(n=8, attention=True, seed=0):
    """An untrained encoder and step model in the chapter's layout."""
    keras.utils.set_random_seed(seed)
    embed_source = layers.Embedding(len(SOURCE), 4, mask_zero=True)
    encoder_gru = layers.GRU(n, return_sequences=True, return_state=True)
    embed_target = layers.Embedding(len(TARGET), 4)
    decoder_gru = layers.GRU(n, return_sequences=True, return_state=True)
    attend, readout = BahdanauAttention(5), layers.Dense(len(TARGET))
    source = keras.Input((None,), dtype="int32")
    h, h_T = encoder_gru(embed_source(source))
    mask = keras.ops.not_equal(source, PAD)
    token, s_in = keras.Input((1,), dtype="int32"), keras.Input((n,))
    s, s_last = decoder_gru(embed_target(token), initial_state=s_in)
    if not attention:
        return keras.Model(source, [h_T]), keras.Model([token, s_in], [readout(s), s_last])
    h_in, mask_in = keras.Input((None, n)), keras.Input((None,), dtype="bool")
    context, alpha = attend(s, h_in, keys_mask=mask_in)
    logits = readout(layers.concatenate([s, context]))
    step = keras.Model([token, s_in, h_in, mask_in], [logits, s_last, alpha])
    return keras.Model(source, [h_T, h, mask]), step


def test_greedy_decode_collects_attention_weights_that_sum_to_one_over_the_input():
    encoder, step = tiny_models()
    texts = ["3 mar 17", "Friday, March 3rd 2017"]
    source = SOURCE.encode(texts, SOURCE_LENGTH)
    tokens, (alpha,) = greedy_decode(encoder, step, source, max_length=11)
    assert tokens.shape == (2, 11) and alpha.shape == (2, 11, SOURCE_LENGTH)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-5)
    for row, text in zip(alpha, texts):  # every output step: weight only on the characters
        assert (row[:, len(text) :] == 0).all() and (row[:, : len(text)] > 0).all()


def test_greedy_decode_feeds_back_its_own_output():
    encoder, step = tiny_models(attention=False)
    source = SOURCE.encode(["3 mar 17", "03/03/17"], SOURCE_LENGTH)
    tokens, extras = greedy_decode(encoder, step, source, max_length=6)
    assert extras == [] and 1 <= tokens.shape[1] <= 6
    # Re-run by hand: each step reads the token the previous step chose.
    state = [encoder.predict_on_batch(source)]
    previous = np.full((2, 1), START, dtype=np.int32)
    ended = np.zeros(2, dtype=bool)
    for j in range(tokens.shape[1]):
        logits, *state = step.predict_on_batch([previous, *state])
        previous = np.argmax(logits, axis=-1).astype(np.int32)
        np.testing.assert_array_equal(np.where(ended, PAD, previous[:, 0]), tokens[:, j])
        ended |= previous[:, 0] == END


class CountDown:
    """A stand-in for the encoder and step models: row i writes i + 1 characters, then END."""

    def __init__(self, lengths):
        self.lengths, self.calls = np.asarray(lengths), 0
        self.inputs, self.outputs = [None, None], [None, None]  # [token, state] -> [logits, state]

    def predict_on_batch(self, inputs):
        if not isinstance(inputs, list):  # the encoder: the first state is the length
            return self.lengths.astype("float32")[:, None]
        self.calls += 1
        _, remaining = inputs
        logits = np.zeros((len(remaining), 1, len(TARGET)), "float32")
        logits[:, 0, 3] = 1.0  # the character "0"
        logits[remaining[:, 0] <= 0, 0, END] = 2.0
        return [logits, remaining - 1]


def test_greedy_decode_stops_each_row_at_its_end_token():
    models = CountDown([2, 0, 4])
    encoder = CountDown([2, 0, 4])
    encoder.outputs = [None]
    tokens, _ = greedy_decode(encoder, models, np.zeros((3, 5), "int32"), max_length=20)
    assert models.calls == 5 and tokens.shape == (3, 5)  # stops when the last row ends
    assert [TARGET.decode(row) for row in tokens] == ["00", "", "0000"]
    assert tokens.tolist() == [
        [3, 3, END, PAD, PAD],
        [END, PAD, PAD, PAD, PAD],
        [3, 3, 3, 3, END],
    ]
    short, _ = greedy_decode(encoder, CountDown([2, 0, 4]), np.zeros((3, 5), "int32"), 3)
    assert short.shape == (3, 3) and TARGET.decode(short[2]) == "000"  # cut at max_length


def test_exact_match_log_decodes_after_every_epoch():
    encoder, step = tiny_models(attention=False)
    texts = ["3 mar 17", "03/03/17"]
    source = SOURCE.encode(texts, SOURCE_LENGTH)
    log = ExactMatchLog(encoder, step, source, ["3 March 2017"] * 2, max_length=TARGET_LENGTH + 1)
    log.on_train_begin()
    log.on_epoch_end(0)
    log.on_epoch_end(1)
    tokens, _ = greedy_decode(encoder, step, source, max_length=TARGET_LENGTH + 1)
    decoded = [TARGET.decode(row) for row in tokens]
    assert log.exact == [exact_match(decoded, ["3 March 2017"] * 2)] * 2
    log.expected = decoded  # the untrained model's own outputs match themselves
    log.on_epoch_end(2)
    assert log.exact[-1] == 1.0
    with pytest.raises(ValueError, match="same length: pass the targets"):
        ExactMatchLog(encoder, step, source, ["3 March 2017"], max_length=18)


def test_greedy_decode_rejects_bad_input_before_decoding():
    encoder, step = tiny_models()
    source = SOURCE.encode(["3 mar 17"], SOURCE_LENGTH)
    with pytest.raises(ValueError, match="2-D array of indices"):
        greedy_decode(encoder, step, source[0], max_length=11)
    with pytest.raises(ValueError, match="2-D array of indices"):
        greedy_decode(encoder, step, source.astype("float32"), max_length=11)
    with pytest.raises(ValueError, match="max_length must be a positive number of steps"):
        greedy_decode(encoder, step, source, max_length=0)
    plain_encoder, _ = tiny_models(attention=False)
    with pytest.raises(ValueError, match=r"must take \[tokens, \*state, \*memory\]"):
        greedy_decode(plain_encoder, step, source, max_length=11)
