"""Backpropagation one node at a time, and the forward pass the same way.

:func:`backward_steps` performs the backward pass of ``root`` exactly as
``root.backward()`` does, in the same order (:func:`autograd.graph_order`) and
with the same arithmetic, but stops after every node and reports what it did:
the node's incoming gradient ``g = dL/d node``, and for each argument ``x_i``
that is a Value the local derivative rule from the op table, the numbers put
into it, the local derivative ``d node/d x_i`` and the contribution
``g * d node/d x_i`` added to ``x_i``'s gradient. That is the chain rule,

    dL/dx_i  +=  dL/d node * d node/d x_i,

applied once per edge of the graph. Driving the steps to the end leaves every
gradient bit for bit equal to what one ``backward()`` from zero gradients
leaves::

    >>> from autograd import Value
    >>> a, b = Value(2.0, "a"), Value(3.0, "b")
    >>> c = a * b
    >>> c.label = "c"
    >>> L = c + a
    >>> L.label = "L"
    >>> for step in backward_steps(L):
    ...     print(step.describe())
    step 1 of 2: L = c + a, dL/dL = 1
      to c: d(a + b)/da = 1; 1 * 1 = 1
      to a: d(a + b)/db = 1; 1 * 1 = 1
    step 2 of 2: c = a * b, dL/dc = 1
      to a: d(a * b)/da = b = 3; 1 * 3 = 3
      to b: d(a * b)/db = a = 2; 1 * 2 = 2
    >>> a.grad, b.grad
    (4.0, 2.0)

The names in a rule (``a``, ``b``, ``x``, ``out``, ``w_i``...) are the op's
own argument names from :data:`autograd.OPS`, not the graph's labels: in step 1
above the op's ``a`` is the node ``c``.

The walk is a *replay*: each step's text and picture show the gradients of
this one pass, and a gradient, once finished, is *set* to its value in this
pass. Leaves do not accumulate here (unlike ``backward()``): after the last
step every ``grad`` is what one ``backward()`` from zero gradients gives,
whether or not ``root.backward()`` ran before (``L.backward()`` and then
``backward_steps(L)`` shows and leaves the gradients of one pass). At the start
every non-leaf node's ``grad`` is reset to 0, as ``backward()`` does; the sums
are kept apart and written into ``grad`` when a node is finished. A walk
abandoned half way thus leaves every leaf either untouched or final.

A node's gradient is *finished* when every node that uses it has sent its
contribution; ``step.grads`` holds the finished gradients after a step, which
is what :meth:`BackwardStep.draw` shows (the others are left blank).

:func:`forward_steps` replays the forward pass in ``nodes_of`` order (inputs first): each
non-leaf node with its formula, the numbers it was computed from and its
value. :func:`step_slider` shows either kind of step in a notebook with a
slider (needs ``ipywidgets``); without widgets, ``display(step)`` in a loop or
:func:`save_frames` show the same pictures one after another. Drawing needs
:mod:`autograd.viz` (``graphviz`` and ``dot``); stepping itself does not.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import textwrap
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from .engine import Value, _quote, _to_float, graph_order, nodes_of
from .formatting import format_exact, format_number
from .ops import Op
from .table import node_names

__all__ = [
    "CURRENT",
    "RECEIVING",
    "BackwardStep",
    "Contribution",
    "ForwardStep",
    "backward_steps",
    "forward_steps",
    "save_frames",
    "step_slider",
]

CURRENT = "#ffd54f"
"""Fill colour of the node a step works on."""
RECEIVING = "#b3e5fc"
"""Fill colour of the arguments a step sends to (backward) or reads (forward)."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _number(x: float, digits: int | None) -> str:
    """``x`` with ``digits`` significant digits, or exactly (shortest round-trip form) for None."""
    return format_exact(x) if digits is None else format_number(x, digits)


def _paren(text: str) -> str:
    """A negative number in parentheses, so that ``3 * (-2)`` reads right."""
    return f"({text})" if text.startswith("-") else text


