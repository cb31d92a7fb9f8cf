"""Tests of tools/colab_notebooks.py: the copies of the notebooks for Colab and Jupyter.

Each MyST construct the book uses is converted on a small fixture notebook;
the generator's own checks (no MyST left, glued values present, code
unchanged, the install pinned to pyproject.toml's version) are shown to fail
where they should. A small Jupyter Book built from the execution cache (slow)
shows that the copies print the numbers, links and buttons its site prints.
The whole book's copies are made and checked by ``make book``, which fails
when the generator does.
"""

import copy
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "colab_notebooks.py"
sys.path.insert(0, str(TOOL.parent))
import colab_notebooks as cn  # noqa: E402

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
SITE = "https://example.github.io/book"


def glued(value, key, display=False):
    """An output of myst_nb.glue(key, value) as the executed notebook stores it."""
    prefix = "" if display else "application/papermill.record/"
    return nbformat.v4.new_output(
        "display_data",
        data={prefix + "text/plain": repr(value)},
        metadata={"scrapbook": {"name": key, "mime_prefix": prefix}},
    )


def notebook(markdown: str, outputs=(), tags=()):
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x = 0.87654\nrnnbook.glue('acc', x)", outputs=list(outputs))
    code.metadata["tags"] = list(tags)
    nb.cells = [nbformat.v4.new_markdown_cell("# A page"), code]
    nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    return nb


@pytest.fixture
def refs():
    return cn.Refs(
        site=SITE,
        titles={"book/part/page": "A page", "book/theory/other": "Other page"},
        labels={
            "fig-curves": ("book/part/page", "fig-curves", ""),
            "tbl-results": ("book/theory/other", "tbl-results", ""),
            "sec-gates": ("book/theory/other", "sec-gates", "Why gates"),
            "ex-one": ("book/part/page", "ex-one", ""),
        },
        numbers={"fig-curves": "Fig. 4", "tbl-results": "Table 2", "ex-one": "Exercise 7"},
        equations={"state": ("book/theory/other", "3")},
        terms={"hidden state": ("book/glossary", "term-hidden-state")},
        citations={"elman1990": ("Elman", "1990"), "cho2014": ("Cho et al.", "2014")},
        exercises={"book/part/page": ["7", "8"]},
    )


def convert(markdown, refs, glue=None, outputs=(), tags=()):
    nb = notebook(markdown, outputs or [glued(0.87654, "acc")], tags)
    glue = glue or {"book/part/page": cn.glue_values(nb)}
    converted, used = cn.convert_notebook(nb, "book/part/page", glue, refs, VERSION)
    return converted, used


def last_markdown(nb) -> str:
    return [c.source for c in nb.cells if c.cell_type == "markdown"][-1]


@pytest.mark.parametrize(
    ("role", "text"),
    [
        ("{glue:text}`acc:.2f`", "0.88"),
        ("{glue:text}`acc:.1%`", "87.7%"),
        ("{glue:text}`acc`", "0.87654"),
        ("{glue:}`acc`", "0.87654"),
        ("{glue}`acc`", "0.87654"),
    ],
)
def test_glue_roles_become_the_builds_formatted_values(refs, role, text):
    converted, used = convert(f"Accuracy {role} here.", refs)
    assert last_markdown(converted) == f"Accuracy {text} here."
    assert used == [text]


def test_glue_from_another_notebook_reads_that_notebooks_value(refs):
    other = notebook("", [glued(123.456, "loss")])
    glue = {"book/theory/other": cn.glue_values(other)}
    glue["book/part/page"] = {}
    converted, _ = convert("Loss {glue:text}`../theory/other.ipynb::loss:.1f`.", refs, glue)
    assert last_markdown(converted) == "Loss 123.5."


def test_a_missing_glue_key_names_the_key_and_page(refs):
    with pytest.raises(cn.ConversionError, match=r"no glued value 'nope' in book/part/page"):
        convert("{glue:text}`nope:.2f`", refs)


