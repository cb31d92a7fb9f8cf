"""Shared fixtures. The Keras backend must be chosen before Keras is imported.

The real IMDB data (the ``real_archive`` fixture: the unit tests on the real
reviews, the smoke build of the book, the Colab-like run) comes from
``$RNNBOOK_IMDB``, else from ``../shared/data`` beside the checkout, else from
the original archive, downloaded once by the book's own loader
(:func:`rnnbook.data.download_imdb`, checksum verified). When none of these
works, the run stops before its first test with a one-line error that says
how to point ``RNNBOOK_IMDB`` at a copy: a test run never passes by skipping
the real data. Only ``RNNBOOK_OFFLINE_OK=1`` skips those tests instead, for a
machine that is known to have neither the data nor a network; ``.ci/run``
never sets it.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# JAX's persistent compilation cache, shared by the test processes (xdist
# workers and the subprocesses they start): many tests compile the same small
# models, and a cache hit returns the same executable. From a cold cache it
# cut the unit tests from 131 to 95 s of CPU (2026-11-26).
os.environ.setdefault(
    "JAX_COMPILATION_CACHE_DIR",
    str(Path(__file__).resolve().parents[1] / "_build" / ".jax_cache_tests"),
)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_ARCHIVE = ROOT.parent / "shared" / "data" / "aclImdb_v1_labeled.tar.gz"

# A tiny corpus in the layout of the Large Movie Review Dataset. Words are
# chosen so that the frequency ranking is known: in the training reviews
# "good" occurs 6 times, "bad" 5, "film" 4, "plot" 3 ... (see test_data.py).
FAKE_REVIEWS = {
    ("train", "pos", 0, 9): "Good film, good plot.<br /><br />GOOD!",
    ("train", "pos", 1, 8): "good good acting; don't miss it",
    ("train", "pos", 2, 10): "A good film film",
    ("train", "neg", 0, 1): "Bad plot, bad acting.",
    ("train", "neg", 1, 2): "bad bad film -- plot holes",
    ("train", "neg", 2, 3): "BAD.",
    ("test", "pos", 0, 9): "good film, unseen words here",
    ("test", "pos", 1, 7): "good",
    ("test", "neg", 0, 2): "bad plot",
    ("test", "neg", 1, 4): "terrible bad film",
}


def write_archive(path: Path, reviews=FAKE_REVIEWS, truncate: int | None = None) -> Path:
    """Write a .tar.gz with the dataset's layout; optionally cut it short."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for (split, polarity, review_id, rating), text in reviews.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"aclImdb/{split}/{polarity}/{review_id}_{rating}.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    path.write_bytes(data[:truncate] if truncate else data)
    return path


def write_folder(root: Path, reviews=FAKE_REVIEWS) -> Path:
    """Write an extracted aclImdb/ folder."""
    for (split, polarity, review_id, rating), text in reviews.items():
        file = root / "aclImdb" / split / polarity / f"{review_id}_{rating}.txt"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    return root / "aclImdb"


@pytest.fixture
def fake_archive(tmp_path) -> Path:
    return write_archive(tmp_path / "aclImdb_v1.tar.gz")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """An empty cache folder, also used by code that reads $RNNBOOK_CACHE."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("RNNBOOK_CACHE", str(folder))
    monkeypatch.delenv("RNNBOOK_IMDB", raising=False)
    return folder


OFFLINE_OK = "RNNBOOK_OFFLINE_OK"


def find_real_archive(shared: Path = SHARED_ARCHIVE, download=None) -> Path:
    """The real dataset: $RNNBOOK_IMDB, the shared copy, or the downloaded original.

    Raises the loader's one-line ``FileNotFoundError`` ($RNNBOOK_IMDB names
    nothing) or ``ConnectionError`` (the download failed), each naming the fix.
    """
    from rnnbook import data

    named = data.data_source()  # None when $RNNBOOK_IMDB is unset or empty
    if named is not None:
        return named
    if shared.exists():
        return shared
    return (download or data.download_imdb)()


_found: dict = {}


def _real_archive() -> Path:
    """find_real_archive, once per process (the outcome is kept, error or path)."""
    if not _found:
        try:
            _found["path"] = find_real_archive()
        except (FileNotFoundError, ConnectionError) as error:
            _found["error"] = str(error)
    if "error" in _found:
        if os.environ.get(OFFLINE_OK) == "1":
            pytest.skip(f"{OFFLINE_OK}=1 and {_found['error']}")
        pytest.fail(_found["error"], pytrace=False)
    return _found["path"]


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(session, config, items):
    """Find the real data before the first test when a collected test needs it.

    Without xdist a missing copy stops the run here, with the error. An xdist
    worker cannot stop its controller this way: it puts the tests that need
    the data first instead, and pytest_runtest_logreport stops the run when
    the first of them fails.
    """
    needs = [item for item in items if "real_archive" in getattr(item, "fixturenames", ())]
    if not needs or os.environ.get(OFFLINE_OK) == "1":
        return
    try:
        _real_archive()
    except pytest.fail.Exception as error:
        if not hasattr(config, "workerinput"):
            raise pytest.UsageError(error.msg) from None
        items[:] = needs + [item for item in items if item not in needs]


_MISSING = ("IMDB data not found at", "could not download the IMDB archive")


def pytest_runtest_logreport(report):
    """Stop the whole run (xdist's controller included) when the real data is missing."""
    if report.failed and report.when == "setup":
        last = str(report.longrepr).strip().splitlines()[-1]
        if last.startswith(_MISSING):
            pytest.exit(last, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def real_archive() -> Path:
    """The real dataset (see the module docstring)."""
    return _real_archive()
