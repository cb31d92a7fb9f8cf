"""Tests of rnnbook.data: encoding conventions, sources, cache and errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import rnnbook.data as data
from rnnbook.data import (
    decode_review,
    get_word_index,
    load_imdb,
    load_imdb_texts,
    pad_sequences,
    tokenize,
)

from . import conftest
from .conftest import FAKE_REVIEWS, write_archive, write_folder

# Ranks in the fake training set (see conftest.FAKE_REVIEWS).
RANKS = {
    "good": 1,
    "bad": 2,
    "film": 3,
    "plot": 4,
    "acting": 5,
    "a": 6,
    "don't": 7,
    "holes": 8,
    "it": 9,
    "miss": 10,
}


def encode(text, num_words=1000):
    """The expected encoding of one fake review, written independently."""
    ids = [1] + [RANKS[w] + 3 if w in RANKS else 2 for w in tokenize(text)]
    return [i if i < num_words else 2 for i in ids]


def keras_order(n_train, n_test, seed=113):
    """The shuffle of keras.datasets.imdb.load_data: one generator, train first."""
    rng = np.random.RandomState(seed)
    train, test = np.arange(n_train), np.arange(n_test)
    rng.shuffle(train)
    rng.shuffle(test)
    return train, test


def sorted_texts(split):
    """Fake reviews of a split in file order: negatives first, then by id."""
    items = sorted(
        (0 if pol == "neg" else 1, rid, text)
        for (s, pol, rid, _), text in FAKE_REVIEWS.items()
        if s == split
    )
    return [text for _, _, text in items], np.array([label for label, _, _ in items])


# --- tokenize and pad ------------------------------------------------------


def test_tokenize_lowercases_drops_breaks_and_punctuation():
    assert tokenize("Great<br /><br />FILM!<br/>ok<BR>") == ["great", "film", "ok"]
    assert tokenize("it's a must-see... (really)") == ["it's", "a", "must", "see", "really"]


def test_tokenize_keeps_non_ascii_letters_and_digits():
    assert tokenize("Café 1984 naïve_x 'quoted'") == ["café", "1984", "naïve", "x", "quoted"]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_pad_sequences_matches_keras(padding, truncating):
    import keras

    rng = np.random.default_rng(0)
    sequences = [list(rng.integers(1, 50, size=n)) for n in (0, 1, 5, 9, 10, 17)]
    ours = pad_sequences(sequences, 10, padding=padding, truncating=truncating)
    theirs = keras.utils.pad_sequences(sequences, 10, padding=padding, truncating=truncating)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == np.int32


def test_pad_sequences_rejects_bad_options():
    with pytest.raises(ValueError, match="padding='middle' is not valid: use 'pre' or 'post'"):
        pad_sequences([[1]], 3, padding="middle")
    with pytest.raises(ValueError, match="maxlen=0 is not valid"):
        pad_sequences([[1]], 0)


# --- encoding conventions on a small archive --------------------------------


def test_conventions_on_small_archive(fake_archive, cache_dir):
    (x_train, y_train), (x_test, y_test) = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    assert x_train.shape == (6, 12) and x_test.shape == (4, 12)
    assert x_train.dtype == np.int32 and y_train.dtype == np.int64
    texts, labels = sorted_texts("train")
    order, _ = keras_order(6, 4)
    for row, i in zip(x_train, order):
        expected = encode(texts[i])[-12:]
        # Pre-padding: zeros first, then the review, starting with 1.
        np.testing.assert_array_equal(row, [0] * (12 - len(expected)) + expected)
    np.testing.assert_array_equal(y_train, labels[order])
    # Words seen only in the test set are out of vocabulary.
    test_texts, test_labels = sorted_texts("test")
    _, test_order = keras_order(6, 4)
    for row, i in zip(x_test, test_order):
        assert list(row[row != 0]) == encode(test_texts[i])
    np.testing.assert_array_equal(y_test, test_labels[test_order])


def test_most_frequent_training_word_gets_index_4(fake_archive, cache_dir):
    word_index = get_word_index(path=fake_archive)
    assert word_index == RANKS
    assert decode_review([0, 0, 1, 4, 5, 2, 13], word_index) == "<start> good bad <oov> miss"


def test_num_words_caps_indices(fake_archive, cache_dir):
    (x_train, _), (x_test, _) = load_imdb(num_words=6, maxlen=20, path=fake_archive)
    for x in (x_train, x_test):
        assert x.min() >= 0 and x.max() < 6
    # "good" (4) and "bad" (5) survive; "film" (6) becomes out-of-vocabulary.
    texts, _ = sorted_texts("train")
    order, _ = keras_order(6, 4)
    for row, i in zip(x_train, order):
        assert list(row[row != 0]) == encode(texts[i], num_words=6)


def test_truncation_keeps_the_end_by_default_and_start_with_post(fake_archive, cache_dir):
    (pre, _), _ = load_imdb(num_words=1000, maxlen=3, path=fake_archive)
    (post, _), _ = load_imdb(
        num_words=1000, maxlen=3, path=fake_archive, padding="post", truncating="post"
    )
    texts, _ = sorted_texts("train")
    order, _ = keras_order(6, 4)
    for row_pre, row_post, i in zip(pre, post, order):
        full = encode(texts[i])
        np.testing.assert_array_equal(row_pre, ([0, 0, 0] + full)[-3:])
        np.testing.assert_array_equal(row_post, (full + [0, 0, 0])[:3])
        assert row_post[0] == 1  # post-truncation keeps the start marker


def test_maxlen_none_returns_whole_reviews(fake_archive, cache_dir):
    (x_train, _), _ = load_imdb(num_words=1000, maxlen=None, path=fake_archive)
    texts, _ = sorted_texts("train")
    order, _ = keras_order(6, 4)
    assert [list(r) for r in x_train] == [encode(texts[i]) for i in order]


def test_seed_and_sizes(fake_archive, cache_dir):
    (a, ya), (ta, _) = load_imdb(num_words=1000, maxlen=8, path=fake_archive, seed=1)
    (b, yb), _ = load_imdb(num_words=1000, maxlen=8, path=fake_archive, seed=1)
    (c, _), _ = load_imdb(num_words=1000, maxlen=8, path=fake_archive, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    (small, ys), (small_test, _) = load_imdb(
        num_words=1000, maxlen=8, path=fake_archive, seed=1, train_size=4, test_size=2
    )
    np.testing.assert_array_equal(small, a[:4])
    np.testing.assert_array_equal(ys, ya[:4])
    np.testing.assert_array_equal(small_test, ta[:2])


def test_folder_source_equals_archive(tmp_path, fake_archive, cache_dir):
    folder = write_folder(tmp_path / "extracted")
    from_archive = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    from_folder = load_imdb(num_words=1000, maxlen=12, path=folder)
    for (xa, ya), (xf, yf) in zip(from_archive, from_folder):
        np.testing.assert_array_equal(xa, xf)
        np.testing.assert_array_equal(ya, yf)


def test_environment_variable_names_the_source(fake_archive, cache_dir, monkeypatch):
    monkeypatch.setenv("RNNBOOK_IMDB", str(fake_archive))
    (x_env, _), _ = load_imdb(num_words=1000, maxlen=12)
    (x_arg, _), _ = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    np.testing.assert_array_equal(x_env, x_arg)


def test_texts_align_with_encoded_reviews(fake_archive, cache_dir):
    (x_train, _), (x_test, y_test) = load_imdb(num_words=1000, maxlen=None, path=fake_archive)
    (texts_train, _), (texts_test, labels_test) = load_imdb_texts(fake_archive)
    word_index = get_word_index(path=fake_archive)
    for text, encoded in zip(texts_train, x_train):
        decoded = decode_review(encoded, word_index).split()
        assert decoded == ["<start>"] + tokenize(text)
    assert [list(x) for x in x_test] == [encode(t) for t in texts_test]
    np.testing.assert_array_equal(y_test, labels_test)


# --- the cache ----------------------------------------------------------------


def test_cache_is_reused_and_written_atomically(fake_archive, cache_dir, monkeypatch):
    first = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    cached = list(cache_dir.glob("imdb-*.npz"))
    assert len(cached) == 1
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]

    def fail(*args, **kwargs):
        raise AssertionError("the archive was read again despite the cache")

    monkeypatch.setattr(data, "_read_reviews", fail)
    second = load_imdb(num_words=50, maxlen=5, path=fake_archive)  # other options, same cache
    again = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    assert second[0][0].shape == (6, 5)
    np.testing.assert_array_equal(first[0][0], again[0][0])


def test_cache_key_follows_the_archive_content(tmp_path, cache_dir):
    a = write_archive(tmp_path / "a.tar.gz")
    reviews = dict(FAKE_REVIEWS)
    reviews[("train", "pos", 3, 9)] = "miss miss miss miss miss miss miss"
    b = write_archive(tmp_path / "b.tar.gz", reviews)
    load_imdb(path=a, num_words=100, maxlen=5)
    load_imdb(path=b, num_words=100, maxlen=5)
    assert len(list(cache_dir.glob("imdb-*.npz"))) == 2
    assert get_word_index(path=b)["miss"] == 1


def test_unreadable_cache_is_rebuilt(fake_archive, cache_dir):
    expected = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    (cached,) = cache_dir.glob("imdb-*.npz")
    cached.write_bytes(b"not a numpy file")
    rebuilt = load_imdb(num_words=1000, maxlen=12, path=fake_archive)
    np.testing.assert_array_equal(expected[0][0], rebuilt[0][0])


# --- errors -------------------------------------------------------------------


def test_missing_path(tmp_path, cache_dir):
    with pytest.raises(FileNotFoundError, match="IMDB data not found at .*nowhere.tar.gz"):
        load_imdb(path=tmp_path / "nowhere.tar.gz")


def test_missing_path_from_environment(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setenv("RNNBOOK_IMDB", str(tmp_path / "gone"))
    with pytest.raises(FileNotFoundError, match=r"from \$RNNBOOK_IMDB"):
        load_imdb()


def test_truncated_archive_leaves_no_cache(tmp_path, cache_dir):
    whole = write_archive(tmp_path / "whole.tar.gz")
    cut = write_archive(tmp_path / "cut.tar.gz", truncate=whole.stat().st_size // 2)
    with pytest.raises(ValueError, match="truncated or corrupt; download aclImdb_v1.tar.gz again"):
        load_imdb(path=cut)
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_corrupt_archive(tmp_path, cache_dir):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b this is not gzip data at all" * 10)
    with pytest.raises(ValueError, match="not a readable .tar.gz archive"):
        load_imdb(path=junk)


@pytest.mark.parametrize("missing", ["train", "test"])
def test_archive_without_a_split(tmp_path, cache_dir, missing):
    reviews = {k: v for k, v in FAKE_REVIEWS.items() if k[0] != missing}
    archive = write_archive(tmp_path / "partial.tar.gz", reviews)
    message = f"holds no aclImdb/{missing}/pos or aclImdb/{missing}/neg"
    with pytest.raises(ValueError, match=message):
        load_imdb(path=archive)
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_folder_without_reviews(tmp_path, cache_dir):
    (tmp_path / "empty" / "aclImdb").mkdir(parents=True)
    with pytest.raises(ValueError, match="holds no aclImdb/train"):
        load_imdb(path=tmp_path / "empty" / "aclImdb")


@pytest.mark.parametrize("num_words", [3, 0, -1])
def test_num_words_too_small(num_words, fake_archive, cache_dir):
    with pytest.raises(ValueError, match=f"num_words={num_words} is too small.*at least 4"):
        load_imdb(num_words=num_words, path=fake_archive)


@pytest.mark.parametrize("maxlen", [0, -5])
def test_maxlen_too_small(maxlen, fake_archive, cache_dir):
    with pytest.raises(ValueError, match=f"maxlen={maxlen} is not valid: use a positive"):
        load_imdb(maxlen=maxlen, path=fake_archive)


def test_bad_subset_size(fake_archive, cache_dir):
    with pytest.raises(ValueError, match="train_size=0 is not valid"):
        load_imdb(path=fake_archive, train_size=0)


# --- the download -------------------------------------------------------------


def md5(path):
    import hashlib

    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def offline_download(tmp_path, monkeypatch, fake_archive, cache_dir):
    """Point the download at a local file:// copy and Keras' cache at a fresh folder."""
    keras_cache = tmp_path / "keras"
    monkeypatch.setattr(data, "IMDB_URL", fake_archive.as_uri())
    monkeypatch.setattr(data, "IMDB_MD5", md5(fake_archive))
    original = data.download_imdb

    def download(origin=None, md5=None, cache_dir=None):
        return original(origin or data.IMDB_URL, md5 or data.IMDB_MD5, keras_cache)

    monkeypatch.setattr(data, "download_imdb", download)
    return keras_cache


