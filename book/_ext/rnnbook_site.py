"""Sphinx additions of the book's site (loaded through ``_config.yml``).

* Every figure's image gets its caption as alternative text (myst-nb
  writes the image's file path there otherwise), and an image of a code
  cell's output outside a figure gets a short description instead of a path.
* ``{book-exec-table}``: the execution statistics of every executed page,
  in the order of the table of contents, with each page's title.
"""

from __future__ import annotations

from datetime import UTC, datetime

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

OUTPUT_IMAGE_ALT = "Figure drawn by the code cell above"


class FigureAltText(SphinxPostTransform):
    """Alternative text from captions; never a file path."""

    default_priority = 400

    def run(self, **kwargs) -> None:
        for image in self.document.findall(nodes.image):
            figure = image.parent
            while figure is not None and not isinstance(figure, nodes.figure):
                figure = figure.parent
            caption = (
                next(iter(figure.findall(nodes.caption)), None)
                if figure
                else None
            )
            if caption is not None and caption.astext().strip():
                image["alt"] = " ".join(caption.astext().split())
            elif not image.get("alt") or image["alt"] == image.get("uri"):
                image["alt"] = OUTPUT_IMAGE_ALT


class ExecTableNode(nodes.General, nodes.Element):
    """Placeholder replaced by the table once every page is executed."""


class BookExecTable(SphinxDirective):
    """``{book-exec-table}``: execution statistics in the book's order."""

    def run(self):
        self.env.metadata[self.env.docname]["has_book_exec_table"] = True
        return [ExecTableNode()]


def toc_order(env) -> list[str]:
    """Every document reachable from the root, in reading order."""
    order: list[str] = []

    def visit(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order


def _entry(*children) -> nodes.entry:
    paragraph = nodes.paragraph()
    paragraph.extend(children)
    return nodes.entry("", paragraph)


class ExecTablePostTransform(SphinxPostTransform):
    default_priority = 8  # before references are resolved

    def run(self, **kwargs) -> None:
        env = self.env
        for node in list(self.document.findall(ExecTableNode)):
            table = nodes.table(classes=["colwidths-auto", "exec-table"])
            tgroup = nodes.tgroup(cols=4)
            table += tgroup
            for _ in range(4):
                tgroup += nodes.colspec(colwidth=25)
            head = nodes.row()
            for name in (
                "Page",
                "Executed (UTC)",
                "Seconds",
                "Ran without error",
            ):
                head += _entry(nodes.Text(name))
            tgroup += nodes.thead("", head)
            body = nodes.tbody()
            tgroup += body
            executed = getattr(env, "nb_metadata", {})  # myst-nb's record
            for docname in toc_order(env):
                data = executed.get(docname, {}).get("exec_data")
                if not data:
                    continue
                link = pending_xref(
                    refdoc=env.docname,
                    reftarget="/" + docname,
                    reftype="doc",
                    refdomain="std",
                    refexplicit=True,
                    refwarn=True,
                    classes=["xref", "doc"],
                )
                title = (
                    env.titles[docname].astext()
                    if docname in env.titles
                    else docname
                )
                link += nodes.inline(text=title)
                when = data.get("mtime")
                when = (
                    datetime.fromtimestamp(when, UTC).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                    if when
                    else ""
                )
                runtime = data.get("runtime")
                row = nodes.row()
                row += _entry(link)
                row += _entry(nodes.Text(when))
                row += _entry(
                    nodes.Text("" if runtime is None else f"{runtime:.1f}")
                )
                row += _entry(
                    nodes.Text("yes" if data.get("succeeded") else "no")
                )
                body += row
            node.replace_self(table)


def _rebuild_exec_tables(app, env):
    """Pages with the table are written again, once all times are known."""
    return [
        d
        for d, meta in env.metadata.items()
        if meta.get("has_book_exec_table")
    ]


def setup(app):
    app.add_post_transform(FigureAltText)
    app.add_node(ExecTableNode)
    app.add_directive("book-exec-table", BookExecTable)
    app.add_post_transform(ExecTablePostTransform)
    app.connect("env-updated", _rebuild_exec_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
