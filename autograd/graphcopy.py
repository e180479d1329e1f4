"""Copying and pickling Values: whole graphs, without recursion, operations by name.

A leaf pickles as its numbers and label. A node made by an operation pickles
with the graph it depends on, flattened into a list (inputs first), in which
each node names its operation by its key in :data:`autograd.OPS`: no function
is pickled, and however deep the graph, neither pickling nor unpickling
recurses. Leaves stay objects of their own in that list, so pickle shares a
leaf used by several pickled objects (an ``nn`` network's parameters); two
pickled nodes do not share their intermediate nodes, each carries its own.

``copy.deepcopy`` walks the graph with an explicit stack and records every
copy in its ``memo``, so it keeps all sharing and copies chains of any depth.
``copy.copy`` makes a new node over the same arguments (:meth:`Value.__copy__`).

Unpickle only data you trust: pickle itself can run code. What :func:`_graph`
does check is that a damaged list gives a ``ValueError``, not a strange graph.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from .engine import Value, _new_value, _quote, _to_float, nodes_of
from .ops import OPS

__all__ = ["deepcopy_value", "reduce_value"]

_Entry: TypeAlias = "tuple[str, float, float, str, tuple[Value | float | int, ...]]"


def reduce_value(value: Value) -> tuple[Any, ...]:
    """What ``Value.__reduce__`` returns: how pickle makes ``value`` again."""
    if value._op is None:
        return (_leaf, (value.data, value.grad, value.label))
    return (_graph, (_flatten(value),))


def deepcopy_value(root: Value, memo: dict[int, Any]) -> Value:
    """A copy of ``root`` and of every Value it depends on, made without recursion.

    Nodes already copied in the same ``copy.deepcopy`` call (``memo``) are
    reused, so sharing is kept: a copied network's ``out`` is still made from
    its copied ``z``. Graphs of any depth can be copied.
    """
    found = memo.get(id(root))
    if found is not None:
        return found  # type: ignore[no-any-return]
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:  # inputs before the nodes that use them, as in nodes_of
        node, expanded = stack.pop()
        if id(node) in memo:
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if type(a) is Value)
            continue
        v = _new_value(Value)
        v.data, v.grad, v.label = node.data, node.grad, node.label
        v._pending = 0
        op = v._op = node._op
        if op is None:
            v._a = v._b = None
        elif op.arity is None:  # the local derivatives (_b) are a tuple of floats
            v._a = tuple(memo[id(a)] if type(a) is Value else a for a in node._a)
            v._b = node._b
        else:
            a, b = node._a, node._b
            v._a = memo[id(a)] if type(a) is Value else a
            v._b = memo[id(b)] if type(b) is Value else b
        memo[id(node)] = v
    memo.setdefault(id(memo), []).append(root)  # keep the original alive, as copy does
    return memo[id(root)]  # type: ignore[no-any-return]


def _leaf(data: float, grad: float, label: str) -> Value:
    """A leaf Value from pickled numbers."""
    v = Value(data, label)
    v.grad = _to_float(grad, "unpickling a Value")
    return v


def _flatten(root: Value) -> list[_Entry]:
    """``root``'s graph as a list, inputs first: one entry per node made by an operation.

    An entry is ``(op name, data, grad, label, args)``; in ``args`` a float is
    a constant, a Value is a leaf and an int is the position of an earlier
    entry.
    """
    position: dict[Value, int] = {}
    table: list[_Entry] = []
    for node in nodes_of(root):
        if node._op is None:
            continue
        args = tuple(
            position[a] if type(a) is Value and a._op is not None else a for a in node.args
        )
        position[node] = len(table)
        table.append((node._op.name, node.data, node.grad, node.label, args))
    return table


def _graph(table: list[_Entry]) -> Value:
    """The graph of :func:`_flatten` made again; returns its root (the last entry).

    Every entry is checked: a known op name, floats, the right number of
    arguments, and positions of earlier entries only (so no cycle).
    """
    made: list[Value] = []
    for k, entry in enumerate(table):
        name, data, grad, label, args = entry
        op = OPS.get(name)
        if op is None or type(data) is not float or type(grad) is not float:
            raise ValueError(f"unpickling a Value: entry {k} is damaged ({_quote(entry)})")
        if op.arity is not None and len(args) != op.arity:
            raise ValueError(f"unpickling a Value: {name} takes {op.arity} arguments")
        resolved: list[Value | float] = []
        for a in args:
            if type(a) is int and 0 <= a < k:
                resolved.append(made[a])
            elif type(a) is float or (type(a) is Value and a._op is None):
                resolved.append(a)
            else:
                raise ValueError(f"unpickling a Value: entry {k} has a bad argument {_quote(a)}")
        v = _new_value(Value)
        v.data, v.grad, v.label = data, grad, str(label)
        v._op, v._pending = op, 0
        if op.arity is None:
            v._a = tuple(resolved)
            v._b = op.partials(data, *[a.data if type(a) is Value else a for a in resolved])
        else:
            v._a = resolved[0]
            v._b = resolved[1] if op.arity == 2 else None
        made.append(v)
    if not made:
        raise ValueError("unpickling a Value: the graph is empty")
    return made[-1]