def test_download_is_used_when_no_copy_is_named(offline_download, fake_archive):
    local = load_imdb(num_words=20, maxlen=6, path=fake_archive)
    downloaded = load_imdb(num_words=20, maxlen=6)
    for ours, theirs in zip(local, downloaded):
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])
    archive = offline_download / "datasets" / "aclImdb_v1.tar.gz"
    assert archive.read_bytes() == fake_archive.read_bytes()
    assert load_imdb_texts()[0][0] == load_imdb_texts(path=fake_archive)[0][0]
    assert get_word_index() == get_word_index(path=fake_archive)


def test_downloads_started_at_once_take_turns(tmp_path, fake_archive, monkeypatch):
    """Parallel notebooks or test workers without a copy download one after the other."""
    import threading
    import time

    found, errors, inside, most = [], [], [], []
    get_file = keras.utils.get_file

    def slow_get_file(*args, **kwargs):
        inside.append(1)
        most.append(len(inside))
        time.sleep(0.2)
        try:
            return get_file(*args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(keras.utils, "get_file", slow_get_file)

    def fetch():
        try:
            found.append(data.download_imdb(fake_archive.as_uri(), md5(fake_archive), tmp_path))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(found)) == 1 and max(most) == 1
    assert found[0].read_bytes() == fake_archive.read_bytes()


