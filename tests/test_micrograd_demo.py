"""micrograd's demo reproduced: data, network, loss, schedule, and the 100% it reaches.

`bench/micrograd_demo.py` runs micrograd 0.1.0 itself and scikit-learn beside
this (both too heavy for `make test`); here every ingredient is checked on its
own definition.
"""

import math
import random

import numpy as np
import pytest

from nn.micrograd_demo import (
    L2,
    demo_data,
    learning_rate,
    micrograd_network,
    run_demo,
    sklearn_moons,
)


def test_data_is_the_moons_recipe_shuffled_then_noised():
    clean, labels = sklearn_moons(noise=0.0)
    noisy, labels2 = sklearn_moons()
    assert labels == labels2 and labels.count(0) == 50 and labels.count(1) == 50
    for (x, y), label in zip(clean, labels):
        if label == 0:
            assert math.isclose(math.hypot(x, y), 1.0, abs_tol=1e-15) and y >= 0.0
        else:
            assert math.isclose(math.hypot(x - 1.0, y - 0.5), 1.0, abs_tol=1e-15)
    # the noise is RandomState(1337)'s draws after its shuffle of the 100 indices
    generator = np.random.RandomState(1337)
    generator.shuffle(np.arange(100))
    noise = generator.normal(scale=0.1, size=(100, 2))
    for row, base, extra in zip(noisy, clean, noise.tolist()):
        assert row == [b + e for b, e in zip(base, extra)]
    # the shuffle mixes the classes (the unshuffled order is 50 zeros then 50 ones)
    assert labels[:50] != [0] * 50


def test_network_is_micrograds_initialisation():
    net = micrograd_network()
    assert net.nouts == [16, 16, 1] and net.activations == ["relu", "relu", "linear"]
    assert len(net.parameters()) == 337
    rng = random.Random(1337)
    weights = [w.data for layer in net.layers for n in layer.neurons for w in n.w]
    assert weights == [rng.uniform(-1.0, 1.0) for _ in range(len(weights))]
    assert all(n.b.data == 0.0 for layer in net.layers for n in layer.neurons)


def test_schedule():
    # the demo's own expression, evaluated in the same order, gives the same floats
    assert [learning_rate(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
    assert learning_rate(0) == 1.0 and learning_rate(50) == 0.55
    assert math.isclose(learning_rate(99), 0.109, rel_tol=1e-14)


def plain_loss(net, rows, labels):
    """The demo's loss computed with plain floats, independently of the engine."""
    ws, bs = net.weights_and_biases()
    total = 0.0
    for x, c in zip(rows, labels):
        a = x
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = [sum(wi * ai for wi, ai in zip(row, a)) + bj for row, bj in zip(w, b)]
            a = z if k == len(ws) - 1 else [max(0.0, v) for v in z]
        y = 2 * c - 1
        total += max(0.0, 1.0 - y * a[0])
    reg = sum(p.data * p.data for p in net.parameters())
    return total / len(rows) + L2 * reg


@pytest.fixture(scope="module")
def demo():
    return run_demo()


def test_reaches_100_percent_like_the_demo(demo):
    assert demo.final_accuracy == 1.0  # every one of the 100 points, after the last update
    assert demo.accuracies[-1] == 1.0  # what the demo prints at step 99
    assert len(demo.losses) == len(demo.accuracies) == 100
    assert demo.accuracies[0] == 0.5  # the untrained network
    assert demo.losses[-1] < demo.losses[0] / 50


def test_step_zero_loss_is_the_demos_loss_of_the_initial_network(demo):
    data = demo_data()
    expected = plain_loss(micrograd_network(), data.train.x, data.train.labels)
    # 100 samples through 337 parameters summed in another order: 1e-14 relative
    assert math.isclose(demo.losses[0], expected, rel_tol=1e-14)


def test_final_loss_is_the_loss_of_the_final_network(demo):
    data = demo_data()
    # the loss printed at step 99 is of the network before its last update; recompute it
    # from the returned network and check the last update only lowered it a little
    after = plain_loss(demo.model, data.train.x, data.train.labels)
    assert after <= demo.losses[-1] * 1.01
