"""Drawings of a Value graph with Graphviz: ``draw_dot``, ``to_svg`` and ``render``.

This module needs the Python package ``graphviz`` (the ``viz`` extra) and, to
turn a drawing into SVG, PNG or PDF, Graphviz's ``dot`` program. It is not
imported by ``import autograd``; import it when you want a picture::

    from autograd.viz import draw_dot, render
    draw_dot(L)                     # a graphviz.Digraph; Jupyter shows it inline
    render(L, "out/L.svg")          # the format comes from the suffix

What a drawing shows
--------------------
* one record per Value: its name, ``data`` and ``grad``. The name is the
  Value's ``label``, else ``n1``, ``n2``, ... in the order of ``nodes_of``, exactly as in
  :func:`autograd.table.node_table` and the step-through of
  :mod:`autograd.stepper`; generated names are grey;
* one small node per operation, labelled with the op's ``symbol`` from the op
  table (``*``, ``tanh``, ``Σ w·x + b``, ...), with an arrow to its result;
* one arrow per argument, in argument order, from the argument to the
  operation: ``a * a`` has two arrows from ``a``. Where the order of the
  arguments matters (``-``, ``/``, ``**``, ``linear``) the arrows are labelled
  with the argument's name in the op table (``a``, ``b``; ``w_1``, ``x_1``,
  ``b``) so that ``a - b`` and ``b - a`` look different;
* a plain number in an expression (``x * 2``) is a constant, not a Value: it
  is drawn as a small grey box of its own, one per use, with its arrow.

Numbers are written by :func:`format_number`: 4 significant digits by default
(``digits=``), in positional notation from 1e-4 up to 10**digits and in short
scientific notation (``1.235e6``, ``1e-7``) outside it; ``nan``, ``inf`` and
``-inf`` as such, and both zeros as ``0``. A number left blank (a gradient not
yet known in a step of the backward pass) is drawn as ``grad`` with no number.

Large graphs
------------
A drawing counts its nodes (records, operations and constants). Beyond
``max_nodes`` (default :data:`DEFAULT_MAX_NODES`) it first *collapses*: every
leaf used by a single operation (the weights and bias of a neuron, say) is
folded into that operation's node, which then reads e.g. ``Σ w·x + b`` with
``+5 leaves``, and constants are written into their operation (``** b=2``). If the drawing is still
too large, :class:`GraphTooLargeError` names the limit and the count; nothing
is handed to ``dot``, so a huge graph never hangs. Pass ``collapse=False`` to
refuse at once, a larger ``max_nodes`` to draw more, or an intermediate node as
``root`` to draw a part of the graph.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import graphviz

from .atomic import write_atomic
from .engine import Value, nodes_of
from .formatting import format_number
from .table import node_names

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "HIGHLIGHT",
    "TINT",
    "DotNotFoundError",
    "GraphTooLargeError",
    "draw_dot",
    "format_number",
    "pipe",
    "pipe_svg",
    "render",
    "repr_svg",
    "to_svg",
    "write_atomic",
]

DEFAULT_MAX_NODES = 400
"""Default limit on the nodes of one drawing; ``dot`` lays out this many in about a second."""

FORMATS: dict[str, str] = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
"""File suffixes :func:`render` accepts, and the Graphviz output format of each."""

HIGHLIGHT = "#ffd54f"
"""Fill colour of a highlighted node when ``highlight`` is given as a plain collection."""
TINT = "#b3e5fc"
"""Fill colour of a tinted record when ``tint`` is given as a plain collection."""

RANKDIRS = ("LR", "RL", "TB", "BT")

_SYMMETRIC = frozenset({"add", "mul", "sum"})  # argument order does not change the result
_FONT = "Helvetica"
_GREY = "#757575"
_INSTALL_HINT = (
    "Graphviz's 'dot' program was not found on PATH; the Python package 'graphviz' only "
    "drives it. Install it with `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or from https://graphviz.org/download/ ; "
    "`make setup` in the deltagrad repository installs it through scripts/ensure-dot."
)


class DotNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is not installed (or not on ``PATH``)."""