def test_download_with_a_wrong_checksum_leaves_nothing(tmp_path, fake_archive):
    with pytest.raises(ConnectionError, match=r"could not download.*set \$RNNBOOK_IMDB"):
        data.download_imdb(fake_archive.as_uri(), "0" * 32, tmp_path / "keras")
    assert not list((tmp_path / "keras").rglob("*.tar.gz"))


def test_failed_download_names_the_fix(tmp_path):
    missing = (tmp_path / "nowhere.tar.gz").as_uri()
    with pytest.raises(ConnectionError, match=r"could not download the IMDB archive from file:"):
        data.download_imdb(missing, "0" * 32, tmp_path / "keras")
    assert not list((tmp_path / "keras").rglob("*.tar.gz"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"padding": "middle"}, "padding='middle' is not valid"),
        ({"truncating": "both"}, "truncating='both' is not valid"),
        ({"num_words": 2}, "num_words=2 is too small"),
        ({"maxlen": 0}, "maxlen=0 is not valid"),
    ],
)
def test_bad_options_are_refused_before_any_download(kwargs, message, monkeypatch, cache_dir):
    def no_download(*args, **kw):
        raise AssertionError("tried to download before checking the options")

    monkeypatch.setattr(data, "download_imdb", no_download)
    with pytest.raises(ValueError, match=message):
        load_imdb(**kwargs)


