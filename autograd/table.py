"""A plain-text table of a graph: every node's value and gradient."""

from __future__ import annotations

from .engine import Value, nodes_of

__all__ = ["node_names", "node_table"]


def node_names(root: Value) -> dict[Value, str]:
    """A display name for every node of ``root``'s graph: its label, else ``n1``, ``n2``, ..."""
    names: dict[Value, str] = {}
    k = 0
    for node in nodes_of(root):
        if node.label:
            names[node] = node.label
        else:
            k += 1
            names[node] = f"n{k}"
    return names


def node_table(root: Value, *, digits: int = 6) -> str:
    """One row per node of ``root``'s graph, oldest first: name, op, arguments, data, grad.

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> y = x * x
    >>> y.label = "y"
    >>> y.backward()
    >>> print(node_table(y))
    node  op   inputs  data  grad
    x                     3     6
    y     mul  x, x       9     1
    """
    names = node_names(root)
    header = ("node", "op", "inputs", "data", "grad")
    rows = [header]
    for node in nodes_of(root):
        inputs = ", ".join(names[a] if isinstance(a, Value) else f"{a:g}" for a in node.args)
        rows.append(
            (names[node], node.op, inputs, f"{node.data:.{digits}g}", f"{node.grad:.{digits}g}")
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].ljust(widths[2]),
                 r[3].rjust(widths[3]), r[4].rjust(widths[4])]  # fmt: skip
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
