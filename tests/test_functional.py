"""autograd.grad, hessian and gradgradcheck: derivatives of derivatives.

Tolerances: finite differences use gradcheck's rule (``|analytic - numeric| <=
atol + rtol * |numeric|``) with the defaults documented in autograd.gradcheck
(atol 1e-5, rtol 1e-3); third derivatives are differences of second ones, a
level less accurate, and are checked with atol 1e-4, rtol 1e-2 (the
difference's error is O(h^2 f^(5)) + 1e-16 |f''| / h, with h = 1e-4 here).
Closed-form comparisons use 1e-12 relative, a few ulps of rounding apart.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import (
    GradcheckError,
    Value,
    grad,
    gradgradcheck,
    hessian,
    logsumexp,
    nodes_of,
)
from autograd.testing import ExprGraph, expr_graphs
from nn import MLP, softmax_cross_entropy


def backward_grads(g: ExprGraph) -> tuple[Value, list[Value], list[float]]:
    leaves = [Value(x) for x in g.leaves]
    root = g(*leaves)
    root.backward()
    return root, leaves, [v.grad for v in leaves]


# --- first order: the same numbers as backward(), nothing touched -------------------


@given(expr_graphs())
def test_grad_equals_backward_bit_for_bit(g: ExprGraph):
    root, leaves, expected = backward_grads(g)
    assert grad(root, leaves) == expected
    # with create_graph the same partials run on Values: the same floats come out
    assert [d.data for d in grad(root, leaves, create_graph=True)] == expected


def test_grad_leaves_every_grad_alone():
    x, y = Value(2.0), Value(-1.0)
    x.grad, y.grad = 7.0, 0.0
    z = (x * y).tanh() + x
    before = [(n, n.grad) for n in nodes_of(z)]
    slope = 1 - math.tanh(-2.0) ** 2
    assert grad(z, [x, y]) == pytest.approx([1 + slope * -1.0, slope * 2.0], rel=1e-12)
    assert [(n, n.grad) for n in nodes_of(z)] == before
    grad(z, [x, y], create_graph=True)
    assert [(n, n.grad) for n in nodes_of(z)] == before


def test_grad_of_unreached_inputs_and_of_the_output_itself():
    x, unused = Value(3.0), Value(1.0)
    y = x * x
    assert grad(y, [x, unused, y]) == [6.0, 0.0, 1.0]
    assert grad(x, x) == [1.0]
    assert [d.data for d in grad(y, [unused], create_graph=True)] == [0.0]
    with pytest.raises(TypeError, match="grad: input 0 must be a Value, got float"):
        grad(y, [3.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="grad: output must be a Value"):
        grad(3.0, [x])  # type: ignore[arg-type]


def test_a_zero_local_derivative_contributes_exactly_zero():
    # relu'(-1) = 0: the NaN arriving from above is not multiplied in (0 * nan is nan).
    x, y = Value(-1.0), Value(math.nan)
    assert grad(x.relu() * y, [x]) == [0.0]
    x = Value(-1.0)
    assert grad(x.relu() ** 0.5, [x]) == [0.0]  # d sqrt/d relu = inf at 0, times relu' = 0
    # a Value that happens to be 0 is not a constant 0: its own derivative counts
    x, y = Value(2.0), Value(0.0)
    dx, _ = grad(x * y, [x, y], create_graph=True)
    assert dx.data == 0.0 and grad(dx, [x, y]) == [0.0, 1.0]


# --- second order -------------------------------------------------------------------


@pytest.mark.parametrize("x", [-2.0, -0.5, 0.0, 0.3, 1.0, 2.5])
def test_tanh_second_derivative(x):
    t = math.tanh(x)
    assert hessian(lambda v: v.tanh(), [x])[0][0] == pytest.approx(
        -2 * t * (1 - t * t), rel=1e-12, abs=1e-15
    )


@pytest.mark.parametrize("x", [-4.0, -1.0, 0.0, 0.5, 3.0])
def test_sigmoid_second_derivative(x):
    s = 1 / (1 + math.exp(-x))
    assert hessian(lambda v: v.sigmoid(), [x])[0][0] == pytest.approx(
        s * (1 - s) * (1 - 2 * s), rel=1e-12, abs=1e-15
    )


def test_hessian_of_a_small_function_by_hand():
    # f = a^2 b + sin(a b): f_aa = 2b - b^2 sin(ab), f_ab = 2a + cos(ab) - ab sin(ab),
    # f_bb = -a^2 sin(ab)
    a, b = 1.0, 2.0
    h = hessian(lambda x, y: x * x * y + (x * y).sin(), [a, b])
    s, c = math.sin(a * b), math.cos(a * b)
    expected = [[2 * b - b * b * s, 2 * a + c - a * b * s], [2 * a + c - a * b * s, -a * a * s]]
    for row, want in zip(h, expected):
        assert row == pytest.approx(want, rel=1e-12)


@given(expr_graphs(max_steps=8, max_leaves=3))
@settings(max_examples=150, deadline=None)
def test_second_derivatives_match_finite_differences_on_random_graphs(g: ExprGraph):
    gradgradcheck(g, g.leaves)


@given(expr_graphs(max_leaves=2, max_steps=5))
@settings(max_examples=60, deadline=None)
def test_hessian_is_symmetric_on_random_graphs(g: ExprGraph):
    h = hessian(g, g.leaves)
    n = len(h)
    for i in range(n):
        for j in range(i):
            # two different chains of roundings: equal to 1e-9 relative to the entries' size
            scale = max(1.0, abs(h[i][j]), abs(h[j][i]))
            assert abs(h[i][j] - h[j][i]) <= 1e-9 * scale


# --- third order -----------------------------------------------------------------------


def third_derivatives(f, point: list[float]) -> list[list[list[float]]]:
    """``T[i][j][k] = d3 f / dx_i dx_j dx_k`` by three nested grads."""
    leaves = [Value(x) for x in point]
    first = grad(f(*leaves), leaves, create_graph=True)
    out = []
    for d in first:
        second = grad(d, leaves, create_graph=True)
        out.append([grad(dd, leaves) for dd in second])
    return out


@given(expr_graphs(max_steps=6, max_leaves=2))
@settings(max_examples=60, deadline=None)
def test_third_derivatives_match_finite_differences_of_the_hessian(g: ExprGraph):
    point = list(g.leaves)
    t = third_derivatives(g, point)
    n = len(point)
    for k in range(n):
        h = 1e-4 * max(1.0, abs(point[k]))
        up, down = list(point), list(point)
        up[k] += h
        down[k] -= h
        hu, hd = hessian(g, up), hessian(g, down)
        for i in range(n):
            for j in range(n):
                numeric = (hu[i][j] - hd[i][j]) / (up[k] - down[k])
                assert abs(t[i][j][k] - numeric) <= 1e-4 + 1e-2 * abs(numeric), (i, j, k)


def test_fourth_derivative_of_sin():
    x = Value(0.7)
    d = x.sin()
    for _ in range(4):
        (d,) = grad(d, [x], create_graph=True)
    assert d.data == pytest.approx(math.sin(0.7), rel=1e-12)


# --- gradgradcheck can fail ------------------------------------------------------------


def test_gradgradcheck_passes_and_reports():
    report = gradgradcheck(lambda a, b: logsumexp([a * b, a.sin(), b]), [0.4, -1.3])
    assert report.passed and len(report.inputs) == 4
    assert report.inputs[1].label == "x0,x1"


def test_gradgradcheck_fails_at_a_kink():
    # |x| has slope -1 then +1: its second derivative at 0 is taken to be 0, but the
    # first derivative jumps by 2 across 0, which finite differences see as 1/h.
    with pytest.raises(GradcheckError, match="gradgradcheck: second derivative d2f/dx0 dx0"):
        gradgradcheck(lambda x: x.abs() * 3.0, [0.0])
    report = gradgradcheck(lambda x: x.abs() * 3.0, [0.0], raise_exception=False)
    assert not report.passed


# --- Newton's method ---------------------------------------------------------------------


def test_newton_converges_quadratically():
    # f(x) = x^3 - 2x - 5 (Wallis's example), root 2.0945514815423265 (to double
    # precision). Newton's step x <- x - f/f' with f' from grad: each error is about
    # C * (previous error)^2 with C = |f''/(2 f')| at the root; the ratios are
    # checked to within a factor 2 of C once the iteration is close.
    root = 2.0945514815423265
    x = 3.0
    errors = []
    for _ in range(6):
        v = Value(x)
        fx = v**3 - 2 * v - 5
        (slope,) = grad(fx, [v])
        x = x - fx.data / slope
        errors.append(abs(x - root))
    c = abs(6 * root / (2 * (3 * root**2 - 2)))
    ratios = [e1 / e0**2 for e0, e1 in itertools.pairwise(errors) if e1 > 1e-15]
    assert len(ratios) >= 3
    for r in ratios[1:]:  # the first step is not yet in the quadratic regime
        assert 0.5 * c < r < 2 * c
    assert errors[-1] < 1e-15


def test_newton_minimisation_uses_the_second_derivative():
    # minimise phi(x) = softplus(x) + x^2/2 - x: phi' = sigmoid(x) + x - 1 and
    # phi'' = s(1 - s) + 1 > 0; the step x <- x - phi'/phi'' takes both from the
    # engine (grad with create_graph, then grad again). |phi'| must square each step
    # (within a factor 10).
    x = 3.0
    errors = []
    for _ in range(6):
        v = Value(x)
        phi = v.softplus() + v * v * 0.5 - v
        (d1,) = grad(phi, [v], create_graph=True)
        (d2,) = grad(d1, [v])
        x = x - d1.data / d2
        errors.append(abs(d1.data))
    # the minimiser solves sigmoid(x) = 1 - x: x* = 0.43... where phi' = 0
    assert abs(1 / (1 + math.exp(-x)) + x - 1) < 1e-15
    assert errors[2] < errors[1] ** 2 * 10 and errors[3] < errors[2] ** 2 * 10


# --- a tiny network's loss -----------------------------------------------------------------


def test_hessian_of_a_tiny_network_loss_matches_finite_differences():
    # a 2-2-2 network (tanh, then linear logits) at one input, its 12 parameters
    # drawn by nn's initialiser; the loss is written on Values standing for them
    start = [p.data for p in MLP(2, [2, 2], ["tanh", "linear"], seed=1).parameters()]

    def loss(*w: Value) -> Value:
        h = [(w[0] * 0.5 + w[1] * -1.0 + w[2]).tanh(), (w[3] * 0.5 + w[4] * -1.0 + w[5]).tanh()]
        out = [h[0] * w[6] + h[1] * w[7] + w[8], h[0] * w[9] + h[1] * w[10] + w[11]]
        return softmax_cross_entropy(out, 1)

    report = gradgradcheck(loss, start)
    assert report.passed and len(report.inputs) == len(start) ** 2


@pytest.mark.parametrize("bad", [[[1.0]], "x"])
def test_hessian_refuses_bad_inputs(bad):
    with pytest.raises(TypeError):
        hessian(lambda x: x, bad)


def test_hessian_needs_a_value_out():
    with pytest.raises(TypeError, match="hessian: f must return a Value"):
        hessian(lambda x: 3.0, [1.0])  # type: ignore[arg-type, return-value]


@given(st.floats(-5, 5))
def test_second_derivative_of_softplus_is_that_of_the_sigmoid(x):
    s = 1 / (1 + math.exp(-x))
    assert hessian(lambda v: v.softplus(), [x])[0][0] == pytest.approx(
        s * (1 - s), rel=1e-12, abs=1e-15
    )


def test_a_gradients_graph_is_drawn_and_stepped_through_like_any_other():
    from autograd.stepper import backward_steps
    from autograd.viz import draw_dot

    x = Value(0.5, "x")
    (dy,) = grad(x.tanh(), [x], create_graph=True)
    (d2y,) = grad(dy, [x], create_graph=True)
    source = draw_dot(d2y).source
    assert "tanh" in source and source.count("label=") >= len(nodes_of(d2y))
    steps = list(backward_steps(d2y))  # the pass through tanh'' leaves tanh''' in x.grad
    assert len(steps) == len([n for n in nodes_of(d2y) if not n.is_leaf])
    t = math.tanh(0.5)
    assert x.grad == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-14)


@pytest.mark.parametrize(
    ("make", "op"),
    [(lambda v: v.sqrt(), "sqrt"), (lambda v: v.softplus(), "softplus"),
     (lambda v: abs(v), "abs"), (lambda v: logsumexp([v, 1.0]), "logsumexp")],
)  # fmt: skip
def test_detect_anomaly_watches_the_new_ops(make, op):
    from autograd import AnomalyError, detect_anomaly

    with detect_anomaly(), pytest.raises(AnomalyError, match=f"anomaly in forward: {op}"):
        make(Value(math.inf))


def test_third_derivative_through_a_power_whose_exponent_passes_through_0():
    # f(u) = u**u at u = 1: f''' = u^u ((ln u + 1)^3 + 3 (ln u + 1)/u - 1/u^2) = 3. The
    # derivative b * a**(b-1) of the inner a**b is differentiated with b - 1 = 0 on the
    # way: the constant-0 convention for a**0 must not hide its slope in b.
    u = Value(1.0)
    d = u**u
    for _ in range(3):
        (d,) = grad(d, [u], create_graph=True)
    assert d.data == pytest.approx(3.0, rel=1e-12)


def test_create_graph_inside_no_grad_is_refused_not_silently_flat():
    from autograd import no_grad

    x = Value(2.0)
    y = x * x
    with no_grad():
        assert grad(y, [x]) == [4.0]  # first derivatives need no recording
        with pytest.raises(RuntimeError, match="create_graph=True inside no_grad"):
            grad(y, [x], create_graph=True)
        with pytest.raises(RuntimeError, match="inside no_grad"):
            hessian(lambda v: v * v, [2.0])
