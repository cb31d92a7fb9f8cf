"""Tests of rnnbook.textgen: cleaning, encoding, windows, n-grams, perplexity, sampling."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from rnnbook.textgen import (
    ALPHABET,
    END,
    KINDS,
    UNKNOWN,
    VOCABULARY,
    CarriedState,
    NGramModel,
    ResetStates,
    Vocabulary,
    clean_review,
    corpus,
    count_weights,
    generate,
    perplexity,
    sample_next,
    stream_windows,
    target_probabilities,
    units_for_budget,
    windows,
)

V = len(VOCABULARY)
TEXT = "this movie was great. the plot was thin, the acting good!\nbad film.\n"


# ----------------------------------------------------------------------------
# Cleaning and encoding
# ----------------------------------------------------------------------------


def test_clean_review_removes_breaks_lowercases_and_maps_unknown_characters():
    raw = "A <br />Great<BR>film\t\t— 10/10 <br/>é"
    assert clean_review(raw) == f"a great film {UNKNOWN} 10/10 {UNKNOWN}"


def test_cleaned_text_only_has_vocabulary_characters():
    cleaned = clean_review("Ünïcode «quotes», $5 & more…")
    assert set(cleaned) <= set(ALPHABET) | {UNKNOWN}
    VOCABULARY.encode(cleaned)  # does not raise


def test_vocabulary_starts_with_end_and_unknown():
    assert VOCABULARY.characters[:2] == END + UNKNOWN
    assert V == len(ALPHABET) + 2


def test_encode_decode_round_trip():
    ids = VOCABULARY.encode(TEXT)
    assert ids.dtype == np.int32 and ids.shape == (len(TEXT),)
    assert VOCABULARY.decode(ids) == TEXT


def test_encode_rejects_characters_outside_the_vocabulary():
    with pytest.raises(ValueError, match="outside the vocabulary: 'AZ'.*clean_review"):
        VOCABULARY.encode("A good film, Z")


def test_decode_rejects_indices_outside_the_vocabulary():
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 53\)"):
        VOCABULARY.decode([0, V])


def test_vocabulary_rejects_repeated_symbols():
    with pytest.raises(ValueError, match="without repeated characters"):
        Vocabulary("abca")


def test_corpus_ends_reviews_and_has_the_requested_length():
    text = corpus(["One<br />two", "THREE", "four"], 12)
    assert text == f"one two{END}thre"
    assert len(corpus(["abc"] * 10, 17)) == 17


def test_corpus_errors():
    with pytest.raises(ValueError, match="max_chars must be at least 1"):
        corpus(["abc"], 0)
    with pytest.raises(ValueError, match="fewer than max_chars=100"):
        corpus(["abc", "def"], 100)


# ----------------------------------------------------------------------------
# Windows
# ----------------------------------------------------------------------------


def test_windows_targets_are_inputs_shifted_by_one():
    ids = VOCABULARY.encode(TEXT)
    x, y = windows(ids, 10)
    assert x.shape == y.shape == ((len(ids) - 1) // 10, 10)
    assert x.dtype == np.int32
    np.testing.assert_array_equal(x.ravel()[1:], y.ravel()[:-1])
    np.testing.assert_array_equal(y.ravel(), ids[1 : x.size + 1])


def test_windows_do_not_overlap_and_validation_comes_after_training():
    positions = np.arange(1001)
    x, y = windows(positions, 10)
    assert len(np.unique(x)) == x.size  # every position is an input once
    n_fit = int(len(x) * 0.8)  # what fit(validation_split=0.2) trains on
    assert y[:n_fit].max() <= x[n_fit:].min()  # training never reads validation inputs


def test_windows_errors():
    with pytest.raises(ValueError, match="length must be at least 1"):
        windows(np.arange(10), 0)
    with pytest.raises(ValueError, match="too short for windows of 10"):
        windows(np.arange(10), 10)


def test_stream_windows_continue_each_stream_from_batch_to_batch():
    ids = np.arange(1000)
    x, y = stream_windows(ids, 10, 4)
    n = 999 // 40  # windows per stream
    assert x.shape == y.shape == (4 * n, 10) and x.dtype == np.int32
    np.testing.assert_array_equal(y, x + 1)  # targets shifted by one character
    batches = x.reshape(n, 4, 10)
    # Row j of batch b + 1 starts where row j of batch b stopped.
    np.testing.assert_array_equal(batches[1:, :, 0], batches[:-1, :, -1] + 1)
    # Each stream is one stretch of the text; the streams follow one another.
    streams = batches.transpose(1, 0, 2).reshape(4, -1)
    np.testing.assert_array_equal(streams.ravel(), ids[: 4 * n * 10])


def test_stream_windows_of_one_stream_are_windows():
    ids = VOCABULARY.encode(TEXT)
    for a, b in zip(stream_windows(ids, 7, 1), windows(ids, 7)):
        np.testing.assert_array_equal(a, b)


def test_stream_windows_errors():
    with pytest.raises(ValueError, match="length and streams must be at least 1"):
        stream_windows(np.arange(100), 10, 0)
    with pytest.raises(ValueError, match="too short for 4 streams of windows of 10"):
        stream_windows(np.arange(40), 10, 4)


# ----------------------------------------------------------------------------
# The n-gram baseline and perplexity
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_ngram_distributions_sum_to_one_and_are_positive(order):
    model = NGramModel(order, V).fit(VOCABULARY.encode(TEXT))
    for context in ["", "t", "th", "the pl", "zzzz", "was "]:
        p = model.distribution(VOCABULARY.encode(context))
        assert p.shape == (V,)
        assert (p > 0).all()
        assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_ngram_probabilities_match_distributions():
    ids = VOCABULARY.encode(TEXT)
    model = NGramModel(3, V).fit(ids)
    p = model.probabilities(ids)
    assert p.shape == (len(ids) - 1,)
    for t in (1, 2, 10, len(ids) - 1):
        assert p[t - 1] == pytest.approx(model.distribution(ids[:t])[ids[t]])


def test_window_probabilities_read_each_window_from_its_start():
    ids = VOCABULARY.encode(TEXT)
    model = NGramModel(4, V).fit(ids)
    x, y = windows(ids, 10)
    p = model.window_probabilities(x, y)
    assert p.shape == y.shape
    for i in range(len(x)):
        alone = np.concatenate([x[i, :1], y[i]])  # the window as a text of its own
        np.testing.assert_allclose(p[i], model.probabilities(alone))
    # Across a window boundary the 1-D text has more history, so some differ.
    whole = model.probabilities(ids[: x.size + 1]).reshape(y.shape)
    np.testing.assert_allclose(p[:, 3:], whole[:, 3:])
    assert not np.allclose(p[1:, :3], whole[1:, :3])


def test_window_probabilities_need_targets_shifted_by_one():
    model = NGramModel(2, V).fit(VOCABULARY.encode(TEXT))
    x, y = windows(VOCABULARY.encode(TEXT), 5)
    with pytest.raises(ValueError, match="y must be x shifted by one step.*windows"):
        model.window_probabilities(x, x)
    with pytest.raises(ValueError, match="both 2-D"):
        model.window_probabilities(x[0], y[0])


def test_unigram_model_is_witten_bell_over_counts():
    model = NGramModel(1, 3).fit([0, 0, 0, 1])
    # c = (3, 1, 0), 4 tokens, 2 types: (c + 2 / 3) / (4 + 2)
    np.testing.assert_allclose(model.distribution([]), (np.array([3, 1, 0]) + 2 / 3) / 6)


def test_ngram_of_higher_order_fits_its_training_text_better():
    ids = VOCABULARY.encode(TEXT * 5)
    ppl = [perplexity(NGramModel(n, V).fit(ids).probabilities(ids)) for n in (1, 2, 4)]
    assert ppl[0] > ppl[1] > ppl[2]


def test_ngram_errors():
    with pytest.raises(ValueError, match="order must be at least 1"):
        NGramModel(0, V)
    with pytest.raises(ValueError, match="vocabulary_size must be at least 1"):
        NGramModel(2, 0)
    with pytest.raises(ValueError, match="too high for 53 tokens"):
        NGramModel(12, V)
    with pytest.raises(ValueError, match=r"call fit\(training_ids\) first"):
        NGramModel(2, V).probabilities([1, 2, 3])
    with pytest.raises(ValueError, match="encode the text with the same vocabulary"):
        NGramModel(2, 3).fit([0, 1, 5])
    with pytest.raises(ValueError, match="at least 3 tokens"):
        NGramModel(3, V).fit([1, 2])
    with pytest.raises(ValueError, match="at least 2 tokens: one to read, one to predict"):
        NGramModel(1, V).fit([1, 2]).probabilities([1])


def test_perplexity_of_uniform_model_is_the_vocabulary_size():
    assert perplexity(np.full(100, 1 / V)) == pytest.approx(V)
    # A unigram model fitted on a text with every token equally often is uniform.
    uniform = NGramModel(1, V).fit(np.tile(np.arange(V), 3))
    ids = VOCABULARY.encode(TEXT)
    assert perplexity(uniform.probabilities(ids)) == pytest.approx(V)


def test_target_probabilities_match_keras_cross_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, V)).astype("float32")
    targets = rng.integers(0, V, size=(3, 4))
    p = target_probabilities(logits, targets)
    assert p.shape == (3, 4) and ((p > 0) & (p < 1)).all()
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(targets, logits)
    assert perplexity(p) == pytest.approx(np.exp(float(loss)), rel=1e-5)


def test_target_probabilities_shape_error():
    with pytest.raises(ValueError, match=r"need targets of shape \(3,\), got \(2,\)"):
        target_probabilities(np.zeros((3, V)), [1, 2])


def test_perplexity_errors():
    with pytest.raises(ValueError, match="no probabilities given"):
        perplexity([])
    with pytest.raises(ValueError, match=r"must lie in \(0, 1\]"):
        perplexity([0.5, 0.0])


# ----------------------------------------------------------------------------
# Equal budgets
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_count_weights_matches_keras(kind):
    units, d = 7, 5
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.Embedding(V, d),
            getattr(layers, kind)(units, return_sequences=True),
            layers.Dense(V),
        ]
    )
    assert model.count_params() == count_weights(kind, units, V, d)


@pytest.mark.parametrize("kind", KINDS)
def test_units_for_budget_is_the_largest_that_fits(kind):
    units = units_for_budget(kind, 30_000, V, 16)
    assert count_weights(kind, units, V, 16) <= 30_000 < count_weights(kind, units + 1, V, 16)


def test_unknown_model_type_and_small_budget():
    with pytest.raises(ValueError, match="unknown model type 'RNN': choose one of SimpleRNN"):
        count_weights("RNN", 8, V, 16)
    with pytest.raises(ValueError, match="unknown model type 'lstm'"):
        units_for_budget("lstm", 10_000, V, 16)
    with pytest.raises(ValueError, match="too small for one unit"):
        units_for_budget("LSTM", 100, V, 16)


# ----------------------------------------------------------------------------
# Sampling and generation
# ----------------------------------------------------------------------------


def test_sample_next_at_temperature_zero_is_the_argmax():
    logits = np.array([0.3, 2.5, -1.0, 2.4])
    rng = np.random.default_rng(0)
    assert all(sample_next(logits, 0, rng) == 1 for _ in range(5))


def test_sample_next_follows_the_tempered_softmax():
    logits = np.log(np.array([0.5, 0.3, 0.2]))
    rng = np.random.default_rng(0)
    draws = np.array([sample_next(logits, 1.0, rng) for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 4000, [0.5, 0.3, 0.2], atol=0.03)
    cold = np.array([sample_next(logits, 0.25, rng) for _ in range(2000)])
    assert (cold == 0).mean() > 0.8  # p^4 normalised: 0.5^4 / (0.5^4 + 0.3^4 + 0.2^4) = 0.87


def test_sample_next_rejects_a_negative_temperature():
    with pytest.raises(ValueError, match=r"temperature must be >= 0 \(0 picks the most likely"):
        sample_next([1.0, 2.0], -0.5, np.random.default_rng(0))


def step_model(kind="GRU", units=8, seed=0):
    """An untrained step model: [tokens, *states] -> [logits, *states]."""
    keras.utils.set_random_seed(seed)
    tokens = keras.Input((None,), dtype="int32")
    states = [keras.Input((units,)) for _ in range(2 if kind == "LSTM" else 1)]
    x = layers.Embedding(V, 4)(tokens)
    x, *new_states = getattr(layers, kind)(units, return_sequences=True, return_state=True)(
        x, initial_state=states
    )
    return keras.Model([tokens, *states], [layers.Dense(V)(x), *new_states])


@pytest.fixture(scope="module")
def gru_step():
    return step_model("GRU")


def test_generate_at_temperature_zero_is_greedy_and_deterministic(gru_step):
    first = generate(gru_step, "the film", 20, temperature=0, seed=1)
    assert generate(gru_step, "the film", 20, temperature=0, seed=2) == first
    # Greedy: each character is the argmax after reading the whole text so far
    # from zero states, so the states carried between calls are the right ones.
    text = "the film"
    for char in first[:5]:
        tokens = VOCABULARY.encode(text)[None, :]
        zeros = [np.zeros((1, 8), "float32")]
        logits = gru_step.predict_on_batch([tokens, *zeros])[0]
        assert VOCABULARY.characters[int(np.argmax(logits[0, -1]))] == char
        text += char


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM"])
def test_generate_samples_are_vocabulary_characters_and_repeat_for_a_seed(kind):
    model = step_model(kind)
    sample = generate(model, "a", 40, temperature=1.5, seed=3)
    assert len(sample) == 40 and set(sample) <= set(VOCABULARY.characters)
    assert generate(model, "a", 40, temperature=1.5, seed=3) == sample
    assert generate(model, "a", 0) == ""


def test_generate_errors(gru_step):
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        generate(gru_step, "the", 5, temperature=-1)
    with pytest.raises(ValueError, match="the prompt is empty: give at least one character"):
        generate(gru_step, "", 5)
    with pytest.raises(ValueError, match="outside the vocabulary: 'T'.*clean_review"):
        generate(gru_step, "The", 5)
    with pytest.raises(ValueError, match="length must be >= 0"):
        generate(gru_step, "the", -1)
    plain = keras.Sequential([keras.Input((None,), dtype="int32"), layers.Embedding(V, 2)])
    with pytest.raises(ValueError, match="return_sequences=True, return_state=True"):
        generate(plain, "the", 5)


# ----------------------------------------------------------------------------
# Carrying the state across batches
# ----------------------------------------------------------------------------


def carried_model(kind, batch, units=6, seed=0):
    keras.utils.set_random_seed(seed)
    rnn = getattr(layers, kind)(units, return_sequences=True, return_state=True)
    return keras.Sequential(
        [
            keras.Input(batch_shape=(batch, None), dtype="int32"),
            layers.Embedding(V, 4),
            CarriedState(rnn, batch),
            layers.Dense(V),
        ]
    )


def zero_state_copy(model, kind, units=6):
    plain = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.Embedding(V, 4),
            getattr(layers, kind)(units, return_sequences=True),
            layers.Dense(V),
        ]
    )
    plain.set_weights([w.numpy() for w in model.trainable_weights])  # copies, not shared
    return plain


@pytest.mark.parametrize("kind", KINDS)
def test_carried_state_reads_streams_as_running_text(kind):
    ids = np.random.default_rng(0).integers(0, V, 241)
    x, y = stream_windows(ids, 10, 4)  # 4 streams of 6 windows
    model = carried_model(kind, 4)
    out = np.concatenate([model.predict_on_batch(x[b : b + 4]) for b in range(0, 24, 4)])
    streams = x.reshape(6, 4, 10).transpose(1, 0, 2).reshape(4, 60)
    whole = zero_state_copy(model, kind).predict_on_batch(streams)  # each stream in one call
    by_stream = out.reshape(6, 4, 10, V).transpose(1, 0, 2, 3).reshape(4, 60, V)
    np.testing.assert_allclose(by_stream, whole, atol=1e-5)
    model.layers[1].reset_state()  # back to zeros: the first window again as from scratch
    np.testing.assert_allclose(model.predict_on_batch(x[:4]), whole[:, :10], atol=1e-5)


def test_fit_carries_the_state_from_batch_to_batch():
    ids = np.random.default_rng(1).integers(0, V, 481)
    x, y = stream_windows(ids, 10, 4)
    model = carried_model("GRU", 4)
    streams_x = x.reshape(-1, 4, 10).transpose(1, 0, 2).reshape(4, -1)
    streams_y = y.reshape(-1, 4, 10).transpose(1, 0, 2).reshape(4, -1)
    plain = zero_state_copy(model, "GRU")
    running = -np.log(target_probabilities(plain.predict_on_batch(streams_x), streams_y)).mean()
    windowed = -np.log(target_probabilities(plain.predict_on_batch(x), y)).mean()
    assert abs(running - windowed) > 1e-5  # the check below can tell them apart
    model.compile(keras.optimizers.SGD(0.0), keras.losses.SparseCategoricalCrossentropy(True))
    history = model.fit(
        x, y, batch_size=4, epochs=2, shuffle=False, validation_data=(x, y), verbose=0,
        callbacks=[ResetStates()],
    )  # fmt: skip
    # Every epoch and every validation pass reads the streams from their start.
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(history.history[key], [running, running], atol=1e-5)


def test_reset_states_starts_each_predict_from_zeros():
    x = np.random.default_rng(2).integers(0, V, (4, 10))
    model = carried_model("LSTM", 4)
    first = model.predict(x, batch_size=4, verbose=0, callbacks=[ResetStates()])
    assert not np.allclose(model.predict(x, batch_size=4, verbose=0), first, atol=1e-5)
    again = model.predict(x, batch_size=4, verbose=0, callbacks=[ResetStates()])
    np.testing.assert_allclose(again, first, atol=1e-6)


def test_carried_state_errors():
    with pytest.raises(ValueError, match="return_sequences=True, return_state=True"):
        CarriedState(layers.GRU(4, return_sequences=True), 2)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        CarriedState(layers.GRU(4, return_sequences=True, return_state=True), 0)
    model = carried_model("GRU", 4)
    with pytest.raises(ValueError, match="carries 4 rows but got a batch of 3"):
        model.predict_on_batch(np.zeros((3, 5), "int32"))
