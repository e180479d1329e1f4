"""micrograd's demo (its ``demo.ipynb``), reproduced with deltagrad: same data, seed and training.

What the demo does, and what this module does the same way:

* **data**: ``np.random.seed(1337)``, then scikit-learn's
  ``make_moons(n_samples=100, noise=0.1)`` from numpy's global generator,
  labels mapped to ``y = 2 * label - 1`` (+1 for the lower moon).
  :func:`sklearn_moons` computes the same numbers with numpy alone, from
  scikit-learn's documented recipe: 50 points ``(cos t, sin t)`` and 50
  points ``(1 - cos t, 1 - sin t - 0.5)`` for ``t`` evenly spaced on
  ``[0, pi]``, the rows shuffled by ``RandomState.shuffle`` of their indices,
  then ``RandomState.normal(scale=noise, size=(n, 2))`` added. numpy's
  legacy ``RandomState`` stream is frozen by numpy's compatibility policy.
  ``bench/micrograd_demo.py`` checks it against scikit-learn itself, bit for
  bit (scikit-learn is not needed by ``make test``).
* **network**: ``random.seed(1337)``, then micrograd's ``MLP(2, [16, 16, 1])``:
  ReLU hidden layers, a linear output, every weight ``random.uniform(-1, 1)``
  drawn layer by layer, neuron by neuron, every bias 0
  (:func:`micrograd_network`). deltagrad's ``MLP`` has the same defaults.
* **loss**: the max-margin loss ``mean(relu(1 - y * score))`` over the 100
  points plus ``1e-4 * sum(p * p)`` over all 337 parameters.
* **training**: 100 steps of full-batch gradient descent,
  ``p <- p - lr_k * dL/dp`` with ``lr_k = 1 - 0.9 * k / 100`` for step
  ``k = 0..99``; the accuracy the demo prints at step ``k`` is measured on the
  scores of that step's forward pass, before its update.

Needs numpy (a development dependency; ``pip install numpy``).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

from .datasets import Dataset, DataSplit, Scaling, one_hot
from .layers import MLP
from .objectives import Objective
from .optim import SGD
from .train import Step, TrainResult, evaluate, fit

__all__ = [
    "L2",
    "SEED",
    "STEPS",
    "DemoResult",
    "demo_data",
    "learning_rate",
    "micrograd_network",
    "run_demo",
    "sklearn_moons",
]

SEED = 1337
STEPS = 100
L2 = 1e-4
N_SAMPLES = 100
NOISE = 0.1


def sklearn_moons(
    n_samples: int = N_SAMPLES, noise: float = NOISE, seed: int = SEED
) -> tuple[list[list[float]], list[int]]:
    """scikit-learn's ``make_moons(n_samples, noise=noise, random_state=seed)``, with numpy only."""
    import numpy as np

    generator = np.random.RandomState(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    x = np.vstack(
        [
            np.append(np.cos(outer), 1 - np.cos(inner)),
            np.append(np.sin(outer), 1 - np.sin(inner) - 0.5),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    indices = np.arange(n_samples)
    generator.shuffle(indices)
    x, y = x[indices], y[indices]
    x += generator.normal(scale=noise, size=x.shape)
    return [[float(v) for v in row] for row in x], [int(v) for v in y]


def demo_data() -> DataSplit:
    """The demo's 100 points, all for training (the demo has no validation rows)."""
    rows, labels = sklearn_moons()
    columns = list(zip(*rows))
    return DataSplit(
        name="micrograd moons",
        train=Dataset(rows, [one_hot(c, 2) for c in labels], labels),
        val=Dataset([], [], []),
        classes=("upper moon (y = -1)", "lower moon (y = +1)"),
        feature_names=("x0", "x1"),
        scaling=Scaling("none", [0.0, 0.0], [1.0, 1.0]),
        feature_min=[min(c) for c in columns],
        feature_max=[max(c) for c in columns],
        description="scikit-learn's make_moons(100, noise=0.1) after np.random.seed(1337)",
    )


def micrograd_network(seed: int = SEED) -> MLP:
    """micrograd's ``MLP(2, [16, 16, 1])`` after ``random.seed(seed)``: weights U(-1, 1), bias 0."""
    rng = random.Random(seed)
    net = MLP(2, [16, 16, 1], "relu", "linear", init="zeros")
    for layer in net.layers:
        for neuron in layer.neurons:
            for w in neuron.w:
                w.data = rng.uniform(-1.0, 1.0)
    return net


def learning_rate(k: int) -> float:
    """The demo's schedule: ``1 - 0.9 * k / 100`` at step ``k``."""
    return 1.0 - 0.9 * k / 100


@dataclass
class DemoResult:
    """The trained network and every step's loss and accuracy (as the demo prints them)."""

    model: MLP
    data: DataSplit
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    final_accuracy: float = math.nan
    seconds: float = 0.0
    training: TrainResult | None = None


def run_demo(steps: int = STEPS) -> DemoResult:
    """Run the demo's training with deltagrad's :func:`nn.train.fit`; see the module docstring.

    ``losses[k]`` and ``accuracies[k]`` are what the demo prints at step k
    (total loss with the L2 term, accuracy before the update);
    ``final_accuracy`` scores the network after the last update.
    """
    data = demo_data()
    model = micrograd_network()
    objective = Objective("hinge", 2)
    result = DemoResult(model, data)
    n = len(data.train)

    def on_step(step: Step) -> None:
        result.losses.append(step.loss)
        result.accuracies.append(step.correct / n)

    start = time.perf_counter()
    result.training = fit(
        model,
        data,
        objective,
        SGD(model.parameters(), lr=1.0),
        epochs=steps,
        batch_size=n,
        l2=L2,
        lr_schedule=learning_rate,
        on_step=on_step,
    )
    result.seconds = time.perf_counter() - start
    _, result.final_accuracy = evaluate(model, data.train, objective)
    return result
