"""Article 003's worked example, computed by the engine and set beside the printed numbers.

The article trains a 2-3-2-1 network, sigmoid on every layer, on one sample
``x = (1, 2)``, ``y = 1``, with ``L = 1/2 * (y - y_hat)^2``; it prints every
pre-activation ``z1..z6``, output ``f1..f6``, derivative ``f'`` and error term
``delta(k) = dL/dz(k)``. Its numbers are in ``nn/data/worked-example-3-layer.json``.
Neurons are numbered as in the article: 1-3 in layer 1, 4-5 in layer 2, 6 the
output; vector entries are numbered from 1.

**The printed numbers disagree with each other.** The printed ``W2`` has
``W2[2][2] = 2`` (the weight from neuron 2 into neuron 5), but the printed
``z5`` (8.979460467761783, and its printed expression
``3 * f1 + 3 * f2 + 2 * f3 + 1``) needs ``W2[2][2] = 3``. No single network
reproduces every number; two readings do, between them:

* **network A**, the parameters as printed (``W2[2][2] = 2``), reproduces
  ``z1..z4``, ``f1..f4``, ``f1'``, ``f2'``, ``f4'`` and nothing after them:
  ``z5`` comes out as 7.979583862337768, one less, and everything that
  depends on it (``f5``, ``z6``, ``f6``, the error and every delta) differs.
* **network B**, ``W2[2][2] = 3``, reproduces the whole forward pass and
  ``delta3``, ``W3^T delta3``, ``delta2``, ``delta1[1]`` and ``delta1[3]``; but
  its ``delta1[2]`` is -2.737e-12 where the article prints -2.451e-12.
* The printed ``delta1`` is what you get from network B's ``delta2`` and
  ``f'`` when the ``W2^T delta2`` step of BP2 uses the printed matrix
  (``W2[2][2] = 2``): only ``delta1[2]`` reads that weight, which is why only it
  differs. So the article computed its forward pass with 3 and the
  back-propagation through ``W2`` with 2.

One more printed number matches neither network: ``f3' = 0.000045395807355``,
while ``f3 (1 - f3)`` of the printed ``f3 = 0.999954602131298`` is
``0.000045395807736`` (the engine agrees with the exact value of
``sigma'(10)`` to 1e-15). The slip changes no other printed number:
``delta1[3]`` is printed to four significant digits, the same with either.

The numbers are compared to within :data:`TOLERANCE`: the article prints 15
decimals of a float64 computation, and its sums may be done in another order
than the engine's, which moves the last bit (one unit in the last place is
8.9e-16 near 6, where ``z4`` and ``z6`` are).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from autograd import Value

from .layers import MLP
from .losses import half_squared_error
from .optim import SGD
from .reference import column, hadamard, matmul, transpose

__all__ = [
    "TOLERANCE",
    "EngineNumbers",
    "ExampleGraph",
    "Row",
    "article_delta1",
    "article_graph",
    "comparison_rows",
    "engine_numbers",
    "format_comparison",
    "network",
    "one_step",
    "printed",
]

TOLERANCE = 1e-15
"""``|engine - printed| <= TOLERANCE``: one unit in the 15th decimal, the last one printed."""

X = [1.0, 2.0]
Y = [1.0]
LEARNING_RATE = 0.1


def printed() -> dict[str, Any]:
    """The article's numbers (a copy of them ships in ``nn/data``)."""
    text = resources.files("nn").joinpath("data", "worked-example-3-layer.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def network(reading: str = "printed") -> MLP:
    """The example's network: ``"printed"`` (network A) or ``"forward"`` (B, ``W2[2][2] = 3``)."""
    params = printed()["parameters_as_printed"]
    weights = [params["W1"], [list(row) for row in params["W2"]], params["W3"]]
    if reading == "forward":
        weights[1][1][1] = 3
    elif reading != "printed":
        raise ValueError(f"network: reading must be 'printed' or 'forward', got {reading!r}")
    return MLP.from_weights(
        weights, [params["b1"], params["b2"], params["b3"]], "sigmoid", "sigmoid"
    )


@dataclass(frozen=True)
class ExampleGraph:
    """The example's forward pass as a graph whose Values carry the article's names.

    Attributes:
        net: the network (its parameters relabelled, see :func:`article_graph`).
        loss: ``L = 1/2 * (y - f6)^2``, labelled ``L``.
        z, f: the nodes ``z1..z6`` and ``f1..f6`` (``f(k) = sigma(z(k))``), in
            the article's neuron order; ``z[0]`` is ``z1``.
    """

    net: MLP
    loss: Value
    z: list[Value]
    f: list[Value]


def article_graph(reading: str = "forward") -> ExampleGraph:
    """The forward pass on the sample ``x = (1, 2)``, named as the article names it.

    Parameters are labelled ``W{k}[j][i]`` (layer ``k``, into neuron ``j`` of
    that layer, from input ``i``, all counted from 1) and ``b{k}[j]``; the
    neurons' nodes ``z1..z6`` and ``f1..f6``; the loss ``L``. These names
    appear in drawings (:mod:`autograd.viz`) and in the step-through
    (:mod:`autograd.stepper`). No backward pass has run. ``reading`` is as
    for :func:`network`.

    >>> g = article_graph()
    >>> [v.label for v in g.loss.parents], g.z[4].label, round(g.z[4].data, 12)
    (['f6'], 'z5', 8.979460467762)
    """
    net = network(reading)
    for k, layer in enumerate(net.layers, start=1):
        for j, neuron in enumerate(layer.neurons, start=1):
            for i, w in enumerate(neuron.w, start=1):
                w.label = f"W{k}[{j}][{i}]"
            neuron.b.label = f"b{k}[{j}]"
    out = net(X)
    loss = half_squared_error(out, Y)
    loss.label = "L"
    zs: list[Value] = []
    fs: list[Value] = []
    neurons = [n for layer in net.layers for n in layer.neurons]
    for i, n in enumerate(neurons, start=1):
        assert n.z is not None and n.out is not None
        n.z.label, n.out.label = f"z{i}", f"f{i}"
        zs.append(n.z)
        fs.append(n.out)
    return ExampleGraph(net, loss, zs, fs)


@dataclass(frozen=True)
class EngineNumbers:
    """What the engine computes for the example, named as the article names them."""

    values: dict[str, float]
    """``z1``.. ``f6``, ``f1_prime``.., ``error_y_minus_yhat``, ``delta3[1]``, ... (1-based)."""
    delta2: list[float]
    fprime1: list[float]


def engine_numbers(net: MLP) -> EngineNumbers:
    """Forward and backward pass on the sample; every number read off the graph.

    ``f'`` is the sigmoid node's local derivative from the op table;
    ``delta(k)`` is ``z.grad``; ``W3^T delta3`` is the gradient arriving at
    the outputs of layer 2, ``f.grad``.
    """
    net.zero_grad()
    out = net(X)
    half_squared_error(out, Y).backward()
    neurons = [n for layer in net.layers for n in layer.neurons]
    values: dict[str, float] = {}
    fprime = []
    for i, n in enumerate(neurons, start=1):
        assert n.z is not None and n.out is not None and n.out.op_info is not None
        values[f"z{i}"] = n.z.data
        values[f"f{i}"] = n.out.data
        fprime.append(n.out.op_info.partials(n.out.data, n.z.data)[0])
        values[f"f{i}_prime"] = fprime[-1]
    values["error_y_minus_yhat"] = Y[0] - out[0].data
    layer1, layer2, layer3 = (layer.neurons for layer in net.layers)
    groups: dict[str, list[float]] = {
        "delta3": [n.z.grad for n in layer3 if n.z is not None],
        "W3T_delta3": [n.out.grad for n in layer2 if n.out is not None],
        "delta2": [n.z.grad for n in layer2 if n.z is not None],
        "delta1": [n.z.grad for n in layer1 if n.z is not None],
    }
    for key, group in groups.items():
        for j, v in enumerate(group, start=1):
            values[f"{key}[{j}]"] = v
    return EngineNumbers(values, groups["delta2"], fprime[:3])


def article_delta1(forward_net: EngineNumbers) -> list[float]:
    """``delta1`` as the article computed it: BP2 with the printed ``W2`` and network B's numbers.

    ``delta1 = (W2^T delta2) (hadamard) f'(z1)`` with ``W2`` as printed
    (``W2[2][2] = 2``) but ``delta2`` and ``f'(z1)`` from network B.
    """
    w2 = printed()["parameters_as_printed"]["W2"]
    step = matmul(transpose(w2), column(forward_net.delta2))
    return [row[0] for row in hadamard(step, column(forward_net.fprime1))]


def printed_values() -> dict[str, float]:
    """The article's numbers under the names :func:`engine_numbers` uses."""
    data = printed()
    flat: dict[str, float] = {}
    for k, v in data["forward_as_printed"].items():
        if isinstance(v, int | float):
            flat[k] = float(v)
    for k, v in data["backward_as_printed"].items():
        if isinstance(v, list):
            for j, x in enumerate(v, start=1):
                flat[f"{k}[{j}]"] = float(x)
        elif isinstance(v, int | float):
            flat[k] = float(v)
    return flat


@dataclass(frozen=True)
class Row:
    """One printed number beside the engine's, for each reading."""

    name: str
    printed: float
    network_a: float
    network_b: float
    article_reading: float | None = None
    """For ``delta1``: BP2 with the printed W2 on network B's numbers."""


def matches(engine: float, article: float) -> bool:
    """Whether the engine reproduces a printed number (to within :data:`TOLERANCE`)."""
    return abs(engine - article) <= TOLERANCE


def comparison_rows() -> list[Row]:
    """Every printed number, in the article's order, beside both readings."""
    a = engine_numbers(network("printed")).values
    b_numbers = engine_numbers(network("forward"))
    b = b_numbers.values
    mixed = article_delta1(b_numbers)
    rows = []
    for name, value in printed_values().items():
        reading = mixed[int(name[-2]) - 1] if name.startswith("delta1[") else None
        rows.append(Row(name, value, a[name], b[name], reading))
    return rows


def format_comparison(rows: Sequence[Row]) -> str:
    """A text table: printed number, then each reading with a check or a cross."""

    def cell(engine: float | None, article: float) -> str:
        if engine is None:
            return ""
        return f"{engine:.15f} {'✓' if matches(engine, article) else '✗'}"

    header = ("quantity", "article", "A: W2 as printed", "B: W2[2][2] = 3", "B, BP2 via printed W2")
    table = [header] + [
        (
            r.name.replace("_prime", "'").replace("error_y_minus_yhat", "y - y_hat"),
            f"{r.printed:.15f}",
            cell(r.network_a, r.printed),
            cell(r.network_b, r.printed),
            cell(r.article_reading, r.printed),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
        for row in table
    ]
    return "\n".join(line.rstrip() for line in lines)


def one_step(net: MLP, *, weight_decay: float) -> MLP:
    """Article 003's update with ``alpha = 0.1``, done by the engine's SGD, on ``net`` in place.

    ``W <- W - alpha * (delta a^T + W)`` for ``weight_decay = 1`` (the ``+W``
    term) or ``W <- W - alpha * delta a^T`` for 0; ``b <- b - alpha * delta``.
    """
    names = net.named_parameters()
    weights = [p for name, p in names if not name.endswith(".b")]
    biases = [p for name, p in names if name.endswith(".b")]
    weight_step = SGD(weights, LEARNING_RATE, weight_decay=weight_decay)
    bias_step = SGD(biases, LEARNING_RATE)
    net.zero_grad()
    half_squared_error(net(X), Y).backward()
    weight_step.step()
    bias_step.step()
    return net