@pytest.mark.parametrize(
    ("role", "text"),
    [
        ("{doc}`../theory/other`", f"[Other page]({SITE}/book/theory/other.html)"),
        ("{doc}`that page </book/theory/other>`", f"[that page]({SITE}/book/theory/other.html)"),
        ("{numref}`fig-curves`", f"[Fig. 4]({SITE}/book/part/page.html#fig-curves)"),
        (
            "{numref}`Table %s <tbl-results>`",
            f"[Table 2]({SITE}/book/theory/other.html#tbl-results)",
        ),
        ("{ref}`sec-gates`", f"[Why gates]({SITE}/book/theory/other.html#sec-gates)"),
        ("{ref}`gates <sec-gates>`", f"[gates]({SITE}/book/theory/other.html#sec-gates)"),
        ("{eq}`state`", f"[(3)]({SITE}/book/theory/other.html#equation-state)"),
        ("{term}`hidden state`", f"[hidden state]({SITE}/book/glossary.html#term-hidden-state)"),
        ("{term}`states <Hidden State>`", f"[states]({SITE}/book/glossary.html#term-hidden-state)"),
        ("{cite:t}`elman1990`", "Elman (1990)"),
        ("{cite:p}`elman1990,cho2014`", "(Elman, 1990; Cho et al., 2014)"),
        ("{math}`h_t`", "$h_t$"),
    ],
)
def test_references_become_links_to_the_site_or_plain_text(refs, role, text):
    converted, _ = convert(f"See {role}.", refs)
    assert last_markdown(converted) == f"See {text}."


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("{doc}`missing`", r"\{doc\} names 'missing', which the build lacks"),
        ("{numref}`fig-nope`", r"label 'fig-nope', which is unknown"),
        ("{numref}`sec-gates`", r"`sec-gates` has no number in the build"),
        ("{eq}`nope`", r"equation 'nope', which is unknown"),
        ("{term}`nope`", r"`nope` is not in the glossary"),
        ("{cite:p}`nobody2020`", r"no bibliography entry for nobody2020"),
        ("{kbd}`Ctrl`", r"role \{kbd\} has no plain-Markdown form"),
    ],
)
def test_an_unresolvable_reference_is_an_error_naming_it(refs, role, message):
    with pytest.raises(cn.ConversionError, match=message):
        convert(role, refs)


def test_code_spans_and_code_blocks_are_left_alone(refs):
    text = "Write `{glue:text}` like ``{doc}`x` ``.\n\n```python\n:::{note}\n```"
    converted, _ = convert(text, refs)
    assert last_markdown(converted) == text


EXERCISES = """## Exercises

:::{exercise}
:label: ex-one
How many weights? See {numref}`fig-curves`.
:::

:::{solution} ex-one
:class: dropdown
$64 \\cdot 32$ weights: {glue:text}`acc:.3f`.
:::

:::{exercise} A title
Second one.
:::"""


def test_exercises_are_headings_and_solutions_fold(refs):
    converted, used = convert(EXERCISES, refs)
    assert last_markdown(converted) == (
        "## Exercises\n\n**Exercise 7**\n\n"
        f"How many weights? See [Fig. 4]({SITE}/book/part/page.html#fig-curves).\n\n"
        "<details>\n<summary>Solution to Exercise 7</summary>\n\n"
        "$64 \\cdot 32$ weights: 0.877.\n\n</details>\n\n"
        "**Exercise 8 (A title)**\n\nSecond one."
    )
    assert used == ["0.877"]


def test_admonitions_become_quotes_and_dropdowns_fold(refs):
    text = ":::{note}\nRead {cite:t}`elman1990`.\n:::\n\n```{tip}\n:class: dropdown\nA tip.\n```"
    converted, _ = convert(text, refs)
    assert last_markdown(converted) == (
        "> **Note**\n>\n> Read Elman (1990).\n\n"
        "<details>\n<summary>Tip</summary>\n\nA tip.\n\n</details>"
    )


