"""Fail a built site that shows MyST markup to its readers.

Jupyter Book leaves a role or a directive as literal text when the source
is malformed (a role inside inline code, a fence that a blank line broke,
``$...$`` math that the parser did not see), and Sphinx does not warn. This
script reads every page of the rendered site and reports, page by page,
any literal role (``{cite:p}``, ``{glue:text}``, ``{doc}``, ``{numref}``,
``{term}``, ...), directive fence (```` ```{...} ````, ``:::{...}``) or
unrendered ``$`` in the text a reader sees, outside code and math.

Usage::

    python tools/check_site.py _build/html
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

# Text a reader never sees as prose: code, preformatted outputs, scripts,
# and math that MathJax typesets (Sphinx wraps it in "math" spans/divs).
SKIPPED_TAGS = ("pre", "code", "script", "style", "kbd", "samp", "textarea")
MATH_CLASSES = {"math", "MathJax", "MathJax_Preview", "notranslate nohighlight"}

ROLE = re.compile(r"\{(?:[a-z]+:)?[a-z][a-z-]*(?::[a-z]+)?\}`")
DIRECTIVE = re.compile(r"(?:```|:::)\s*\{[a-z][\w:-]*\}")
BARE_ROLE = re.compile(
    r"\{(?:cite(?::[a-z]+)?|glue(?::[a-z]+)?|doc|numref|ref|term|eq|math|download|abbr)\}"
)
DOLLAR = re.compile(r"\$")


def _in_skipped(element) -> bool:
    for parent in element.parents:
        if parent.name in SKIPPED_TAGS:
            return True
        classes = set(parent.get("class") or [])
        if classes & MATH_CLASSES:
            return True
    return False


def literal_markup(html: str) -> list[str]:
    """Return the pieces of MyST markup left as text in one rendered page.

    Parameters
    ----------
    html : str
        The page's HTML.

    Returns
    -------
    list of str
        One short excerpt around each literal role, directive fence or ``$``
        in the page's visible text (outside code and math); empty when the
        page is clean.

    Examples
    --------
    >>> literal_markup("<p>See {cite:p}`elman1990`.</p>")
    ['...See {cite:p}`elman1990`....']
    >>> literal_markup("<p><code>{glue:text}`x`</code>, <span class='math'>$x$</span></p>")
    []
    """
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup.find(attrs={"role": "main"}) or soup
    found = []
    for text in main.find_all(string=True):
        if _in_skipped(text) or type(text).__name__ in ("Comment", "Doctype"):
            continue
        value = str(text)
        for pattern in (ROLE, DIRECTIVE, BARE_ROLE, DOLLAR):
            for match in pattern.finditer(value):
                start, end = max(match.start() - 30, 0), min(match.end() + 30, len(value))
                excerpt = " ".join(value[start:end].split())
                found.append(f"...{excerpt}...")
    return sorted(set(found), key=found.index)


def check_site(site: Path) -> dict[str, list[str]]:
    """Map each page of ``site`` that shows markup to what it shows."""
    if not site.is_dir():
        raise FileNotFoundError(f"no built site at {site}: run `make book` first")
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)
    if not pages:
        raise FileNotFoundError(f"no HTML pages under {site}: run `make book` first")
    problems = {}
    for page in pages:
        found = literal_markup(page.read_text(encoding="utf-8"))
        if found:
            problems[str(page.relative_to(site))] = found
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site, e.g. _build/html")
    args = parser.parse_args(argv)
    try:
        problems = check_site(args.site)
    except FileNotFoundError as error:
        print(f"check_site: {error}", file=sys.stderr)
        return 2
    for page, found in problems.items():
        for excerpt in found:
            print(f"{page}: literal markup: {excerpt}", file=sys.stderr)
    if problems:
        print(
            f"check_site: {len(problems)} page(s) show MyST markup as text: fix the source "
            "(a role inside inline code, a broken fence, or $ math the parser did not see)",
            file=sys.stderr,
        )
        return 1
    print(f"check_site: no literal markup in {args.site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