class GraphTooLargeError(ValueError):
    """A drawing would have more nodes than its ``max_nodes`` limit."""


# --- planning a drawing -----------------------------------------------------


def _colours(
    option: str, given: Value | Iterable[Value] | Mapping[Value, str], default: str
) -> dict[Value, str]:
    """``{Value: fill colour}`` from one Value, a collection of Values or such a mapping."""
    if isinstance(given, Value):
        given = (given,)
    colours = dict(given) if isinstance(given, Mapping) else dict.fromkeys(given, default)
    for node, colour in colours.items():
        if not isinstance(node, Value):
            raise TypeError(f"draw_dot: {option} must hold Values, got {type(node).__name__}")
        if not isinstance(colour, str) or not colour:
            raise TypeError(f"draw_dot: {option} colour must be a colour name, got {colour!r}")
    return colours


def _folded_leaves(nodes: list[Value], keep: Mapping[Value, str]) -> set[Value]:
    """Leaves that are arguments of exactly one operation node, except those in ``keep``."""
    users: dict[Value, set[Value]] = {}
    for node in nodes:
        for arg in node.parents:
            users.setdefault(arg, set()).add(node)
    return {
        node
        for node in nodes
        if node.is_leaf and node not in keep and len(users.get(node, ())) == 1
    }


def _count(nodes: list[Value], folded: set[Value], fold_constants: bool) -> int:
    """How many Graphviz nodes a drawing of ``nodes`` has."""
    total = 0
    for node in nodes:
        if node in folded:
            continue
        total += 1
        if not node.is_leaf:
            total += 1
            if not fold_constants:
                total += len(node.args) - len(node.parents)
    return total


def _plan(
    root: Value, max_nodes: int, collapse: bool, keep: Mapping[Value, str]
) -> tuple[list[Value], set[Value], bool]:
    """``(nodes, folded leaves, constants folded?)`` for a drawing within ``max_nodes``."""
    nodes = nodes_of(root)
    count = _count(nodes, set(), False)
    if count <= max_nodes:
        return nodes, set(), False
    if collapse:
        folded = _folded_leaves(nodes, keep)
        collapsed = _count(nodes, folded, True)
        if collapsed <= max_nodes:
            return nodes, folded, True
        detail = f" ({collapsed} after folding single-use leaves and constants)"
    else:
        detail = " (collapse=False)"
    raise GraphTooLargeError(
        f"draw_dot: the graph of {len(nodes)} Values needs {count} drawing nodes{detail}, "
        f"more than max_nodes={max_nodes}; pass a larger max_nodes=..., or draw part of the "
        f"graph by passing an intermediate node as root"
    )


# --- building the Digraph ----------------------------------------------------


def _value_label(
    name: str, labelled: bool, data: str | None, grad: str | None, fill: str | None
) -> str:
    """A Graphviz HTML-like label: one row ``name | data ... | grad ...``."""
    shown = html.escape(str(name))
    name_cell = f"<B>{shown}</B>" if labelled else f'<FONT COLOR="{_GREY}">{shown}</FONT>'
    cells = [f"<TD>{name_cell}</TD>"]
    if data is not None:
        cells.append(f"<TD>data {html.escape(data)}</TD>")
    if grad is not None:
        cells.append(f"<TD>grad {html.escape(grad)}</TD>")
    background = f' BGCOLOR="{html.escape(fill)}"' if fill else ""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"{background}>'
        f"<TR>{''.join(cells)}</TR></TABLE>>"
    )


