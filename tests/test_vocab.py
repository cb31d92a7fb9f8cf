"""Tests of rnnbook.vocab: the one character vocabulary of textgen and seq2seq."""

import numpy as np
import pytest

from rnnbook import seq2seq, textgen
from rnnbook.vocab import REPLACEMENT, Vocabulary


def test_the_character_models_share_one_vocabulary_class():
    assert type(textgen.VOCABULARY) is type(seq2seq.TARGET) is Vocabulary
    assert textgen.Vocabulary is seq2seq.Vocabulary is Vocabulary


def test_characters_follow_the_reserved_tokens():
    plain = Vocabulary("xyz")
    tokens = Vocabulary("xyz", reserved=("pad", "start", "end"))
    assert plain.encode("zx").tolist() == [2, 0] and len(plain) == 3
    assert tokens.encode("zx").tolist() == [5, 3] and len(tokens) == 6


def test_one_text_is_a_vector_and_several_a_padded_matrix():
    vocab = Vocabulary("ab", reserved=("pad", "end"))
    assert vocab.encode("ab").dtype == np.int32
    batch = vocab.encode(["a", "bab"], length=4)
    assert batch.tolist() == [[2, 0, 0, 0], [3, 2, 3, 0]]


def test_decode_stops_at_end_or_padding_and_marks_other_tokens():
    vocab = Vocabulary("ab", reserved=("pad", "start", "end"))
    assert vocab.decode([3, 4, 2, 3]) == "ab"
    assert vocab.decode([3, 0, 4]) == "a"
    assert vocab.decode([3, 1, 4]) == f"a{REPLACEMENT}b"
    assert Vocabulary("ab").decode([1, 0, 1]) == "bab"  # no reserved tokens: every index


def test_round_trip_of_long_text():
    vocab = textgen.VOCABULARY
    text = textgen.clean_review("A <br />fine, long film! " * 200) + textgen.END
    assert vocab.decode(vocab.encode(text)) == text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Vocabulary(""), "non-empty string without repeated characters"),
        (lambda: Vocabulary("aba"), "non-empty string without repeated characters"),
        (lambda: Vocabulary("ab", reserved=("start", "pad")), "'pad' must be the first"),
        (lambda: Vocabulary("ab").encode("abc"), r"outside the vocabulary: 'c' \(in 'abc'\)"),
        (lambda: Vocabulary("ab").encode(["a", "b"]), "reserves no 'pad' token"),
        (
            lambda: Vocabulary("ab", reserved=("pad",)).encode(["aba"], length=2),
            "more than length=2: pass a larger length",
        ),
        (lambda: Vocabulary("ab").encode("ab", length=3), "length pads a batch"),
        (lambda: Vocabulary("ab").decode([2]), r"indices must lie in \[0, 2\)"),
        (lambda: Vocabulary("ab").decode([[0, 1]]), "one row of indices.*loop over the rows"),
    ],
)
def test_errors_say_what_to_do(make, message):
    with pytest.raises(ValueError, match=message):
        make()