def test_directive_options_may_be_a_yaml_block(refs):
    converted, _ = convert("```{note}\n---\nclass: dropdown\n---\nHidden.\n```", refs)
    assert last_markdown(converted) == "<details>\n<summary>Note</summary>\n\nHidden.\n\n</details>"


def test_nested_directives_close_at_their_own_fence(refs):
    text = "::::{important}\n:::{note}\nInner.\n:::\nOuter.\n::::"
    converted, _ = convert(text, refs)
    assert last_markdown(converted) == (
        "> **Important**\n>\n> > **Note**\n> >\n> > Inner.\n>\n> Outer."
    )


def test_labels_go_and_numbered_equations_keep_their_number(refs):
    text = "(sec-gates)=\n## Gates\n\n$$\nh_t = \\tanh(a_t)\n$$ (state)\n\nand $x$ inline."
    converted, _ = convert(text, refs)
    assert last_markdown(converted) == (
        "## Gates\n\n$$\nh_t = \\tanh(a_t) \\tag{3}\n$$\n\nand $x$ inline."
    )


def test_figure_and_table_directives_keep_caption_and_number(refs):
    text = (
        ":::{figure} curves.png\n:name: fig-curves\nLearning curves.\n:::\n"
        ":::{table} Results\n:name: tbl-results\n| a |\n|---|\n| 1 |\n:::"
    )
    converted, _ = convert(text, refs)
    assert last_markdown(converted) == (
        f"![]({SITE}/_images/curves.png)\n\n*Fig. 4: Learning curves.*\n\n"
        "*Table 2: Results*\n\n| a |\n|---|\n| 1 |"
    )


def test_an_unknown_directive_or_unclosed_fence_is_an_error(refs):
    with pytest.raises(cn.ConversionError, match=r"directive \{tableofcontents\} has no plain"):
        convert(":::{tableofcontents}\n:::", refs)
    with pytest.raises(cn.ConversionError, match=r"a fence ':::' is never closed"):
        convert(":::{note}\nopen", refs)


def test_code_cells_are_unchanged_and_keep_what_the_site_shows(refs):
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "F"})
    table = nbformat.v4.new_output(
        "display_data",
        data={
            "text/markdown": ":::{table} T\n:name: tbl-results\n:::",
            "text/html": "<table><caption>T</caption></table>",
        },
    )
    stderr = nbformat.v4.new_output("stream", name="stderr", text="TF noise")
    outputs = [glued(0.87654, "acc"), glued(2, "shown", display=True), figure, table, stderr]
    converted, _ = convert("Text.", refs, outputs=outputs)
    code = [c for c in converted.cells if c.cell_type == "code"][0]
    assert code.source == "x = 0.87654\nrnnbook.glue('acc', x)"
    kept = [o.get("data", {}) for o in code.outputs]
    table_html = "<table><caption>Table 2: T</caption></table>"
    assert kept == [{"text/plain": "2"}, figure.data, {"text/html": table_html}]
    assert all("scrapbook" not in o.get("metadata", {}) for o in code.outputs)


def test_a_hidden_cell_keeps_its_code_but_loses_its_outputs(refs):
    converted, _ = convert("Text.", refs, tags=["remove-cell"])
    code = [c for c in converted.cells if c.cell_type == "code"][0]
    assert code.source.startswith("x = 0.87654") and code.outputs == []


def test_the_copy_names_its_page_book_and_version_under_its_title(refs):
    refs.book = "The Book"
    converted, _ = convert("Text.", refs)
    title, banner = converted.cells[0].source.split("\n\n")
    assert title == "# A page"
    assert banner.startswith(f"*This notebook is the page [A page]({SITE}/book/part/page.html)")
    assert f"of [The Book]({SITE}), version {VERSION}." in banner


