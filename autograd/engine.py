"""The `Value` graph and the backward pass.

A :class:`Value` holds one float (``data``), the gradient of some output with
respect to it (``grad``), and, if an operation made it, that operation and its
arguments. Arithmetic on Values records the graph as it computes; nothing is
recorded under :func:`no_grad`.

``out.backward()`` applies the chain rule from ``out`` back to every Value it
depends on. It visits each node after every node that uses it (a reverse
topological order), takes the node's gradient ``g`` and, for each argument
``arg_i``, adds ``g * d node / d arg_i`` into ``arg_i.grad``. The local
derivatives ``d node / d arg_i`` come from the op table in :mod:`autograd.ops`;
this file contains no derivative of its own.

Plain numbers may stand on either side of an operation (``2 * x``, ``x ** 3``).
They are recorded as constant arguments: they appear in ``args`` but are not
Values, receive no gradient, and are not ``parents``.

Trust under careless and concurrent use: conversions that would take a
number out of the graph (``float(x)``, so ``math.sin(x)``; ``bool(x)``...)
raise ``TypeError``; a local derivative of exactly 0 sends nothing (zero
means zero, even against ``inf`` or ``nan``); an interrupted pass is undone
(:func:`_undo_pass`); :func:`no_grad` is per thread, and passes run one at a
time (:func:`_enter_pass`). Copying and pickling live in
:mod:`autograd.graphcopy`.

How a node stores its arguments (the only part of this file written for speed
rather than for the reader): most operations take one or two arguments, so
they sit in two slots of their own, ``_a`` and ``_b``, and making a node
allocates one object, not two. An operation with any number of arguments
(``sum``, ``linear``, ``squared_error``) keeps the tuple of its arguments in
``_a`` and the tuple of its local derivatives, computed once when the node is
made, in ``_b``. The ``args`` property hides all of this.
"""

from __future__ import annotations

import math
import numbers
import reprlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn, TypeAlias, final

from .ops import OPS, Op

_copysign = math.copysign

__all__ = [
    "Value",
    "as_value",
    "exp",
    "graph_order",
    "is_grad_enabled",
    "linear",
    "log",
    "logsumexp",
    "maximum",
    "minimum",
    "no_grad",
    "nodes_of",
    "relu",
    "sigmoid",
    "squared_error",
    "sum",
    "tanh",
]

Number: TypeAlias = int | float
"""A plain real number. At run time any ``numbers.Real`` except ``bool`` is accepted."""
Operand: TypeAlias = "Value | int | float"

_ADD, _SUB, _MUL, _DIV, _POW = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["pow"]
_NEG, _EXP, _LOG, _TANH = OPS["neg"], OPS["exp"], OPS["log"], OPS["tanh"]
_SIGMOID, _RELU, _SUM, _LINEAR = OPS["sigmoid"], OPS["relu"], OPS["sum"], OPS["linear"]
_SQUARED_ERROR = OPS["squared_error"]
_MAXIMUM, _MINIMUM, _LOGSUMEXP = OPS["maximum"], OPS["minimum"], OPS["logsumexp"]

_new_value = object.__new__


class _ThreadState(threading.local):
    recording = True  # False inside this thread's no_grad() blocks


_thread = _ThreadState()
# One entry per no_grad() block open in any thread (list.append and list.pop are
# atomic, so no lock is needed). While it is empty every thread records, and the
# operations test only that (a global read, as cheap as a plain switch);
# otherwise they ask the thread's own state. The hot test is
#     if not _no_grad_blocks or _thread.recording:   (record the operation)
_no_grad_blocks: list[None] = []
# One backward pass at a time, in all threads (see _enter_pass).
_pass_lock = threading.RLock()


def _enter_pass() -> None:
    """Wait until no other thread's backward pass runs, then hold the pass lock.

    If this thread already holds it, a pass of its own was interrupted just
    after taking it or just before giving it back (Ctrl-C can strike between
    any two lines), so no pass of this thread runs: the lock is taken over
    instead of waiting for ever. (A pass never starts another one.)
    """
    if not _pass_lock._is_owned():  # type: ignore[attr-defined]
        _pass_lock.acquire()


def _leave_pass() -> None:
    """Give the pass lock back after an interrupted pass, if this thread still holds it."""
    if _pass_lock._is_owned():  # type: ignore[attr-defined]
        _pass_lock.release()


