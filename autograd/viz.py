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
import itertools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz

from .atomic import write_atomic
from .engine import Value, nodes_of
from .formatting import format_exact, format_number
from .table import node_names

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "HIGHLIGHT",
    "TINT",
    "UNFOLDED_NEURONS",
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

UNFOLDED_NEURONS = 24
"""A graph with more neurons than this draws each neuron as one box unless told otherwise."""
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


_NETWORK_NAME = re.compile(r"^(L(\d+)\.n(\d+))\.[za]$")


@dataclass
class _Neuron:
    """A neuron found in a graph: a ``linear`` node and the activation that alone uses it."""

    linear: Value
    activation: Value | None
    name: str
    layer: int

    @property
    def output(self) -> Value:
        return self.activation if self.activation is not None else self.linear


@dataclass
class _Plan:
    """What a drawing shows: which Values, which are folded into what, and why."""

    nodes: list[Value]
    folded: set[Value] = field(default_factory=set)
    fold_constants: bool = False
    neurons: dict[Value, _Neuron] = field(default_factory=dict)  # linear node -> neuron
    boxed: dict[Value, _Neuron] = field(default_factory=dict)  # member -> its folded neuron
    samples: int = 1  # how many samples the graph holds (1 drawn)
    hidden: dict[Value, int] = field(default_factory=dict)  # node -> arguments not drawn


def _users(nodes: Iterable[Value]) -> dict[Value, set[Value]]:
    users: dict[Value, set[Value]] = {}
    for node in nodes:
        for arg in node.parents:
            users.setdefault(arg, set()).add(node)
    return users


def _folded_leaves(nodes: list[Value], keep: Mapping[Value, str]) -> set[Value]:
    """Leaves that are arguments of exactly one operation node, except those in ``keep``."""
    users = _users(nodes)
    return {
        node
        for node in nodes
        if node.is_leaf and node not in keep and len(users.get(node, ())) == 1
    }


def find_neurons(nodes: list[Value]) -> dict[Value, _Neuron]:
    """The neurons of a graph, by its structure: ``linear`` nodes and their activations.

    A ``linear`` node's activation is the one-argument operation that is its only
    user (``sigmoid``, ``tanh``, ``relu``...). A neuron's name and layer come from
    the network's labels (``L2.n3.z`` is neuron 3 of layer 2) or, without them,
    from the node's own label and from how many ``linear`` nodes lie on the
    longest path from the inputs to it.
    """
    users = _users(nodes)
    depth: dict[Value, int] = {}
    names = node_names_of(nodes)
    found: dict[Value, _Neuron] = {}
    for node in nodes:  # oldest first: arguments before their users
        d = max((depth.get(a, 0) for a in node.parents), default=0)
        depth[node] = d + (node.op == "linear")
        if node.op != "linear":
            continue
        user = users.get(node, set())
        act = next(iter(user)) if len(user) == 1 else None
        if act is not None and (len(act.args) != 1 or act.args[0] is not node):
            act = None
        layer = depth[node]
        name = names[node]
        for v in (node, act):
            match = _NETWORK_NAME.match(v.label) if v is not None else None
            if match:
                name, layer = match.group(1), int(match.group(2))
                break
        found[node] = _Neuron(node, act, name, layer)
    return found


def node_names_of(nodes: list[Value]) -> dict[Value, str]:
    """Display names for ``nodes`` (given oldest first): labels, else ``n1``, ``n2``, ..."""
    names: dict[Value, str] = {}
    k = 0
    for node in nodes:
        if node.label:
            names[node] = node.label
        else:
            k += 1
            names[node] = f"n{k}"
    return names


def _batch(root: Value, nodes: list[Value]) -> tuple[list[Value], int, dict[Value, int]]:
    """One sample of a batch: the nodes reached from ``root`` without a repeated network name.

    A network's nodes repeat their names (``L1.n1.z``, ``L``) once per sample;
    every repetition after the first, and what only it leads to, is left out.
    Returns the kept nodes (oldest first), the number of samples, and per kept
    node how many of its arguments were left out.
    """
    seen: dict[str, int] = {}
    repeated: set[Value] = set()
    for node in nodes:
        if not node.is_leaf and node.label and node is not root:
            seen[node.label] = seen.get(node.label, 0) + 1
            if seen[node.label] > 1:
                repeated.add(node)
    samples = max(seen.values(), default=1)
    if not repeated:
        return nodes, 1, {}
    kept = {root}
    stack = [root]
    hidden: dict[Value, int] = {}
    while stack:
        node = stack.pop()
        for arg in node.parents:
            if arg in repeated:
                hidden[node] = hidden.get(node, 0) + 1
            elif arg not in kept:
                kept.add(arg)
                stack.append(arg)
    return [n for n in nodes if n in kept], samples, hidden


