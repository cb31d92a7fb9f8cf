"""Static checks of the book's sources: no outputs, table of contents, Colab setup."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.rglob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
HIDDEN = {"remove-input", "hide-input", "remove-cell", "hide-cell"}

# Visible code lines a page may show (non-blank lines of cells whose input is
# not hidden): a chapter shows its idea, not its bookkeeping. Exceptions are
# named here with the reason.
LINE_BUDGET = 150
LINE_BUDGET_EXCEPTIONS: dict[str, tuple[int, str]] = {}


def code_cells(path):
    return [
        "".join(c["source"])
        for c in json.loads(path.read_text())["cells"]
        if c["cell_type"] == "code"
    ]


def visible_code(path):
    """The code a reader sees on the page: cells whose input is not hidden."""
    return [
        "".join(c["source"])
        for c in json.loads(path.read_text())["cells"]
        if c["cell_type"] == "code" and not HIDDEN & set(c["metadata"].get("tags", []))
    ]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_has_no_outputs(path):
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} carries outputs: run nbstripout on it"
            assert cell["execution_count"] is None, f"{path.name} carries execution counts"


def test_nbstripout_verify_passes():
    result = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", "--keep-id", *map(str, NOTEBOOKS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_first_cell_installs_the_helper_version_that_built_the_page(path):
    cells = json.loads(path.read_text())["cells"]
    first = next(c for c in cells if c["cell_type"] == "code")
    source = "".join(first["source"])
    assert "import keras" not in source.split("import rnnbook")[0], "rnnbook picks the backend"
    install = re.search(
        r'^ *%pip install --quiet "rnnbook @ git\+(\S+)@v(\S+)"', source, flags=re.MULTILINE
    )
    assert install, f"{path.name}: the first cell must install rnnbook where it is missing"
    assert install.group(1) == REPOSITORY, "install URL differs from _config.yml's repository"
    assert install.group(2) == VERSION, f"install pins v{install.group(2)}, package is {VERSION}"
    assert "except ImportError" in source.split("%pip")[0]
    assert first["metadata"].get("tags") == ["hide-input"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_page_shows_at_most_its_budget_of_code(path):
    name = str(path.relative_to(BOOK))
    budget = LINE_BUDGET_EXCEPTIONS.get(name, (LINE_BUDGET, ""))[0]
    lines = sum(len([ln for ln in s.splitlines() if ln.strip()]) for s in visible_code(path))
    assert lines <= budget, f"{name} shows {lines} lines of code (budget {budget})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_a_page_that_trains_shows_fit_and_evaluate(path):
    if not any(".compile(" in source for source in code_cells(path)):
        pytest.skip("trains nothing")
    shown = "\n".join(visible_code(path))
    assert ".compile(" in shown, f"{path.name} compiles a model out of sight"
    assert re.search(r"\.fit\(", shown), f"{path.name} trains without a visible fit(...)"
    assert re.search(r"\.evaluate\(", shown), f"{path.name} has no visible evaluate(...)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_prints_its_profile_and_needs_no_working_directory(path):
    code = "\n".join(code_cells(path))
    assert "rnnbook.describe_run(" in code, f"{path.name} does not say which profile ran"
    for pattern in ("os.chdir", "../", "open(", "Path("):
        assert pattern not in code, f"{path.name} depends on the working directory ({pattern})"


def test_toc_lists_existing_pages_and_every_page_is_listed():
    listed = toc_files()
    for name in listed:
        matches = [p for p in ROOT.glob(name + ".*") if p.suffix in (".md", ".ipynb")]
        assert matches, f"_toc.yml lists {name}, which does not exist"
    pages = {
        str(p.relative_to(ROOT).with_suffix(""))
        for p in list(BOOK.rglob("*.md")) + NOTEBOOKS
        if ".ipynb_checkpoints" not in p.parts
    }
    assert pages - set(listed) == set(), "pages missing from _toc.yml"


def test_build_settings_fail_loudly():
    assert CONFIG["execute"]["raise_on_error"] is True
    assert CONFIG["execute"]["execute_notebooks"] == "cache"
    assert "sphinx-mathjax-offline" in CONFIG["sphinx"]["extra_extensions"]
    makefile = (ROOT / "Makefile").read_text()
    assert "-n -W --keep-going" in makefile


def page_text(path):
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


CHAPTERS = [
    p
    for p in sorted(BOOK.rglob("*.md")) + NOTEBOOKS
    # The landing page and the back matter (in book/) and each part's short
    # overview (overview*.md) are not chapters.
    if p.parent != BOOK and not p.stem.startswith("overview")
]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(BOOK)))
def test_chapter_has_overview_summary_and_exercises_with_solutions(path):
    text = page_text(path)
    assert re.search(r"^# \S", text, flags=re.MULTILINE), f"{path.name} has no title"
    assert "\n## Summary" in text and "\n## Exercises" in text, path.name
    exercises = re.findall(r":::\{exercise\}\n:label: (\S+)", text)
    solutions = re.findall(r":::\{solution\} (\S+)\n:class: dropdown", text)
    assert exercises, f"{path.name} has no exercises"
    assert sorted(exercises) == sorted(solutions), "every exercise needs a folding solution"