def _to_float(x: object, where: str) -> float:
    """``x`` as a float if it is a real number; ``TypeError`` naming its type otherwise.

    A finite number too large for a float raises ``OverflowError`` (an int, a
    Fraction, or a NumPy ``longdouble`` such as ``1e4000``, which ``float()``
    would silently turn into inf); an infinity or NaN given as such is kept.
    A number too small for a float rounds to the nearest one, as ``float()``
    does (``1e-400`` becomes 0.0).
    """
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {type(x).__name__} {_quote(x)}")
    try:
        out = float(x)
    except OverflowError:
        out = math.inf  # reported below
    if math.isinf(out) and not x == out:  # finite (or larger than any float) before, inf now
        raise OverflowError(
            f"{where}: {_quote(x)} is too large for a float (the largest is about 1.8e308)"
        )
    return out


def _quote(x: object, limit: int = 60) -> str:
    """A short quotation of a number or object for an error message; never fails, never long.

    Large integers and fractions are described by their number of digits, not
    printed (printing one of 5000 digits fails, and one of a million is slow).
    """
    if isinstance(x, numbers.Rational):
        size = max(abs(int(x.numerator)).bit_length(), int(x.denominator).bit_length())
        if size > 190:  # more than about 57 digits
            kind = "integer" if isinstance(x, numbers.Integral) else type(x).__name__
            sign = "a negative" if x < 0 else ("an" if kind == "integer" else "a")
            return f"{sign} {kind} of about {int(size * 0.30103) + 1} digits"
    try:
        text = reprlib.repr(x)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(x).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _refuse(what: str) -> NoReturn:
    """Raise the ``TypeError`` of a conversion that would drop a Value out of the graph."""
    raise TypeError(
        f"{what} would take a Value's number out of the graph, so no gradient would flow "
        "through the result: write x.data for the plain number, or use the Value's own "
        "operations to stay in the graph (x.exp(), x.log(), x.tanh(), x.sigmoid(), "
        "x.relu(), x ** k, +, -, *, /)"
    )


def _operand(x: object, where: str) -> Value | float | None:
    """An operand as a node stores it: a Value, a float constant, or None if unsupported."""
    if type(x) is Value or type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return _to_float(x, where)


def _binary_method(op: Op, reflected: bool = False) -> Callable[[Value, Operand], Value]:
    """``Value.__mul__`` and friends: ``self (op) other``, or ``other (op) self`` if reflected."""
    forward = op.forward

    def operand(other: object) -> tuple[Value | float, float] | None:
        # the uncommon operands: ints, NumPy scalars, Fractions ... (None: not a number)
        b = _operand(other, op.name)
        if b is None:
            return None
        return b, (b.data if type(b) is Value else b)

    def method(self: Value, other: Operand) -> Value:
        if type(other) is float:
            b: Value | float = other
            bd = other
        elif type(other) is Value:
            b = other
            bd = other.data
        else:
            found = operand(other)
            if found is None:
                return NotImplemented  # type: ignore[no-any-return]  # Python raises TypeError
            b, bd = found
        v = _new_value(Value)
        v.data = forward(self.data, bd)
        v.grad = 0.0
        v.label = ""
        if not _no_grad_blocks or _thread.recording:
            v._op, v._a, v._b = op, self, b
        else:
            v._op = v._a = v._b = None
        v._pending = 0
        return v

    def reflected_method(self: Value, other: Operand) -> Value:
        if type(other) is float:
            b: Value | float = other
            bd = other
        else:
            found = operand(other)  # (a Value on the left would have used its own method)
            if found is None:
                return NotImplemented  # type: ignore[no-any-return]
            b, bd = found
        v = _new_value(Value)
        v.data = forward(bd, self.data)
        v.grad = 0.0
        v.label = ""
        if not _no_grad_blocks or _thread.recording:
            v._op, v._a, v._b = op, b, self
        else:
            v._op = v._a = v._b = None
        v._pending = 0
        return v

    made = reflected_method if reflected else method
    made.__name__ = f"__{'r' if reflected else ''}{op.name}__"
    made.__qualname__ = f"Value.{made.__name__}"  # so that pickle finds it as Value's method
    roles = "other as a, self as b" if reflected else "self as a, other as b"
    made.__doc__ = f"``{op.notation}`` with {roles}."
    return made


