"""Copies of the book's notebooks that read the same in Colab or Jupyter as on the site.

The site renders MyST: glue roles, cross-references, citations, exercises.
Colab and Jupyter do not, so a learner who opened a page's notebook would read
``{glue:text}`key:.2f``` where the site shows a number. After Jupyter Book
has rendered the site, this script writes, from the build's notebooks
(``<build>/jupyter_execute/...``, their outputs from the execution cache),
one copy of every notebook page in plain Markdown and code:

* glue roles become the build's values, formatted as the site formats them
  (``path.ipynb::key`` from the other page's glue);
* ``{doc}``, ``{ref}``, ``{numref}``, ``{eq}`` and ``{term}`` become links to
  the published site, with the numbers and titles of this build (read from
  Sphinx's environment); ``{cite:p}``/``{cite:t}`` become "(Author, year)" and
  "Author (year)" from ``book/references.bib``;
* exercises become bold headings, solutions fold inside ``<details>``,
  admonitions become quotes, labels are dropped, numbered equations keep
  their number (``\\tag``);
* code cells are unchanged, and keep the outputs the site shows (the
  figures, tables and logs the text talks about), without what the site
  hides (``remove-cell``/``remove-output`` cells, stderr, glue records).

The copies go to ``<build>/colab/<page>.ipynb`` (the publish workflow pushes
that folder to the ``colab`` branch, which the Colab button opens) and replace
the site's download (``<build>/html/_sources/<page>.ipynb``). The Colab
button of a page written in MyST Markdown is pointed at its ``.ipynb`` copy.
Every copy is checked: no MyST syntax left, every glued value present, the
code cells those of the executed notebook. Any failure stops ``make book``.

Usage: ``python tools/colab_notebooks.py <output path>/_build``
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import pickle
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]

ADMONITIONS = {
    "admonition": "",
    "attention": "Attention",
    "caution": "Caution",
    "danger": "Danger",
    "error": "Error",
    "hint": "Hint",
    "important": "Important",
    "note": "Note",
    "seealso": "See also",
    "tip": "Tip",
    "warning": "Warning",
}
# What the site hides of a cell's output (_config.yml: execute.stderr_output: remove).
HIDDEN_OUTPUT_TAGS = {"remove-cell", "remove-output"}

# A role (``{name}`` then a code span) or a plain code span, which stays as it is.
INLINE = re.compile(r"(\{[A-Za-z][\w:+-]*\})?(`+)(.+?)\2(?!`)", re.DOTALL)
FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>:{3,}|`{3,}|~{3,})(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:+-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
DEFINITION = re.compile(r"^: +")
TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
MATH_LABEL = re.compile(r"^(?P<indent>\s*)\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
# MyST that must not survive in a copy: a role, a directive fence, a target.
LEFTOVER = re.compile(
    r"\{[A-Za-z][\w:+-]*\}`|^\s*(?::{3,}|`{3,}|~{3,})\{|^\s*\([^()\s]+\)=\s*$"
    r"|^\s*\$\$\s*\(\S+\)|^: ",
    re.MULTILINE,
)


class ConversionError(ValueError):
    """A construct the generator does not know how to write in plain Markdown."""


@dataclass
class Refs:
    """What the build resolved: titles, labels, numbers, glossary terms, citations.

    ``labels`` maps a label to (page, anchor, title); ``numbers`` a label of a
    figure, table or exercise to its number as the site prints it
    ("Fig. 3"); ``equations`` a label to (page, number); ``terms`` a
    lower-case term to (page, anchor); ``citations`` a BibTeX key to
    (authors, year); ``exercises`` a page to its exercise numbers in order.
    """

    site: str
    book: str = "the book"
    titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    equations: dict[str, tuple[str, str]] = field(default_factory=dict)
    terms: dict[str, tuple[str, str]] = field(default_factory=dict)
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)
    exercises: dict[str, list[str]] = field(default_factory=dict)

    def url(self, page: str, anchor: str = "") -> str:
        return f"{self.site.rstrip('/')}/{page}.html" + (f"#{anchor}" if anchor else "")


# --------------------------------------------------------------------------
# What the build knows: glue values, Sphinx's environment, the bibliography.


def glue_values(notebook) -> dict[str, dict]:
    """The mime bundles a notebook glued, by key (myst-nb's own extraction)."""
    from myst_nb.ext.glue import extract_glue_data_cell

    values = {}
    for cell in copy.deepcopy(notebook).cells:
        if cell.cell_type == "code":
            values.update({k: v["data"] for k, v in extract_glue_data_cell(cell)})
    return values


def format_glue(bundle: dict, role: str, spec: str, where: str) -> str:
    """A glued value as the site prints it (myst-nb's formatting of text/plain)."""
    from myst_nb.core.variables import format_plain_text

    if role == "glue:md" or (role == "glue:any" and "text/markdown" in bundle):
        if "text/markdown" not in bundle:
            raise ConversionError(f"{where}: glue {role} needs text/markdown, the value has none")
        return "".join(bundle["text/markdown"])
    if "text/plain" not in bundle:
        raise ConversionError(f"{where}: the glued value has no text to print (text/plain)")
    text = "".join(bundle["text/plain"])
    if role == "glue:any":
        return text
    try:
        return format_plain_text(text, spec)
    except ValueError as error:
        raise ConversionError(f"{where}: cannot format {text!r} with {spec!r}: {error}") from None


def author_names(entry) -> str:
    """Authors as the site's author-year citations print them: A, A and B, A et al."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    lasts = [plain_tex(" ".join(p.prelast_names + p.last_names)) for p in persons]
    if not lasts:
        return plain_tex(entry.fields.get("organization", entry.fields.get("title", "?")))
    if len(lasts) == 1:
        return lasts[0]
    if len(lasts) == 2:
        return f"{lasts[0]} and {lasts[1]}"
    return f"{lasts[0]} et al."


def plain_tex(text: str) -> str:
    """BibTeX text without braces and accent commands: ``Schmidhuber, J{\\"u}rgen`` → Jürgen."""
    import codecs

    import latexcodec  # noqa: F401 - registers the "ulatex" codec (a pybtex dependency)

    return re.sub(r"[{}]", "", codecs.decode(text, "ulatex")).strip()


def read_citations(bibfiles: list[Path]) -> dict[str, tuple[str, str]]:
    from pybtex.database import parse_file

    citations = {}
    for bibfile in bibfiles:
        for key, entry in parse_file(str(bibfile)).entries.items():
            citations[key] = (author_names(entry), entry.fields.get("year", "n.d."))
    return citations


def refs_from_build(build: Path, site: str, bibfiles: list[Path]) -> Refs:
    """Titles, labels, numbers and terms from the Sphinx environment of a build."""
    env_file = build / ".doctrees" / "environment.pickle"
    if not env_file.exists():
        raise FileNotFoundError(
            f"{env_file} is missing: run jupyter-book build first (make book does)"
        )
    with env_file.open("rb") as stream:
        env = pickle.load(stream)  # noqa: S301 - the build's own file
    refs = Refs(site=site, citations=read_citations(bibfiles))
    refs.titles = {doc: node.astext() for doc, node in env.titles.items()}
    std = env.domaindata["std"]
    for label, (doc, anchor, title) in std["labels"].items():
        refs.labels[label] = (doc, anchor, title)
    for label, (doc, anchor) in std["anonlabels"].items():
        refs.labels.setdefault(label, (doc, anchor, ""))
    for (kind, name), (doc, anchor) in std["objects"].items():
        if kind == "term":
            refs.terms[name.lower()] = (doc, anchor)
    formats = dict(env.config.numfig_format)
    formats.setdefault("exercise", "Exercise %s")
    for label, (doc, anchor, _) in list(refs.labels.items()):
        for figtype, numbers in env.toc_fignumbers.get(doc, {}).items():
            if anchor in numbers:
                number = ".".join(map(str, numbers[anchor]))
                refs.numbers[label] = formats.get(figtype, "%s") % number
    for doc, by_type in env.toc_fignumbers.items():
        numbers = sorted(by_type.get("exercise", {}).values())
        refs.exercises[doc] = [".".join(map(str, n)) for n in numbers]
    for label, (doc, number) in env.domaindata["math"]["objects"].items():
        # The number the page prints: with math_numfig, Sphinx's figure numbering.
        numbered = env.toc_fignumbers.get(doc, {}).get("displaymath", {})
        if f"equation-{label}" in numbered:
            number = ".".join(map(str, numbered[f"equation-{label}"]))
        refs.equations[label] = (doc, str(number))
    return refs


# --------------------------------------------------------------------------
# Markdown: roles inline, directives by block.


def split_target(body: str) -> tuple[str | None, str]:
    """``text <target>`` → (text, target); ``target`` → (None, target)."""
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", body.strip())
    if match and match.group(1):
        return match.group(1), match.group(2).strip()
    return None, body.strip()


@dataclass
class Page:
    """The page being converted: its name, its glue and the other pages' glue."""

    doc: str
    glue: dict[str, dict[str, dict]]
    refs: Refs
    used: list[str] = field(default_factory=list)  # glued texts written, for the check
    exercise_count: int = 0

    def where(self) -> str:
        return f"{self.doc}.ipynb"


def resolve_doc(current: str, target: str) -> str:
    target = re.sub(r"\.(ipynb|md|rst)$", "", target)
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for part in (PurePosixPath(current).parent / target).parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def link(text: str, url: str) -> str:
    return f"[{text}]({url})"


def convert_role(name: str, body: str, page: Page) -> str:
    refs, where = page.refs, page.where()
    if name in ("glue", "glue:", "glue:any", "glue:text", "glue:md"):
        role = "glue:any" if name in ("glue", "glue:") else name
        content, doc = body.strip(), page.doc
        if "::" in content:
            path, content = content.split("::", 1)
            doc = resolve_doc(page.doc, path)
        key, spec = content, ""
        if role == "glue:text":  # key:format_spec, as myst-nb reads it
            key, spec = content.rsplit(":", 1) if ":" in content else (content, "s")
        bundle = page.glue.get(doc, {}).get(key)
        if bundle is None:
            raise ConversionError(f"{where}: no glued value {key!r} in {doc}.ipynb")
        text = format_glue(bundle, role, spec, where)
        page.used.append(text)
        return text
    if name == "doc":
        text, target = split_target(body)
        doc = resolve_doc(page.doc, target)
        if doc not in refs.titles:
            raise ConversionError(f"{where}: {{doc}} names {target!r}, which the build lacks")
        return link(text or refs.titles[doc], refs.url(doc))
    if name in ("ref", "numref"):
        text, label = split_target(body)
        if label not in refs.labels:
            raise ConversionError(f"{where}: {{{name}}} names label {label!r}, which is unknown")
        doc, anchor, title = refs.labels[label]
        if name == "numref":
            number = refs.numbers.get(label)
            if number is None:
                raise ConversionError(f"{where}: {{numref}} `{label}` has no number in the build")
            if text:
                bare = number.split()[-1]
                text = text.replace("%s", bare).replace("{number}", bare)
                text = text.replace("{name}", title)
            return link(text or number, refs.url(doc, anchor))
        return link(text or title or label, refs.url(doc, anchor))
    if name == "eq":
        text, label = split_target(body)
        if label not in refs.equations:
            raise ConversionError(f"{where}: {{eq}} names equation {label!r}, which is unknown")
        doc, number = refs.equations[label]
        return link(text or f"({number})", refs.url(doc, f"equation-{label}"))
    if name == "term":
        text, term = split_target(body)
        found = refs.terms.get(term.lower())
        if found is None:
            raise ConversionError(f"{where}: {{term}} `{term}` is not in the glossary")
        return link(text or term, refs.url(*found))
    if name.startswith("cite"):
        keys = [k.strip() for k in body.split(",") if k.strip()]
        missing = [k for k in keys if k not in refs.citations]
        if missing:
            raise ConversionError(f"{where}: no bibliography entry for {', '.join(missing)}")
        cited = [refs.citations[k] for k in keys]
        if name in ("cite:t", "cite:ts"):
            return ", ".join(f"{authors} ({year})" for authors, year in cited)
        if name in ("cite", "cite:p", "cite:ps"):
            return "(" + "; ".join(f"{authors}, {year}" for authors, year in cited) + ")"
        raise ConversionError(f"{where}: citation role {{{name}}} is not supported")
    if name == "math":
        return f"${body}$"
    raise ConversionError(
        f"{where}: role {{{name}}} has no plain-Markdown form; teach tools/colab_notebooks.py"
    )


def convert_inline(text: str, page: Page) -> str:
    """Replace roles; leave code spans (including ones that show role syntax) alone."""
    out, pos = [], 0
    for match in INLINE.finditer(text):
        out.append(text[pos : match.start()])
        if match.group(1):
            out.append(convert_role(match.group(1)[1:-1], match.group(3), page))
        else:
            out.append(match.group(0))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
        and len(line) - len(line.lstrip()) <= 3
    )


def read_block(
    lines: list[str], start: int, fence: str, literal: bool = False
) -> tuple[list[str], int]:
    """The lines of a fenced block from ``start`` to its closing fence, and the index after.

    In a directive, fences opened inside (a directive, a code block) are skipped
    whole; a code block (``literal``) ends at its first closing fence.
    """
    body, i = [], start
    while i < len(lines):
        if closes(lines[i], fence):
            return body, i + 1
        inner = None if literal else FENCE_OPEN.match(lines[i])
        if inner:
            info = inner.group("info").strip()
            _, j = read_block(lines, i + 1, inner.group("fence"), not info.startswith("{"))
            body += lines[i:j]
            i = j
            continue
        body.append(lines[i])
        i += 1
    raise ConversionError(f"a fence {fence!r} is never closed")


def split_options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    options, i = {}, 0
    if body and body[0].strip() == "---":  # YAML options block
        stripped = [line.strip() for line in body]
        end = stripped.index("---", 1) if "---" in stripped[1:] else -1
        if end > 0:
            options = {k: str(v) for k, v in (yaml.safe_load("\n".join(body[1:end])) or {}).items()}
            return options, body[end + 1 :]
    while i < len(body) and (match := OPTION.match(body[i].strip())):
        options[match.group("key")] = match.group("value")
        i += 1
    return options, body[i:]


def quote(text: str) -> str:
    return "\n".join(("> " + line).rstrip() for line in text.splitlines())


def convert_directive(name: str, arg: str, body: list[str], page: Page) -> str:
    options, content_lines = split_options(body)
    content = convert_markdown("\n".join(content_lines), page).strip("\n")
    arg_text = convert_inline(arg, page).strip()
    where = page.where()
    if name in ("exercise", "exercise-start"):
        numbers = page.refs.exercises.get(page.doc, [])
        number = numbers[page.exercise_count] if page.exercise_count < len(numbers) else ""
        page.exercise_count += 1
        heading = f"**Exercise {number}".rstrip() + (f" ({arg_text})" if arg_text else "") + "**"
        return f"{heading}\n\n{content}"
    if name in ("solution", "solution-start"):
        label = arg.strip()
        number = page.refs.numbers.get(label, "")
        summary = f"Solution to {number}" if number else "Solution"
        return f"<details>\n<summary>{summary}</summary>\n\n{content}\n\n</details>"
    if name in ADMONITIONS:
        title = arg_text if name == "admonition" else ADMONITIONS[name]
        if "dropdown" in options.get("class", ""):
            return f"<details>\n<summary>{title}</summary>\n\n{content}\n\n</details>"
        return quote(f"**{title}**\n\n{content}" if title else content)
    if name == "math":
        return f"$$\n{chr(10).join(content_lines).strip()}\n$$"
    if name in ("figure", "table"):
        label = options.get("name", "")
        number = page.refs.numbers.get(label, "")
        caption = ": ".join(p for p in (number, content if name == "figure" else arg_text) if p)
        if name == "figure":
            source = arg.strip()
            if not re.match(r"^[a-z]+://", source):  # Sphinx copies images to _images/
                source = f"{page.refs.site}/_images/{PurePosixPath(source).name}"
            image = f"![{html.escape(options.get('alt', ''))}]({source})"
            return f"{image}\n\n*{caption}*" if caption else image
        return f"*{caption}*\n\n{content}" if caption else content
    if name in ("glue:md", "glue", "glue:", "glue:any"):
        return convert_role(name, arg, page)
    if name in ("code-block", "code", "sourcecode"):
        return f"```{arg.strip()}\n" + "\n".join(content_lines) + "\n```"
    raise ConversionError(
        f"{where}: directive {{{name}}} has no plain-Markdown form; teach tools/colab_notebooks.py"
    )


def convert_markdown(text: str, page: Page) -> str:
    """One Markdown cell of a page in plain Markdown (CommonMark, HTML, LaTeX math)."""
    lines = text.split("\n")
    out, after_block = "", False
    paragraph: list[str] = []

    def flush():
        if paragraph:
            add(convert_inline("\n".join(paragraph), page))
            paragraph.clear()

    def add(piece: str, block: bool = False):
        """Append whole lines; a converted block stands between blank lines (HTML needs them)."""
        nonlocal out, after_block
        if not out:
            out = piece
        elif block or after_block:
            out = out.rstrip("\n") + "\n\n" + piece.lstrip("\n")
        else:
            out += "\n" + piece
        after_block = block

    i = 0
    while i < len(lines):
        line = lines[i]
        if TARGET.match(line):
            flush()
            i += 1
            continue
        opening = FENCE_OPEN.match(line)
        if opening:
            flush()
            fence, info = opening.group("fence"), opening.group("info").strip()
            directive = DIRECTIVE_INFO.match(info)
            body, i = read_block(lines, i + 1, fence, literal=directive is None)
            if directive:
                name, arg = directive.group("name"), directive.group("arg")
                add(convert_directive(name, arg, body, page), block=True)
            else:  # a code block: verbatim
                add("\n".join([line, *body, opening.group("indent") + fence]))
            continue
        if line.strip().startswith("$$"):
            flush()
            math, i = read_math(lines, i, page)
            add(math)
            continue
        if line.strip() and i + 1 < len(lines) and DEFINITION.match(lines[i + 1]):
            # A definition list (MyST's deflist): a bullet with the term in bold.
            paragraph.append(f"- **{line.strip()}**: {DEFINITION.sub('', lines[i + 1])}")
            i += 2
            while i < len(lines) and DEFINITION.match(lines[i]):
                paragraph += ["", "  " + DEFINITION.sub("", lines[i])]
                i += 1
            continue
        paragraph.append(line)
        i += 1
    flush()
    return out if text.endswith("\n") else out.rstrip("\n")


def read_math(lines: list[str], start: int, page: Page) -> tuple[str, int]:
    """A ``$$`` display block; a label after the closing ``$$`` becomes ``\\tag{n}``."""
    first = lines[start].strip()
    if first.count("$$") >= 2 and not MATH_LABEL.match(lines[start]):
        block, end = [lines[start]], start + 1  # $$ x $$ on one line
    else:
        end = start + 1
        while end < len(lines) and "$$" not in lines[end]:
            end += 1
        if end == len(lines):
            raise ConversionError(f"{page.where()}: a $$ math block is never closed")
        block, end = lines[start : end + 1], end + 1
    closing = MATH_LABEL.match(block[-1])
    if not closing:
        return "\n".join(block), end
    label = closing.group("label")
    if label not in page.refs.equations:
        raise ConversionError(f"{page.where()}: equation label {label!r} is unknown to the build")
    number = page.refs.equations[label][1]
    body = "\n".join(block[:-1])
    environments = re.search(r"\\begin\{(align|equation|gather|multline)\*?\}", body)
    tag = "" if environments or "\\tag" in body else f" \\tag{{{number}}}"
    return f"{body}{tag}\n{closing.group('indent')}$$", end


# --------------------------------------------------------------------------
# Notebooks.


def clean_outputs(cell, numbers: dict[str, str]) -> list:
    """The outputs the site shows for a code cell; ``numbers``: tables' numbers by name."""
    tags = set(cell.metadata.get("tags", []))
    if tags & HIDDEN_OUTPUT_TAGS:
        return []
    kept = []
    for output in cell.outputs:
        if "scrapbook" in output.get("metadata", {}):
            if output["metadata"]["scrapbook"].get("mime_prefix"):
                continue  # a glue record the site does not show
            output = copy.deepcopy(output)
            del output["metadata"]["scrapbook"]
        if output.output_type == "stream" and output.name == "stderr":
            continue
        data = output.get("data", {})
        if "text/markdown" in data and "text/html" in data:
            # rnnbook.report's tables: MyST for the site, HTML for Jupyter and Colab.
            # The HTML caption gets the number the site gives the table.
            output = copy.deepcopy(output)
            markdown = "".join(output["data"].pop("text/markdown"))
            name = re.search(r"^:name:\s*(\S+)", markdown, flags=re.MULTILINE)
            number = numbers.get(name.group(1), "") if name else ""
            if number:
                table = "".join(output["data"]["text/html"])
                output["data"]["text/html"] = table.replace("<caption>", f"<caption>{number}: ", 1)
        kept.append(output)
    return kept


INSTALL = re.compile(r'%pip install --quiet "rnnbook @ git\+(?P<url>\S+)@v(?P<version>[^"]+)"')
SETUP_CELL = """\
# Setup. Where the book's helper package is missing (in Colab, say), install the
# version this page was built with. Importing it chooses the Keras backend:
# JAX when it is installed, otherwise TensorFlow (set KERAS_BACKEND to choose).
try:
    import rnnbook
except ImportError:
    %pip install --quiet "rnnbook @ git+{repository}@v{version}"
    import rnnbook"""


def check_pins(notebook, doc: str, repository: str, version: str) -> None:
    """Every install of the helper package in a copy pins this repository at this version."""
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    pins = list(INSTALL.finditer(code))
    if "rnnbook" in code and not pins:
        raise ConversionError(f"{doc}.ipynb: uses rnnbook but never installs it")
    for pin in pins:
        if (pin.group("url"), pin.group("version")) != (repository, version):
            raise ConversionError(
                f"{doc}.ipynb installs rnnbook from {pin.group('url')}@v{pin.group('version')}, "
                f"not {repository}@v{version} (pyproject.toml, _config.yml): fix its setup cell"
            )


def figure_caption(cell, page: Page) -> str:
    """The numbered caption the site puts under a code cell's figure (``mystnb.figure``)."""
    figure = cell.metadata.get("mystnb", {}).get("figure", {})
    if cell.cell_type != "code" or not figure.get("caption") or not cell.outputs:
        return ""
    number = page.refs.numbers.get(figure.get("name", ""), "")
    caption = convert_markdown(str(figure["caption"]), page).strip()
    return f"*{number}: {caption}*" if number else f"*{caption}*"


def banner(doc: str, refs: Refs, version: str) -> str:
    """The line under a copy's title: which page of which book, and whose numbers."""
    return (
        f"*This notebook is the page [{refs.titles.get(doc, doc)}]({refs.url(doc)}) of "
        f"[{refs.book}]({refs.site}), version {version}. The numbers in the text and "
        "the outputs below are those of the build that published the site; running the "
        "cells replaces the outputs with your own run's.*"
    )


def with_banner(source: str, text: str) -> str:
    """Put ``text`` under the first heading of a Markdown cell (on top when it has none)."""
    heading = re.search(r"^#{1,6} .*$", source, flags=re.MULTILINE)
    if heading is None:
        return f"{text}\n\n{source}"
    end = heading.end()
    return f"{source[:end]}\n\n{text}\n\n{source[end:].lstrip(chr(10))}".rstrip("\n")


def convert_notebook(
    notebook, doc: str, glue: dict, refs: Refs, version: str, repository: str | None = None
):
    """A copy of one executed notebook in plain Markdown and code, and the glued texts.

    A page that uses ``rnnbook`` without installing it (a MyST page, whose
    site shows no setup cell) gets the notebooks' setup cell first, pinned to
    ``repository`` at ``version``.
    """
    copy_nb = copy.deepcopy(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    setup = None
    if repository and "rnnbook" in code and not INSTALL.search(code):
        setup = nbformat.v4.new_code_cell(SETUP_CELL.format(repository=repository, version=version))
        setup.metadata["tags"] = ["hide-input"]
    page = Page(doc=doc, glue=glue, refs=refs)
    cells = []
    for cell in copy_nb.cells:
        if cell.cell_type == "markdown":
            source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
            cell.source = convert_markdown(source, page)
        elif cell.cell_type == "code":
            cell.outputs = clean_outputs(cell, refs.numbers)
        cells.append(cell)
        caption = figure_caption(cell, page)
        if caption:
            cells.append(nbformat.v4.new_markdown_cell(caption))
    first_markdown = next((c for c in cells if c.cell_type == "markdown"), None)
    if first_markdown is None:
        cells.insert(0, nbformat.v4.new_markdown_cell(banner(doc, refs, version)))
    else:
        first_markdown.source = with_banner(first_markdown.source, banner(doc, refs, version))
    if setup is not None:  # just before the page's first code cell
        first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
        cells.insert(first_code, setup)
    copy_nb.cells = cells
    if copy_nb.nbformat_minor < 5:  # cells with ids (the new ones have them)
        copy_nb.nbformat_minor = 5
        for number, cell in enumerate(copy_nb.cells):
            cell.setdefault("id", f"cell-{number}")
    copy_nb.metadata.pop("mystnb", None)
    copy_nb.metadata.pop("jupytext", None)
    check_copy(notebook, copy_nb, page.used, doc, (setup.source,) if setup else ())
    if repository:
        check_pins(copy_nb, doc, repository, version)
    return copy_nb, page.used


def check_copy(executed, converted, used: list[str], doc: str, added: tuple = ()) -> None:
    """No MyST left, every glued text present, the code cells those of the executed notebook.

    ``added``: the sources of code cells the copy adds (a setup cell).
    """
    for cell in converted.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"(?s)```.*?```", "", cell.source)
        roles = INLINE.finditer(text)
        leftover = next((m for m in roles if m.group(1)), None) or LEFTOVER.search(
            INLINE.sub("code", text)
        )
        if leftover:
            raise ConversionError(f"{doc}.ipynb: MyST left in the copy: {leftover.group(0)!r}")
    markdown = "\n".join(c.source for c in converted.cells if c.cell_type == "markdown")
    for text in used:
        if text not in markdown:
            raise ConversionError(f"{doc}.ipynb: the glued value {text!r} is missing")
    before = [c.source for c in executed.cells if c.cell_type == "code"]
    after = [c.source for c in converted.cells if c.cell_type == "code"]
    if added:
        after = [source for source in after if source not in added]
    if before != after:
        raise ConversionError(f"{doc}.ipynb: the copy's code cells differ from the page's")


def colab_branch_url(repository: str, branch: str, doc: str) -> str:
    repo = repository.removeprefix("https://github.com/").rstrip("/")
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{doc}.ipynb"


def point_buttons(html_dir: Path, doc: str, repository: str, branch: str) -> None:
    """Make the page's Colab button open the copy on the colab branch; fail if it has none."""
    page = html_dir / f"{doc}.html"
    text = page.read_text(encoding="utf-8")
    wanted = colab_branch_url(repository, branch, doc)
    markdown_url = wanted.removesuffix(".ipynb") + ".md"
    if markdown_url in text:  # a page written in MyST Markdown: open its notebook copy
        page.write_text(text.replace(markdown_url, wanted), encoding="utf-8")
    elif wanted not in text:
        raise ConversionError(
            f"{page}: no Colab button opening {wanted}: check launch_buttons and "
            "repository in _config.yml"
        )


def site_url(config: dict) -> str:
    """The published site: html.baseurl, else the repository's GitHub Pages address."""
    base = (config.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/")
    owner, name = config["repository"]["url"].removeprefix("https://github.com/").split("/")[:2]
    return f"https://{owner}.github.io/{name}"


def executed_notebook(build: Path, path: Path):
    """A page's notebook with the outputs the site shows.

    With ``execute_notebooks: cache`` (the book's setting), myst-nb writes the
    page's notebook without outputs and takes them from the execution cache;
    so do we. Without a cache the notebook's own outputs are the site's.
    """
    notebook = nbformat.read(path, as_version=4)
    cache_dir = build / ".jupyter_cache"
    if not cache_dir.exists():
        return notebook
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(str(cache_dir)).merge_match_into_notebook(notebook)
    except KeyError:
        raise ConversionError(
            f"{path.name}: no run of this notebook in {cache_dir}: build the book first"
        ) from None
    return merged


def generate(build: Path, config_file: Path = ROOT / "_config.yml") -> list[Path]:
    """Write the copies of every executed notebook of a build; return their paths."""
    config = yaml.safe_load(config_file.read_text())
    version = tomllib.loads((config_file.parent / "pyproject.toml").read_text())["project"][
        "version"
    ]
    executed_dir = build / "jupyter_execute"
    html_dir = build / "html"
    sources = sorted(executed_dir.rglob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(
            f"no executed notebooks in {executed_dir}: run jupyter-book build first"
        )
    bibfiles = [config_file.parent / b for b in config.get("bibtex_bibfiles", [])]
    refs = refs_from_build(build, site_url(config), bibfiles)
    refs.book = config.get("title") or refs.book
    notebooks = {
        p.relative_to(executed_dir).with_suffix("").as_posix(): executed_notebook(build, p)
        for p in sources
    }
    glue = {doc: glue_values(nb) for doc, nb in notebooks.items()}
    for doc in notebooks:  # myst-nb moves a page's glue out of its notebook, into this file
        cache = executed_dir / f"{doc}.glue.json"
        if cache.exists():
            stored = json.loads(cache.read_text(encoding="utf-8"))
            glue[doc].update({key: output["data"] for key, output in stored.items()})
    out_dir = build / "colab"
    written = []
    repository, branch = config["repository"]["url"], config["repository"]["branch"]
    for doc, notebook in notebooks.items():
        converted, _ = convert_notebook(notebook, doc, glue, refs, version, repository)
        target = out_dir / f"{doc}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(converted, target)
        download = html_dir / "_sources" / f"{doc}.ipynb"
        if download.parent.exists():
            nbformat.write(converted, download)
        point_buttons(html_dir, doc, repository, branch)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build", type=Path, help="Jupyter Book's build folder (<output>/_build)")
    args = parser.parse_args(argv)
    try:
        written = generate(args.build)
    except (ConversionError, FileNotFoundError) as error:
        print(f"colab_notebooks: {error}", file=sys.stderr)
        return 1
    print(f"colab_notebooks: {len(written)} notebooks for Colab in {args.build / 'colab'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
