"""Losses: values, gradients, and finite results for saturated outputs."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, gradcheck
from nn import (
    binary_cross_entropy_with_logits,
    half_squared_error,
    mse,
    softmax_cross_entropy,
)

# Values and gradients below are compared with a direct float formula; the two
# computations round differently, so allow a few ulps relative (1e-12) and 1e-15
# absolute for results near 0.
REL, ABS = 1e-12, 1e-15


def close(a, b):
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def grads(loss_fn, outputs, target):
    vs = [Value(o) for o in outputs]
    loss = loss_fn(vs, target)
    loss.backward()
    return loss.data, [v.grad for v in vs]


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def test_half_squared_error_and_mse():
    value, g = grads(half_squared_error, [0.5, -1.0, 2.0], [1.0, 0.0, 2.5])
    assert close(value, 0.5 * (0.25 + 1.0 + 0.25))
    assert all(close(a, b) for a, b in zip(g, [-0.5, -1.0, -0.5]))  # y_hat - y
    value, g = grads(mse, [0.5, -1.0, 2.0], [1.0, 0.0, 2.5])
    assert close(value, (0.25 + 1.0 + 0.25) / 3)
    assert all(close(a, b) for a, b in zip(g, [2 * -0.5 / 3, 2 * -1.0 / 3, 2 * -0.5 / 3]))


finite = st.floats(-30, 30, allow_nan=False)


@given(st.lists(st.tuples(finite, st.sampled_from([0.0, 0.25, 1.0])), min_size=1, max_size=4))
def test_bce_matches_its_definition_and_sigmoid_minus_y(pairs):
    zs, ys = [z for z, _ in pairs], [y for _, y in pairs]
    value, g = grads(binary_cross_entropy_with_logits, zs, ys)
    expected = 0.0
    for z, y in zip(zs, ys):
        # -[y log p + (1-y) log(1-p)] with log p = -log(1+e^-z), log(1-p) = -z - log(1+e^-z)
        log1pexp = math.log1p(math.exp(-abs(z))) + max(-z, 0.0)  # log(1 + e^-z), stable
        expected += y * log1pexp + (1 - y) * (z + log1pexp)
    expected /= len(zs)
    # log(1 + e^-|z|) computed as log of a sum loses up to ~1e-16 absolute per
    # term against log1p: compare with 1e-12 relative plus 1e-14 absolute.
    assert math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-14)
    for gi, z, y in zip(g, zs, ys):
        assert math.isclose(gi, (sigmoid(z) - y) / len(zs), rel_tol=1e-12, abs_tol=1e-14)


def test_bce_gradient_is_right_at_zero_where_the_branches_meet():
    _, g = grads(binary_cross_entropy_with_logits, [0.0], [1.0])
    assert g == [-0.5]  # sigmoid(0) - 1, exact in binary


@pytest.mark.parametrize("z", [-1000.0, -745.0, 40.0, 1000.0, 1e300])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_is_finite_for_saturated_outputs(z, y):
    value, g = grads(binary_cross_entropy_with_logits, [z], [y])
    assert math.isfinite(value) and all(math.isfinite(x) for x in g)
    # The loss is |z| when the prediction is confidently wrong, ~0 when right;
    # the gradient is sigmoid(z) - y, which saturates at 0 or +-1.
    wrong = (z > 0) != (y > 0.5)
    if wrong:
        assert value == pytest.approx(abs(z), rel=1e-12)
        assert abs(g[0]) == pytest.approx(1.0, abs=1e-12)
    else:
        assert 0.0 <= value < 1e-15


@given(st.lists(finite, min_size=1, max_size=5), st.data())
def test_softmax_cross_entropy_matches_its_definition(zs, data):
    index = data.draw(st.integers(0, len(zs) - 1))
    value, g = grads(softmax_cross_entropy, zs, index)
    m = max(zs)
    total = math.fsum(math.exp(z - m) for z in zs)
    expected = m + math.log(total) - zs[index]
    # Logits up to 30 in size: the value is a difference of numbers up to ~30,
    # so compare with 1e-12 relative to that scale.
    assert math.isclose(value, expected, rel_tol=1e-12, abs_tol=1e-12 * (1 + abs(m)))
    for k, gk in enumerate(g):
        p = math.exp(zs[k] - m) / total
        assert math.isclose(gk, p - (k == index), rel_tol=1e-12, abs_tol=1e-14)


def test_softmax_with_probability_targets_equals_index_target():
    a, ga = grads(softmax_cross_entropy, [1.0, 2.0, -1.0], 1)
    b, gb = grads(softmax_cross_entropy, [1.0, 2.0, -1.0], [0.0, 1.0, 0.0])
    assert a == b and ga == gb


@pytest.mark.parametrize("big", [1000.0, 1e300])
def test_softmax_is_finite_for_saturated_logits(big):
    value, g = grads(softmax_cross_entropy, [big, 0.0, -big], 2)
    assert math.isfinite(value) and all(math.isfinite(x) for x in g)
    assert value == pytest.approx(2 * big, rel=1e-12)
    assert g == pytest.approx([1.0, 0.0, -1.0], abs=1e-12)


def test_losses_pass_gradcheck():
    gradcheck(lambda a, b: binary_cross_entropy_with_logits([a, b], [1.0, 0.3]), [0.7, -1.2])
    gradcheck(lambda a, b, c: softmax_cross_entropy([a, b, c], [0.2, 0.5, 0.3]), [0.1, 1.0, -2])
    gradcheck(lambda a, b: mse([a, b], [1.0, -1.0]), [0.3, 0.4])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: half_squared_error([1.0, 2.0], [1.0]), "2 outputs but 1 targets"),
        (lambda: mse([], []), "no outputs"),
        (lambda: mse([1.0], [math.nan]), "target 0 must be a finite real number"),
        (lambda: mse([1.0], ["1"]), "target 0"),
        (lambda: binary_cross_entropy_with_logits([1.0], [2.0]), r"not in \[0, 1\]"),
        (lambda: softmax_cross_entropy([1.0, 2.0], 2), "class index 2 out of range"),
        (lambda: softmax_cross_entropy([1.0, 2.0], [0.5, 0.6]), "not a probability vector"),
        (lambda: softmax_cross_entropy([1.0, 2.0], True), "not a bool"),
        (lambda: softmax_cross_entropy([], 0), "no logits"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_a_tiny_softmax_loss_keeps_full_relative_precision():
    # The trust issue's case: class 0 wins by a wide margin, so the loss is tiny.
    # The exact value (mpmath, 40 digits) is 1.486335517907347581854e-08; the issue
    # quotes it to 14 digits, 1.4863355179073e-08. Computed as logsumexp(z - z_0),
    # the result must agree to 4 ulps (4.4e-16 relative); against the 14
    # digits the most one can ask is their own precision, 5e-14 relative. The old
    # form, (log sum + m) - z_k, was off by 1.1e-7 relative and fails both.
    logits = [23.546000642914763, -24.986959390158983, 5.521633613144118]
    loss = softmax_cross_entropy([Value(z) for z in logits], 0).data
    assert math.isclose(loss, 1.486335517907347581854e-08, rel_tol=4.4e-16)
    assert math.isclose(loss, 1.4863355179073e-08, rel_tol=5e-14)


def test_a_tiny_bce_loss_keeps_full_relative_precision():
    # y = 1, z = 40: the loss is log(1 + e^-40) = 4.248354255291589e-18 (to 16
    # digits, as e^-40 - e^-80/2 + ...); 1e-15 relative is a few ulps.
    loss = binary_cross_entropy_with_logits([Value(40.0)], [1.0]).data
    assert math.isclose(loss, 4.248354255291589e-18, rel_tol=1e-15)


def _ops_of(loss):
    from autograd import nodes_of

    return [(n.op, len(n.args)) for n in nodes_of(loss)]


@pytest.mark.parametrize(
    ("fn", "target"),
    [(softmax_cross_entropy, 1), (softmax_cross_entropy, [0.2, 0.5, 0.3]),
     (binary_cross_entropy_with_logits, [1.0, 0.0, 0.5])],
)  # fmt: skip
def test_the_loss_graph_does_not_depend_on_the_numbers(fn, target):
    # A compiled training step records one graph and replays it: the ops and their
    # shapes must be the same for logits of either sign, large or small.
    shapes = {
        tuple(_ops_of(fn([Value(z) for z in zs], target)))
        for zs in ([3.0, -1.0, 0.5], [-50.0, 20.0, 0.0], [1e300, -1e300, 7.0], [0.0, 0.0, 0.0])
    }
    assert len(shapes) == 1
