"""Build the whole book in the smoke profile, as `make book` does.

This executes every notebook again (on the JAX backend, with a cold execution
cache) with tools/execute_book.py, several at once, then renders the site with
Jupyter Book, warnings as errors, and checks it.
"""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


@pytest.fixture(scope="module")
def site(tmp_path_factory, real_archive):
    out = tmp_path_factory.mktemp("book")
    env = dict(
        os.environ,
        RNNBOOK_PROFILE="smoke",
        KERAS_BACKEND="jax",
        RNNBOOK_IMDB=str(real_archive),
        # The tokenized reviews of the unit tests when CI names a cache (the
        # same archive gives the same file), else a cache of this build's own.
        RNNBOOK_CACHE=os.environ.get("RNNBOOK_CACHE") or str(out / "cache"),
    )
    # A non-interactive matplotlib backend (conftest sets Agg for the unit
    # tests) would stop the kernels from returning figures.
    env.pop("MPLBACKEND", None)
    jobs = os.environ.get("JOBS") or str(os.cpu_count())
    executed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "execute_book.py"),
            "--path-output",
            str(out),
            "--jobs",
            jobs,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert executed.returncode == 0, (executed.stdout + executed.stderr)[-8000:]
    result = subprocess.run(
        [
            str(JUPYTER_BOOK),
            "build",
            str(ROOT),
            "--path-output",
            str(out),
            "-n",
            "-W",
            "--keep-going",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    # As `make book` does next: no MyST markup left as text on any page, and
    # the plain-Markdown copies of the notebooks for Colab.
    for tool, target in (("check_site.py", "html"), ("colab_notebooks.py", "")):
        checked = subprocess.run(
            [sys.executable, str(ROOT / "tools" / tool), str(out / "_build" / target)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, (checked.stdout + checked.stderr)[-6000:]
    return out / "_build" / "html", log, executed.stdout


@pytest.mark.slow
def test_book_builds_without_warnings(site):
    html, log, _ = site
    assert "build succeeded" in log
    # Sphinx prefixes its warnings with a location; kernels' own log lines
    # ("WARNING: All log messages before absl::InitializeLog() ...") have none.
    sphinx_warnings = re.findall(r"^\S+:\d*: WARNING: .*$", log, flags=re.MULTILINE)
    assert not sphinx_warnings, sphinx_warnings
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for p in toc["parts"] for c in p["chapters"]]
    for page in pages:
        assert (html / f"{page}.html").exists(), f"{page} was not rendered"


class Tables(HTMLParser):
    """The rows of each table with an id on a rendered page, as lists of cell texts."""

    def __init__(self, page: str):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id"):
            self._table = self.tables.setdefault(dict(attrs)["id"], [])
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None


def rows(page: str, name: str) -> list[dict]:
    """The body rows of table ``name``, keyed by the header; Sphinx's curly quotes undone."""
    header, *body = Tables(page).tables[name]
    straight = str.maketrans({"“": '"', "”": '"', "’": "'"})
    return [dict(zip(header, (cell.translate(straight) for cell in row))) for row in body]


def test_tables_are_read_from_a_rendered_page():
    page = (
        '<table class="table" id="tbl-x"><caption>Cap</caption><thead><tr><th><p>setup</p></th>'
        "<th><p>n</p></th></tr></thead><tbody><tr><td><p>Conv1D (“Hybrid”)</p></td>"
        "<td><p>86.90</p></td></tr></tbody></table><table><tr><td>other</td></tr></table>"
    )
    assert rows(page, "tbl-x") == [{"setup": 'Conv1D ("Hybrid")', "n": "86.90"}]


@pytest.mark.slow
def test_comparison_page_shows_the_study_runs_beside_the_reference(site):
    """The comparison's measured numbers are the committed study's runs the build read."""
    from rnnbook import load_study, report
    from rnnbook.models import REFERENCE_ACCURACY, REFERENCE_MODELS

    page = (site[0] / "book/imdb/whole-experiment.html").read_text()

    # The page trains nothing: its run line stays in the notebook, off the page;
    # a page that trains shows it.
    def shows_run_line(html):
        return "profile &#39;smoke&#39;" in html or "profile 'smoke'" in html

    assert not shows_run_line(page)
    assert shows_run_line((site[0] / "book/imdb/basic-rnn.html").read_text())
    study = load_study()
    shown = rows(page, "tbl-comparison")
    assert [row["setup"] for row in shown] == list(REFERENCE_MODELS)
    for row in shown:
        run = study.run(row["setup"], seed=1)
        assert row["test accuracy (%)"] == f"{100 * run.test_accuracy:.2f}", row
        assert row["best epoch"] == str(run.best_epoch), row
        assert row["reference (%)"] == f"{REFERENCE_ACCURACY[row['setup']]:.2f}", row
    expected = report.study_table(study, list(REFERENCE_MODELS), "", "tbl-study").frame
    for row, (_, setup) in zip(rows(page, "tbl-study"), expected.iterrows(), strict=True):
        assert row["setup"] == setup["setup"]
        for column in ("mean ± std (%)", "range (%)"):
            assert row[column] == " ".join(setup[column].split()), (row, column)


@pytest.mark.slow
def test_notebook_pages_have_colab_and_download_buttons(site):
    page = (site[0] / "book/imdb/basic-rnn.html").read_text()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{repo}/blob/colab/book/imdb/basic-rnn.ipynb" in page
    assert "basic-rnn.ipynb" in page and "download" in page.lower()


@pytest.mark.slow
def test_the_build_renders_from_the_parallel_execution(site):
    """Jupyter Book finds every notebook executed, and executes none itself."""
    html, log, executed = site
    assert "executing" in executed and "FAILED" not in executed
    assert "Executing notebook using" not in log and "Executed notebook in" not in log
    table = (html / "book/execution-statistics.html").read_text()
    for page in ("basic-rnn", "how-rnns-work", "whole-experiment"):
        assert page in table, f"the execution table lacks {page}"


@pytest.mark.slow
def test_math_is_served_from_the_site(site):
    html = site[0]
    page = (html / "book/imdb/basic-rnn.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', page, flags=re.I)
    assert scripts, "no MathJax script on a page with equations"
    assert all(not s.startswith(("http:", "https:", "//")) for s in scripts), scripts
    assert any((html / "book/imdb" / s.split("?")[0]).resolve().exists() for s in scripts)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "labels"),
    [
        ("whole-experiment", ["tbl-comparison", "tbl-study", "tbl-all-models", "fig-all-models"]),
        ("whole-experiment", ["two-se-rule", "tbl-all-gaps", "fig-seed-spread"]),
        (
            "which-model",
            [
                "tbl-which-tier",
                "tbl-which-pairs",
                "tbl-which-test",
                "fig-which-tradeoffs",
            ],
        ),
        ("overfitting", ["fig-ovf-runs", "tbl-ovf-runs", "tbl-ovf-study", "tbl-ovf-gaps"]),
        ("padding-and-masking", ["tbl-pad-grid", "fig-pad-forgetting", "fig-pad-drift"]),
        ("lstm-and-gru", ["tbl-gate-seed1", "tbl-gate-study", "tbl-gate-gaps"]),
        ("attention", ["fig-att-weights", "tbl-att-study"]),
        ("baseline", ["fig-base-weights", "tbl-base-study"]),
        ("levers", ["tbl-lev-levers", "tbl-lev-gaps", "tbl-lev-linear", "tbl-lev-goal"]),
        ("convolution-and-hybrids", ["tbl-conv-runs", "tbl-conv-study"]),
    ],
)
def test_chapters_show_their_tables_and_figures(site, page, labels):
    html = (site[0] / f"book/imdb/{page}.html").read_text()
    for label in labels:
        assert f'id="{label}"' in html, f"{page} lacks {label}"
    # No error output (pages that show source code also carry Pygments' CSS,
    # whose comments name a "Generic.Traceback" token).
    assert "Traceback (most recent call last)" not in html
