"""Tests of the site's checks: tools/check_site.py and book/_ext/rnnbook_site.py."""

import doctest
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import check_site  # noqa: E402
import rnnbook_site  # noqa: E402

PAGE = """<html><body><nav>{{cite:p}}`in the sidebar, not checked`</nav>
<main id="main-content"><article>{body}</article></main></body></html>"""


def page(body: str) -> str:
    return PAGE.format(body=body)


def test_docstring_examples():
    assert doctest.testmod(check_site).failed == 0


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("<p>as {cite:p}`hochreiter1997` showed</p>", "{cite:p}`hochreiter1997`"),
        ("<p>accuracy {glue:text}`acc:.2f` %</p>", "{glue:text}`acc:.2f`"),
        ("<p>see {doc}`notation`</p>", "{doc}`notation`"),
        ("<p>in {numref}`fig-x`</p>", "{numref}`fig-x`"),
        ("<p>a {term}`cuDNN` kernel</p>", "{term}`cuDNN`"),
        ("<p>:::{exercise}</p>", ":::{exercise}"),
        ("<p>```{code-cell} ipython3</p>", "```{code-cell}"),
        ("<p>the forget gate $f_t$ opens</p>", "$f_t$"),
        ("<li>+ the gate $\\sigma(1)$</li>", "$\\sigma(1)$"),
    ],
)
def test_literal_markup_is_caught(body, shown):
    found = check_site.literal_markup(page(body))
    assert found and any(shown in excerpt for excerpt in found), found


@pytest.mark.parametrize(
    "body",
    [
        "<p>Plain prose, 87.2 % accurate.</p>",
        '<p>Math <span class="math notranslate nohighlight">\\(f_t\\)</span> rendered.</p>',
        '<div class="math notranslate nohighlight">\\[h_t = \\tanh(a_t)\\]</div>',
        "<p>Code <code>{glue:text}`x`</code> shown as code.</p>",
        "<pre>```{code-cell}\n$ make book</pre>",
    ],
)
def test_rendered_text_code_and_math_pass(body):
    assert check_site.literal_markup(page(body)) == []


def test_site_check_names_each_page_and_fails(tmp_path, capsys):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "good.html").write_text(page("<p>Fine.</p>"))
    (tmp_path / "book" / "bad.html").write_text(page("<p>see {doc}`intro`</p>"))
    assert check_site.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "book/bad.html: literal markup" in err and "good.html" not in err


def test_clean_site_passes(tmp_path, capsys):
    (tmp_path / "index.html").write_text(page("<p>Fine.</p>"))
    assert check_site.main([str(tmp_path)]) == 0
    assert "no literal markup" in capsys.readouterr().out


@pytest.mark.parametrize("make", [False, True])
def test_missing_site_is_a_one_line_error(tmp_path, capsys, make):
    site = tmp_path / "html"
    if make:
        site.mkdir()
    assert check_site.main([str(site)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "run `make book` first" in err


def _document(rst: str):
    settings = get_default_settings(Parser)
    document = new_document("test", settings)
    Parser().parse(rst, document)
    return document


def _alt_texts(rst: str) -> list[str]:
    document = _document(rst)
    transform = rnnbook_site.FigureAltText(document)
    transform.run()
    return [image["alt"] for image in document.findall(nodes.image)]


def test_figure_alt_text_is_its_caption():
    rst = ".. figure:: _images/a.png\n\n   Accuracy per epoch,\n   in this build's run.\n"
    assert _alt_texts(rst) == ["Accuracy per epoch, in this build's run."]


def test_output_image_alt_text_is_never_a_path():
    assert _alt_texts(".. image:: _images/b.png\n") == [rnnbook_site.OUTPUT_IMAGE_ALT]
    assert _alt_texts(".. image:: _images/c.png\n   :alt: a chosen text\n") == ["a chosen text"]


def test_execution_table_follows_the_table_of_contents():
    env = SimpleNamespace(
        config=SimpleNamespace(root_doc="intro"),
        toctree_includes={
            "intro": ["theory/a", "imdb/z", "imdb/b"],
            "imdb/z": ["imdb/z-sub"],
        },
    )
    assert rnnbook_site.toc_order(env) == ["intro", "theory/a", "imdb/z", "imdb/z-sub", "imdb/b"]


def test_execution_table_lists_each_executed_page_in_book_order():
    env = SimpleNamespace(
        config=SimpleNamespace(root_doc="intro"),
        toctree_includes={"intro": ["theory/a", "imdb/b", "notation"]},
        docname="execution-statistics",
        titles={
            "imdb/b": nodes.title(text="A basic RNN"),
            "theory/a": nodes.title(text="Theory"),
        },
        # myst-nb's record of each executed page; the notation page ran nothing
        nb_metadata={
            "imdb/b": {"exec_data": {"mtime": 0, "runtime": 61.25, "succeeded": True}},
            "theory/a": {"exec_data": {"mtime": 0, "runtime": 2.0, "succeeded": True}},
        },
    )
    document = _document("Before.\n")
    document.settings.env = env
    document += rnnbook_site.ExecTableNode()
    rnnbook_site.ExecTablePostTransform(document).run()
    rows = [row.astext().split("\n\n") for row in document.findall(nodes.row)]
    assert rows[0] == ["Page", "Executed (UTC)", "Seconds", "Ran without error"]
    assert [r[0] for r in rows[1:]] == ["Theory", "A basic RNN"]
    assert rows[2][2:] == ["61.2", "yes"]
