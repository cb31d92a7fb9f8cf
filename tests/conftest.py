"""Shared fixtures. The Keras backend must be chosen before Keras is imported."""

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


@pytest.fixture(scope="session")
def real_archive() -> Path:
    """The real dataset: $RNNBOOK_IMDB or ../shared/data beside the checkout."""
    named = os.environ.get("RNNBOOK_IMDB")
    path = Path(named) if named else SHARED_ARCHIVE
    if not path.exists():
        pytest.skip(f"the IMDB archive is not at {path}: set RNNBOOK_IMDB to run this test")
    return path
