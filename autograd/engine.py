"""The `Value` graph and the backward pass.

A :class:`Value` holds one float (``data``), the gradient of some output with
respect to it (``grad``), and, if an operation made it, that operation and its
arguments. Arithmetic on Values records the graph as it computes; nothing is
recorded under :func:`no_grad`.

``out.backward()`` applies the chain rule from ``out`` back to every Value it
depends on. Walking the nodes so that each comes after every node computed
from it (reverse topological order), it takes each node's gradient ``g`` and,
for each argument ``arg_i``, adds ``g * d node / d arg_i`` into ``arg_i.grad``.
The local derivatives ``d node / d arg_i`` come from the op table in
:mod:`autograd.ops`; this file contains no derivative of its own.

Plain numbers may stand on either side of an operation (``2 * x``, ``x ** 3``).
They are recorded as constant arguments: they appear in ``args`` but are not
Values, receive no gradient, and are not ``parents``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from operator import attrgetter
from typing import TypeAlias

from .ops import OPS, Op

__all__ = [
    "Value",
    "as_value",
    "exp",
    "graph_order",
    "is_grad_enabled",
    "linear",
    "log",
    "no_grad",
    "nodes_of",
    "relu",
    "sigmoid",
    "sum",
    "tanh",
]

Number: TypeAlias = int | float
"""A plain real number. At run time any ``numbers.Real`` except ``bool`` is accepted."""
Operand: TypeAlias = "Value | int | float"

_ADD, _SUB, _MUL, _DIV, _POW = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["pow"]
_NEG, _EXP, _LOG, _TANH = OPS["neg"], OPS["exp"], OPS["log"], OPS["tanh"]
_SIGMOID, _RELU, _SUM, _LINEAR = OPS["sigmoid"], OPS["relu"], OPS["sum"], OPS["linear"]

_next_id = count().__next__  # creation numbers: an argument is always older than its result
_recording = True  # False inside no_grad()


def _to_float(x: object, where: str) -> float:
    """``x`` as a float if it is a real number; ``TypeError`` naming its type otherwise."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {x!r:.60}")
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{where}: {x!r:.60} is too large for a float") from None


def _operand(x: object, where: str) -> Value | float | None:
    """An operand as stored in a node: a Value, a float constant, or None if unsupported."""
    if type(x) is Value or type(x) is float:
        return x
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return _to_float(x, where)