def test_the_check_finds_myst_left_changed_code_and_lost_values(refs):
    nb = notebook("Fine.")
    broken = copy.deepcopy(nb)
    broken.cells[2].source = "Still {numref}`fig-curves`."
    with pytest.raises(cn.ConversionError, match=r"MyST left in the copy: '\{numref\}`fig-curves`"):
        cn.check_copy(nb, broken, [], "page")
    broken.cells[2].source = ":::{exercise}"
    with pytest.raises(cn.ConversionError, match=r"MyST left in the copy: ':::\{'"):
        cn.check_copy(nb, broken, [], "page")
    broken.cells[2].source = "Fine."
    with pytest.raises(cn.ConversionError, match=r"the glued value '0.88' is missing"):
        cn.check_copy(nb, broken, ["0.88"], "page")
    broken.cells[1].source = "x = 1"
    with pytest.raises(cn.ConversionError, match=r"code cells differ from the page's"):
        cn.check_copy(nb, broken, [], "page")


def test_citations_read_the_books_bibliography():
    citations = cn.read_citations([ROOT / "book" / "references.bib"])
    assert citations["elman1990"] == ("Elman", "1990")
    assert citations["hochreiter1997"] == ("Hochreiter and Schmidhuber", "1997")
    assert citations["bengio1994"] == ("Bengio et al.", "1994")


def test_the_site_url_is_the_repositorys_pages_address_unless_baseurl_says():
    config = {"repository": {"url": "https://github.com/org/name"}}
    assert cn.site_url(config) == "https://org.github.io/name"
    assert cn.site_url({**config, "html": {"baseurl": "https://book.org/"}}) == "https://book.org"


def test_the_colab_button_opens_the_copy_on_the_configured_branch():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["repository"]["branch"] == "colab"


