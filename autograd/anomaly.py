"""Anomaly detection: find the operation where a NaN or an infinity first appears.

Inside ``with detect_anomaly():`` every operation checks its result, and the
backward pass checks every gradient it sends. The first non-finite number
raises :class:`AnomalyError`, naming the operation, its inputs and where in
the graph it sits. Outside the block nothing is checked and nothing is paid:
entering the block swaps checking versions of the operations into
:class:`~autograd.engine.Value` and leaving it puts the plain ones back.

The switch is process-wide (not per thread: it swaps methods of the class
:class:`~autograd.engine.Value`); blocks nest. The checked pass takes the same
lock as ``backward()``, so passes still run one at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import engine
from .engine import Value, graph_order
from .ops import Op

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled"]


class AnomalyError(ArithmeticError):
    """A NaN or infinity appeared inside :func:`detect_anomaly`.

    Attributes:
        phase: ``"forward"`` or ``"backward"``.
        node: the Value whose value (forward) or gradient contribution
            (backward) is not finite, or whose operation sent one.
    """

    def __init__(self, message: str, phase: str, node: Value) -> None:
        super().__init__(message)
        self.phase = phase
        self.node = node


_METHODS = [
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__pow__", "__rpow__", "__neg__", "exp", "log", "tanh", "sigmoid", "relu",
    "sin", "cos", "sqrt", "abs", "__abs__", "log1p", "expm1", "softplus", "maximum", "minimum",
]  # fmt: skip
_depth = 0
_plain: dict[str, Any] = {}


def is_anomaly_enabled() -> bool:
    """True inside :func:`detect_anomaly`."""
    return _depth > 0


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise :class:`AnomalyError` at the first NaN or infinity, forward or backward.

    Forward: an operation whose result is NaN or infinite raises, naming the
    operation, its arguments (and which of them were already not finite) and
    the operations that made them. Backward: the first gradient contribution
    ``g * d node/d arg`` that is NaN or infinite raises, naming the node's
    operation, its arguments, the incoming gradient ``g``, the local
    derivative, and the chain of operations from the root down to the node.
    """
    global _depth
    if _depth == 0:
        _install()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            _uninstall()


def _install() -> None:
    for name in _METHODS:
        _plain[name] = Value.__dict__[name]
        setattr(Value, name, _checked_method(_plain[name]))
    _plain["backward"] = Value.__dict__["backward"]
    Value.backward = _checked_backward  # type: ignore[method-assign]
    _plain["_variadic"] = engine._variadic
    engine._variadic = _checked_variadic(engine._variadic)


def _uninstall() -> None:
    for name in _METHODS:
        setattr(Value, name, _plain[name])
    Value.backward = _plain["backward"]  # type: ignore[method-assign]
    engine._variadic = _plain["_variadic"]
    _plain.clear()


# --- forward -----------------------------------------------------------------


def _describe(x: Value | float) -> str:
    if type(x) is not Value:
        return f"{x!r} (a constant)"
    origin = f"made by {x.op}" if x.op else "a leaf"
    name = f"{x.label!r}, " if x.label else ""
    return f"{x.data!r} ({name}{origin})"


def _forward_error(node: Value) -> AnomalyError:
    op = node.op_info
    assert op is not None
    args = node.args
    parts = [f"{op.param(i, len(args))} = {_describe(a)}" for i, a in enumerate(args)]
    bad_inputs = [
        op.param(i, len(args))
        for i, a in enumerate(args)
        if not math.isfinite(a.data if type(a) is Value else a)
    ]
    cause = (
        f"its input {', '.join(bad_inputs)} was already not finite"
        if bad_inputs
        else "all of its inputs were finite"
    )
    return AnomalyError(
        f"anomaly in forward: {op.name} ({op.notation}) gave {node.data!r}; {cause}. "
        f"Inputs: {'; '.join(parts)}",
        "forward",
        node,
    )


def _checked_method(method: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any) -> Any:
        out = method(*args)
        if type(out) is Value and not math.isfinite(out.data) and out.op_info is not None:
            raise _forward_error(out)
        return out

    checked.__name__ = method.__name__
    checked.__doc__ = method.__doc__
    return checked


def _checked_variadic(make: Callable[[Op, tuple[Any, ...]], Value]) -> Callable[..., Value]:
    def checked(op: Op, args: tuple[Any, ...]) -> Value:
        out = make(op, args)
        if not math.isfinite(out.data) and out.op_info is not None:
            raise _forward_error(out)
        return out

    return checked


# --- backward ----------------------------------------------------------------


def _path(node: Value, via: dict[Value, Value], root: Value) -> str:
    chain = [node]
    while chain[-1] is not root:
        chain.append(via[chain[-1]])
    names = [f"{n.op}" + (f" {n.label!r}" if n.label else "") for n in reversed(chain)]
    return " -> ".join(names)


def _checked_backward(self: Value, grad: float = 1.0) -> None:
    """``Value.backward`` with every gradient contribution checked (same order, same sums)."""
    seed = engine._to_float(grad, "backward")
    if not math.isfinite(seed):
        raise AnomalyError(f"anomaly in backward: the seed gradient is {seed!r}", "backward", self)
    order = graph_order(self)
    reached: list[Value] = []
    kept: list[tuple[Value, float]] = []
    running = False
    try:
        engine._enter_pass()
        engine._prepare_pass(self, reached, kept)
        for node in reached:
            node._pending = 0  # this pass follows graph_order instead of counting
        running = True
        _checked_pass(self, seed, order)
        for leaf, previous in kept:
            leaf.grad = previous + leaf.grad
        engine._pass_lock.release()  # the last thing the pass does
    except BaseException:  # AnomalyError included: leaves get back what they held
        engine._undo_pass(self, reached, kept, running)
        engine._leave_pass()
        raise


def _checked_pass(self: Value, seed: float, order: list[Value]) -> None:
    via: dict[Value, Value] = {}
    self.grad = seed
    for node in order:
        op = node.op_info
        assert op is not None
        args = node.args
        values = [a.data if type(a) is Value else a for a in args]
        local = node._b if op.arity is None else op.partials(node.data, *values)
        g = node.grad
        for i, (arg, d) in enumerate(zip(args, local)):
            if type(arg) is not Value:
                continue
            via.setdefault(arg, node)
            if not d:  # zero means zero: nothing is sent, whatever g is
                continue
            contribution = g * d
            if not math.isfinite(contribution):
                where = _path(node, via, self)
                raise AnomalyError(
                    f"anomaly in backward: {op.name} ({op.notation}) sends "
                    f"{contribution!r} to its input {op.param(i, len(args))} = {arg.data!r}: "
                    f"incoming gradient {g!r} times local derivative {op.rule(i, len(args))} "
                    f"= {d!r}. Arguments: {values}. Path from the root: {where}",
                    "backward",
                    node,
                )
            arg.grad += contribution
