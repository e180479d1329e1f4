"""Reproduce articles 001, 002 and 004: the reference derivation against the engine.

``nn.reference`` implements Nielsen's BP1-BP4 (article 004) and the
generalised delta rule (article 001) on plain lists, without the engine.
Here both are compared with the engine's ``z.grad`` and parameter gradients
on random networks of random depth, width and per-layer activation.

Tolerance, for every comparison: ``|engine - reference| <= 1e-9 * scale``
with ``scale = max(1, largest |gradient| of that network)``. The two sides
evaluate the same sums of products in different orders, so they differ by
rounding only: about (number of terms) x 2.2e-16 x (size of the terms), under
1e-13 x scale for these sizes (at most 4 layers of width 5, weights and inputs
in [-2, 2]). 1e-9 leaves room for cancellation, while a wrong equation (a
missing sigma', a transpose the wrong way, a sign) is off by O(scale).
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn import MLP, SGD, half_squared_error
from nn import reference as ref

number = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def networks(draw):
    """(weights, biases, activations, x, y): a random MLP and one sample."""
    nin = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4))
    acts = draw(
        st.lists(
            st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
            min_size=len(sizes),
            max_size=len(sizes),
        )
    )
    fan_in = [nin, *sizes[:-1]]
    weights = [
        [[draw(number) for _ in range(n_in)] for _ in range(n_out)]
        for n_in, n_out in zip(fan_in, sizes)
    ]
    biases = [[draw(number) for _ in range(n_out)] for n_out in sizes]
    x = [draw(number) for _ in range(nin)]
    y = [draw(number) for _ in range(sizes[-1])]
    return weights, biases, acts, x, y


def engine_pass(weights, biases, acts, x, y):
    net = MLP.from_weights(weights, biases, acts)
    half_squared_error(net(x), y).backward()
    return net


def assert_close(engine, reference, scale):
    assert abs(engine - reference) <= 1e-9 * scale, (engine, reference, scale)


def scale_of(grads):
    values = [abs(v) for m in grads.weights for row in m for v in row]
    values += [abs(v) for b in grads.biases for v in b]
    return max(1.0, *values)


@given(networks())
def test_bp1_to_bp4_equal_the_engine(case):
    weights, biases, acts, x, y = case
    net = engine_pass(*case)
    grads = ref.backprop(weights, biases, x, y, acts)
    scale = scale_of(grads)
    for layer, deltas, gw, gb, zs in zip(
        net.layers, grads.deltas, grads.weights, grads.biases, grads.zs
    ):
        for j, neuron in enumerate(layer.neurons):
            assert neuron.z is not None
            assert_close(neuron.z.data, zs[j], scale)
            assert_close(neuron.z.grad, deltas[j], scale)  # delta^l_j = dC/dz^l_j
            assert_close(neuron.b.grad, gb[j], scale)  # BP3
            for i, w in enumerate(neuron.w):
                assert_close(w.grad, gw[j][i], scale)  # BP4


@given(networks())
def test_generalised_delta_rule_delta_is_minus_z_grad(case):
    """Article 001: delta_t = -dE_p/dnet_t, so the engine's z.grad is minus it."""
    weights, biases, acts, x, y = case
    net = engine_pass(*case)
    deltas, _, _ = ref.delta_rule_step(weights, biases, x, y, acts, eta=0.1)
    scale = scale_of(ref.backprop(weights, biases, x, y, acts))
    for layer, layer_deltas in zip(net.layers, deltas):
        for neuron, delta in zip(layer.neurons, layer_deltas):
            assert neuron.z is not None
            assert_close(-neuron.z.grad, delta, scale)


@given(networks(), st.floats(0.001, 1.0))
def test_one_online_sgd_step_equals_one_delta_rule_step(case, eta):
    """Article 001's online update Delta w_ti = eta delta_t o_i is SGD with lr = eta."""
    weights, biases, acts, x, y = case
    net = MLP.from_weights(weights, biases, acts)
    opt = SGD(net.parameters(), lr=eta)
    opt.zero_grad()
    half_squared_error(net(x), y).backward()
    opt.step()
    _, new_w, new_b = ref.delta_rule_step(weights, biases, x, y, acts, eta)
    scale = scale_of(ref.backprop(weights, biases, x, y, acts))
    got_w, got_b = net.weights_and_biases()
    for m_got, m_ref in zip(got_w, new_w):
        for r_got, r_ref in zip(m_got, m_ref):
            for a, b in zip(r_got, r_ref):
                assert_close(a, b, scale)
    for v_got, v_ref in zip(got_b, new_b):
        for a, b in zip(v_got, v_ref):
            assert_close(a, b, scale)


def test_the_reference_catches_a_wrong_equation():
    """The tolerance is tight enough: dropping sigma' from BP2 is detected."""
    weights = [[[0.5, -1.0]], [[2.0]]]
    biases = [[0.1], [-0.3]]
    good = ref.backprop(weights, biases, [1.0, 0.5], [1.0], ["tanh", "sigmoid"])
    net = engine_pass(weights, biases, ["tanh", "sigmoid"], [1.0, 0.5], [1.0])
    z1 = net.layers[0].neurons[0].z
    assert z1 is not None
    without_sigma_prime = good.deltas[1][0] * weights[1][0][0]
    assert abs(z1.grad - good.deltas[0][0]) <= 1e-9
    assert abs(z1.grad - without_sigma_prime) > 1e-3


def test_article_002_matrix_examples():
    a = [[1, 2], [3, 4]]
    b = [[-1, -2], [-3, -4]]
    assert ref.matmul(a, b) == [[-7, -10], [-15, -22]]
    assert ref.hadamard(a, b) == [[-1, -4], [-9, -16]]
    assert ref.transpose(a) == [[1, 3], [2, 4]]


def test_matrix_operations_reject_bad_shapes():
    with pytest.raises(ValueError, match="do not chain"):
        ref.matmul([[1, 2]], [[1, 2]])
    with pytest.raises(ValueError, match="differ"):
        ref.hadamard([[1, 2]], [[1], [2]])
    with pytest.raises(ValueError, match="rows of different lengths"):
        ref.transpose([[1, 2], [3]])


def test_reference_activations_match_their_derivatives():
    for name in ("sigmoid", "tanh", "relu", "linear"):
        for z in (-1.3, 0.4, 2.0):
            h = 1e-6
            numeric = (ref.sigma(name, z + h) - ref.sigma(name, z - h)) / (2 * h)
            # Central differences: error O(h^2) ~ 1e-12 plus rounding ~1e-10.
            assert math.isclose(ref.sigma_prime(name, z), numeric, rel_tol=1e-8, abs_tol=1e-9)
