"""The reference derivation: backpropagation by the articles' equations, on plain lists.

Nothing here uses the engine. It computes, with floats and list-based matrix
functions, what articles 001, 003 and 004 derive by hand, so that the engine's
``z.grad`` and parameter gradients can be checked against it (the tests do,
on random networks).

Notation (article 004): layer ``l`` has weights ``w^l`` (row j holds the
weights into neuron j), biases ``b^l``, pre-activations
``z^l = w^l a^{l-1} + b^l`` and activations ``a^l = sigma(z^l)``;
``a^0 = x``. For one sample the cost is ``C = 1/2 * ||y - a^L||^2`` and the
error term is ``delta^l = dC/dz^l``. The four equations, numbered as in
Nielsen's book (article 004 states the weight equation third and the bias
equation fourth):

* BP1 ``delta^L = grad_a C (hadamard) sigma'(z^L)``, with ``grad_a C = a^L - y``
* BP2 ``delta^l = ((w^{l+1})^T delta^{l+1}) (hadamard) sigma'(z^l)``
* BP3 ``dC/db^l = delta^l``
* BP4 ``dC/dw^l = delta^l (a^{l-1})^T``, i.e. ``dC/dw^l_jk = a^{l-1}_k delta^l_j``

Vectors are column matrices (lists of one-element rows) inside the
equations, as in the articles; functions take and return plain lists.

Article 002's examples of the two products:

>>> A, B = [[1, 2], [3, 4]], [[-1, -2], [-3, -4]]
>>> matmul(A, B)
[[-7, -10], [-15, -22]]
>>> hadamard(A, B)
[[-1, -4], [-9, -16]]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import add
from typing import TypeVar

__all__ = [
    "Gradients",
    "backprop",
    "column",
    "delta_rule_step",
    "forward",
    "hadamard",
    "matmul",
    "sigma",
    "sigma_prime",
    "transpose",
    "update",
]

Num = TypeVar("Num", int, float)
Matrix = list[list[float]]
Vector = list[float]


# --- matrix operations (article 002) ---------------------------------------------


def _shape(a: Sequence[Sequence[Num]]) -> tuple[int, int]:
    rows = len(a)
    cols = len(a[0]) if rows else 0
    if any(len(r) != cols for r in a):
        raise ValueError(f"not a matrix: rows of different lengths {[len(r) for r in a]}")
    return rows, cols


def _sum(terms: Iterable[Num]) -> Num:
    """``0 + t_1 + t_2 + ...`` left to right, never ``builtins.sum``.

    From Python 3.12 ``builtins.sum`` of floats is compensated; a plain chain of
    ``+`` gives the same result on every Python version.
    """
    result: Num = reduce(add, terms, 0)
    return result


def matmul(a: Sequence[Sequence[Num]], b: Sequence[Sequence[Num]]) -> list[list[Num]]:
    """Matrix product ``(AB)_ij = sum_k A_ik B_kj``."""
    (n, m), (m2, p) = _shape(a), _shape(b)
    if m != m2:
        raise ValueError(f"matmul: shapes {n}x{m} and {m2}x{p} do not chain")
    return [[_sum(a[i][k] * b[k][j] for k in range(m)) for j in range(p)] for i in range(n)]


def transpose(a: Sequence[Sequence[Num]]) -> list[list[Num]]:
    """``(A^T)_ij = A_ji``."""
    n, m = _shape(a)
    return [[a[i][j] for i in range(n)] for j in range(m)]


def hadamard(a: Sequence[Sequence[Num]], b: Sequence[Sequence[Num]]) -> list[list[Num]]:
    """Element-wise product ``(A (hadamard) B)_ij = A_ij B_ij``; shapes must be equal."""
    if _shape(a) != _shape(b):
        raise ValueError(f"hadamard: shapes {_shape(a)} and {_shape(b)} differ")
    return [[x * y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def column(v: Sequence[float]) -> Matrix:
    """The column matrix of a vector: ``[1, 2]`` -> ``[[1], [2]]``."""
    return [[float(x)] for x in v]


def _flat(c: Matrix) -> Vector:
    return [row[0] for row in c]


# --- activations ----------------------------------------------------------------


def sigma(name: str, z: float) -> float:
    """The activation ``sigma(z)`` named ``name`` (as in :data:`nn.layers.ACTIVATIONS`)."""
    if name == "sigmoid":
        if z >= 0.0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return z if z > 0.0 else 0.0
    if name == "linear":
        return z
    raise ValueError(f"unknown activation {name!r}")


def sigma_prime(name: str, z: float) -> float:
    """``sigma'(z)``: ``s(1-s)``, ``1 - tanh^2``, ``1 if z > 0 else 0`` (0 at z = 0), or 1."""
    if name == "sigmoid":
        s = sigma(name, z)
        return s * (1.0 - s)
    if name == "tanh":
        t = math.tanh(z)
        return 1.0 - t * t
    if name == "relu":
        return 1.0 if z > 0.0 else 0.0
    if name == "linear":
        return 1.0
    raise ValueError(f"unknown activation {name!r}")


# --- the forward pass and BP1-BP4 (article 004) ------------------------------------


