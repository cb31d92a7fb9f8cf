"""Tests of tools/execute_book.py: the parallel execution that fills the build's cache."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "execute_book.py"
sys.path.insert(0, str(TOOL.parent))
import execute_book  # noqa: E402

MARKDOWN_PAGE = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A page

```{code-cell} ipython3
print(6 * 7)
```
"""


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def book(tmp_path):
    root = tmp_path / "book"
    (root / "part").mkdir(parents=True)
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: Part\n    chapters:\n"
        "      - file: part/ok\n      - file: part/md\n      - file: part/plain\n"
    )
    (root / "intro.md").write_text("# Intro\n\nNo code here.\n")
    notebook(root / "part" / "ok.ipynb", "x = 1 + 1", "print(x)")
    (root / "part" / "md.md").write_text(MARKDOWN_PAGE)
    (root / "part" / "plain.md").write_text("# Plain\n\nText only.\n")
    return root


def run(root: Path, out: Path, *args: str):
    return subprocess.run(
        [sys.executable, str(TOOL), "--root", str(root), "--path-output", str(out), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_pages_lists_the_toc_files_with_code(book):
    assert [p.name for p in execute_book.pages(book)] == ["ok.ipynb", "md.md"]


@pytest.mark.slow
def test_executed_pages_are_found_in_the_cache_as_myst_nb_reads_them(book, tmp_path):
    from jupyter_cache import get_cache

    out = tmp_path / "out"
    result = run(book, out, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "executing 2 notebooks, 2 at once" in result.stdout
    cache = get_cache(str(out / "_build" / ".jupyter_cache"))
    for page in execute_book.pages(book):
        record = cache.match_cache_notebook(execute_book.read(page))
        _, merged = cache.merge_match_into_notebook(execute_book.read(page))
        assert record.data["execution_seconds"] > 0
    assert "42" in json.dumps(merged.cells[-1].outputs)
    durations = json.loads((out / "_build" / ".jupyter_cache" / "durations.json").read_text())
    assert set(durations) == {"part/ok.ipynb", "part/md.md"}
    again = run(book, out, "--jobs", "2")
    assert "executing 0 notebooks" in again.stdout  # cached: nothing to do


@pytest.mark.slow
def test_a_failing_notebook_fails_the_run_with_its_traceback(book, tmp_path):
    notebook(book / "part" / "ok.ipynb", "raise RuntimeError('this cell fails')")
    result = run(book, tmp_path / "out", "--jobs", "1")
    assert result.returncode == 1
    assert "part/ok.ipynb: FAILED" in result.stdout
    assert "RuntimeError: this cell fails" in result.stderr
    assert "part/md.md: ok" in result.stdout  # the others still ran


def kernel_dies(times: int, monkeypatch) -> list:
    """Make the first `times` kernel starts die as a port clash makes them die."""
    from jupyter_cache.executors import utils

    real, calls = utils.single_nb_execution, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(utils, "single_nb_execution", flaky)
    return calls


def test_a_kernel_that_dies_at_start_is_started_again(book, monkeypatch):
    calls = kernel_dies(1, monkeypatch)
    executed, _, error = execute_book._execute(str(book / "part" / "ok.ipynb"), 60)
    assert len(calls) == 2 and error is None
    assert executed.cells[1].outputs[0]["text"] == "2\n"


def test_a_kernel_that_keeps_dying_fails_the_notebook(book, monkeypatch):
    calls = kernel_dies(execute_book.KERNEL_STARTS, monkeypatch)
    with pytest.raises(RuntimeError, match="before replying to kernel_info"):
        execute_book._execute(str(book / "part" / "ok.ipynb"), 60)
    assert len(calls) == execute_book.KERNEL_STARTS


def test_bad_arguments_are_refused(book, tmp_path):
    result = run(book, tmp_path / "out", "--jobs", "0")
    assert result.returncode == 2 and "--jobs must be at least 1" in result.stderr
    result = run(book, tmp_path / "out", str(book / "part" / "plain.md"))
    assert result.returncode == 2 and "not executable pages of the book" in result.stderr
