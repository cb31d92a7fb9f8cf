"""The IMDB movie-review data, tokenized and encoded by the book.

Every reader gets the same arrays: the reviews of the Large Movie Review
Dataset (Maas et al., 2011) are read from the original archive and
tokenized here (see :func:`tokenize`). The archive comes from, in this order:

1. a local copy named by ``path=`` or the environment variable
   ``RNNBOOK_IMDB``: the ``aclImdb_v1.tar.gz`` archive (with or without the
   unlabeled ``train/unsup`` reviews and the ``.feat`` files, which are not
   read) or its extracted ``aclImdb/`` folder;
2. otherwise the original archive, downloaded once from Stanford with
   ``keras.utils.get_file`` (checksum verified, cached in Keras' cache
   folder, ``~/.keras/datasets``).

The encoded reviews are cached on disk (``$RNNBOOK_CACHE`` or
``~/.cache/rnnbook``), keyed by the archive's SHA-256 checksum, so that
later loads take about a second.

The encoding follows the conventions of ``keras.datasets.imdb.load_data``,
but not its token sequences: Keras ships a copy that was tokenized long ago
by other rules (it keeps ``br`` tokens from the HTML line breaks, for one,
and its frequency ranks differ), so the arrays differ from Keras' while the
conventions are the same:

* ``0`` is padding, ``1`` marks the start of a review, ``2`` stands for a
  word outside the vocabulary, ``3`` is reserved and never used;
* the word of frequency rank ``r`` (``r = 1`` for the most frequent word of
  the training set) is encoded as ``r + 3``;
* ``num_words`` caps the indices: every index ``>= num_words`` becomes
  ``2``, so all indices lie in ``[0, num_words)`` and ``num_words = 5000``
  keeps the 4,996 most frequent words;
* train and test are each shuffled with a fixed seed (Keras uses 113). The
  raw data is sorted by class, and ``validation_split`` in ``Model.fit``
  takes the *last* part of the training arrays, so shuffling matters;
* reviews are then cut or padded to ``maxlen`` tokens like
  ``keras.utils.pad_sequences`` does: by default padding and truncation
  both happen at the front (``"pre"``), so a review keeps its last
  ``maxlen`` tokens and the padding comes before the text.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import tarfile
import tempfile
import zlib
from collections import Counter
from pathlib import Path

import keras
import numpy as np

__all__ = [
    "ENV_DATA",
    "ENV_CACHE",
    "PAD",
    "START",
    "OOV",
    "INDEX_FROM",
    "tokenize",
    "load_imdb",
    "load_imdb_texts",
    "get_word_index",
    "decode_review",
    "pad_sequences",
    "data_source",
    "download_imdb",
    "atomic_write",
    "HTML_BREAK",
    "IMDB_URL",
    "IMDB_MD5",
]

ENV_DATA = "RNNBOOK_IMDB"
"""Environment variable naming a local copy of the dataset."""
ENV_CACHE = "RNNBOOK_CACHE"
"""Environment variable naming the cache folder (default ``~/.cache/rnnbook``)."""
IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
"""The original archive of the Large Movie Review Dataset."""
IMDB_MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
"""Its MD5 checksum, as published by the TensorFlow Datasets and torchtext projects."""

PAD, START, OOV = 0, 1, 2
INDEX_FROM = 3  # rank r is encoded as r + INDEX_FROM, as in Keras
TOKENIZER_VERSION = 1  # bump when tokenize() changes: part of the cache and run keys

_REVIEW = re.compile(r"^(?:[^/]+/)*aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
"""The HTML line breaks in the reviews: ``<br />``, ``<br/>`` and ``<br>``, any case."""
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SPLITS = ("train", "test")


def tokenize(text: str) -> list[str]:
    """Split a review into lower-case word tokens.

    The rules, applied in order:

    1. HTML line breaks (``<br />``, ``<br/>``, ``<br>``) become spaces;
    2. the text is lower-cased;
    3. a token is a run of letters and digits (any script, so ``"café"`` is
       one token), which may contain inner apostrophes (``"don't"``,
       ``"director's"``); every other character (punctuation, quotes,
       hyphens, underscores) separates tokens and is dropped.

    Parameters
    ----------
    text : str
        One raw review.

    Returns
    -------
    list of str
        The tokens in reading order.

    Examples
    --------
    >>> tokenize("A <br />GREAT film -- don't miss it!")
    ['a', 'great', 'film', "don't", 'miss', 'it']
    """
    return _TOKEN.findall(HTML_BREAK.sub(" ", text).lower())


def pad_sequences(
    sequences: list[np.ndarray] | list[list[int]],
    maxlen: int,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = PAD,
) -> np.ndarray:
    """Cut or pad integer sequences to one length with ``keras.utils.pad_sequences``.

    Checks the options first, with errors that name the fix, and always
    returns ``int32``.

    Parameters
    ----------
    sequences : list of 1-D integer arrays or lists
        The encoded reviews.
    maxlen : int
        Length of every output row, at least 1.
    padding : {"pre", "post"}
        Put the padding before (``"pre"``) or after the tokens.
    truncating : {"pre", "post"}
        Drop tokens from the front (``"pre"``: keep the last ``maxlen``) or
        from the end.
    value : int
        The padding index.

    Returns
    -------
    numpy.ndarray
        ``int32`` array of shape ``(len(sequences), maxlen)``.

    Examples
    --------
    >>> pad_sequences([[1, 5, 6], [1, 7, 8, 9, 10]], maxlen=4)
    array([[ 0,  1,  5,  6],
           [ 7,  8,  9, 10]], dtype=int32)
    """
    _check_maxlen(maxlen)
    _check_sides(padding, truncating)
    if len(sequences) == 0:
        return np.full((0, maxlen), value, dtype=np.int32)
    return keras.utils.pad_sequences(
        sequences, maxlen, dtype="int32", padding=padding, truncating=truncating, value=value
    )


def data_source(path: str | os.PathLike | None = None) -> Path | None:
    """Say which local copy :func:`load_imdb` will read, if any.

    Parameters
    ----------
    path : str or path-like, optional
        An explicit local copy. When omitted, the environment variable
        ``RNNBOOK_IMDB`` is used; when that is unset or empty too, the
        answer is ``None``, meaning the original archive is downloaded
        (:func:`download_imdb`).

    Returns
    -------
    pathlib.Path or None

    Raises
    ------
    FileNotFoundError
        If the named path does not exist.

    Examples
    --------
    >>> data_source("/no/such/aclImdb.tar.gz")
    Traceback (most recent call last):
    ...
    FileNotFoundError: IMDB data not found at '/no/such/aclImdb.tar.gz': ...
    """
    origin = "path"
    if path is None or str(path) == "":
        path = os.environ.get(ENV_DATA, "")
        origin = ENV_DATA
        if path == "":
            return None
    resolved = Path(path).expanduser()
    if not resolved.exists():
        where = "" if origin == "path" else f" (from ${ENV_DATA})"
        raise FileNotFoundError(
            f"IMDB data not found at '{path}'{where}: give the path of "
            "aclImdb_v1.tar.gz or of an extracted aclImdb/ folder, or leave "
            f"${ENV_DATA} unset to download the archive"
        )
    return resolved


def download_imdb(
    origin: str = IMDB_URL, md5: str = IMDB_MD5, cache_dir: str | os.PathLike | None = None
) -> Path:
    """Download the original archive once, check its MD5 checksum, and return its path.

    The archive (84 MB) is cached by ``keras.utils.get_file`` in Keras'
    cache folder (``~/.keras/datasets`` unless ``cache_dir`` is given), and
    a cached copy whose checksum does not match is downloaded again.

    Parameters
    ----------
    origin : str
        Where to download from (a ``file://`` address works too).
    md5 : str
        The expected MD5 checksum.
    cache_dir : str or path-like, optional
        Passed to ``keras.utils.get_file``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConnectionError
        If the download fails or the file's checksum differs; nothing is
        left behind.
    """
    from filelock import FileLock

    if cache_dir is not None:  # get_file falls back to /tmp when it does not exist
        Path(cache_dir).expanduser().mkdir(parents=True, exist_ok=True)
    # get_file writes straight to its target: processes that start at once
    # (notebooks of a parallel build, test workers) download one at a time,
    # and the later ones find the checked copy.
    folder = _keras_dataset_dirs(cache_dir)[0]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / "aclImdb_v1.tar.gz.lock")
    except OSError:  # an unwritable Keras folder: get_file uses /tmp/.keras
        lock = contextlib.nullcontext()
    try:
        with lock:
            return Path(
                keras.utils.get_file(
                    "aclImdb_v1.tar.gz",
                    origin=origin,
                    md5_hash=md5,
                    cache_dir=None if cache_dir is None else str(cache_dir),
                )
            )
    except (Exception, KeyboardInterrupt) as error:
        # get_file removes a partial download, but keeps a complete file whose
        # checksum is wrong: remove it too, so nothing half-written stays.
        for folder in _keras_dataset_dirs(cache_dir):
            (folder / "aclImdb_v1.tar.gz").unlink(missing_ok=True)
        if isinstance(error, KeyboardInterrupt):
            raise
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise ConnectionError(
            f"could not download the IMDB archive from {origin} ({reason}): download "
            f"aclImdb_v1.tar.gz yourself and set ${ENV_DATA} to its path"
        ) from None


def _keras_dataset_dirs(cache_dir) -> list[Path]:
    """Where ``get_file`` may have put the archive (it falls back to /tmp/.keras)."""
    bases = [Path(cache_dir)] if cache_dir is not None else []
    try:
        bases.append(Path(keras.config.keras_home()))
    except AttributeError:  # older Keras 3
        bases.append(Path.home() / ".keras")
    bases.append(Path(tempfile.gettempdir()) / ".keras")
    return [base.expanduser() / "datasets" for base in bases]


def _archive(path) -> Path:
    """The local copy named by ``path`` or ``$RNNBOOK_IMDB``, or the downloaded archive."""
    source = data_source(path)
    return source if source is not None else download_imdb()


def load_imdb(
    num_words: int = 5000,
    maxlen: int | None = 500,
    *,
    path: str | os.PathLike | None = None,
    padding: str = "pre",
    truncating: str = "pre",
    seed: int = 113,
    train_size: int | None = None,
    test_size: int | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load IMDB reviews as padded integer arrays and 0/1 sentiment labels.

    The encoding follows the conventions of ``keras.datasets.imdb`` (see the
    module docstring), applied to the book's own tokenization of the
    original reviews, so the arrays are not Keras' arrays. Every option is
    checked before any data is read or downloaded.

    Parameters
    ----------
    num_words : int
        Vocabulary size including the four reserved indices, at least 4.
    maxlen : int or None
        Tokens kept per review (the start marker counts), at least 1.
        ``None`` keeps whole reviews and returns them unpadded, as a 1-D
        object array of ``int32`` arrays (like ``keras.datasets.imdb``).
    path : str or path-like, optional
        A local ``aclImdb_v1.tar.gz`` or extracted ``aclImdb/`` folder.
        Defaults to ``$RNNBOOK_IMDB``; when both are missing, the original
        archive is downloaded once (:func:`download_imdb`).
    padding, truncating : {"pre", "post"}
        Where padding is added and where long reviews are cut.
    seed : int
        Seed of the shuffle of each split.
    train_size, test_size : int, optional
        Keep only the first reviews of each shuffled split (for quick runs).
    cache_dir : str or path-like, optional
        Where encoded reviews are cached. Defaults to ``$RNNBOOK_CACHE`` or
        ``~/.cache/rnnbook``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` is ``int32`` of shape ``(n, maxlen)``, ``y`` is ``int64`` of
        shape ``(n,)`` with 1 for a positive review.

    Raises
    ------
    ValueError
        Bad options, or an archive that is corrupt or lacks ``train/`` or
        ``test/``.
    FileNotFoundError
        The named path does not exist.
    ConnectionError
        No local copy is named and the download fails.
    OSError
        The cache folder cannot be created or written.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_imdb(5000, 500)  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype  # doctest: +SKIP
    ((25000, 500), dtype('int32'))
    """
    _check_num_words(num_words)
    if maxlen is not None:
        _check_maxlen(maxlen)
    for name, size in (("train_size", train_size), ("test_size", test_size)):
        if size is not None and size < 1:
            raise ValueError(f"{name}={size} is not valid: use a positive count or None")
    _check_sides(padding, truncating)
    splits = _shuffled_splits(_corpus(path, cache_dir), seed)
    result = []
    for (sequences, labels), size in zip(splits, (train_size, test_size)):
        sequences, labels = sequences[:size], labels[:size]
        if maxlen is None:
            x = np.empty(len(sequences), dtype=object)
            for row, seq in enumerate(sequences):
                seq = np.asarray(seq, dtype=np.int32)
                x[row] = np.where(seq >= num_words, OOV, seq).astype(np.int32)
        else:
            x = pad_sequences(sequences, maxlen, padding=padding, truncating=truncating)
            x[x >= num_words] = OOV
        result.append((x, labels.astype(np.int64)))
    return result[0], result[1]


def load_imdb_texts(
    path: str | os.PathLike | None = None, *, seed: int = 113
) -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """Load the raw review texts, in the same order as :func:`load_imdb`.

    Parameters
    ----------
    path : str or path-like, optional
        A local archive or folder; defaults to ``$RNNBOOK_IMDB``, then to the
        downloaded archive.
    seed : int
        Seed of the shuffle; use the one given to :func:`load_imdb`.

    Returns
    -------
    (texts_train, y_train), (texts_test, y_test)
        Lists of strings and ``int64`` label arrays.

    Raises
    ------
    FileNotFoundError
        The named copy does not exist.
    ConnectionError
        No local copy is named and the download fails.
    """
    reviews = _read_reviews(_archive(path))
    orders = _orders([len(reviews[split]) for split in _SPLITS], seed)
    out = []
    for split, order in zip(_SPLITS, orders):
        texts = [text for _, text in reviews[split]]
        labels = np.array([label for label, _ in reviews[split]], dtype=np.int64)
        out.append(([texts[i] for i in order], labels[order]))
    return out[0], out[1]


def get_word_index(
    path: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> dict[str, int]:
    """Map each word to its frequency rank (1 = most frequent), as Keras does.

    The encoded index of a word is its rank plus 3 (:data:`INDEX_FROM`).

    Parameters
    ----------
    path : str or path-like, optional
        A local copy; defaults to ``$RNNBOOK_IMDB``, then to the downloaded
        archive.
    cache_dir : str or path-like, optional
        As in :func:`load_imdb`.

    Returns
    -------
    dict of str to int

    Examples
    --------
    >>> word_index = get_word_index()  # doctest: +SKIP
    >>> word_index["the"]  # doctest: +SKIP
    1
    """
    vocab = _corpus(path, cache_dir)["vocab"]
    return {word: rank for rank, word in enumerate(vocab.tolist(), start=1)}


def decode_review(encoded, word_index: dict[str, int]) -> str:
    """Turn an encoded review back into words.

    Padding is skipped; the start marker prints as ``<start>`` and words
    outside the vocabulary as ``<oov>``.

    Parameters
    ----------
    encoded : sequence of int
        One row of ``x_train`` or ``x_test``.
    word_index : dict of str to int
        From :func:`get_word_index`.

    Returns
    -------
    str

    Examples
    --------
    >>> decode_review([0, 0, 1, 4, 2, 5], {"the": 1, "and": 2})
    '<start> the <oov> and'
    """
    words = {rank + INDEX_FROM: word for word, rank in word_index.items()}
    words.update({START: "<start>", OOV: "<oov>", INDEX_FROM: "<unused>"})
    return " ".join(words.get(int(i), "<oov>") for i in encoded if int(i) != PAD)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w"):
    """Open a file for writing that replaces ``path`` only once it is complete.

    The data goes to a temporary file in the same folder, which replaces
    ``path`` when the block ends without an error (``os.replace`` is atomic),
    so a reader, or another process, never sees half a file; on an error the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder must exist.
    mode : {"w", "wb"}
        Text or binary.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "numbers.txt"
    >>> with atomic_write(target) as out:
    ...     _ = out.write("1 2 3\\n")
    >>> target.read_text()
    '1 2 3\\n'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode={mode!r} is not valid: use 'w' (text) or 'wb' (binary)")
    path = Path(path)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, mode) as out:
            yield out
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ----------------------------------------------------------------------------
# Internals
# ----------------------------------------------------------------------------


def _check_num_words(num_words: int) -> None:
    if not isinstance(num_words, (int, np.integer)) or num_words < 4:
        raise ValueError(
            f"num_words={num_words!r} is too small: indices 0-3 are reserved "
            "(padding, start, out-of-vocabulary, unused), so use at least 4"
        )


def _check_maxlen(maxlen: int) -> None:
    if not isinstance(maxlen, (int, np.integer)) or maxlen < 1:
        raise ValueError(f"maxlen={maxlen!r} is not valid: use a positive number of tokens")


def _check_sides(padding: str, truncating: str) -> None:
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(f"{name}={option!r} is not valid: use 'pre' or 'post'")


def _orders(sizes: list[int], seed: int) -> list[np.ndarray]:
    """Shuffle orders of the splits; Keras draws them from one generator, train first."""
    rng = np.random.RandomState(seed)
    orders = []
    for size in sizes:
        order = np.arange(size)
        rng.shuffle(order)
        orders.append(order)
    return orders


def _shuffled_splits(encoded, seed: int):
    """Split the flat arrays into reviews and shuffle each split like Keras."""
    sizes = [len(encoded[f"{split}_labels"]) for split in _SPLITS]
    splits = []
    for split, order in zip(_SPLITS, _orders(sizes, seed)):
        ids, offsets = encoded[f"{split}_ids"], encoded[f"{split}_offsets"]
        sequences = np.split(ids, offsets[1:-1])
        splits.append(([sequences[i] for i in order], encoded[f"{split}_labels"][order]))
    return splits


def _cache_dir(cache_dir) -> Path:
    if cache_dir is None:
        cache_dir = os.environ.get(ENV_CACHE) or Path.home() / ".cache" / "rnnbook"
    return Path(cache_dir).expanduser()


def _writable_cache(cache_dir) -> Path:
    """The cache folder, created and checked for writing before any slow work."""
    folder = _cache_dir(cache_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        where = "cache_dir" if cache_dir is not None else f"${ENV_CACHE}"
        raise OSError(
            f"cannot write the cache folder '{folder}' ({error.strerror or error}): "
            f"set {where} to a folder you can write"
        ) from None
    return folder


def _fingerprint(source: Path) -> str:
    """SHA-256 of an archive; for a folder, of its review names and sizes."""
    stat = source.stat()
    return _fingerprint_cached(str(source.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _fingerprint_cached(source: str, mtime_ns: int, size: int) -> str:
    path = Path(source)
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(path.rglob("*.txt")):
            digest.update(f"{file.relative_to(path)}:{file.stat().st_size}\n".encode())
        return digest.hexdigest()
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _corpus(path, cache_dir) -> dict[str, np.ndarray]:
    """The encoded reviews; the cache folder is checked before the archive is found or fetched."""
    folder = _writable_cache(cache_dir)
    return _encoded_corpus(_archive(path), folder)


def _encoded_corpus(source: Path, folder: Path) -> dict[str, np.ndarray]:
    """Encoded reviews (full vocabulary, unshuffled), read from or written to cache."""
    key = _fingerprint(source)[:20]
    cached = folder / f"imdb-{key}-tok{TOKENIZER_VERSION}.npz"
    if cached.exists():
        try:
            with np.load(cached, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, zlib.error, EOFError):
            pass  # unreadable cache: rebuild it below
    encoded = _encode(_read_reviews(source))
    with atomic_write(cached, "wb") as out:
        np.savez(out, **encoded)
    return encoded


def _encode(reviews) -> dict[str, np.ndarray]:
    tokens = {s: [tokenize(text) for _, text in reviews[s]] for s in _SPLITS}
    counts = Counter(word for review in tokens["train"] for word in review)
    # Most frequent first; ties broken alphabetically so the ranking is stable.
    vocab = sorted(counts, key=lambda word: (-counts[word], word))
    index = {word: rank + INDEX_FROM for rank, word in enumerate(vocab, start=1)}
    encoded: dict[str, np.ndarray] = {"vocab": np.array(vocab, dtype=str)}
    for split in _SPLITS:
        rows = [[START] + [index.get(word, OOV) for word in review] for review in tokens[split]]
        encoded[f"{split}_ids"] = np.fromiter((i for row in rows for i in row), dtype=np.int32)
        encoded[f"{split}_offsets"] = np.cumsum([0] + [len(r) for r in rows])
        encoded[f"{split}_labels"] = np.array(
            [label for label, _ in reviews[split]], dtype=np.int64
        )
    return encoded


def _read_reviews(source: Path) -> dict[str, list[tuple[int, str]]]:
    """Read (label, text) pairs per split, sorted by class then review id."""
    found: dict[str, list[tuple[int, int, str]]] = {s: [] for s in _SPLITS}
    if source.is_dir():
        for file in source.rglob("*.txt"):
            relative = file.relative_to(source.parent).as_posix()
            match = _REVIEW.match(relative)
            if match:
                _collect(found, match, file.read_bytes())
    else:
        try:
            with tarfile.open(source, mode="r:*") as archive:
                for member in archive:
                    match = _REVIEW.match(member.name)
                    if match and member.isfile():
                        data = archive.extractfile(member).read()
                        _collect(found, match, data)
        except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
            raise ValueError(
                f"'{source}' is not a readable .tar.gz archive ({error}): it may "
                "be truncated or corrupt; download aclImdb_v1.tar.gz again"
            ) from None
    for split in _SPLITS:
        if not found[split]:
            raise ValueError(
                f"'{source}' holds no aclImdb/{split}/pos or aclImdb/{split}/neg "
                "reviews: point to the Large Movie Review Dataset (aclImdb_v1.tar.gz)"
            )
    return {split: [(label, text) for label, _, text in sorted(found[split])] for split in _SPLITS}


def _collect(found, match, data: bytes) -> None:
    split, polarity, review_id, _rating = match.groups()
    label = 1 if polarity == "pos" else 0
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace").read()
    found[split].append((label, int(review_id), text))


def __getattr__(name):
    # The TF-IDF features moved to rnnbook.features; their old names still work.
    if name in ("tfidf", "SparseBatches", "TFIDF_VERSION"):
        from . import features

        return getattr(features, name)
    raise AttributeError(f"module 'rnnbook.data' has no attribute {name!r}")