def forward(
    weights: Sequence[Matrix], biases: Sequence[Vector], x: Vector, activations: Sequence[str]
) -> tuple[list[Vector], list[Vector]]:
    """``(zs, activations)``: ``zs[l]`` is ``z^{l+1}``; ``activations[0]`` is ``x``."""
    a = column(x)
    zs: list[Vector] = []
    outs: list[Vector] = [list(map(float, x))]
    for w, b, name in zip(weights, biases, activations, strict=True):
        wa = matmul(w, a)
        z = [row[0] + bj for row, bj in zip(wa, b, strict=True)]
        zs.append(z)
        a = column([sigma(name, zj) for zj in z])
        outs.append(_flat(a))
    return zs, outs


@dataclass(frozen=True)
class Gradients:
    """What backpropagation yields for one sample.

    ``deltas[l]``, ``weights[l]`` and ``biases[l]`` belong to layer ``l + 1``
    (list index 0 is the first layer after the inputs): ``delta = dC/dz``,
    ``dC/dw`` (same shape as ``w``) and ``dC/db``.
    """

    zs: list[Vector]
    activations: list[Vector]
    deltas: list[Vector]
    weights: list[Matrix]
    biases: list[Vector]


def backprop(
    weights: Sequence[Matrix],
    biases: Sequence[Vector],
    x: Vector,
    y: Vector,
    activations: Sequence[str],
) -> Gradients:
    """BP1-BP4 for ``C = 1/2 * ||y - a^L||^2`` and one sample ``(x, y)``."""
    zs, outs = forward(weights, biases, x, activations)
    n = len(weights)
    deltas: list[Matrix] = [[] for _ in range(n)]
    sp = [column([sigma_prime(name, zj) for zj in z]) for z, name in zip(zs, activations)]
    grad_a = column([a - t for a, t in zip(outs[-1], y, strict=True)])  # grad_a C = a^L - y
    deltas[-1] = hadamard(grad_a, sp[-1])  # BP1
    for layer in range(n - 2, -1, -1):
        above = weights[layer + 1]
        deltas[layer] = hadamard(matmul(transpose(above), deltas[layer + 1]), sp[layer])  # BP2
    grad_b = [_flat(d) for d in deltas]  # BP3
    grad_w = [matmul(d, transpose(column(a))) for d, a in zip(deltas, outs[:-1])]  # BP4
    return Gradients(zs, outs, [_flat(d) for d in deltas], grad_w, grad_b)


def update(
    weights: Sequence[Matrix],
    biases: Sequence[Vector],
    grads: Gradients,
    lr: float,
    *,
    weight_decay: float = 0.0,
) -> tuple[list[Matrix], list[Vector]]:
    """One gradient-descent step, returned as new lists.

    ``w <- w - lr * (dC/dw + weight_decay * w)`` and ``b <- b - lr * dC/db``.

    ``weight_decay = 1`` is article 003's ``W <- W - alpha (delta a^T + W)``;
    its bias rule has no such term.
    """
    new_w = [
        [[w - lr * (g + weight_decay * w) for w, g in zip(wr, gr)] for wr, gr in zip(wm, gm)]
        for wm, gm in zip(weights, grads.weights)
    ]
    new_b = [[b - lr * g for b, g in zip(bv, gv)] for bv, gv in zip(biases, grads.biases)]
    return new_w, new_b


# --- the generalised delta rule (article 001; article 003's Iris code) -----------------


def delta_rule_step(
    weights: Sequence[Matrix],
    biases: Sequence[Vector],
    x: Vector,
    d: Vector,
    activations: Sequence[str],
    eta: float,
) -> tuple[list[Vector], list[Matrix], list[Vector]]:
    """One online step of the generalised delta rule: ``(deltas, new weights, new biases)``.

    Article 001, for ``E_p = 1/2 * sum_k (d_k - o_k)^2``, units ``o_t = f(net_t)``:

    * output unit k: ``delta_k = (d_k - o_k) f'(net_k)``
    * hidden unit j: ``delta_j = (sum_k delta_k w_kj) f'(net_j)``
    * ``Delta w_ti = eta * delta_t * o_i`` and, the bias being the weight
      from a unit whose output is always 1, ``Delta b_t = eta * delta_t``.

    Written unit by unit, as article 003's Iris code does it. This ``delta``
    is ``-dE_p/dnet``: minus the ``delta`` of :func:`backprop`.
    """
    zs, outs = forward(weights, biases, x, activations)
    n = len(weights)
    deltas: list[Vector] = [[] for _ in range(n)]
    last = outs[-1]
    deltas[-1] = [
        (dk - ok) * sigma_prime(activations[-1], netk)
        for dk, ok, netk in zip(d, last, zs[-1], strict=True)
    ]
    for layer in range(n - 2, -1, -1):
        above, delta_above = weights[layer + 1], deltas[layer + 1]
        deltas[layer] = [
            _sum(delta_above[k] * above[k][j] for k in range(len(above)))
            * sigma_prime(activations[layer], zs[layer][j])
            for j in range(len(zs[layer]))
        ]
    new_w: list[Matrix] = []
    new_b: list[Vector] = []
    for layer in range(n):
        inputs = outs[layer]  # o_i: the outputs of the units feeding this layer
        new_w.append(
            [
                [w + eta * dt * oi for w, oi in zip(row, inputs)]
                for row, dt in zip(weights[layer], deltas[layer])
            ]
        )
        new_b.append([b + eta * dt for b, dt in zip(biases[layer], deltas[layer])])
    return deltas, new_w, new_b