def _shown(
    node: Value, show: bool, given: Mapping[Value, float] | None, live: float, digits: int
) -> str | None:
    """The text of a data or grad cell: ``None`` = no cell, ``""`` = a blank cell."""
    if not show:
        return None
    if given is None:
        return format_number(live, digits)
    return format_number(given[node], digits) if node in given else ""


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    values: Mapping[Value, float] | None = None,
    grads: Mapping[Value, float] | None = None,
    highlight: Value | Iterable[Value] | Mapping[Value, str] = (),
    tint: Value | Iterable[Value] | Mapping[Value, str] = (),
    digits: int = 4,
    edge_labels: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    collapse: bool = True,
    graph_attr: Mapping[str, str] | None = None,
) -> Any:
    """The graph of everything ``root`` depends on, as a ``graphviz.Digraph``.

    Args:
        root: the Value to draw, with every Value it was computed from.
        rankdir: Graphviz layout direction: ``"LR"`` (inputs left, result
            right), ``"RL"``, ``"TB"`` or ``"BT"``.
        show_data, show_grad: whether records have a ``data`` / ``grad`` cell.
        values, grads: numbers to show instead of each node's ``data`` /
            ``grad``; a node missing from the mapping gets a blank cell. The
            step-through uses them to show only what is known at a step.
        highlight: a Value or Values to fill with :data:`HIGHLIGHT`, or a mapping from
            Value to fill colour. A highlighted Value's operation node gets the
            same colour and the arrows into it are drawn bold; a highlighted
            leaf is never folded away.
        tint: like ``highlight`` (default colour :data:`TINT`), but only the
            record is filled. ``highlight`` wins where both name a Value.
        digits: significant digits of every number (see :func:`format_number`).
        edge_labels: label the arrows into an operation whose result depends
            on the order of its arguments (``-``, ``/``, ``**``, ``linear``)
            with the argument's name in the op table.
        max_nodes: the most Graphviz nodes a drawing may have (see the module
            docstring for what happens beyond it).
        collapse: fold single-use leaves and constants into their operation
            when the graph is too large, before giving up.
        graph_attr: extra Graphviz graph attributes (``{"size": "8,5"}``, ...).

    Every Graphviz node carries a ``class`` (``value``, ``leaf``, ``op``,
    ``const``, ``highlight``, ``tint``) and an ``id`` (``v3`` for the record of the
    fourth Value in ``nodes_of`` order, ``v3_op`` for its operation, ``v3_c1`` for
    its constant argument 1), which the SVG output keeps.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value to draw, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_dot: max_nodes must be a positive int, got {max_nodes!r}")
    format_number(0.0, digits)  # validates digits
    colours = _colours("highlight", highlight, HIGHLIGHT)
    tints = _colours("tint", tint, TINT)
    nodes, folded, fold_constants = _plan(root, max_nodes, collapse, {**tints, **colours})
    names = node_names(root)
    ids = {node: f"v{k}" for k, node in enumerate(nodes)}

    dot = graphviz.Digraph(
        name="deltagrad",
        graph_attr={"rankdir": rankdir, "fontname": _FONT, **(graph_attr or {})},
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": "9", "fontcolor": _GREY, "arrowsize": "0.7"},
    )
    for node in nodes:
        if node in folded:
            continue
        vid = ids[node]
        fill = colours.get(node)
        record_fill = fill or tints.get(node)
        mark = " highlight" if fill else " tint" if record_fill else ""
        data = _shown(node, show_data, values, node.data, digits)
        grad = _shown(node, show_grad, grads, node.grad, digits)
        classes = "value leaf" if node.is_leaf else "value"
        dot.node(
            vid,
            label=_value_label(names[node], bool(node.label), data, grad, record_fill),
            shape="plain",
            id=vid,
            **{"class": classes + mark},
        )
        op = node.op_info
        if op is None:
            continue
        op_id = f"{vid}_op"
        op_label = _op_label(node, folded, fold_constants, digits)
        op_style = {"style": "filled", "fillcolor": fill} if fill else {}
        dot.node(
            op_id,
            label=op_label,
            shape="circle" if op_label == op.symbol and len(op.symbol) <= 2 else "ellipse",
            margin="0.02",
            width="0.3",
            height="0.3",
            fontsize="10",
            id=op_id,
            **{"class": "op" + (" highlight" if fill else "")},
            **op_style,
        )
        nargs = len(node.args)
        arrow = {"penwidth": "2"} if fill else {}
        for i, arg in enumerate(node.args):
            named = edge_labels and nargs > 1 and op.name not in _SYMMETRIC
            label = op.param(i, nargs) if named else ""
            if isinstance(arg, Value):
                if arg in folded:
                    continue
                dot.edge(
                    ids[arg], op_id, label=label, id=f"{vid}_e{i}", **{"class": "arg"}, **arrow
                )
            elif not fold_constants:
                const_id = f"{vid}_c{i}"
                dot.node(
                    const_id,
                    label=format_number(arg, digits),
                    shape="box",
                    style="rounded,filled",
                    fillcolor="#eeeeee",
                    color="#bdbdbd",
                    fontsize="9",
                    height="0.2",
                    width="0.2",
                    margin="0.04,0.02",
                    id=const_id,
                    **{"class": "const"},
                )
                dot.edge(
                    const_id, op_id, label=label, id=f"{vid}_e{i}", **{"class": "arg"}, **arrow
                )
        dot.edge(op_id, vid, id=f"{vid}_out", **{"class": "out"})
    return dot


def _op_label(node: Value, folded: set[Value], fold_constants: bool, digits: int) -> str:
    """The op's symbol, then what was folded into it: ``b=2`` per constant, ``+5 leaves``."""
    op = node.op_info
    assert op is not None
    lines = [op.symbol]
    nargs = len(node.args)
    constants = [(i, a) for i, a in enumerate(node.args) if not isinstance(a, Value)]
    if fold_constants and constants:
        if len(constants) <= 2:
            lines += [f"{op.param(i, nargs)}={format_number(a, digits)}" for i, a in constants]
        else:
            lines.append(f"+{len(constants)} constants")
    leaves = sum(1 for a in node.parents if a in folded)
    if leaves:
        lines.append(f"+{leaves} leaves" if leaves > 1 else "+1 leaf")
    return "\n".join(lines)


