"""Hypothesis strategies that generate random expression graphs.

``expr_graphs()`` draws an :class:`ExprGraph`: a few shared leaves and a short
program of steps, each applying one op of the table to earlier nodes or to
constants. Arguments are drawn mostly from recent nodes (so graphs are deep)
and sometimes from older ones (so nodes are reused and diamonds form). The
root sums every node that no later step uses, so every node matters.

Each step is checked against its op's domain while the graph is drawn, with
margins that keep finite differences trustworthy: ``log``, ``sqrt`` and
non-integer powers see bases >= 0.1 (``log1p``: >= -0.9), divisors are at
least 0.1 away from 0, the inputs of ``relu``, ``abs``, ``maximum`` and
``minimum`` are at least 0.05 away from their kinks, ``exp`` and ``expm1``
inputs stay below 5 and every intermediate value stays within +-1000. A step that would leave its
domain is replaced by ``tanh`` of its first argument, which is always safe.

Use it with :func:`autograd.gradcheck`::

    @given(expr_graphs())
    def test_gradients(g):
        gradcheck(g, g.leaves)

This module needs ``hypothesis`` (the ``dev`` or ``testing`` extra).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from .engine import Value, linear, logsumexp, maximum, minimum, squared_error
from .engine import sum as vsum
from .ops import OPS

__all__ = ["ALL_OPS", "ExprGraph", "Ref", "Step", "expr_graphs", "leaf_values"]

ALL_OPS: tuple[str, ...] = tuple(OPS)
"""Every op in the table; ``expr_graphs`` draws from these by default."""

_BOUND = 1000.0


@dataclass(frozen=True)
class Ref:
    """An argument that refers to node ``index`` (leaves first, then step results)."""

    index: int


@dataclass(frozen=True)
class Step:
    """One operation: ``op`` applied to ``args`` (node references or float constants)."""

    op: str
    args: tuple[Ref | float, ...]


@dataclass(frozen=True)
class ExprGraph:
    """A drawn graph: leaf values, the steps, and which nodes the root sums."""

    leaves: tuple[float, ...]
    steps: tuple[Step, ...]
    outputs: tuple[int, ...]

    def __call__(self, *leaves: Value) -> Value:
        """Build the graph on the given leaf Values and return its root."""
        if len(leaves) != len(self.leaves):
            raise ValueError(f"ExprGraph: needs {len(self.leaves)} leaves, got {len(leaves)}")
        nodes: list[Value] = list(leaves)
        for step in self.steps:
            args = [nodes[a.index] if isinstance(a, Ref) else a for a in step.args]
            nodes.append(apply_op(step.op, args))
        return vsum([nodes[i] for i in self.outputs])

    def ops_used(self) -> set[str]:
        return {s.op for s in self.steps} | {"sum"}

    def __repr__(self) -> str:
        names = [f"x{i}" for i in range(len(self.leaves))]
        lines = [f"{n} = {v!r}" for n, v in zip(names, self.leaves)]
        for k, step in enumerate(self.steps):
            args = ", ".join(names[a.index] if isinstance(a, Ref) else repr(a) for a in step.args)
            names.append(f"n{k}")
            lines.append(f"n{k} = {step.op}({args})")
        lines.append("root = sum(" + ", ".join(names[i] for i in self.outputs) + ")")
        return "ExprGraph(\n  " + "\n  ".join(lines) + "\n)"


def apply_op(name: str, args: Sequence[Value | float]) -> Value:
    """Apply the op called ``name`` to ``args`` through the public Value API."""
    unary: dict[str, Callable[[Value], Value]] = {
        "neg": Value.__neg__, "exp": Value.exp, "log": Value.log, "tanh": Value.tanh,
        "sigmoid": Value.sigmoid, "relu": Value.relu, "sin": Value.sin, "cos": Value.cos,
        "sqrt": Value.sqrt, "abs": Value.abs, "log1p": Value.log1p, "expm1": Value.expm1,
        "softplus": Value.softplus,
    }  # fmt: skip
    if name in unary:
        (x,) = args
        assert isinstance(x, Value)
        return unary[name](x)
    if name == "sum":
        return vsum(args)
    if name == "logsumexp":
        return logsumexp(args)
    if name == "linear":
        n = (len(args) - 1) // 2
        return linear(args[:n], args[n : 2 * n], args[2 * n])
    if name == "squared_error":
        n = len(args) // 2
        return squared_error(args[:n], args[n:])
    a, b = args
    binary = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
              "div": operator.truediv, "pow": operator.pow,
              "maximum": maximum, "minimum": minimum}  # fmt: skip
    result = binary[name](a, b)
    assert isinstance(result, Value)
    return result


def _in_domain(name: str, xs: Sequence[float], args: Sequence[Ref | float]) -> bool:
    """Whether ``name`` may be applied to ``xs`` with the margins described above."""
    if name == "log":
        return xs[0] >= 0.1
    if name in ("exp", "expm1"):
        return xs[0] <= 5.0
    if name == "sqrt":
        return xs[0] >= 0.1
    if name == "log1p":
        return xs[0] >= -0.9
    if name == "abs":
        return abs(xs[0]) >= 0.05
    if name in ("maximum", "minimum"):
        return abs(xs[0] - xs[1]) >= 0.05
    if name == "relu":
        return abs(xs[0]) >= 0.05
    if name == "div":
        return abs(xs[1]) >= 0.1
    if name == "pow":
        a, b = xs
        if abs(b) > 3.0:
            return False
        if a >= 0.1:
            return True
        # a base below 0.1: only a constant integer power (d/d exponent is not real there)
        return not isinstance(args[1], Ref) and float(b).is_integer() and abs(a) >= 0.1
    return True


def leaf_values(low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[float]:
    """Leaf values: finite floats in ``[low, high]``, at least 0.05 away from 0."""
    return st.floats(low, high, allow_nan=False).filter(lambda x: abs(x) >= 0.05)


_CONSTANTS = st.sampled_from([2.0, 3.0, -1.0, 0.5, 1.5, -2.0, 0.25])


@st.composite
def expr_graphs(
    draw: st.DrawFn,
    *,
    min_leaves: int = 1,
    max_leaves: int = 4,
    max_steps: int = 12,
    ops: Sequence[str] = ALL_OPS,
) -> ExprGraph:
    """Draw a random :class:`ExprGraph` using the given ops (all of them by default)."""
    unknown = set(ops) - set(OPS)
    if unknown:
        raise ValueError(f"expr_graphs: unknown ops {sorted(unknown)}; known: {sorted(OPS)}")
    leaves = draw(st.lists(leaf_values(), min_size=min_leaves, max_size=max_leaves))
    values = list(leaves)
    used: set[int] = set()
    steps: list[Step] = []

    def pick() -> Ref:
        # mostly one of the three newest nodes (depth), sometimes any node (reuse)
        n = len(values)
        if draw(st.booleans()):
            return Ref(draw(st.integers(max(0, n - 3), n - 1)))
        return Ref(draw(st.integers(0, n - 1)))

    def operand(allow_constant: bool) -> Ref | float:
        if allow_constant and draw(st.integers(0, 3)) == 0:
            return draw(_CONSTANTS)
        return pick()

    for _ in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(list(ops)))
        op = OPS[name]
        args: list[Ref | float]
        if op.arity == 1:
            args = [pick()]
        elif op.arity == 2:
            first_const = draw(st.integers(0, 5)) == 0
            args = [
                operand(False) if not first_const else draw(_CONSTANTS),
                operand(not first_const),
            ]
        elif name == "linear":
            n = draw(st.integers(1, 3))
            args = [operand(True) for _ in range(2 * n + 1)]
        elif name == "squared_error":
            n = draw(st.integers(1, 3))
            args = [operand(True) for _ in range(2 * n)]
        else:
            args = [operand(True) for _ in range(draw(st.integers(1, 4)))]
        xs = [values[a.index] if isinstance(a, Ref) else a for a in args]
        out = op.forward(*xs) if _in_domain(name, xs, args) else math.nan
        if not (math.isfinite(out) and abs(out) <= _BOUND):
            first = next((a for a in args if isinstance(a, Ref)), None) or pick()
            name, args = "tanh", [first]
            out = math.tanh(values[first.index])
        used.update(a.index for a in args if isinstance(a, Ref))
        steps.append(Step(name, tuple(args)))
        values.append(out)
    outputs = tuple(i for i in range(len(leaves), len(values)) if i not in used)
    return ExprGraph(tuple(leaves), tuple(steps), outputs)
