"""One self-contained HTML page that steps through a graph's forward and backward passes.

:func:`graph_page` turns a Value graph into a :class:`Page`: one HTML file with
its SVG, CSS and JavaScript inline, which needs no kernel, no server and no
network (a Content-Security-Policy ``default-src 'none'`` forbids every
request). It opens from disk in any current browser, and in Jupyter it shows
itself inline (:meth:`Page._repr_html_`, an ``<iframe srcdoc>``, so it keeps
working in a notebook exported to HTML).

The page is another reader of the engine, not a second implementation of it:

* the drawing is :func:`autograd.viz.draw_dot`'s SVG, every node element
  tagged with ``data-node="NAME"`` (the names of :func:`autograd.table.node_names`);
* the steps are those of :func:`autograd.stepper.forward_steps` and
  :func:`autograd.stepper.backward_steps`, with their text written with every
  number in full (``describe(digits=None)``, as ``deltagrad grad --steps``
  prints numbers);
* the rule behind every local derivative comes from the op table
  (:meth:`autograd.Op.rule`), and each contribution a node receives is the
  step-through's own :meth:`~autograd.stepper.Contribution.arithmetic`.

The page's script computes no number: it only shows, hides and moves the
strings written here. A step highlights its node (class ``current``), tints
the nodes it reads (forward) or sends to (backward) (class ``receiving``),
and blanks every value not yet computed and every gradient not yet finished.

>>> from autograd import Value
>>> a, b = Value(2.0, "a"), Value(-3.0, "b")
>>> L = (a * b).tanh()
>>> page = graph_page(L, title="tanh(a*b)")  # doctest: +SKIP
>>> page.save("out/tanh.html")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import Value, nodes_of
from autograd.atomic import write_atomic
from autograd.formatting import format_exact, format_number
from autograd.stepper import BackwardStep, ForwardStep, backward_steps, forward_steps
from autograd.table import node_names

__all__ = ["CSP", "Page", "graph_page", "page_html", "svg_for_page", "worked_example_page"]

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
"""The page's Content-Security-Policy: inline script and style only, no request anywhere."""

MAX_TITLE = 200
"""The longest title a page takes (characters)."""


@dataclass(frozen=True)
class Page:
    """A generated page: its HTML text, which :meth:`save` writes and Jupyter shows inline."""

    html: str
    title: str

    @property
    def size(self) -> int:
        """The page's size in bytes (UTF-8)."""
        return len(self.html.encode("utf-8"))

    def save(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the page to ``path`` atomically (folders created); return the path.

        A read-only file is replaced only with ``force`` (see :mod:`autograd.atomic`).
        """
        return write_atomic(Path(path), self.html.encode("utf-8"), force=force)

    def _repr_html_(self) -> str:
        """The page in an ``<iframe srcdoc>``: no widget and no kernel, so an exported
        notebook keeps it working. The frame may run scripts and nothing else."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'title="{html.escape(self.title, quote=True)}" sandbox="allow-scripts" '
            'style="width:100%;height:740px;border:1px solid #ccc"></iframe>'
        )


# --- the drawing -------------------------------------------------------------------

_NODE_G = re.compile(r'<g id="(v\d+)(_op)?" class="node([^"]*)">(.*?)</g>', re.DOTALL)
_TEXT = re.compile(r"<text([^>]*)>(.*?)</text>", re.DOTALL)
_TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)


def svg_for_page(svg: str, names: dict[str, str]) -> str:
    """Graphviz's SVG made ready to sit inline in a page.

    The XML prologue, comments, namespace declarations and fixed size go (the
    drawing scales to its box); every node's record gets ``data-node="NAME"``,
    ``tabindex="0"`` and its name as ``<title>``; an operation node gets
    ``data-op="NAME"`` (the node it computes); the last two texts of a record,
    its ``data`` and ``grad`` cells, get the classes ``data`` and ``grad``.
    ``names`` maps the drawing's ids (``v3``) to the nodes' names.
    """
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("svg_for_page: no <svg> element in the drawing")
    svg = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.DOTALL)
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height|xmlns(:\w+)?)="[^"]*"', "", svg[:head_end])
    head += ' class="graph" role="group" aria-label="computation graph"'
    svg = head + svg[head_end:]

    def node(match: re.Match[str]) -> str:
        vid, is_op, classes, body = match.groups()
        name = html.escape(names[vid], quote=True)
        if is_op:
            return f'<g id="{vid}_op" class="node{classes}" data-op="{name}">{body}</g>'
        texts = list(_TEXT.finditer(body))
        if len(texts) >= 3:
            pieces = []
            last = 0
            for cls, text in (("data", texts[-2]), ("grad", texts[-1])):
                pieces.append(body[last : text.start()])
                pieces.append(f'<text class="{cls}"{text.group(1)}>{text.group(2)}</text>')
                last = text.end()
            pieces.append(body[last:])
            body = "".join(pieces)
        body = _TITLE.sub(f"<title>{name}</title>", body, count=1)
        return (
            f'<g id="{vid}" class="node{classes}" data-node="{name}" tabindex="0" '
            f'role="button" aria-label="node {name}">{body}</g>'
        )

    return _NODE_G.sub(node, svg)


# --- the page data -------------------------------------------------------------------


