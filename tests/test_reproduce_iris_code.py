"""Reproduce article 003's Iris program (part 2) step for step with the engine.

The article's program, restated here in a few lines of plain Python: the
whole table min-max scaled, shuffled once with Python's ``random``, split
130/20; a 4-5-3 sigmoid network whose weights and biases are each one
``random()`` draw (hidden layer first, each neuron's weights then its bias);
then per sample: forward pass, ``delta = (target - out) * out * (1 - out)`` at
the outputs, ``delta_j = (sum_k w_kj delta_k) * out_j * (1 - out_j)`` below,
and ``w += lr * delta * input``, ``b += lr * delta``.

``nn.train.train_iris(seed=s)`` draws from one ``random.Random(s)`` in the
same order, so both start from the same network and see the rows in the
same order; the engine's ``delta`` is ``-z.grad``.
"""

import csv
import io
import math
import random
from importlib import resources

import pytest

from nn import MLP, SGD, half_squared_error
from nn.datasets import load_iris
from nn.train import train_iris

SPECIES = {"Iris-setosa": 0, "Iris-versicolor": 1, "Iris-virginica": 2}


def article_data(rng):
    text = resources.files("nn").joinpath("data", "iris.csv").read_text()
    rows = [[*map(float, r[:4]), SPECIES[r[4]]] for r in csv.reader(io.StringIO(text)) if r]
    for col in range(4):
        lo = min(r[col] for r in rows)
        hi = max(r[col] for r in rows)
        for r in rows:
            r[col] = (r[col] - lo) / (hi - lo)
    rng.shuffle(rows)
    return rows[:130], rows[130:]


def article_network(rng):
    hidden = [[rng.random() for _ in range(5)] for _ in range(5)]  # 4 weights, then the bias
    output = [[rng.random() for _ in range(6)] for _ in range(3)]  # 5 weights, then the bias
    return [hidden, output]


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def article_forward(network, features):
    outputs, inputs = [], features
    for layer in network:
        inputs = [sig(sum(w * x for w, x in zip(n[:-1], inputs)) + n[-1]) for n in layer]
        outputs.append(inputs)
    return outputs


def article_step(network, row, lr):
    """One sample of the article's loop; returns the deltas (theirs: -dE/dz)."""
    features, label = row[:4], row[4]
    hidden_out, out = article_forward(network, features)
    target = [1.0 if k == label else 0.0 for k in range(3)]
    d_out = [(t - o) * o * (1.0 - o) for t, o in zip(target, out)]
    d_hidden = [
        sum(network[1][k][j] * d_out[k] for k in range(3)) * h * (1.0 - h)
        for j, h in enumerate(hidden_out)
    ]
    for layer, deltas, inputs in ((0, d_hidden, features), (1, d_out, hidden_out)):
        for neuron, d in zip(network[layer], deltas):
            for i, x in enumerate(inputs):
                neuron[i] += lr * d * x
            neuron[-1] += lr * d
    return [d_hidden, d_out]


def as_network(model):
    ws, bs = model.weights_and_biases()
    return [[[*row, b] for row, b in zip(w, bv)] for w, bv in zip(ws, bs)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_data_and_same_initial_network(seed):
    rng = random.Random(seed)
    train, val = article_data(rng)
    ours = load_iris(random.Random(seed))
    assert [r[:4] for r in train] == ours.train.x and [r[4] for r in train] == ours.train.labels
    assert [r[:4] for r in val] == ours.val.x
    network = article_network(rng)
    rng2 = random.Random(seed)
    load_iris(rng2)
    model = MLP(4, [5, 3], "sigmoid", "sigmoid", init="uniform01", seed=rng2)
    assert as_network(model) == network


def test_their_delta_is_minus_z_grad_and_one_step_is_their_update():
    rng = random.Random(0)
    train, _ = article_data(rng)
    network = article_network(rng)
    model = MLP(4, [5, 3], "sigmoid", "sigmoid", init="uniform01", seed=0)
    model.load_state_dict(
        {
            name: v
            for (name, _), v in zip(
                model.named_parameters(), (x for layer in network for n in layer for x in n)
            )
        }
    )
    assert as_network(model) == network
    row = train[0]
    opt = SGD(model.parameters(), lr=0.2)
    opt.zero_grad()
    half_squared_error(model(row[:4]), [1.0 if k == row[4] else 0.0 for k in range(3)]).backward()
    deltas = article_step(network, row, 0.2)
    for layer, layer_deltas in zip(model.layers, deltas):
        for neuron, d in zip(layer.neurons, layer_deltas):
            assert neuron.z is not None
            # Same products, summed in another order: 1e-15 relative to the
            # delta, with 1e-18 absolute for deltas near zero.
            assert math.isclose(-neuron.z.grad, d, rel_tol=1e-15, abs_tol=1e-18)
    opt.step()
    for got, want in zip(
        (x for layer in as_network(model) for n in layer for x in n),
        (x for layer in network for n in layer for x in n),
    ):
        # Parameters of order 1, updated by lr * delta * x: agree to 1e-15.
        assert abs(got - want) <= 1e-15


def test_three_epochs_of_their_program_equal_train_iris():
    rng = random.Random(5)
    train, _ = article_data(rng)
    network = article_network(rng)
    for _ in range(3):
        for row in train:
            article_step(network, row, 0.2)
    result = train_iris(epochs=3, seed=5)
    got = [x for layer in as_network(result.model) for n in layer for x in n]
    want = [x for layer in network for n in layer for x in n]
    # 390 steps, each rounding differently by ~1e-16; the errors add up but
    # stay far below 1e-12 for parameters of order 1.
    assert max(abs(a - b) for a, b in zip(got, want)) <= 1e-12