def _count(plan: _Plan) -> int:
    """How many Graphviz nodes the drawing of ``plan`` has."""
    total = 0
    inputs: set[str] = set()
    for node in plan.nodes:
        if node in plan.folded:
            continue
        neuron = plan.boxed.get(node)
        if neuron is not None and node is not neuron.linear:
            continue
        total += 1
        here = _inputs_at(node)
        inputs.update(in_id for _, in_id in here)
        if node.is_leaf or neuron is not None:
            continue
        total += 1
        if not plan.fold_constants:
            total += len(node.args) - len(node.parents) - len(here)
    return total + len(inputs)


def _plan(
    root: Value,
    max_nodes: int,
    collapse: bool,
    keep: Mapping[Value, str],
    fold_neurons: bool | None,
    batch: bool | None,
) -> _Plan:
    """What to draw so that the drawing has at most ``max_nodes`` Graphviz nodes.

    Tried in turn, each only when the one before is too large (or when asked
    for): everything; single-use leaves and constants folded into their
    operation; one sample of a batch; each neuron folded into one box.
    """
    nodes = nodes_of(root)
    plan = _Plan(nodes)
    steps: list[str] = []
    if batch:
        plan.nodes, plan.samples, plan.hidden = _batch(root, nodes)
    if fold_neurons is None and len(find_neurons(plan.nodes)) > UNFOLDED_NEURONS:
        fold_neurons = True  # a tall ribbon of records otherwise
    if fold_neurons:
        _box_neurons(plan, keep)
    count = _count(plan)
    if count <= max_nodes:
        return plan
    first = count
    if not collapse:
        raise GraphTooLargeError(
            f"draw_dot: the graph of {len(nodes)} Values needs {count} drawing nodes "
            f"(collapse=False), more than max_nodes={max_nodes}; pass a larger max_nodes=..., "
            "or draw part of the graph by passing an intermediate node as root"
        )
    plan.folded = _folded_leaves(plan.nodes, keep)
    plan.fold_constants = True
    count = _count(plan)
    steps.append(f"{count} after folding single-use leaves and constants")
    if count <= max_nodes:
        return plan
    if batch is None:
        plan.nodes, plan.samples, plan.hidden = _batch(root, nodes)
        if plan.samples > 1:  # an overview: one sample, and its neurons in boxes
            if fold_neurons is False:
                plan.folded = _folded_leaves(plan.nodes, keep)
            else:
                _box_neurons(plan, keep)
            count = _count(plan)
            boxes = ", each neuron in one box" if plan.boxed else ""
            steps.append(f"{count} showing one sample of {plan.samples}{boxes}")
            if count <= max_nodes:
                return plan
    if fold_neurons is None:
        _box_neurons(plan, keep)
        if plan.neurons:
            count = _count(plan)
            steps.append(f"{count} with each neuron in one box")
            if count <= max_nodes:
                return plan
    raise GraphTooLargeError(
        f"draw_dot: the graph of {len(nodes)} Values needs {first} drawing nodes "
        f"({'; '.join(steps)}), more than max_nodes={max_nodes}; pass a larger max_nodes=..., "
        f"or draw part of the graph by passing an intermediate node as root"
    )


def _box_neurons(plan: _Plan, keep: Mapping[Value, str]) -> None:
    """Fold each neuron (its linear node, activation and single-use leaves) into one box."""
    plan.neurons = find_neurons(plan.nodes)
    plan.boxed = {}
    for neuron in plan.neurons.values():
        plan.boxed[neuron.linear] = neuron
        if neuron.activation is not None:
            plan.boxed[neuron.activation] = neuron
    plan.folded = _folded_leaves(plan.nodes, keep)
    plan.fold_constants = True


