"""One training step written by hand on plain lists, as article 003 part 2 structures it.

Each neuron is a dict holding its parameters (weights, then the bias last), its
output and its error term. The step runs the forward pass, the articles' loss
``1/2 * sum_k (y_k - yhat_k)**2``, the error terms of the generalised delta
rule (``delta = (y - out) * out * (1 - out)`` at the output, then back through
the weights) and the update ``w += lr * delta * input``. No graph, no
gradients stored: the baseline an engine has to pay for its generality against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Net = list[list[dict[str, Any]]]


def make_net(
    weights: Sequence[Sequence[Sequence[float]]], biases: Sequence[Sequence[float]]
) -> Net:
    """A network from per-layer weight rows and biases (same numbers as an ``nn.MLP``)."""
    return [
        [{"params": [*row, b]} for row, b in zip(w_layer, b_layer, strict=True)]
        for w_layer, b_layer in zip(weights, biases, strict=True)
    ]


def _weighted_input(params: list[float], inputs: Sequence[float]) -> float:
    z = 0.0
    for i in range(len(params) - 1):
        z += params[i] * inputs[i]
    return z + params[-1]


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _logistic_slope(out: float) -> float:
    return out * (1.0 - out)


def _forward(net: Net, x: Sequence[float]) -> list[float]:
    inputs: Sequence[float] = x
    for layer in net:
        outputs = []
        for unit in layer:
            unit["out"] = _logistic(_weighted_input(unit["params"], inputs))
            outputs.append(unit["out"])
        inputs = outputs
    return list(inputs)


def _error_terms(net: Net, target: Sequence[float]) -> None:
    for k in reversed(range(len(net))):
        layer = net[k]
        errors = []
        if k == len(net) - 1:
            for j in range(len(layer)):
                errors.append(target[j] - layer[j]["out"])
        else:
            for j in range(len(layer)):
                e = 0.0
                for unit in net[k + 1]:
                    e += unit["params"][j] * unit["delta"]
                errors.append(e)
        for j in range(len(layer)):
            layer[j]["delta"] = errors[j] * _logistic_slope(layer[j]["out"])


def _update(net: Net, x: Sequence[float], lr: float) -> None:
    for k in range(len(net)):
        inputs = x if k == 0 else [unit["out"] for unit in net[k - 1]]
        for unit in net[k]:
            for j in range(len(inputs)):
                unit["params"][j] += lr * unit["delta"] * inputs[j]
            unit["params"][-1] += lr * unit["delta"]


def step(net: Net, x: Sequence[float], y: Sequence[float], lr: float) -> float:
    """One per-sample SGD step; returns the loss before the update."""
    out = _forward(net, x)
    loss = 0.0
    for t, o in zip(y, out, strict=True):
        loss += 0.5 * (t - o) ** 2
    _error_terms(net, y)
    _update(net, x, lr)
    return loss