def test_unwritable_cache_folder_gets_a_one_line_error(tmp_path, monkeypatch, fake_archive):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RNNBOOK_CACHE", str(blocker / "cache"))
    with pytest.raises(OSError, match=r"cannot write the cache folder .*: set \$RNNBOOK_CACHE"):
        load_imdb(path=fake_archive)
    with pytest.raises(OSError, match=r"set cache_dir to a folder you can write"):
        load_imdb(path=fake_archive, cache_dir=blocker / "x")


def test_full_archive_and_labeled_archive_give_identical_arrays(tmp_path, monkeypatch):
    """Stanford's archive also holds train/unsup reviews and .feat files: they are not read."""
    import io
    import tarfile

    labeled = write_archive(tmp_path / "labeled.tar.gz")
    extra = {
        "aclImdb/train/unsup/0_0.txt": b"good good good unlabeled words",
        "aclImdb/train/unsup/1_0.txt": b"another unlabeled review",
        "aclImdb/train/labeledBow.feat": b"0 0:9 1:3\n",
        "aclImdb/train/urls_pos.txt": b"http://www.imdb.com/title/tt0000001/usercomments\n",
        "aclImdb/imdb.vocab": b"the\nand\n",
        "aclImdb/README": b"Large Movie Review Dataset v1.0\n",
    }
    full = tmp_path / "full.tar.gz"
    with tarfile.open(labeled) as source, tarfile.open(full, "w:gz") as target:
        for member in source:
            target.addfile(member, source.extractfile(member))
        for name, payload in extra.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            target.addfile(info, io.BytesIO(payload))
    a = load_imdb(num_words=20, maxlen=6, path=labeled, cache_dir=tmp_path / "c1")
    b = load_imdb(num_words=20, maxlen=6, path=full, cache_dir=tmp_path / "c2")
    for (xa, ya), (xb, yb) in zip(a, b):
        assert xa.tobytes() == xb.tobytes() and ya.tobytes() == yb.tobytes()
    assert get_word_index(path=labeled, cache_dir=tmp_path / "c1") == get_word_index(
        path=full, cache_dir=tmp_path / "c2"
    )


# --- the real data set --------------------------------------------------------


def test_real_data_is_the_named_copy_the_shared_one_or_the_download(
    tmp_path, fake_archive, monkeypatch
):
    monkeypatch.setenv("RNNBOOK_IMDB", str(fake_archive))
    assert conftest.find_real_archive(shared=tmp_path / "none") == fake_archive
    monkeypatch.setenv("RNNBOOK_IMDB", "")  # what the Makefile exports without a copy
    assert conftest.find_real_archive(shared=fake_archive) == fake_archive
    origin, keras_cache = fake_archive.as_uri(), tmp_path / "keras"
    found = conftest.find_real_archive(
        shared=tmp_path / "none",
        download=lambda: data.download_imdb(origin, md5(fake_archive), keras_cache),
    )
    assert found.read_bytes() == fake_archive.read_bytes()
    assert found.is_relative_to(keras_cache)