def _fill(formula: str, texts: Mapping[str, str]) -> str:
    """``formula`` with every name found in ``texts`` replaced by its text.

    A negative number gets parentheses where an operator stands before it or
    ``**`` after it, so that ``b * a**(b-1)`` with ``a = -2`` reads
    ``3 * (-2)**(3-1)`` while ``tanh(x)`` reads ``tanh(-2)``.
    """

    def replace(match: re.Match[str]) -> str:
        text = texts.get(match.group(0))
        if text is None:
            return match.group(0)
        before = formula[: match.start()].rstrip()[-1:]
        after = formula[match.end() :].lstrip()
        if text.startswith("-") and (before in ("+", "-", "*", "/") or after.startswith("**")):
            return f"({text})"
        return text

    return _NAME.sub(replace, formula)


def _substitute(formula: str, values: Mapping[str, float], digits: int | None) -> str:
    """``formula`` with every name found in ``values`` replaced by its number."""
    return _fill(formula, {name: _number(x, digits) for name, x in values.items()})


def _notation(op: Op, nargs: int) -> str:
    """The op written in its argument names, variadic ops spelled out: ``x_1 + x_2 + x_3``.

    ``linear`` reads ``w_1*x_1 + w_2*x_2 + b``; ``squared_error`` reads
    ``1/2 * ((y_1 - yhat_1)**2 + (y_2 - yhat_2)**2)``.
    """
    if op.arity is not None:
        return op.notation
    names = [op.param(i, nargs) for i in range(nargs)]
    if op.name == "linear":
        n = (nargs - 1) // 2
        return " + ".join([f"{w}*{x}" for w, x in zip(names[:n], names[n : 2 * n])] + [names[-1]])
    if op.name == "squared_error":
        n = nargs // 2
        terms = [f"({y} - {yhat})**2" for yhat, y in zip(names[:n], names[n:])]
        return f"1/2 * {terms[0]}" if n == 1 else f"1/2 * ({' + '.join(terms)})"
    if op.name == "logsumexp":
        return f"log({' + '.join(f'exp({x})' for x in names)})"
    return " + ".join(names)


def _bindings(node: Value, op: Op) -> dict[str, float]:
    """The op's argument names bound to the numbers of this node, ``out`` to its value."""
    nargs = len(node.args)
    values = {
        op.param(i, nargs): (a.data if isinstance(a, Value) else a) for i, a in enumerate(node.args)
    }
    values["out"] = node.data
    return values


def _check_digits(digits: int | None) -> int | None:
    if digits is not None:
        format_number(0.0, digits)  # raises for a bad count
    return digits


