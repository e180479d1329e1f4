"""Derivatives as return values, and derivatives of derivatives.

``grad(y, [x_1, ..., x_n])`` returns ``[dy/dx_1, ..., dy/dx_n]`` without
touching any ``.grad``. It runs the chain rule as :meth:`Value.backward` does,
node by node in the same order (:func:`~autograd.engine.graph_order`), with
the same local derivatives from the op table, and sums each node's
contributions in the same order, so its numbers are those of ``backward()``
bit for bit. As there, a local derivative that is exactly the float ``0.0``
contributes nothing (not even ``g * 0``, which is NaN for an infinite ``g``).

With ``create_graph=True`` the pass runs on Values instead of floats: each
local derivative is computed by the op's ``partials`` applied to the node and
its argument Values (the partials are written to work on both), and each
``g * d`` and each sum is an engine operation. The gradients returned are then
Values in a graph of their own, which can be differentiated again, to any
order: ``grad(grad(y, [x], create_graph=True)[0], [x])`` is ``d2y/dx2``. There
is no second table of derivatives: the derivative of a derivative comes from
the same partials. A local derivative that is a constant ``0.0`` is skipped
as above; one that is a Value whose value happens to be 0 is kept, because its
own derivatives need not be 0 (``d(x*y)/dx = y`` at ``y = 0``).

>>> from autograd import Value
>>> x = Value(0.5)
>>> y = x.tanh()
>>> (dy,) = grad(y, [x], create_graph=True)  # 1 - tanh(x)**2, as a Value
>>> (d2y,) = grad(dy, [x])                   # -2 tanh(x) (1 - tanh(x)**2)
>>> round(dy.data, 12), round(d2y, 12)
(0.786447732966, -0.726861981384)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .engine import Number, Value, _to_float, graph_order, is_grad_enabled

__all__ = ["grad", "hessian"]


def grad(
    output: Value, inputs: Value | Sequence[Value], *, create_graph: bool = False
) -> list[Any]:
    """``[d output / d input for input in inputs]``, leaving every ``.grad`` as it was.

    Args:
        output: the Value to differentiate.
        inputs: a Value or a sequence of Values (leaves or not). An input that
            ``output`` does not depend on gets 0.
        create_graph: return Values recorded in a graph (differentiable
            again) instead of floats.

    Raises:
        RuntimeError: ``create_graph=True`` inside :func:`~autograd.no_grad`,
            where nothing would be recorded.

    Returns:
        A list with one derivative per input: floats, or Values with
        ``create_graph=True`` (a derivative that does not depend on any
        Value, such as ``d(3x)/dx``, is then a new leaf holding the number).
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    targets = [inputs] if isinstance(inputs, Value) else list(inputs)
    for k, target in enumerate(targets):
        if not isinstance(target, Value):
            raise TypeError(f"grad: input {k} must be a Value, got {type(target).__name__:.40}")
    if create_graph and not is_grad_enabled():
        raise RuntimeError(
            "grad: create_graph=True inside no_grad() would record no graph, and every "
            "derivative of the result would silently be 0; leave the no_grad() block first"
        )
    sums = _pass(output, create_graph)
    if not create_graph:
        return [float(sums.get(t, 0.0)) for t in targets]
    out = []
    for t in targets:
        g = sums.get(t, 0.0)
        out.append(g if isinstance(g, Value) else Value(g))
    return out


def _pass(root: Value, create_graph: bool) -> dict[Value, Any]:
    """Every Value's gradient, ``d root / d v``, as floats or (create_graph) Values.

    The same visiting order and the same order of additions as ``backward()``:
    each node's sum starts at ``0.0`` and receives ``g * d`` from its users as
    they are processed, in argument order.
    """
    sums: dict[Value, Any] = {root: 1.0}
    for node in graph_order(root):
        op = node.op_info
        assert op is not None  # graph_order lists nodes made by an operation
        g = sums.get(node, 0.0)
        args = node.args
        if create_graph:
            local: tuple[Any, ...] = op.partials(node, *args)
        elif op.arity is None:
            local = node._b  # computed once when the node was made, as backward() uses them
        else:
            local = op.partials(node.data, *[a.data if type(a) is Value else a for a in args])
        for arg, d in zip(args, local):
            if type(arg) is not Value:
                continue  # a constant receives nothing
            if type(d) is float and d == 0.0:
                continue  # exactly zero contributes exactly zero
            sums[arg] = _add(sums.get(arg), _times(g, d))
    return sums


def _times(g: Any, d: Any) -> Any:
    """``g * d``; a factor that is the float 1.0 is left out (``1.0 * x`` is ``x``, bit for bit)."""
    if type(g) is float and g == 1.0:
        return d
    if type(d) is float and d == 1.0:
        return g
    return g * d


def _add(total: Any, contribution: Any) -> Any:
    """``total + contribution``, a sum that starts at ``0.0``, as in ``backward()``.

    The first term is kept as it is (``0.0 + x`` is ``x``, bit for bit), except
    a ``-0.0``, which ``0.0 +`` turns into ``0.0``; so a gradient's graph does
    not begin with a ``0.0 + ...`` node.
    """
    if total is None:
        value = contribution if type(contribution) is float else contribution.data
        if value == 0.0 and math.copysign(1.0, value) < 0.0:
            return 0.0 + contribution
        return contribution
    return total + contribution


def hessian(f: Callable[..., Value], inputs: Sequence[Value | Number]) -> list[list[float]]:
    """The matrix of second derivatives ``H[i][j] = d2 f / dx_i dx_j`` at ``inputs``.

    ``f`` takes one Value per input and returns a Value; ``inputs`` are
    numbers (or Values, whose ``data`` is used). Row ``i`` is the gradient of
    ``df/dx_i``, itself built with ``grad(..., create_graph=True)``. Meant for
    small functions: it costs one pass per input over the gradient's graph.
    """
    point = [x.data if isinstance(x, Value) else _to_float(x, "hessian") for x in inputs]
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"hessian: f must return a Value, got {type(out).__name__}")
    first = grad(out, leaves, create_graph=True)
    return [grad(d, leaves) for d in first]