def test_a_page_without_a_colab_button_fails_with_the_fix(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text("<html>no buttons</html>")
    with pytest.raises(cn.ConversionError, match=r"no Colab button opening .*check launch"):
        cn.point_buttons(tmp_path, "book/page", "https://github.com/o/r", "colab")


def test_a_markdown_pages_button_is_pointed_at_its_notebook_copy(tmp_path):
    (tmp_path / "book").mkdir()
    md_url = "https://colab.research.google.com/github/o/r/blob/colab/book/page.md"
    (tmp_path / "book" / "page.html").write_text(f'<a href="{md_url}">Colab</a>')
    cn.point_buttons(tmp_path, "book/page", "https://github.com/o/r", "colab")
    page = (tmp_path / "book" / "page.html").read_text()
    assert re.search(r"blob/colab/book/page\.ipynb", page) and ".md" not in page


def test_the_command_fails_with_a_one_line_error_before_a_build(tmp_path, capsys):
    assert cn.main([str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().endswith("run jupyter-book build first")


REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def test_a_page_without_a_setup_cell_gets_one_pinned_to_the_version(refs):
    nb = notebook("Text.", [glued(0.87654, "acc")])
    glue = {"book/part/page": cn.glue_values(nb)}
    converted, _ = cn.convert_notebook(nb, "book/part/page", glue, refs, VERSION, REPOSITORY)
    assert [c.cell_type for c in converted.cells] == ["markdown", "code", "code", "markdown"]
    code = [c.source for c in converted.cells if c.cell_type == "code"]
    assert f'%pip install --quiet "rnnbook @ git+{REPOSITORY}@v{VERSION}"' in code[0]
    assert code[1:] == [c.source for c in nb.cells if c.cell_type == "code"]
    nbformat.validate(converted)


def test_a_pin_other_than_the_packages_version_fails_the_copy(refs):
    nb = notebook("Text.", [glued(0.87654, "acc")])
    nb.cells[1].source = f'%pip install --quiet "rnnbook @ git+{REPOSITORY}@v0.0.1"\nimport rnnbook'
    with pytest.raises(
        cn.ConversionError, match=rf"installs rnnbook from \S+@v0\.0\.1, not \S+@v{VERSION}"
    ):
        cn.convert_notebook(nb, "book/part/page", {}, refs, VERSION, REPOSITORY)


def test_a_definition_list_becomes_bullets_with_the_term_in_bold(refs):
    text = (
        "Kinds:\n\nMany-to-one\n: One output, from $h_T$;\n  read to the end.\n\n"
        "Many-to-many\n: One per step.\n: Or fewer."
    )
    converted, _ = convert(text, refs)
    assert last_markdown(converted) == (
        "Kinds:\n\n- **Many-to-one**: One output, from $h_T$;\n  read to the end.\n\n"
        "- **Many-to-many**: One per step.\n\n  Or fewer."
    )


def test_code_that_starts_a_line_is_not_taken_for_myst(refs):
    converted, _ = convert("Symbols:\n`h_t`: the state, and `{doc}` is a role's name.", refs)
    assert last_markdown(converted).startswith("Symbols:\n`h_t`: the state")


def test_a_figure_cell_is_followed_by_its_numbered_caption(refs):
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})
    nb = notebook("Text.", [image])
    nb.cells[1].metadata["mystnb"] = {
        "figure": {"caption": "Curves, see {cite:t}`elman1990`.", "name": "fig-curves"}
    }
    converted, _ = cn.convert_notebook(nb, "book/part/page", {}, refs, VERSION)
    assert [c.cell_type for c in converted.cells[1:3]] == ["code", "markdown"]
    assert converted.cells[2].source == "*Fig. 4: Curves, see Elman (1990).*"


# A small book that uses each construct, executed into the cache and rendered
# by Jupyter Book as the book is: the generator reads this build's Sphinx
# environment and execution cache, and its copies must print what the site prints.
MINI_CONFIG = """\
title: Mini
execute:
  execute_notebooks: cache
parse:
  myst_enable_extensions: [amsmath, colon_fence, dollarmath, deflist]
bibtex_bibfiles: [refs.bib]
sphinx:
  extra_extensions: [sphinx_exercise]
  config:
    bibtex_reference_style: author_year
    numfig: true
    math_numfig: true
repository:
  url: https://github.com/o/r
  branch: colab
launch_buttons:
  colab_url: https://colab.research.google.com
html:
  use_download_button: true
"""
MINI_TOC = """\
format: jb-book
root: intro
chapters:
  - file: part/page
  - file: part/theory
  - file: glossary
  - file: bibliography
"""
MINI_PAGE_TEXT = """\
(sec-results)=
## Results

Accuracy {glue:text}`acc:.2f` in {numref}`fig-mini`, by {eq}`mini-update` of
{doc}`theory`; the {term}`hidden state` after {cite:t}`elman1990`.

:::{exercise}
:label: ex-mini
Why {glue:text}`../part/page.ipynb::steps:d` steps?
:::

:::{solution} ex-mini
:class: dropdown
Because.
:::
"""
MINI_THEORY = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Theory

$$
h_t = \\tanh(W h_{t-1})
$$ (mini-update)

Many-to-one
: One output {cite:p}`elman1990`.

```{code-cell} ipython3
import rnnbook
```
"""
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9a"
    "wAAAABJRU5ErkJggg=="
)


def copy_of(build, doc):
    return nbformat.read(build / "colab" / "part" / f"{doc}.ipynb", as_version=4)


@pytest.mark.slow
def test_a_small_books_copies_print_what_its_site_prints(tmp_path):
    book = tmp_path / "mini"
    (book / "part").mkdir(parents=True)
    (book / "_config.yml").write_text(MINI_CONFIG)
    (book / "_toc.yml").write_text(MINI_TOC)
    (book / "pyproject.toml").write_text('[project]\nversion = "9.9.9"\n')
    (book / "refs.bib").write_text(
        "@article{elman1990, author = {Elman, Jeffrey L.}, title = {Finding Structure in"
        " Time}, journal = {Cognitive Science}, year = {1990}}\n"
    )
    (book / "intro.md").write_text("# Mini\n\nA book.\n")
    (book / "glossary.md").write_text("# Glossary\n\n```{glossary}\nhidden state\n  It.\n```\n")
    (book / "bibliography.md").write_text("# References\n\n```{bibliography}\n```\n")
    (book / "part" / "theory.md").write_text(MINI_THEORY)
    page = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    code = nbformat.v4.new_code_cell(
        "import base64\n"
        "from IPython.display import Image\n"
        "from myst_nb import glue\n\n"
        "glue('acc', 0.87654, display=False)\n"
        "glue('steps', 12, display=False)\n"
        f"Image(base64.b64decode('{PNG}'))",
        metadata={"mystnb": {"figure": {"caption": "A dot.", "name": "fig-mini"}}},
    )
    page.cells = [
        nbformat.v4.new_markdown_cell("# Page"),
        code,
        nbformat.v4.new_markdown_cell(MINI_PAGE_TEXT),
    ]
    nbformat.write(page, book / "part" / "page.ipynb")
    build = book / "_build"
    # The first build executes the notebooks into the cache; the second renders
    # every page from the cache, as make book does after tools/execute_book.py
    # (myst-nb then writes the page's notebook without its outputs).
    for _ in range(2):
        for folder in ("html", ".doctrees", "jupyter_execute"):
            shutil.rmtree(build / folder, ignore_errors=True)
        result = subprocess.run(
            [str(Path(sys.executable).with_name("jupyter-book")), "build", str(book)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert not nbformat.read(build / "jupyter_execute/part/page.ipynb", 4).cells[1].outputs

    written = cn.generate(build, book / "_config.yml")

    assert [o.output_type for o in copy_of(build, "page").cells[1].outputs] == ["execute_result"]
    assert sorted(p.relative_to(build / "colab").as_posix() for p in written) == [
        "part/page.ipynb",
        "part/theory.ipynb",
    ]
    site = (build / "html" / "part" / "page.html").read_text()
    copy_ = nbformat.read(build / "colab" / "part" / "page.ipynb", as_version=4)
    text = "\n".join(c.source for c in copy_.cells if c.cell_type == "markdown")
    figure = re.search(r'caption-number">(Fig\. [\d.]+) ?<', site).group(1)
    exercise = re.search(r"(Exercise [\d.]+)", site).group(1)
    theory = (build / "html" / "part" / "theory.html").read_text()
    equation = re.search(r'class="eqno">(\([\d.]+\))', theory).group(1)
    for shown in ("0.88", "12", f"[{figure}](", f"*{figure}: A dot.*", f"**{exercise}**"):
        assert shown in text, shown
    assert f"Solution to {exercise}" in text and "Elman (1990)" in text
    assert f"[{equation}](https://o.github.io/r/part/theory.html#equation-mini-update)" in text
    assert "(https://o.github.io/r/glossary.html#term-hidden-state)" in text
    assert "[Theory](https://o.github.io/r/part/theory.html)" in text
    theory_copy = nbformat.read(build / "colab" / "part" / "theory.ipynb", as_version=4)
    theory_text = "\n".join(c.source for c in theory_copy.cells)
    assert "- **Many-to-one**: One output (Elman, 1990)." in theory_text
    assert f"\\tag{{{equation[1:-1]}}}" in theory_text
    assert '"rnnbook @ git+https://github.com/o/r@v9.9.9"' in theory_text
    for doc in ("page", "theory"):
        download = nbformat.read(build / "html" / "_sources" / "part" / f"{doc}.ipynb", 4)
        assert download == nbformat.read(build / "colab" / "part" / f"{doc}.ipynb", 4)
        html_page = (build / "html" / "part" / f"{doc}.html").read_text()
        assert f"github/o/r/blob/colab/part/{doc}.ipynb" in html_page
        assert f"blob/colab/part/{doc}.md" not in html_page