def _node_entries(root: Value, ids: dict[Value, str], names: dict[Value, str]) -> list[Any]:
    entries = []
    for node in nodes_of(root):
        entry: dict[str, Any] = {
            "id": ids[node],
            "name": names[node],
            "leaf": node.is_leaf,
            "data": format_exact(node.data),
            "dataShort": format_number(node.data),
        }
        op = node.op_info
        if op is not None:
            nargs = len(node.args)
            entry["op"] = op.name
            entry["rules"] = [
                {
                    "to": names[arg] if isinstance(arg, Value) else format_exact(arg),
                    "constant": not isinstance(arg, Value),
                    "rule": op.rule(i, nargs),
                }
                for i, arg in enumerate(node.args)
            ]
        entries.append(entry)
    return entries


def _forward_entry(step: ForwardStep, ids: dict[Value, str]) -> dict[str, Any]:
    return {
        "pass": "forward",
        "node": ids[step.node],
        "formula": step.formula(),
        "text": step.describe(digits=None),
        "peers": sorted({ids[a] for a in step.node.parents}),
    }


def _backward_entry(step: BackwardStep, ids: dict[Value, str]) -> dict[str, Any]:
    return {
        "pass": "backward",
        "node": ids[step.node],
        "formula": step.formula(),
        "text": step.describe(digits=None),
        "peers": sorted({ids[c.target] for c in step.contributions}),
        "finished": len(step.grads),
        "contributions": [
            {"to": ids[c.target], "text": c.arithmetic(digits=None)} for c in step.contributions
        ],
    }


def _record_passes(
    root: Value,
) -> tuple[list[ForwardStep], list[BackwardStep], list[Value], dict[Value, float]]:
    """Both passes of ``root`` and the order in which gradients were finished.

    The backward pass starts from zero gradients and every node's ``grad`` is
    put back afterwards, so making a page changes nothing in the graph.
    """
    nodes = nodes_of(root)
    saved = [node.grad for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        forward = list(forward_steps(root))
        backward = list(backward_steps(root))
        finished = list(backward[-1].grads) if backward else [root]
        final = {node: node.grad for node in nodes}
    finally:
        for node, grad in zip(nodes, saved):
            node.grad = grad
    return forward, backward, finished, final


def graph_page(root: Value, *, title: str | None = None, rankdir: str = "LR") -> Page:
    """The page of ``root``'s graph: its drawing, its forward steps, then its backward steps.

    Every number is written here, in full (:func:`autograd.formatting.format_exact`)
    in the texts and the node panel and with 4 significant digits in the drawing
    (:func:`autograd.formatting.format_number`). The gradients shown are those
    of one backward pass from zero, performed by
    :func:`autograd.stepper.backward_steps` (so the same as ``root.backward()``
    on fresh leaves); the graph's own ``grad`` fields are left as they were.
    ``rankdir`` is as for :func:`autograd.viz.draw_dot`. Needs Graphviz.
    """
    from autograd.viz import draw_dot, pipe_svg

    if not isinstance(root, Value):
        raise TypeError(f"graph_page: expected a Value, got {type(root).__name__}")
    title = _check_title(title if title is not None else "deltagrad: one node at a time")
    names = node_names(root)
    nodes = nodes_of(root)
    ids = {node: f"v{k}" for k, node in enumerate(nodes)}
    forward, backward, finished, final = _record_passes(root)
    # The drawing shows every gradient of the pass; the page blanks those not yet finished.
    drawing = draw_dot(root, rankdir=rankdir, grads=final)
    svg = svg_for_page(pipe_svg(drawing), {ids[n]: names[n] for n in nodes})
    data = {
        "kind": "graph",
        "title": title,
        "root": ids[root],
        "nodes": _node_entries(root, ids, names),
        "grads": {
            ids[n]: {"full": format_exact(final[n]), "short": format_number(final[n])}
            for n in nodes
        },
        "finishOrder": [ids[n] for n in finished],
        "steps": [_forward_entry(s, ids) for s in forward]
        + [_backward_entry(s, ids) for s in backward],
    }
    return Page(page_html(title, svg, data), title)


WORKED_EXAMPLE_TITLE = "Article 003's worked example: a 2-3-2-1 sigmoid network, one node at a time"


def worked_example_page() -> Page:
    """The page of article 003's worked example (network B, the article's names for every node).

    See :func:`nn.worked_example.article_graph`: ``z1..z6``, ``f1..f6``,
    ``W{k}[j][i]``, ``b{k}[j]`` and ``L``; a ``z`` node's gradient is its
    ``delta``.
    """
    from nn.worked_example import article_graph

    return graph_page(article_graph("forward").loss, title=WORKED_EXAMPLE_TITLE)


def _check_title(title: object) -> str:
    if not isinstance(title, str):
        raise TypeError(f"graph_page: title must be a str, got {type(title).__name__}")
    if len(title) > MAX_TITLE:
        raise ValueError(
            f"graph_page: title is {len(title)} characters long, more than {MAX_TITLE}: "
            f"{title[:40]!r}..."
        )
    return title


# --- the HTML --------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("viewers").joinpath("page_assets", name).read_text("utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</`` can end the element."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def page_html(title: str, svg: str, data: Any) -> str:
    """The whole document: CSP, inline CSS, the layout, the drawing, the data and the script."""
    template = _asset("page.html")
    parts = {
        "CSP": html.escape(CSP, quote=True),
        "TITLE": html.escape(title),
        "CSS": _asset("page.css"),
        "SVG": svg,
        "DATA": _script_json(data),
        "JS": _asset("page.js").replace("</", "<\\/"),
    }
    return re.sub(r"@@(\w+)@@", lambda m: parts[m.group(1)], template)