def _unary_method(op: Op, doc: str) -> Callable[[Value], Value]:
    """``Value.exp`` and friends: ``op(self)``."""
    forward = op.forward

    def method(self: Value) -> Value:
        v = _new_value(Value)
        v.data = forward(self.data)
        v.grad = 0.0
        v.label = ""
        if not _no_grad_blocks or _thread.recording:
            v._op, v._a = op, self
        else:
            v._op = v._a = None
        v._b = None
        v._pending = 0
        return v

    method.__name__ = op.name
    method.__qualname__ = f"Value.{op.name}"  # pickle finds Value.sigmoid (nn's activations)
    method.__doc__ = doc
    return method


def _named_binary_method(op: Op, doc: str) -> Callable[[Value, Operand], Value]:
    """``Value.maximum`` and friends: like ``__add__``, but a bad operand raises ``TypeError``."""
    plain = _binary_method(op)

    def method(self: Value, other: Operand) -> Value:
        return _binary_result(plain(self, other), op.name, other)

    method.__name__ = op.name
    method.__doc__ = doc
    return method


@final
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

    Nothing leaves the graph silently: ``float(x)`` (and so ``math.sin(x)``,
    ``math.exp(x)``, ``np.float64(x)``, ``"%f" % x``), ``int(x)``,
    ``round(x)``, ``complex(x)``, ``operator.index(x)`` (``lst[x]``,
    ``range(x)``), ``math.floor/ceil/trunc(x)`` and ``bool(x)`` (``if x:``)
    raise ``TypeError`` saying to write ``x.data`` or to use the Value's own
    operations. NumPy: ``np.asarray([x])`` is an object array of the Values
    themselves, and a ufunc calls the Value's method of the same name
    (``np.exp(x)`` is ``x.exp()``, in the graph) or raises ``TypeError`` when
    there is none (``np.arctan(x)``); ``np.float64(x)`` and ``dtype=float``
    convert with ``float()`` and are refused. Value cannot be subclassed (the
    backward pass recognises nodes by their exact type, for speed).
    """

    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_pending")  # noqa: RUF023

    data: float
    grad: float
    label: str
    _op: Op | None
    _a: Any  # see the module docstring for what _a and _b hold
    _b: Any
    _pending: int  # uses not yet processed during a backward pass; 0 at rest

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _to_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._op = self._a = self._b = None
        self._pending = 0

    def __init_subclass__(cls, **kwargs: object) -> None:
        raise TypeError("Value cannot be subclassed")

    # --- arithmetic and elementary functions ------------------------------------
    # Each method is made from its entry in the op table by the factories above:
    # it computes op.forward on the floats and records the op and its arguments.

    __add__ = _binary_method(_ADD)
    __radd__ = _binary_method(_ADD, reflected=True)
    __sub__ = _binary_method(_SUB)
    __rsub__ = _binary_method(_SUB, reflected=True)
    __mul__ = _binary_method(_MUL)
    __rmul__ = _binary_method(_MUL, reflected=True)
    __truediv__ = _binary_method(_DIV)
    __rtruediv__ = _binary_method(_DIV, reflected=True)
    __pow__ = _binary_method(_POW)
    __rpow__ = _binary_method(_POW, reflected=True)
    __neg__ = _unary_method(_NEG, "``-x``.")
    exp = _unary_method(_EXP, "``exp(x)``; ``OverflowError`` above about 709.78.")
    log = _unary_method(_LOG, "Natural log; ``ValueError`` for ``x <= 0``.")
    tanh = _unary_method(_TANH, "``tanh(x)``, with ``d tanh(x)/dx = 1 - tanh(x)**2``.")
    sigmoid = _unary_method(
        _SIGMOID,
        "Logistic ``sigma(x) = 1/(1 + exp(-x))``, finite for every finite x; "
        "``d sigma/dx = sigma(x) (1 - sigma(x))``.",
    )
    relu = _unary_method(_RELU, "``max(0, x)``; its derivative at exactly 0 is taken to be 0.")
    sin = _unary_method(OPS["sin"], "``sin(x)``; ``ValueError`` for an infinite x.")
    cos = _unary_method(OPS["cos"], "``cos(x)``; ``ValueError`` for an infinite x.")
    sqrt = _unary_method(
        OPS["sqrt"], "``sqrt(x)``; ``ValueError`` for ``x < 0``; its slope at 0 is +inf."
    )
    abs = _unary_method(OPS["abs"], "``|x|``; its derivative at exactly 0 is taken to be 0.")
    __abs__ = abs  # noqa: A003 - the method just defined, not the builtin
    log1p = _unary_method(
        OPS["log1p"], "``log(1 + x)``, exact for tiny x; ``ValueError`` for ``x <= -1``."
    )
    expm1 = _unary_method(
        OPS["expm1"], "``exp(x) - 1``, exact for tiny x; ``OverflowError`` above about 709.78."
    )
    softplus = _unary_method(
        OPS["softplus"],
        "``log(1 + exp(x))``, never overflowing (``softplus(1000) == 1000.0``); "
        "its derivative is ``sigmoid(x)``.",
    )
    maximum = _named_binary_method(_MAXIMUM, "The larger of self and other; see :func:`maximum`.")
    minimum = _named_binary_method(_MINIMUM, "The smaller of self and other; see :func:`minimum`.")

    def __pos__(self) -> Value:
        return self

    # --- comparisons on data (not recorded) ----------------------------------

    def __lt__(self, other: Operand) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        return self.data >= _data(other)

    # --- conversions that would take the number out of the graph: refused ----
    # float(x) is what math.sin(x), math.exp(x), np.float64(x) and "%f" % x call;
    # had it worked, the result would be a plain number that no gradient flows
    # through, so x.grad would silently miss that path. Each of these raises a
    # TypeError that says what to write instead.

    def __float__(self) -> NoReturn:
        _refuse("float(x) (also math.sin(x), math.exp(x), np.float64(x) ...)")

    def __int__(self) -> NoReturn:
        _refuse("int(x)")

    def __index__(self) -> NoReturn:
        _refuse("using a Value as an index or a count (operator.index(x))")

    def __complex__(self) -> NoReturn:
        _refuse("complex(x)")

    def __round__(self, ndigits: int | None = None) -> NoReturn:
        _refuse("round(x)")

    def __trunc__(self) -> NoReturn:
        _refuse("math.trunc(x)")

    def __floor__(self) -> NoReturn:
        _refuse("math.floor(x)")

    def __ceil__(self) -> NoReturn:
        _refuse("math.ceil(x)")

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "the truth value of a Value is ambiguous (is it data != 0? is it in a graph?): "
            "write x.data != 0, or a comparison such as x > 0, which compares data"
        )

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
    def args(self) -> tuple[Value | float, ...]:
        """All arguments in order: input Values and float constants."""
        op = self._op
        if op is None:
            return ()
        if op.arity is None:
            return self._a  # type: ignore[no-any-return]
        return (self._a,) if op.arity == 1 else (self._a, self._b)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The input Values in argument order, duplicates kept (``a*a`` -> ``(a, a)``)."""
        return tuple(a for a in self.args if type(a) is Value)

    @property
    def is_leaf(self) -> bool:
        """True for a Value that no recorded operation made."""
        return self._op is None

    def _repr_svg_(self) -> str | None:
        """Jupyter's rich display: the graph of this Value (small graphs only, else None)."""
        try:
            from .viz import repr_svg
        except ImportError:  # the viz extra (graphviz) is not installed
            return None
        return repr_svg(self)

    def __repr__(self) -> str:
        parts = [f"data={self.data:.6g}", f"grad={self.grad:.6g}"]
        if self._op is not None:
            parts.append(f"op={self._op.name!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    # --- copying and pickling (autograd.graphcopy) ------------------------------

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a leaf by its numbers, a node with its graph flattened; ops by name."""
        from .graphcopy import reduce_value

        return reduce_value(self)

    def __copy__(self) -> Value:
        """A new node with the same numbers, operation and arguments (the same parents)."""
        v = _new_value(Value)
        v.data, v.grad, v.label = self.data, self.grad, self.label
        v._op, v._a, v._b = self._op, self._a, self._b
        v._pending = 0
        return v

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of this Value's whole graph, made without recursion; sharing is kept."""
        from .graphcopy import deepcopy_value

        return deepcopy_value(self, memo)

    # --- the backward pass ---------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Accumulate ``d self / d v`` into ``v.grad`` for every Value ``v`` this one depends on.

        Semantics (``make torch-check`` checks those said to be PyTorch's):

        * the root's gradient is seeded with ``grad`` (1.0 by default);
        * a Value used several times receives the sum of its contributions;
        * zero means zero: a local derivative that is exactly 0 contributes
          nothing, even when the incoming gradient is ``inf`` or ``nan``;
        * leaves *accumulate*, as in PyTorch: a second ``backward()`` adds to
          their ``grad`` (exactly doubling it), so zero them between passes
          (``Module.zero_grad()``);
        * every other node's ``grad`` is reset at the start of the pass, so
          after it each holds its gradient from this pass;
        * passes run one at a time: a ``backward()`` called while another
          thread's pass runs waits for it to finish (the use counts of shared
          nodes live on the nodes), so threads may run passes over graphs that
          share nodes; leaves receive the sum of both passes, and a shared
          intermediate node holds the gradient of the pass that ran last;
        * an interrupted pass loses nothing: if anything raises during the
          pass (Ctrl-C, an error from an operation, ``AnomalyError``), every
          leaf gets back exactly the gradient it held before the call, the
          other nodes reached hold 0.0, and the next pass adds exactly one pass.

        Nodes are visited in the order :func:`graph_order` gives, found
        without recursion, so graphs of any depth work.
        """
        seed = _to_float(grad, "backward")
        reached: list[Value] = []
        kept: list[tuple[Value, float]] = []
        running = False
        try:
            _enter_pass()  # passes keep use counts on shared nodes: one pass at a time
            _prepare_pass(self, reached, kept)
            running = True
            self.grad = seed
            _run_pass(self)
            for leaf, previous in kept:
                leaf.grad = previous + leaf.grad
            _pass_lock.release()  # the last thing the pass does
        except BaseException:  # Ctrl-C or an error from an operation: undo the pass
            _undo_pass(self, reached, kept, running)
            _leave_pass()
            raise


def _prepare_pass(root: Value, reached: list[Value], kept: list[tuple[Value, float]]) -> None:
    """Get ``root``'s graph ready for a backward pass.

    Every non-leaf node reached is appended to ``reached``, gets ``grad = 0``
    and ``_pending`` = the number of times nodes of this graph use it, so that
    the pass can process a node as soon as all its users have been processed:
    a reverse topological order, found without sorting and without recursion.
    (At rest ``_pending`` is 0; a pass counts it up here and back down to 0 as
    it goes.)

    Leaves that hold a gradient are appended to ``kept`` as ``(leaf, previous
    grad)`` pairs and set to 0: the pass sums each leaf's contributions from 0
    and adds the previous gradient back at the end, so that a repeated pass
    adds the very same number and every leaf gradient exactly doubles
    (``x + x == 2x``). The lists are the caller's, so that an interrupted
    preparation can be undone (:func:`_undo_pass`).
    """
    if root._op is None:
        if root.grad or _copysign(1.0, root.grad) < 0.0:
            kept.append((root, root.grad))
            root.grad = 0.0
        return
    push = reached.append
    push(root)
    for node in reached:  # the list grows as the walk finds new nodes
        node.grad = 0.0
        # (a unary node's _b is None, which the type test below skips)
        args = node._a if node._op.arity is None else (node._a, node._b)  # type: ignore[union-attr]
        for arg in args:
            if type(arg) is Value:
                if arg._op is None:
                    # a leaf still holding a gradient (NaN and -0.0 included)
                    if arg.grad or _copysign(1.0, arg.grad) < 0.0:
                        kept.append((arg, arg.grad))
                        arg.grad = 0.0
                else:
                    if not arg._pending:
                        push(arg)
                    arg._pending += 1


def _undo_pass(
    root: Value, reached: list[Value], kept: list[tuple[Value, float]], running: bool
) -> None:
    """Put back what an interrupted pass changed, so that it is as if it never ran.

    Every leaf gets back exactly the gradient it held before the pass: the
    kept ones their previous value; the others held +0.0 once the preparation
    was complete (``running``), and were not touched before. The non-leaf
    nodes reached get ``_pending = 0`` and ``grad = 0.0``: their pass did not
    finish, so they hold no gradient.
    """
    for node in reached:
        node._pending = 0
        node.grad = 0.0
        if running:
            args = node._a if node._op.arity is None else (node._a, node._b)  # type: ignore[union-attr]
            for arg in args:
                if type(arg) is Value and arg._op is None:
                    arg.grad = 0.0
    if running and root._op is None:
        root.grad = 0.0
    for leaf, previous in kept:
        leaf.grad = previous


def _run_pass(root: Value) -> None:
    """The chain rule, node by node: each node sends ``g * d node/d arg`` to every argument.

    A node is ready once every node that uses it has sent its share:
    ``_pending`` counts the uses not yet processed (set by :func:`_prepare_pass`).
    Zero means zero: a local derivative ``d`` that is exactly 0 sends nothing,
    whatever ``g`` is (IEEE 754 alone would make ``inf * 0`` NaN); otherwise
    ``g * d`` is added. Unary and binary nodes are written out case by case,
    for speed.
    """
    ready = [root] if root._op is not None else []
    push, pop = ready.append, ready.pop
    while ready:
        node = pop()
        g = node.grad
        op: Op = node._op  # type: ignore[assignment]  # only non-leaf nodes get here
        arity = op.arity
        if arity == 1:
            a = node._a
            d = op.partials(node.data, a.data)[0]
            if d:
                a.grad += g * d
            if a._op is not None:
                a._pending -= 1
                if not a._pending:
                    push(a)
            continue
        if arity == 2:
            a, b = node._a, node._b
            if type(b) is not Value:  # b is a constant
                d = op.partials(node.data, a.data, b)[0]
                if d:
                    a.grad += g * d
                if a._op is not None:
                    a._pending -= 1
                    if not a._pending:
                        push(a)
                continue
            if type(a) is not Value:  # a is a constant
                d = op.partials(node.data, a, b.data)[1]
                if d:
                    b.grad += g * d
                if b._op is not None:
                    b._pending -= 1
                    if not b._pending:
                        push(b)
                continue
            args: tuple[Any, ...] = (a, b)
            local = op.partials(node.data, a.data, b.data)
        else:  # variadic: arguments and local derivatives were stored at creation
            args, local = node._a, node._b
        for arg, d in zip(args, local):
            if type(arg) is Value:
                if d:
                    arg.grad += g * d
                if arg._op is not None:
                    arg._pending -= 1
                    if not arg._pending:
                        push(arg)


def graph_order(root: Value) -> list[Value]:
    """The non-leaf nodes ``root`` depends on, in the order :meth:`Value.backward` visits them.

    A node comes only after every node that uses it (a reverse topological
    order). The same rule as the backward pass decides among ready nodes, so
    this is exactly its order. Changes nothing.
    """
    if root._op is None:
        return []
    uses: dict[Value, int] = {}
    stack = [root]
    while stack:
        for arg in stack.pop().args:
            if type(arg) is Value and arg._op is not None:
                if arg in uses:
                    uses[arg] += 1
                else:
                    uses[arg] = 1
                    stack.append(arg)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for arg in node.args:
            if type(arg) is Value and arg._op is not None:
                uses[arg] -= 1
                if not uses[arg]:
                    ready.append(arg)
    return order


def nodes_of(root: Value) -> list[Value]:
    """Every Value ``root`` depends on, itself and the leaves included, each once.

    Inputs come before the nodes that use them (a topological order: a
    depth-first walk that takes arguments left to right, so ``(a*b + c)``
    lists ``a, b, a*b, c, a*b + c``). Changes nothing; for tables, drawings and
    the forward step-through. Walked with an explicit stack, never by recursion.
    """
    found: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            found.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            for arg in reversed(node.args):
                if type(arg) is Value and arg not in seen:
                    stack.append((arg, False))
    return found


def _data(x: object) -> float:
    if isinstance(x, Value):
        return x.data
    return _to_float(x, "comparison")


# --- no_grad ---------------------------------------------------------------


@contextmanager
def no_grad() -> Iterator[None]:
    """Within this block operations record no graph: their results are leaves.

    Use it for evaluation and for parameter updates. The switch is per thread,
    as in PyTorch: a block in one thread does not stop another thread from
    recording, whatever the order in which threads enter and leave their
    blocks. Blocks nest; leaving one restores the previous state.
    """
    _no_grad_blocks.append(None)  # first, so that the hot test looks at _thread below
    previous = _thread.recording
    try:
        _thread.recording = False
        yield
    finally:
        _thread.recording = previous
        _no_grad_blocks.pop()


def is_grad_enabled() -> bool:
    """False inside :func:`no_grad` (in this thread)."""
    return _thread.recording


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


_rmaximum = _binary_method(_MAXIMUM, reflected=True)
_rminimum = _binary_method(_MINIMUM, reflected=True)


def maximum(a: Operand, b: Operand) -> Value:
    """The larger of ``a`` and ``b`` (a Value or a number each), as one node.

    Its local derivatives are 1 for the larger argument and 0 for the other;
    at a tie, 1/2 each, so that ``maximum(x, x)`` has slope 1. NaN in, NaN out.
    """
    if isinstance(a, Value):
        return a.maximum(b)
    if isinstance(b, Value):
        return _binary_result(_rmaximum(b, a), "maximum", a)
    return Value(a).maximum(b)


def minimum(a: Operand, b: Operand) -> Value:
    """The smaller of ``a`` and ``b``, as one node; at a tie, slope 1/2 to each."""
    if isinstance(a, Value):
        return a.minimum(b)
    if isinstance(b, Value):
        return _binary_result(_rminimum(b, a), "minimum", a)
    return Value(a).minimum(b)


def _binary_result(out: Value, name: str, other: object) -> Value:
    if out is NotImplemented:
        raise TypeError(f"{name}: expected a Value or a real number, got {type(other).__name__}")
    return out


def logsumexp(values: Iterable[Operand]) -> Value:
    """``log(exp(x_1) + ... + exp(x_n))`` as one node, computed so that it never overflows.

    With ``m = x_k`` the largest input it is ``m + log1p(sum_{i != k} exp(x_i - m))``:
    no ``exp`` sees a positive number, no small term is lost, and a result
    near 0 keeps its full relative precision. Its local derivatives are the
    softmax ``exp(x_i - out)``, computed shifted by ``m`` the same way.
    """
    args = _operands(tuple(values), "logsumexp")
    if not args:
        raise ValueError("logsumexp: needs at least one value, got none")
    return _variadic(_LOGSUMEXP, args)


_STORED_TYPES = frozenset({Value, float})  # what a node's arguments may be


def _operands(args: tuple[object, ...], where: str) -> tuple[Value | float, ...]:
    """``args`` as node arguments: Values kept, real numbers as float constants."""
    if _STORED_TYPES.issuperset(map(type, args)):  # the common case, checked in C
        return args  # type: ignore[return-value]
    out = []
    for x in args:
        o = _operand(x, where)
        if o is None:
            raise TypeError(f"{where}: expected Values or real numbers, got {type(x).__name__}")
        out.append(o)
    return tuple(out)


def _variadic(op: Op, args: tuple[Value | float, ...]) -> Value:
    """The node of a variadic ``op``; its local derivatives are computed here, once."""
    values = [a.data if type(a) is Value else a for a in args]
    v = _new_value(Value)
    v.data = op.forward(*values)
    v.grad = 0.0
    v.label = ""
    if not _no_grad_blocks or _thread.recording:
        v._op, v._a, v._b = op, args, op.partials(v.data, *values)
    else:
        v._op = v._a = v._b = None
    v._pending = 0
    return v


def sum(values: Iterable[Operand]) -> Value:  # noqa: A001 - mirrors builtins.sum on purpose
    """``x_1 + ... + x_n`` as one node, whose local derivative is 1 for every input.

    Same value as a chain of ``+``, bit for bit, on every Python version
    (summed left to right; ``builtins.sum``, compensated from Python 3.12, is
    not used there), but one node instead of n - 1, so graphs of wide sums
    stay small.
    """
    return _variadic(_SUM, _operands(tuple(values), "sum"))


def linear(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand) -> Value:
    """A neuron's pre-activation ``z = sum_i w_i x_i + b`` as one node.

    Its local derivatives are ``dz/dw_i = x_i``, ``dz/dx_i = w_i`` and
    ``dz/db = 1``; its arguments are ``(w_1..w_n, x_1..x_n, b)``.
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"linear: {len(weights)} weights but {len(inputs)} inputs; they must match"
        )
    return _variadic(_LINEAR, _operands((*weights, *inputs, bias), "linear"))


def squared_error(predictions: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """The articles' loss ``E = 1/2 * sum_k (y_k - yhat_k)**2`` as one node.

    Its local derivatives are ``dE/dyhat_k = yhat_k - y_k`` (the output error
    of the delta rule, with the gradient's sign) and ``dE/dy_k = y_k - yhat_k``;
    its arguments are ``(yhat_1..yhat_n, y_1..y_n)``.
    """
    if len(predictions) != len(targets):
        raise ValueError(
            f"squared_error: {len(predictions)} predictions but {len(targets)} targets; "
            "they must match"
        )
    return _variadic(_SQUARED_ERROR, _operands((*predictions, *targets), "squared_error"))
