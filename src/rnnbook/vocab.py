"""Characters and their integer indices: the one vocabulary of the character models.

The language model (:mod:`rnnbook.textgen`, the training chapter) and the
encoder–decoder (:mod:`rnnbook.seq2seq`) both turn text into indices one
character at a time. They differ only in the tokens that come before the
characters: the encoder–decoder reserves a padding, a start and an end
token, the language model none (its end-of-review mark is a character).
"""

from __future__ import annotations

import numpy as np

__all__ = ["REPLACEMENT", "STOPS", "Vocabulary"]

STOPS = ("pad", "end")
"""Reserved tokens at which :meth:`Vocabulary.decode` stops."""
REPLACEMENT = "\ufffd"
"""What :meth:`Vocabulary.decode` writes for another reserved token, so that
a malformed output never equals a real text."""


class Vocabulary:
    """Characters and their indices, after optional reserved tokens.

    Parameters
    ----------
    characters : str
        Each character once; ``characters[i]`` has index ``len(reserved) + i``.
    reserved : sequence of str, optional
        Names of the tokens that take the first indices, in order, for
        example ``("pad", "start", "end")``. ``"pad"``, when reserved, must
        come first: :meth:`encode` pads a batch of texts with index 0.

    Raises
    ------
    ValueError
        If ``characters`` is empty or repeats a character, or ``"pad"`` is
        reserved at another index than 0.

    Examples
    --------
    A vocabulary of characters only, as the language model's:

    >>> vocab = Vocabulary("ab ")
    >>> len(vocab), vocab.encode("ba b").tolist(), vocab.decode([0, 2, 1])
    (3, [1, 0, 2, 1], 'a b')

    With padding, start and end tokens, as the encoder–decoder's; a batch of
    texts is padded at the end, and decoding stops at the end or padding:

    >>> vocab = Vocabulary("ab-", reserved=("pad", "start", "end"))
    >>> vocab.encode(["ab", "b-ab"]).tolist()
    [[3, 4, 0, 0], [4, 5, 3, 4]]
    >>> vocab.decode([4, 3, 2, 3])
    'ba'
    """

    def __init__(self, characters: str, reserved=()):
        if not characters or len(set(characters)) != len(characters):
            raise ValueError("characters must be a non-empty string without repeated characters")
        reserved = tuple(reserved)
        if "pad" in reserved and reserved.index("pad") != 0:
            raise ValueError(f"'pad' must be the first reserved token, got {reserved}")
        self.characters = characters
        self.reserved = reserved
        offset = len(reserved)
        self._table = np.full(max(map(ord, characters)) + 1, -1, dtype=np.int32)
        self._table[[ord(ch) for ch in characters]] = np.arange(offset, offset + len(characters))

    def __len__(self) -> int:
        return len(self.reserved) + len(self.characters)

    def __repr__(self) -> str:
        extra = f", reserved={self.reserved!r}" if self.reserved else ""
        return f"Vocabulary({self.characters!r}{extra})"

    def _encode_one(self, text: str) -> np.ndarray:
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        ids = np.full(len(points), -1, dtype=np.int32)
        inside = points < len(self._table)
        ids[inside] = self._table[points[inside]]
        if (ids < 0).any():
            outside = "".join(sorted({text[i] for i in np.flatnonzero(ids < 0)}))
            raise ValueError(
                f"characters outside the vocabulary: {outside!r} (in {text[:40]!r}): build "
                "the Vocabulary with every character of the data, or clean the text first "
                "(textgen.clean_review for reviews)"
            )
        return ids

    def encode(self, texts, length: int | None = None) -> np.ndarray:
        """The indices of the characters of one text, or of several texts padded.

        Parameters
        ----------
        texts : str or sequence of str
            One text gives a vector; several give a matrix, one row per
            text, padded with index 0 at the end (``"pad"`` must be reserved).
        length : int, optional
            Columns of the matrix; the longest text by default.

        Returns
        -------
        numpy.ndarray of int32
            Shape ``(len(text),)`` or ``(len(texts), length)``.

        Raises
        ------
        ValueError
            If a character is outside the vocabulary, a text is longer than
            ``length``, or several texts are given to a vocabulary without
            padding.
        """
        if isinstance(texts, str):
            if length is not None:
                raise ValueError("length pads a batch: pass a list of texts")
            return self._encode_one(texts)
        if "pad" not in self.reserved:
            raise ValueError(
                "this vocabulary reserves no 'pad' token to pad a batch: encode one text at a time"
            )
        longest = max(map(len, texts), default=0)
        length = longest if length is None else length
        if longest > length:
            raise ValueError(
                f"a text has {longest} characters, more than length={length}: pass a larger length"
            )
        ids = np.zeros((len(texts), length), dtype=np.int32)
        for row, text in enumerate(texts):
            ids[row, : len(text)] = self._encode_one(text)
        return ids

    def decode(self, ids) -> str:
        """The characters of one row of indices, up to the first ``"end"`` or ``"pad"`` token.

        Any other reserved token shows as :data:`REPLACEMENT`.

        Raises
        ------
        ValueError
            If ``ids`` is not one row, or an index is outside the vocabulary.
        """
        ids = np.asarray(ids, dtype=np.int64)
        if ids.ndim != 1:
            raise ValueError(
                f"decode takes one row of indices, got shape {ids.shape}: loop over the rows"
            )
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"indices must lie in [0, {len(self)}): decode this vocabulary's ids")
        offset, out = len(self.reserved), []
        for i in ids.tolist():
            if i < offset:
                if self.reserved[i] in STOPS:
                    break
                out.append(REPLACEMENT)
            else:
                out.append(self.characters[i - offset])
        return "".join(out)
