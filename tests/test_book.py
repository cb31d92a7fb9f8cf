"""Build the whole book in the smoke profile, as a reader's `make book` would.

This executes every notebook again (on the JAX backend, with a cold execution
cache) through Jupyter Book with warnings as errors, then checks the site.
"""

import os
import re
import subprocess
import sys
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
        RNNBOOK_CACHE=str(out / "cache"),
    )
    # A non-interactive matplotlib backend (conftest sets Agg for the unit
    # tests) would stop the kernels from returning figures.
    env.pop("MPLBACKEND", None)
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
    return out / "_build" / "html", log


@pytest.mark.slow
def test_book_builds_without_warnings(site):
    html, log = site
    assert "build succeeded" in log
    # Sphinx prefixes its warnings with a location; kernels' own log lines
    # ("WARNING: All log messages before absl::InitializeLog() ...") have none.
    sphinx_warnings = re.findall(r"^\S+:\d*: WARNING: .*$", log, flags=re.MULTILINE)
    assert not sphinx_warnings, sphinx_warnings
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for p in toc["parts"] for c in p["chapters"]]
    for page in pages:
        assert (html / f"{page}.html").exists(), f"{page} was not rendered"


@pytest.mark.slow
def test_comparison_page_shows_measured_and_reference_numbers(site):
    page = (site[0] / "book/imdb/whole-experiment.html").read_text()
    for reported in ("80.33", "74.89", "76.02", "86.98"):
        assert reported in page
    assert 'id="tbl-comparison"' in page
    assert "profile &#39;smoke&#39;" in page or "profile 'smoke'" in page


@pytest.mark.slow
def test_notebook_pages_have_colab_and_download_buttons(site):
    page = (site[0] / "book/imdb/basic-rnn.html").read_text()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{repo}/blob/main/book/imdb/basic-rnn.ipynb" in page
    assert "basic-rnn.ipynb" in page and "download" in page.lower()


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
        ("whole-experiment", ["tbl-all-models", "fig-all-models", "tbl-study"]),
        ("which-model", ["tbl-which", "fig-which-tradeoffs"]),
        ("overfitting", ["fig-ovf-curves", "tbl-ovf-study"]),
        ("padding-and-masking", ["tbl-pad-grid", "fig-pad-forgetting"]),
        ("lstm-and-gru", ["tbl-gate-study"]),
        ("attention", ["fig-att-weights"]),
        ("baseline", ["fig-base-weights"]),
    ],
)
def test_chapters_beyond_the_reference_show_their_tables_and_figures(site, page, labels):
    html = (site[0] / f"book/imdb/{page}.html").read_text()
    for label in labels:
        assert f'id="{label}"' in html, f"{page} lacks {label}"
    assert "Traceback" not in html