# --- output ------------------------------------------------------------------


def pipe(graph: Any, fmt: str) -> bytes:
    """Run ``dot`` on a ``graphviz.Digraph``; a missing ``dot`` is a :class:`DotNotFoundError`."""
    try:
        out: bytes = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise DotNotFoundError(_INSTALL_HINT) from None
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        raise RuntimeError(f"dot failed (exit {exc.returncode}): {stderr.strip()}") from None
    return out


def pipe_svg(graph: Any) -> str:
    """A ``graphviz.Digraph`` as an SVG document, through ``dot``."""
    return pipe(graph, "svg").decode("utf-8")


def to_svg(root: Value, **options: Any) -> str:
    """The drawing of ``root`` as an SVG document (``options`` as for :func:`draw_dot`)."""
    return pipe_svg(draw_dot(root, **options))


def render(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw ``root`` into the file ``path``; the suffix (.svg, .png, .pdf) chooses the format.

    ``options`` are those of :func:`draw_dot`. The file is written atomically
    and its folder created if needed. Returns the path written.
    """
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"render: cannot write {str(target)!r}: unknown file type {target.suffix!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    return write_atomic(target, pipe(draw_dot(root, **options), fmt))


def repr_svg(value: Value, max_nodes: int = 60) -> str | None:
    """SVG for Jupyter's rich display of ``value``, or ``None`` when it would not be cheap.

    ``None`` (so that Jupyter falls back to ``repr``) for a leaf (there is no
    graph to show), when the graph has more than ``max_nodes`` Values (found
    without walking a large graph to its end) or when ``dot`` is missing.
    Meant as ``Value._repr_svg_``.
    """
    if value.is_leaf:
        return None
    seen = {id(value)}
    stack = [value]
    while stack:
        for arg in stack.pop().parents:
            if id(arg) not in seen:
                if len(seen) >= max_nodes:
                    return None
                seen.add(id(arg))
                stack.append(arg)
    try:
        return to_svg(value, max_nodes=4 * max_nodes)
    except (DotNotFoundError, GraphTooLargeError):  # e.g. a sum of very many constants
        return None