# --- the backward pass ---------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one argument of a node receives in one step of the backward pass.

    Attributes:
        position: the argument's index in ``node.args``.
        target: the argument (a Value).
        target_name: its name in the graph (label, else ``n1``, ``n2``...).
        param: the op's name for this argument (``a``, ``b``, ``x``, ``w_2``...).
        rule: the local derivative from the op table, ``d(a * b)/da = b``.
        substituted: the rule's last form (the one ``partials`` computes) with
            the numbers put in, exactly: ``3``.
        values: the numbers put in, by name, ``{"b": 3.0}``.
        local: the local derivative ``d node / d target`` (one argument position).
        grad: the node's incoming gradient ``g``.
        contribution: ``g * local``, added to the target's gradient.
    """

    position: int
    target: Value
    target_name: str
    param: str
    rule: str
    substituted: str
    values: Mapping[str, float]
    local: float
    grad: float
    contribution: float

    def describe(self, digits: int | None = 4) -> str:
        """One line: the rule, the numbers put in, the local derivative, the contribution.

        For example ``to a: d(a * b)/da = b = 3; 1 * 3 = 3``: the last part is
        ``g * local = contribution``. ``digits=None`` writes every number in full.
        """
        return f"to {self.target_name}: {self.arithmetic(digits)}"

    def arithmetic(self, digits: int | None = 4) -> str:
        """:meth:`describe` without the target: ``d(a * b)/da = b = 3; 1 * 3 = 3``.

        ``digits=None`` writes every number in full (:func:`format_exact`).
        """
        last_form = self.rule.rpartition(" = ")[2]
        chain = [self.rule]
        subst = _substitute(last_form, self.values, digits)
        if subst != last_form:
            chain.append(subst)
        local = _number(self.local, digits)
        if local != subst:
            chain.append(local)
        if self.local == 0.0 and not math.isfinite(self.grad):
            return f"{' = '.join(chain)}; a zero local derivative sends 0, whatever g is"
        product = f"{_number(self.grad, digits)} * {_paren(local)}"
        return f"{' = '.join(chain)}; {product} = {_number(self.contribution, digits)}"


@dataclass
class _Walk:
    """What all steps of one walk share: the graph, its names, and its finished nodes."""

    root: Value
    names: dict[Value, str]
    count: int
    finished: list[tuple[Value, float]] = field(default_factory=list)
    known: list[Value] = field(default_factory=list)  # forward: leaves, then each node computed


@dataclass(frozen=True, repr=False)
class BackwardStep:
    """One node of the backward pass, after its contributions were sent.

    Attributes:
        index: 0 for the first node processed (the root, unless it is a leaf).
        count: the number of steps of the whole pass.
        node: the node processed.
        name: its name in the graph.
        op: its operation (from the op table).
        grad: its gradient ``g = dL/d node``, complete when the step starts.
        contributions: one per argument that is a Value, in argument order.
    """

    index: int
    count: int
    node: Value
    name: str
    op: Op
    grad: float
    contributions: tuple[Contribution, ...]
    _walk: _Walk = field(repr=False, compare=False)
    _finished: int = field(repr=False, compare=False)

    @property
    def root(self) -> Value:
        """The Value whose backward pass this is."""
        return self._walk.root

    def __repr__(self) -> str:
        return (
            f"<BackwardStep {self.index + 1} of {self.count}: {self.formula()}, grad={self.grad!r}>"
        )

    @property
    def grads(self) -> dict[Value, float]:
        """The finished gradients after this step: node -> ``dL/d node``."""
        return dict(self._walk.finished[: self._finished])

    def formula(self) -> str:
        """The node in graph names: ``n1 = a * b``."""
        return f"{self.name} = {_in_graph_names(self.node, self.op, self._walk.names)}"

    def describe(self, digits: int | None = 4) -> str:
        """The step as text: the node and its gradient, then one line per contribution.

        ``digits=None`` writes every number in full (:func:`format_exact`).
        """
        _check_digits(digits)
        root = self._walk.names[self._walk.root]
        head = (
            f"step {self.index + 1} of {self.count}: {self.formula()}, "
            f"d{root}/d{self.name} = {_number(self.grad, digits)}"
        )
        return "\n".join([head] + ["  " + c.describe(digits) for c in self.contributions])

    def draw(self, **options: Any) -> Any:
        """A ``graphviz.Digraph`` of the graph at this step (``options`` as for ``draw_dot``).

        The node and its operation are highlighted (:data:`CURRENT`), the
        arguments it sent to are tinted (:data:`RECEIVING`), finished gradients
        are shown and the others left blank.
        """
        from .viz import draw_dot

        options.setdefault("highlight", {self.node: CURRENT})
        options.setdefault("tint", {c.target: RECEIVING for c in self.contributions})
        return draw_dot(self._walk.root, grads=self.grads, **options)

    def to_svg(self, **options: Any) -> str:
        """The drawing of :meth:`draw` as SVG."""
        from .viz import pipe_svg

        return pipe_svg(self.draw(**options))

    def _repr_html_(self) -> str:
        return _step_html(self.describe(), self.to_svg())


def _in_graph_names(node: Value, op: Op, names: Mapping[Value, str]) -> str:
    """The node's formula with the graph's names (or constants) for the op's argument names."""
    nargs = len(node.args)
    shown = {
        op.param(i, nargs): (names[a] if isinstance(a, Value) else _number(a, None))
        for i, a in enumerate(node.args)
    }
    return _fill(_notation(op, nargs), shown)