def test_real_data_that_cannot_be_downloaded_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("RNNBOOK_IMDB", raising=False)
    unreachable = (tmp_path / "offline" / "aclImdb_v1.tar.gz").as_uri()
    with pytest.raises(
        ConnectionError, match=r"^could not download .*set \$RNNBOOK_IMDB to its path$"
    ):
        conftest.find_real_archive(
            shared=tmp_path / "none",
            download=lambda: data.download_imdb(unreachable, "0" * 32, tmp_path / "keras"),
        )


def test_missing_real_data_stops_the_test_run_with_one_line(tmp_path):
    """`RNNBOOK_IMDB=/nonexistent make test` fails before any test, and skips nothing."""
    (tmp_path / "conftest.py").write_text(Path(conftest.__file__).read_text())
    (tmp_path / "test_real.py").write_text(
        "def test_needs_data(real_archive):\n    pass\n\n\ndef test_other():\n    pass\n"
    )
    env = {**os.environ, "RNNBOOK_IMDB": str(tmp_path / "nonexistent")}
    env.pop("RNNBOOK_OFFLINE_OK", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    result = subprocess.run(
        command + ["--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    errors = [line for line in output.splitlines() if line.startswith("ERROR: ")]
    named = f"ERROR: IMDB data not found at '{tmp_path / 'nonexistent'}' (from $RNNBOOK_IMDB)"
    assert len(errors) == 1 and errors[0].startswith(named), output
    assert "passed" not in output and "skipped" not in output, output


def test_offline_ok_turns_missing_real_data_into_a_skip(monkeypatch):
    monkeypatch.setattr(conftest, "_found", {"error": "IMDB data not found at 'x'"})
    monkeypatch.delenv("RNNBOOK_OFFLINE_OK", raising=False)
    with pytest.raises(pytest.fail.Exception, match="IMDB data not found at 'x'"):
        conftest._real_archive()
    monkeypatch.setenv("RNNBOOK_OFFLINE_OK", "1")
    with pytest.raises(pytest.skip.Exception, match="RNNBOOK_OFFLINE_OK=1 and IMDB data not found"):
        conftest._real_archive()


@pytest.fixture(scope="module")
def real(real_archive):
    return load_imdb(num_words=5000, maxlen=500, path=real_archive)


def test_real_data_shapes_dtypes_and_bounds(real):
    (x_train, y_train), (x_test, y_test) = real
    assert x_train.shape == (25000, 500) and x_test.shape == (25000, 500)
    assert x_train.dtype == np.int32 and y_train.dtype == np.int64
    for x in (x_train, x_test):
        assert x.min() == 0 and x.max() == 4999
        # A padded review starts with the start marker right after its padding;
        # a truncated one lost its beginning, marker included.
        padded = x[:, 0] == 0
        first_token = x[np.arange(len(x)), (x == 0).argmin(axis=1)]
        assert np.all(first_token[padded] == 1)
        assert np.all(x[~padded][:, 1:] != 1)
        assert 0.05 < np.mean(~padded) < 0.3
        assert not np.any(x == 3)  # reserved, never used
    assert set(np.unique(y_train)) == {0, 1}
    assert y_train.mean() == 0.5 and y_test.mean() == 0.5


def test_real_validation_split_is_balanced(real):
    (_, y_train), _ = real
    validation = y_train[-5000:]  # what validation_split=0.2 holds out
    assert 0.47 < validation.mean() < 0.53
    # Unshuffled, the last 20 % would be a single class.
    assert validation.std() > 0.49


def test_real_word_ranking(real_archive):
    word_index = get_word_index(path=real_archive)
    assert [w for w, _ in sorted(word_index.items(), key=lambda kv: kv[1])[:3]] == [
        "the",
        "and",
        "a",
    ]
    assert sorted(word_index.values())[:3] == [1, 2, 3]


# --- writing files ------------------------------------------------------------


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "study.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"), data.atomic_write(target) as out:
        out.write("half of the new")
        raise RuntimeError("disk full")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    with data.atomic_write(target, "wb") as out:
        out.write(b"new")
    assert target.read_bytes() == b"new" and list(tmp_path.iterdir()) == [target]


def test_atomic_write_refuses_other_modes(tmp_path):
    with pytest.raises(ValueError, match="mode='a' is not valid: use 'w' \\(text\\) or 'wb'"):
        with data.atomic_write(tmp_path / "f", "a"):
            pass