# --- building the Digraph ----------------------------------------------------


def _value_label(
    name: str,
    labelled: bool,
    data: str | None,
    grad: str | None,
    fill: str | None,
    stacked: bool = False,
) -> str:
    """A Graphviz HTML-like label: one row ``name | data ... | grad ...``, or one cell each."""
    shown = html.escape(str(name))
    name_cell = f"<B>{shown}</B>" if labelled else f'<FONT COLOR="{_GREY}">{shown}</FONT>'
    cells = [f"<TD>{name_cell}</TD>"]
    if data is not None:
        cells.append(f"<TD>data {html.escape(data)}</TD>")
    if grad is not None:
        cells.append(f"<TD>grad {html.escape(grad)}</TD>")
    background = f' BGCOLOR="{html.escape(fill)}"' if fill else ""
    rows = "".join(f"<TR>{c}</TR>" for c in cells) if stacked else f"<TR>{''.join(cells)}</TR>"
    padding = 2 if stacked else 4
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="{padding}"{background}>'
        f"{rows}</TABLE>>"
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
    fold_neurons: bool | None = None,
    batch: bool | None = None,
    clusters: bool = True,
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
        fold_neurons: draw each neuron (a ``linear`` node, its activation and
            the leaves only it uses) as one box showing its name, what it holds,
            ``z``, ``out`` and ``delta = dL/dz``; None (default): when the graph
            has more than :data:`UNFOLDED_NEURONS` neurons, or is too large otherwise.
        batch: draw one sample of a batch (nodes whose network name repeats,
            ``L1.n1.z``, ``L``, are drawn once and the operation that gathers the
            samples says how many it folded); None: only when too large otherwise.
        clusters: group a network's nodes by layer (a Graphviz cluster per
            layer, neurons top to bottom in their order).
        graph_attr: extra Graphviz graph attributes (``{"size": "8,5"}``, ...).

    Every Graphviz node carries a ``class`` (``value``, ``leaf``, ``op``,
    ``const``, ``highlight``, ``tint``) and an ``id`` (``v3`` for the record of the
    fourth Value in ``nodes_of`` order, ``v3_op`` for its operation, ``v3_c1`` for
    its constant argument 1), which the SVG output keeps. A neuron's box has class
    ``neuron`` and the id of its ``linear`` node; a network's plain-number input
    ``x_i`` is one node ``in_x_1_...`` (class ``input``) with an arrow to every
    neuron that reads it.
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
    plan = _plan(root, max_nodes, collapse, {**tints, **colours}, fold_neurons, batch)
    nodes, folded, fold_constants = plan.nodes, plan.folded, plan.fold_constants
    names = node_names(root)
    everything = nodes_of(root)
    ids = {node: f"v{k}" for k, node in enumerate(everything)}
    shown_at = dict(ids)  # where a Value's number is drawn: its record, or its neuron's box
    for member, neuron in plan.boxed.items():
        shown_at[member] = ids[neuron.linear]

    attrs = {"rankdir": rankdir, "fontname": _FONT}
    edge_style: dict[str, str] = {}
    if plan.boxed:  # many arrows between columns of boxes: straight lines, room between
        attrs.update({"splines": "line", "ranksep": "2.5", "nodesep": "0.15"})
        if rankdir == "LR":  # arrows leave a box on its right side and enter on its left
            edge_style = {"tailport": "e", "headport": "w"}
    attrs.update(graph_attr or {})
    if plan.samples > 1:
        attrs.setdefault("label", f"one sample of a batch of {plan.samples} drawn")
        attrs.setdefault("labelloc", "t")
    dot = graphviz.Digraph(
        name="deltagrad",
        graph_attr=attrs,
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": "9", "fontcolor": _GREY, "arrowsize": "0.7",
                   **edge_style},
    )  # fmt: skip
    neurons = plan.neurons or (find_neurons(nodes) if clusters else {})
    layer_of: dict[Value, int] = {}
    if clusters and neurons:
        for neuron in neurons.values():
            layer_of[neuron.linear] = layer_of[neuron.output] = neuron.layer
    groups: dict[int, Any] = {}

    def target(node: Value) -> Any:
        """The Digraph (or layer cluster) a node's Graphviz nodes go into."""
        layer = layer_of.get(node)
        if layer is None:
            return dot
        if layer not in groups:
            groups[layer] = graphviz.Digraph(
                name=f"cluster_layer{layer}",
                graph_attr={"label": f"layer {layer}", "style": "rounded,dashed",
                            "color": "#bdbdbd", "fontcolor": _GREY, "fontsize": "10"},
            )  # fmt: skip
        return groups[layer]

    drawn_inputs: set[str] = set()
    drawn = set(nodes)
    for node in nodes:
        if node in folded:
            continue
        boxed = plan.boxed.get(node)
        if boxed is not None and node is not boxed.linear:
            continue
        vid = ids[node]
        fill = colours.get(node)
        if boxed is not None and boxed.activation is not None:
            fill = fill or colours.get(boxed.activation)
        record_fill = fill or tints.get(node)
        if boxed is not None and boxed.activation is not None:
            record_fill = record_fill or tints.get(boxed.activation)
        mark = " highlight" if fill else " tint" if record_fill else ""
        where = target(node)
        if boxed is not None:
            where.node(
                vid,
                label=_neuron_label(boxed, plan, values, grads, show_data, show_grad, digits,
                                    record_fill),
                shape="plain",
                id=vid,
                **{"class": "value neuron" + mark},
            )  # fmt: skip
        else:
            data = _shown(node, show_data, values, node.data, digits)
            grad = _shown(node, show_grad, grads, node.grad, digits)
            classes = "value leaf" if node.is_leaf else "value"
            where.node(
                vid,
                label=_value_label(
                    own_name(node, names[node]),
                    bool(node.label),
                    data,
                    grad,
                    record_fill,
                    stacked=bool(groups) or bool(layer_of),
                ),
                shape="plain",
                id=vid,
                **{"class": classes + mark},
            )
        op = node.op_info
        if op is None:
            continue
        op_id = vid if boxed is not None else f"{vid}_op"
        if boxed is None:
            op_label = _op_label(node, folded, fold_constants, digits, plan.hidden.get(node, 0))
            op_style = {"style": "filled", "fillcolor": fill} if fill else {}
            where.node(
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
        inputs = dict(_inputs_at(node))
        for i, argument in enumerate(node.args):
            named = edge_labels and nargs > 1 and op.name not in _SYMMETRIC and boxed is None
            labelled = {"label": op.param(i, nargs)} if named else {}  # no label: no room kept
            arg = argument
            if isinstance(arg, Value):
                if arg in folded or arg not in drawn:
                    continue
                dot.edge(
                    shown_at[arg], op_id, id=f"{vid}_e{i}", **{"class": "arg"}, **labelled,
                    **arrow,
                )  # fmt: skip
            elif i in inputs:
                in_id = inputs[i]
                if in_id not in drawn_inputs:
                    drawn_inputs.add(in_id)
                    dot.node(
                        in_id,
                        label=f"{op.param(i, nargs)} = {format_number(arg, digits)}",
                        shape="box",
                        style="rounded,filled",
                        fillcolor="#eeeeee",
                        color="#9e9e9e",
                        fontsize="10",
                        id=in_id,
                        **{"class": "input"},
                    )
                dot.edge(in_id, op_id, id=f"{vid}_e{i}", **{"class": "arg"}, **arrow)
            elif not fold_constants and boxed is None:
                const_id = f"{vid}_c{i}"
                where.node(
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
                dot.edge(const_id, op_id, id=f"{vid}_e{i}", **{"class": "arg"}, **labelled, **arrow)
        if boxed is not None:
            continue  # the box is the operation and its result
        dot.edge(op_id, vid, id=f"{vid}_out", **{"class": "out"})
    for layer in sorted(groups):
        # the layer's neurons in one column, in their order (neuron 1 at the top)
        column = [n for n in neurons.values() if n.layer == layer and n.linear in drawn]
        column.sort(key=_neuron_order)
        anchors = [ids[n.linear] if n.linear in plan.boxed else f"{ids[n.linear]}_op"
                   for n in column]  # fmt: skip
        if len(anchors) > 1:
            same = graphviz.Digraph(graph_attr={"rank": "same"})
            for a, b in itertools.pairwise(anchors):
                same.edge(a, b, style="invis", weight="100")
            dot.subgraph(same)
        dot.subgraph(groups[layer])
    return dot


def _neuron_order(neuron: _Neuron) -> tuple[int, str]:
    """Neuron ``j`` of a network (``L2.n3`` -> 3), else the number in its name (``z5``)."""
    digits = re.findall(r"\d+", neuron.name)
    return (int(digits[-1]) if digits else 0, neuron.name)


_EXPRESSION = re.compile(r"[^\w.\[\]]")  # a label with an operator in it is an expression


def own_name(node: Value, name: str) -> str:
    """``name`` with each argument's expression replaced by ``…``: ``tanh(x*w + b)`` -> ``tanh(…)``.

    A label that is the source text of an expression (``deltagrad grad`` labels
    every node so) repeats the expressions of its arguments, which have boxes
    of their own: drawn whole, long expressions make very wide boxes. Only
    labels of operation nodes that contain an operator are replaced.
    """
    for arg in node.parents:
        label = arg.label
        if not arg.is_leaf and label and _EXPRESSION.search(label) and label != name:
            name = name.replace(label, "…")
    return name


def _inputs_at(node: Value) -> list[tuple[int, str]]:
    """``(argument position, node id)`` of a ``linear`` node's plain-number inputs."""
    if node.op != "linear":
        return []
    n = (len(node.args) - 1) // 2
    return [
        (i, f"in_x_{i - n + 1}_{format_exact(float(a)).replace('.', 'p').replace('-', 'm')}")
        for i, a in enumerate(node.args[n : 2 * n], start=n)
        if not isinstance(a, Value)
    ]


def _neuron_label(
    neuron: _Neuron, plan: _Plan, values: Mapping[Value, float] | None,
    grads: Mapping[Value, float] | None, show_data: bool, show_grad: bool, digits: int,
    fill: str | None,
) -> str:  # fmt: skip
    """A neuron's box: its name, what it holds, then ``z``, ``out`` and ``delta``."""
    lin, act = neuron.linear, neuron.activation
    ops = [o for o in (lin.op_info, act.op_info if act is not None else None) if o is not None]
    leaves = sum(1 for a in lin.parents if a in plan.folded)
    holds = " → ".join(o.symbol for o in ops) + (f" ({leaves} parameters)" if leaves else "")
    cells = []
    if show_data:
        z = _shown(lin, True, values, lin.data, digits)
        cells.append(f"z {html.escape(z or '')}")
        if act is not None:
            out = _shown(act, True, values, act.data, digits)
            cells.append(f"out {html.escape(out or '')}")
    if show_grad:
        delta = _shown(lin, True, grads, lin.grad, digits)
        cells.append(f"δ {html.escape(delta or '')}")
    background = f' BGCOLOR="{html.escape(fill)}"' if fill else ""
    row = "".join(f"<TD>{c}</TD>" for c in cells)
    span = max(1, len(cells))
    return (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"{background}>'
        f'<TR><TD COLSPAN="{span}"><B>{html.escape(neuron.name)}</B> '
        f'<FONT COLOR="{_GREY}" POINT-SIZE="9">{html.escape(holds)}</FONT></TD></TR>'
        f"<TR>{row}</TR></TABLE>>"
    )


def _op_label(
    node: Value, folded: set[Value], fold_constants: bool, digits: int, hidden: int = 0
) -> str:
    """The op's symbol, then what was folded into it: ``b=2``, ``+5 leaves``, ``+19 samples``."""
    op = node.op_info
    assert op is not None
    lines = [op.symbol]
    nargs = len(node.args)
    inputs = dict(_inputs_at(node))  # drawn as nodes of their own
    constants = [
        (i, a) for i, a in enumerate(node.args) if not isinstance(a, Value) and i not in inputs
    ]
    if fold_constants and constants:
        if len(constants) <= 2:
            lines += [f"{op.param(i, nargs)}={format_number(a, digits)}" for i, a in constants]
        else:
            lines.append(f"+{len(constants)} constants")
    leaves = sum(1 for a in node.parents if a in folded)
    if leaves:
        lines.append(f"+{leaves} leaves" if leaves > 1 else "+1 leaf")
    if hidden:
        lines.append(f"+{hidden} samples not drawn" if hidden > 1 else "+1 sample not drawn")
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