def _seed(grad: object) -> float:
    if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
        raise TypeError(
            f"backward_steps: expected a real number as the seed gradient, "
            f"got {type(grad).__name__} {_quote(grad)}"
        )
    return _to_float(grad, "backward_steps")


def backward_steps(root: Value, grad: float = 1.0) -> Iterator[BackwardStep]:
    """Replay ``root.backward(grad)`` one node at a time, yielding a step after each node.

    The generator does its work as it is iterated: nothing changes before the
    first step is asked for, and the pass is complete once the last step has
    been yielded (``list(backward_steps(root))`` runs it all). Gradients are
    *set* to their value in this pass, not added to (see the module
    docstring). A leaf root has no steps; iterating still sets its gradient.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
    seed = _seed(grad)
    return _backward(root, seed)


def _backward(root: Value, seed: float) -> Iterator[BackwardStep]:
    order = graph_order(root)
    names = node_names(root)
    walk = _Walk(root, names, len(order))
    # How many contributions each Value is still waiting for (one per use).
    pending = Counter(arg for node in order for arg in node.parents)
    # This pass's gradient of every Value, summed from 0 here, apart from .grad
    # (so that a leaf's earlier gradient, or another thread's pass, cannot leak in).
    sums = dict.fromkeys(names, 0.0)
    for node in order:
        node.grad = 0.0

    def receive(target: Value, amount: float) -> None:
        sums[target] += amount

    def finish(node: Value) -> None:
        node.grad = sums[node]  # set, not added: the pass is a replay (module docstring)
        walk.finished.append((node, node.grad))

    sums[root] = seed
    finish(root)

    for index, node in enumerate(order):
        op = node.op_info
        assert op is not None  # graph_order holds only nodes made by an operation
        g = sums[node]
        args = node.args
        nargs = len(args)
        locals_ = op.partials(node.data, *[a.data if isinstance(a, Value) else a for a in args])
        values = _bindings(node, op)
        contributions = []
        for i, arg in enumerate(args):
            if not isinstance(arg, Value):
                continue  # a constant receives nothing
            local = locals_[i]
            amount = g * local if local else 0.0  # zero means zero, as in backward()
            receive(arg, amount)
            rule = op.rule(i, nargs)
            used = set(_NAME.findall(rule.partition(" = ")[2]))
            contributions.append(
                Contribution(
                    position=i,
                    target=arg,
                    target_name=names[arg],
                    param=op.param(i, nargs),
                    rule=rule,
                    substituted=_substitute(rule.rpartition(" = ")[2], values, None),
                    values={k: v for k, v in values.items() if k in used},
                    local=local,
                    grad=g,
                    contribution=amount,
                )
            )
        for arg, uses in Counter(node.parents).items():
            pending[arg] -= uses
            if pending[arg] == 0:  # every user has sent its contribution
                finish(arg)
        yield BackwardStep(
            index=index,
            count=len(order),
            node=node,
            name=names[node],
            op=op,
            grad=g,
            contributions=tuple(contributions),
            _walk=walk,
            _finished=len(walk.finished),
        )


# --- the forward pass ----------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ForwardStep:
    """One node of the forward pass, in ``nodes_of`` order (inputs before the nodes that use them).

    Attributes:
        index: 0 for the first node computed.
        count: the number of steps (non-leaf nodes) of the whole pass.
        node: the node computed.
        name: its name in the graph.
        op: its operation.
        inputs: ``(op's argument name, number)`` per argument, constants included.
        data: the node's value.
    """

    index: int
    count: int
    node: Value
    name: str
    op: Op
    inputs: tuple[tuple[str, float], ...]
    data: float
    _walk: _Walk = field(repr=False, compare=False)
    _known: int = field(repr=False, compare=False)  # known values: _walk.known[:_known]

    @property
    def root(self) -> Value:
        """The Value whose forward pass this is."""
        return self._walk.root

    def __repr__(self) -> str:
        return f"<ForwardStep {self.index + 1} of {self.count}: {self.formula()} = {self.data!r}>"

    @property
    def values(self) -> dict[Value, float]:
        """The values known after this step: every leaf and every node computed so far."""
        return {node: node.data for node in self._walk.known[: self._known]}

    def formula(self) -> str:
        """The node in graph names: ``n1 = a * b``."""
        return f"{self.name} = {_in_graph_names(self.node, self.op, self._walk.names)}"

    def describe(self, digits: int | None = 4) -> str:
        """One line: ``step 1 of 3: n1 = a * b = 2 * 3 = 6``; ``digits=None``: numbers in full."""
        _check_digits(digits)
        numbers_in = _substitute(_notation(self.op, len(self.inputs)), dict(self.inputs), digits)
        return (
            f"step {self.index + 1} of {self.count}: {self.formula()} = {numbers_in} = "
            f"{_number(self.data, digits)}"
        )

    def draw(self, **options: Any) -> Any:
        """A ``graphviz.Digraph`` at this step: known values shown, later ones blank, no grads.

        The node and its operation are highlighted (:data:`CURRENT`), the
        Values it reads are tinted (:data:`RECEIVING`).
        """
        from .viz import draw_dot

        options.setdefault("highlight", {self.node: CURRENT})
        options.setdefault("tint", dict.fromkeys(self.node.parents, RECEIVING))
        options.setdefault("show_grad", False)
        return draw_dot(self._walk.root, values=self.values, **options)

    def to_svg(self, **options: Any) -> str:
        """The drawing of :meth:`draw` as SVG."""
        from .viz import pipe_svg

        return pipe_svg(self.draw(**options))

    def _repr_html_(self) -> str:
        return _step_html(self.describe(), self.to_svg())


def forward_steps(root: Value) -> Iterator[ForwardStep]:
    """The forward pass of ``root`` replayed node by node, oldest first.

    Leaves are known from the start; each step is one node made by an
    operation, with the numbers it was computed from. Nothing is recomputed or
    changed: the values are those recorded when the graph was built.

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> y = (x * 0.5).tanh()
    >>> for step in forward_steps(y):
    ...     print(step.describe())
    step 1 of 2: n1 = x * 0.5 = 3 * 0.5 = 1.5
    step 2 of 2: n2 = tanh(n1) = tanh(1.5) = 0.9051
    """
    if not isinstance(root, Value):
        raise TypeError(f"forward_steps: expected a Value, got {type(root).__name__}")
    return _forward(root)


def _forward(root: Value) -> Iterator[ForwardStep]:
    nodes = nodes_of(root)
    names = node_names(root)
    computed = [node for node in nodes if not node.is_leaf]
    leaves = [node for node in nodes if node.is_leaf]
    # Every step shares the walk's one list and keeps only how much of it is
    # known, so that the steps of an n-node graph hold O(n) in all, not O(n**2).
    walk = _Walk(root, names, len(computed), known=leaves + computed)
    for index, node in enumerate(computed):
        op = node.op_info
        assert op is not None
        nargs = len(node.args)
        inputs = tuple(
            (op.param(i, nargs), a.data if isinstance(a, Value) else a)
            for i, a in enumerate(node.args)
        )
        yield ForwardStep(index, len(computed), node, names[node], op, inputs, node.data,
                          walk, len(leaves) + index + 1)  # fmt: skip


# --- showing steps ---------------------------------------------------------------


def _step_html(text: str, svg: str) -> str:
    """A step as HTML: its text, then its drawing (SVG without its XML prologue)."""
    start = svg.find("<svg")
    return f"<pre>{escape(text)}</pre>\n{svg[start:] if start >= 0 else svg}"


FRAME_SIZE = "20,11.25"
"""Graphviz ``size`` of a saved frame, in inches: at most 1920 x 1080 pixels (96 per inch)."""
FOLD_NEURONS_FROM = 60
"""Frames of a graph of more Values than this draw each neuron as one box."""


CAPTION_WIDTH = 150
"""A frame's caption is wrapped at this many characters."""


def _caption(text: str) -> str:
    """A step's text as a Graphviz label: left-justified lines (``\\l``), long ones wrapped."""
    lines = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        lines += textwrap.wrap(line, CAPTION_WIDTH, subsequent_indent=indent + "    ") or [""]
    return "".join(line.replace("\\", "\\\\") + "\\l" for line in lines)


def save_frames(
    steps: Sequence[BackwardStep] | Sequence[ForwardStep],
    directory: str | os.PathLike[str],
    *,
    suffix: str = ".svg",
    prefix: str = "step",
    **options: Any,
) -> list[Path]:
    """Write one picture per step, ``step_001.svg``, ``step_002.svg``, ...; return the paths.

    Each picture carries its caption, the step's text (:meth:`BackwardStep.describe`),
    above the drawing, and fits 1920 x 1080 pixels (:data:`FRAME_SIZE`); a graph
    of more than :data:`FOLD_NEURONS_FROM` Values draws each neuron as one box.
    ``suffix`` chooses the format as in :func:`autograd.viz.render`;
    ``options`` go to ``draw_dot``. Each file is written atomically.
    """
    from .viz import FORMATS, pipe, write_atomic

    fmt = FORMATS.get(suffix.lower())
    if fmt is None:
        raise ValueError(
            f"save_frames: unknown file type {suffix!r}; use one of {', '.join(FORMATS)}"
        )
    width = max(3, len(str(len(steps))))
    paths = []
    large = len(steps) > 0 and len(nodes_of(steps[0].root)) > FOLD_NEURONS_FROM
    for step in steps:
        frame = dict(options)
        attrs = {"labelloc": "t", "labeljust": "l", "fontsize": "16", "size": FRAME_SIZE}
        attrs.update(frame.pop("graph_attr", None) or {})
        attrs.setdefault("label", _caption(step.describe()))
        if large:  # neurons in boxes; their parameters stay folded in (not tinted)
            frame.setdefault("fold_neurons", True)
            readers = (
                [c.target for c in step.contributions]
                if isinstance(step, BackwardStep)
                else list(step.node.parents)
            )
            frame.setdefault("tint", {v: RECEIVING for v in readers if not v.is_leaf})
        target = Path(directory) / f"{prefix}_{step.index + 1:0{width}d}{suffix}"
        paths.append(write_atomic(target, pipe(step.draw(graph_attr=attrs, **frame), fmt)))
    return paths


def step_slider(
    steps: Sequence[BackwardStep] | Sequence[ForwardStep], *, digits: int = 4, **options: Any
) -> Any:
    """An ipywidgets box: a slider over ``steps`` above the text and drawing of the chosen step.

    Drawings are made when a step is first shown and then kept. ``options``
    go to ``draw_dot``. Needs ``ipywidgets`` (the ``notebooks`` extra); in a
    notebook without it, ``for step in steps: display(step)`` shows every step.
    """
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "step_slider needs ipywidgets: pip install ipywidgets (or the 'notebooks' extra); "
            "without it, `for step in steps: display(step)` shows every step"
        ) from None
    if len(steps) == 0:
        raise ValueError("step_slider: no steps to show (a leaf has no backward steps)")
    _check_digits(digits)
    shown: dict[int, str] = {}

    def page(k: int) -> str:
        if k not in shown:
            shown[k] = _step_html(steps[k].describe(digits), steps[k].to_svg(**options))
        return shown[k]

    slider = ipywidgets.IntSlider(
        value=0, min=0, max=len(steps) - 1, step=1, description="step", continuous_update=False
    )
    view = ipywidgets.HTML(value=page(0))

    def on_change(change: Mapping[str, Any]) -> None:
        view.value = page(int(change["new"]))

    slider.observe(on_change, names="value")
    return ipywidgets.VBox([slider, view])