class Value:
    """A scalar node in a computation graph.

    Args:
        data: a real number (``int``, ``float`` or any ``numbers.Real`` such as
            a NumPy scalar), stored as a float. ``bool``, ``str``, ``None``,
            ``complex`` and containers raise ``TypeError``: a bool is refused
            because it is almost always a comparison passed by mistake.
        label: an optional name, shown in graph drawings and tables.

    Attributes:
        data: the value, a float.
        grad: d(root)/d(this node) after ``root.backward()``; 0.0 before.
            Leaves accumulate it across backward passes; nodes made by an
            operation hold the gradient of the latest pass.
        label: the name given at creation (may be assigned later).
        op: the name of the operation that made this node; ``""`` for a leaf.
        parents: the input Values in argument order, duplicates kept.
        args: all arguments in order, constants (floats) included.

    ``==`` and ``hash`` are by identity, so Values can key dicts and sets;
    compare ``a.data == b.data`` for numbers. ``<``, ``<=``, ``>``, ``>=``
    compare ``data`` and return a plain bool.
    """

    __slots__ = ("data", "grad", "label", "_op", "_args", "_id", "_mark")  # noqa: RUF023

    data: float
    grad: float
    label: str

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _to_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._op: Op | None = None
        self._args: tuple[Value | float, ...] = ()
        self._id = _next_id()
        self._mark: object = None

    # --- recording ---------------------------------------------------------

    @classmethod
    def _make(cls, data: float, op: Op, args: tuple[Value | float, ...]) -> Value:
        """The result node of ``op`` applied to ``args``, recorded unless in no_grad()."""
        v = _new_value(cls)
        v.data = data
        v.grad = 0.0
        v.label = ""
        if _recording:
            v._op = op
            v._args = args
        else:
            v._op = None
            v._args = ()
        v._id = _next_id()
        v._mark = None
        return v

    def _binary(self, op: Op, other: object, reflected: bool = False) -> Value:
        b = _operand(other, op.name)
        if b is None:
            return NotImplemented  # type: ignore[no-any-return]
        bd = b.data if type(b) is Value else b
        if reflected:
            return Value._make(op.forward(bd, self.data), op, (b, self))
        return Value._make(op.forward(self.data, bd), op, (self, b))

    # --- arithmetic --------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        return self._binary(_ADD, other)

    def __radd__(self, other: Operand) -> Value:
        return self._binary(_ADD, other, True)

    def __sub__(self, other: Operand) -> Value:
        return self._binary(_SUB, other)

    def __rsub__(self, other: Operand) -> Value:
        return self._binary(_SUB, other, True)

    def __mul__(self, other: Operand) -> Value:
        return self._binary(_MUL, other)

    def __rmul__(self, other: Operand) -> Value:
        return self._binary(_MUL, other, True)

    def __truediv__(self, other: Operand) -> Value:
        return self._binary(_DIV, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return self._binary(_DIV, other, True)

    def __pow__(self, other: Operand) -> Value:
        return self._binary(_POW, other)

    def __rpow__(self, other: Operand) -> Value:
        return self._binary(_POW, other, True)

    def __neg__(self) -> Value:
        return Value._make(_NEG.forward(self.data), _NEG, (self,))

    def __pos__(self) -> Value:
        return self

    # --- elementary functions ------------------------------------------------

    def exp(self) -> Value:
        """``exp(x)``; ``OverflowError`` above about 709.78."""
        return Value._make(_EXP.forward(self.data), _EXP, (self,))

    def log(self) -> Value:
        """Natural log; ``ValueError`` for ``x <= 0``."""
        return Value._make(_LOG.forward(self.data), _LOG, (self,))

    def tanh(self) -> Value:
        """``tanh(x)``, with ``d tanh(x)/dx = 1 - tanh(x)**2``."""
        return Value._make(_TANH.forward(self.data), _TANH, (self,))

    def sigmoid(self) -> Value:
        """Logistic ``sigma(x) = 1/(1 + exp(-x))``, finite for every finite x.

        ``d sigma/dx = sigma(x) (1 - sigma(x))``.
        """
        return Value._make(_SIGMOID.forward(self.data), _SIGMOID, (self,))

    def relu(self) -> Value:
        """``max(0, x)``; its derivative at exactly 0 is taken to be 0."""
        return Value._make(_RELU.forward(self.data), _RELU, (self,))

    # --- comparisons on data (not recorded) ----------------------------------

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)

    def __float__(self) -> float:
        return self.data

    # --- graph inspection --------------------------------------------------

    @property
    def op(self) -> str:
        """Name of the operation that made this node (a key of ``OPS``); ``""`` for a leaf."""
        return self._op.name if self._op is not None else ""

    @property
    def op_info(self) -> Op | None:
        """The :class:`~autograd.ops.Op` that made this node, or ``None`` for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The input Values in argument order, duplicates kept (``a*a`` -> ``(a, a)``)."""
        return tuple(a for a in self._args if isinstance(a, Value))

    @property
    def args(self) -> tuple[Value | float, ...]:
        """All arguments in order: input Values and float constants."""
        return self._args

    @property
    def is_leaf(self) -> bool:
        """True for a Value that no recorded operation made."""
        return self._op is None

    def __repr__(self) -> str:
        parts = [f"data={self.data:.6g}", f"grad={self.grad:.6g}"]
        if self._op is not None:
            parts.append(f"op={self._op.name!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    # --- the backward pass ---------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Accumulate ``d self / d v`` into ``v.grad`` for every Value ``v`` this one depends on.

        Semantics (as in PyTorch):

        * the root's gradient is seeded with ``grad`` (1.0 by default);
        * a Value used several times receives the sum of its contributions;
        * leaves *accumulate*: a second ``backward()`` adds to their ``grad``,
          so zero them between passes (``Module.zero_grad()``);
        * every other node's ``grad`` is reset at the start of the pass, so
          after it each holds its gradient from this pass.

        The order is built without recursion, so graphs of any depth work.
        """
        seed = _to_float(grad, "backward")
        order, leaves = _collect(self)
        # This pass's contributions are summed apart from what the leaves held
        # before and added to it at the end, so that a repeated pass adds the
        # very same number: x + x == 2x exactly, whatever the graph.
        before = [leaf.grad for leaf in leaves]
        for leaf in leaves:
            leaf.grad = 0.0
        for node in order:
            node.grad = 0.0
        self.grad = seed
        for node in order:
            g = node.grad
            op = node._op
            args = node._args
            arity = op.arity  # type: ignore[union-attr]
            if arity == 1:
                a = args[0]
                a.grad += g * op.partials(node.data, a.data)[0]  # type: ignore[union-attr]
            elif arity == 2:
                a, b = args
                if type(a) is Value:
                    if type(b) is Value:
                        da, db = op.partials(node.data, a.data, b.data)  # type: ignore[union-attr]
                        a.grad += g * da
                        b.grad += g * db
                    else:
                        a.grad += g * op.partials(node.data, a.data, b)[0]  # type: ignore[union-attr]
                else:
                    b.grad += g * op.partials(node.data, a, b.data)[1]  # type: ignore[union-attr]
            else:
                values = [x.data if type(x) is Value else x for x in args]
                for x, d in zip(args, op.partials(node.data, *values)):  # type: ignore[union-attr]
                    if type(x) is Value:
                        x.grad += g * d
        for leaf, g in zip(leaves, before):
            leaf.grad = g + leaf.grad


_new_value = object.__new__
_creation_key = attrgetter("_id")


def graph_order(root: Value) -> list[Value]:
    """The non-leaf nodes ``root`` depends on, newest first: the order of the backward pass.

    Every node is created after its arguments, so sorting by creation number,
    newest first, puts each node before all of its inputs (a reverse
    topological order). Changes nothing; see :func:`nodes_of` for all nodes.
    """
    return _collect(root)[0]


def _collect(root: Value) -> tuple[list[Value], list[Value]]:
    """``(non-leaf nodes newest first, leaves)`` of ``root``'s graph, each node once.

    The graph is explored with an explicit stack, never by recursion.
    """
    mark = object()  # a fresh token: a node has been seen when its _mark is this token
    root._mark = mark
    stack = [root]
    order: list[Value] = []
    leaves: list[Value] = []
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        if node._op is None:
            leaves.append(node)
            continue
        order.append(node)
        for arg in node._args:
            if type(arg) is Value and arg._mark is not mark:
                arg._mark = mark
                push(arg)
    order.sort(key=_creation_key, reverse=True)
    return order, leaves


def nodes_of(root: Value) -> list[Value]:
    """Every Value ``root`` depends on, itself and the leaves included, oldest first.

    Unlike :func:`graph_order` this changes nothing; it is for inspection
    (tables, drawings). Explored with an explicit stack, never by recursion.
    """
    seen = {id(root)}
    stack = [root]
    found = []
    while stack:
        node = stack.pop()
        found.append(node)
        for arg in node._args:
            if isinstance(arg, Value) and id(arg) not in seen:
                seen.add(id(arg))
                stack.append(arg)
    found.sort(key=_creation_key)
    return found


def _data(x: object) -> float:
    if isinstance(x, Value):
        return x.data
    return _to_float(x, "comparison")


# --- no_grad ---------------------------------------------------------------


@contextmanager
def no_grad() -> Iterator[None]:
    """Within this block operations record no graph: their results are leaves.

    Use it for evaluation and for parameter updates. The switch is process-wide
    (not per thread). Blocks nest; leaving one restores the previous state.
    """
    global _recording
    previous = _recording
    _recording = False
    try:
        yield
    finally:
        _recording = previous


def is_grad_enabled() -> bool:
    """False inside :func:`no_grad`."""
    return _recording


# --- functions on Values or plain numbers -----------------------------------


def as_value(x: Operand) -> Value:
    """``x`` itself if it is a Value, else a new leaf Value holding ``x``."""
    return x if isinstance(x, Value) else Value(x)


def exp(x: Operand) -> Value:
    """``exp(x)`` for a Value or a number (the result is always a Value)."""
    return as_value(x).exp()


def log(x: Operand) -> Value:
    """Natural log of a Value or a number."""
    return as_value(x).log()


def tanh(x: Operand) -> Value:
    """``tanh(x)`` of a Value or a number."""
    return as_value(x).tanh()


def sigmoid(x: Operand) -> Value:
    """Logistic sigmoid of a Value or a number."""
    return as_value(x).sigmoid()


def relu(x: Operand) -> Value:
    """``max(0, x)`` of a Value or a number."""
    return as_value(x).relu()


def _operands(xs: Iterable[object], where: str) -> tuple[Value | float, ...]:
    out = []
    for x in xs:
        o = _operand(x, where)
        if o is None:
            raise TypeError(f"{where}: expected Values or real numbers, got {type(x).__name__}")
        out.append(o)
    return tuple(out)


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors builtins.sum on purpose
    """``x_1 + ... + x_n`` as one node, whose local derivative is 1 for every input.

    Same value as a chain of ``+`` (summed left to right), but one node instead
    of n - 1, so graphs of wide sums stay small.
    """
    args = _operands(values, "sum")
    data = _SUM.forward(*[a.data if type(a) is Value else a for a in args])
    return Value._make(data, _SUM, args)


def linear(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand) -> Value:
    """A neuron's pre-activation ``z = sum_i w_i x_i + b`` as one node.

    Its local derivatives are ``dz/dw_i = x_i``, ``dz/dx_i = w_i`` and
    ``dz/db = 1``; its arguments are ``(w_1..w_n, x_1..x_n, b)``.
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"linear: {len(weights)} weights but {len(inputs)} inputs; they must match"
        )
    args = _operands((*weights, *inputs, bias), "linear")
    data = _LINEAR.forward(*[a.data if type(a) is Value else a for a in args])
    return Value._make(data, _LINEAR, args)
