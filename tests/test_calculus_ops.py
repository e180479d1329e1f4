"""The calculus ops of issue 11, and the first, second and third derivatives of every op.

First derivatives come from ``backward()``; higher ones from ``autograd.grad``
with ``create_graph=True`` applied again and again. Each is compared with a
formula derived by hand. The formulas round differently from the engine, so
they are compared with ``rel = 1e-12`` (a few thousand ulps at most, far below
any wrong rule, which is off by O(1)) and ``abs = 1e-15`` for results near 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import (
    OPS,
    Value,
    grad,
    linear,
    logsumexp,
    maximum,
    minimum,
    squared_error,
)
from autograd import sum as vsum

REL, ABS = 1e-12, 1e-15


def close(a: float, b: float) -> bool:
    if math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def derivatives(f: Callable[[Value], Value], x: float, order: int) -> list[float]:
    """``[f(x), f'(x), ..., f^(order)(x)]``, each derivative by differentiating the last."""
    leaf = Value(x)
    current = f(leaf)
    out = [current.data]
    for _ in range(order):
        (current,) = grad(current, [leaf], create_graph=True)
        out.append(current.data)
    return out


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# name: (function, points, [f, f', f'', f'''] as functions of x)
UNARY: dict[str, tuple[Callable[[Value], Value], list[float], list[Callable[[float], float]]]] = {
    "neg": (lambda v: -v, [-1.5, 0.3], [lambda x: -x, lambda x: -1.0, lambda x: 0.0,
                                         lambda x: 0.0]),
    "exp": (Value.exp, [-2.0, 0.0, 1.5], [math.exp] * 4),
    "log": (Value.log, [0.3, 1.0, 4.0], [math.log, lambda x: 1 / x, lambda x: -1 / x**2,
                                          lambda x: 2 / x**3]),
    "tanh": (Value.tanh, [-1.2, 0.0, 0.5, 2.0], [
        math.tanh,
        lambda x: 1 - math.tanh(x) ** 2,
        lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
        lambda x: -2 * (1 - math.tanh(x) ** 2) * (1 - 3 * math.tanh(x) ** 2),
    ]),
    "sigmoid": (Value.sigmoid, [-3.0, 0.0, 0.7, 4.0], [
        sig,
        lambda x: sig(x) * (1 - sig(x)),
        lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
        lambda x: sig(x) * (1 - sig(x)) * (1 - 6 * sig(x) + 6 * sig(x) ** 2),
    ]),
    "relu": (Value.relu, [-1.0, 2.5], [lambda x: max(x, 0.0), lambda x: float(x > 0),
                                       lambda x: 0.0, lambda x: 0.0]),
    "sin": (Value.sin, [-2.0, 0.0, 0.4, 3.0], [math.sin, math.cos, lambda x: -math.sin(x),
                                               lambda x: -math.cos(x)]),
    "cos": (Value.cos, [-2.0, 0.0, 0.4, 3.0], [math.cos, lambda x: -math.sin(x),
                                               lambda x: -math.cos(x), math.sin]),
    "sqrt": (Value.sqrt, [0.01, 1.0, 6.25], [
        math.sqrt,
        lambda x: 0.5 / math.sqrt(x),
        lambda x: -0.25 * x**-1.5,
        lambda x: 0.375 * x**-2.5,
    ]),
    "abs": (Value.abs, [-2.0, 0.5], [abs, lambda x: math.copysign(1.0, x), lambda x: 0.0,
                                     lambda x: 0.0]),
    "log1p": (Value.log1p, [-0.5, 0.0, 3.0], [
        math.log1p,
        lambda x: 1 / (1 + x),
        lambda x: -1 / (1 + x) ** 2,
        lambda x: 2 / (1 + x) ** 3,
    ]),
    "expm1": (Value.expm1, [-30.0, -1.0, 0.0, 2.0], [math.expm1, math.exp, math.exp, math.exp]),
    "softplus": (Value.softplus, [-20.0, -1.0, 0.0, 3.0], [
        lambda x: math.log1p(math.exp(x)),
        sig,
        lambda x: sig(x) * (1 - sig(x)),
        lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
    ]),
}  # fmt: skip

UNARY_CASES = [(name, x) for name, (_, points, _) in UNARY.items() for x in points]


@pytest.mark.parametrize(("name", "x"), UNARY_CASES, ids=[f"{n}@{x}" for n, x in UNARY_CASES])
def test_unary_op_and_its_first_three_derivatives(name, x):
    f, _, formulas = UNARY[name]
    got = derivatives(f, x, 3)
    for k, (g, formula) in enumerate(zip(got, formulas)):
        assert close(g, formula(x)), f"{name}: derivative {k} at {x}: {g!r} != {formula(x)!r}"
    assert f(Value(x)).op == name


def partials2(f: Callable[[Value, Value], Value], a: float, b: float) -> dict[str, float]:
    """Every derivative of f(a, b) up to second order, and d3/da3, d3/da2db, d3/db3."""
    va, vb = Value(a), Value(b)
    out = f(va, vb)
    fa, fb = grad(out, [va, vb], create_graph=True)
    faa, fab = grad(fa, [va, vb], create_graph=True)
    fba, fbb = grad(fb, [va, vb], create_graph=True)
    faaa, faab = grad(faa, [va, vb])
    _, fbbb = grad(fbb, [va, vb])
    return {"f": out.data, "a": fa.data, "b": fb.data, "aa": faa.data, "ab": fab.data,
            "ba": fba.data, "bb": fbb.data, "aaa": faaa, "aab": faab, "bbb": fbbb}  # fmt: skip


def binary_formulas(name: str, a: float, b: float) -> dict[str, float]:
    zero = {"aa": 0.0, "ab": 0.0, "ba": 0.0, "bb": 0.0, "aaa": 0.0, "aab": 0.0, "bbb": 0.0}
    if name == "add":
        return {"f": a + b, "a": 1.0, "b": 1.0, **zero}
    if name == "sub":
        return {"f": a - b, "a": 1.0, "b": -1.0, **zero}
    if name == "mul":
        return {"f": a * b, "a": b, "b": a, **zero, "ab": 1.0, "ba": 1.0}
    if name == "div":
        return {"f": a / b, "a": 1 / b, "b": -a / b**2, "aa": 0.0, "ab": -1 / b**2,
                "ba": -1 / b**2, "bb": 2 * a / b**3, "aaa": 0.0, "aab": 0.0,
                "bbb": -6 * a / b**4}  # fmt: skip
    if name == "pow":
        la = math.log(a)
        return {"f": a**b, "a": b * a ** (b - 1), "b": a**b * la,
                "aa": b * (b - 1) * a ** (b - 2),
                "ab": a ** (b - 1) * (1 + b * la), "ba": a ** (b - 1) * (1 + b * la),
                "bb": a**b * la**2, "aaa": b * (b - 1) * (b - 2) * a ** (b - 3),
                "aab": a ** (b - 2) * ((2 * b - 1) + b * (b - 1) * la),
                "bbb": a**b * la**3}  # fmt: skip
    larger = a > b if name == "maximum" else a < b
    return {
        "f": (max if name == "maximum" else min)(a, b),
        "a": float(larger),
        "b": float(not larger),
        **zero,
    }


BINARY_CASES = [(name, a, b) for name in ("add", "sub", "mul", "div", "pow", "maximum", "minimum")
                for a, b in ((0.7, 1.9), (2.5, -1.5), (1.3, 0.4))]  # fmt: skip


@pytest.mark.parametrize(("name", "a", "b"), BINARY_CASES)
def test_binary_op_and_its_derivatives_to_third_order(name, a, b):
    ops: dict[str, Callable[[Value, Value], Value]] = {
        "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
        "div": lambda x, y: x / y, "pow": lambda x, y: x**y, "maximum": maximum,
        "minimum": minimum,
    }  # fmt: skip
    got = partials2(ops[name], a, b)
    expected = binary_formulas(name, a, b)
    for key, value in expected.items():
        assert close(got[key], value), f"{name}({a}, {b}): d/{key} = {got[key]!r} != {value!r}"


def test_variadic_ops_second_and_third_derivatives():
    # sum: every second derivative is 0
    xs = [Value(0.3), Value(-1.2), Value(2.0)]
    firsts = grad(vsum([*xs, 1.0]), xs, create_graph=True)
    assert [grad(d, xs) for d in firsts] == [[0.0] * 3] * 3
    # linear: d2z/dw_i dx_i = 1, every other second derivative 0
    w, x, b = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)], Value(0.1)
    leaves = [*w, *x, b]
    firsts = grad(linear(w, x, b), leaves, create_graph=True)
    hess = [grad(d, leaves) for d in firsts]
    for i in range(5):
        for j in range(5):
            assert hess[i][j] == (1.0 if {i, j} in ({0, 2}, {1, 3}) else 0.0)
    # squared_error: E = 1/2 (y - yhat)^2: d2E/dyhat2 = 1, d2E/dyhat dy = -1
    yhat, y = Value(0.9), Value(1.0)
    fy, fyy = grad(squared_error([yhat], [y]), [yhat, y], create_graph=True)
    assert grad(fy, [yhat, y]) == [1.0, -1.0] and grad(fyy, [yhat, y]) == [-1.0, 1.0]


@pytest.mark.parametrize("point", [[0.3, -1.2, 2.0], [1000.0, 999.0, -5.0], [-2.0, -2.0]])
def test_logsumexp_derivatives_are_the_softmax_and_its_derivatives(point):
    # p = softmax(x); d2/dxi dxj = p_i (delta_ij - p_j);
    # d3/dxi3 = p_i (1 - p_i)(1 - 2 p_i)
    xs = [Value(x) for x in point]
    out = logsumexp(xs)
    m = max(point)
    total = math.fsum(math.exp(x - m) for x in point)
    p = [math.exp(x - m) / total for x in point]
    assert close(out.data, m + math.log(total))
    firsts = grad(out, xs, create_graph=True)
    n = len(xs)
    for i in range(n):
        assert close(firsts[i].data, p[i])
        seconds = grad(firsts[i], xs, create_graph=True)
        for j in range(n):
            assert close(seconds[j].data, p[i] * ((i == j) - p[j]))
        (third,) = grad(seconds[i], [xs[i]])
        assert close(third, p[i] * (1 - p[i]) * (1 - 2 * p[i]))


def test_every_op_is_covered_to_third_order_here():
    covered = set(UNARY) | {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "sum",
                            "linear", "squared_error", "logsumexp"}  # fmt: skip
    assert covered == set(OPS)


# --- the forms that never overflow, and the edges the issue lists --------------------


def test_softplus_never_overflows_and_keeps_the_small_values():
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(700.0).softplus().data == 700.0
    assert Value(-1000.0).softplus().data == 0.0
    # log(1 + e^-700) = e^-700 to within e^-1400: the float nearest e^-700
    assert Value(-700.0).softplus().data == math.exp(-700.0)
    x = Value(-700.0)
    x.softplus().backward()
    assert x.grad == math.exp(-700.0) / (1.0 + math.exp(-700.0))


def test_logsumexp_never_overflows():
    xs = [Value(1000.0), Value(1000.0), Value(-1000.0)]
    out = logsumexp(xs)
    out.backward()
    assert out.data == 1000.0 + math.log(2.0)  # m + log1p(1 + e^-2000), log1p(1) = log 2
    assert [v.grad for v in xs] == [0.5, 0.5, 0.0]


def test_logsumexp_of_one_value_is_the_value():
    x = Value(-3.25)
    out = logsumexp([x])
    out.backward()
    assert out.data == -3.25 and x.grad == 1.0


def test_expm1_derivative_keeps_full_precision_far_left():
    # d expm1/dx = e^x, computed as exp(x), not as out + 1 (which would keep
    # only 1e-3 of e^-30's digits)
    x = Value(-30.0)
    x.expm1().backward()
    assert x.grad == math.exp(-30.0)


def test_sqrt_of_the_smallest_subnormal():
    x = Value(5e-324)
    out = x.sqrt()
    out.backward()
    assert out.data == math.sqrt(5e-324)
    assert x.grad == 0.5 / math.sqrt(5e-324)


# --- kinks and conventions ---------------------------------------------------------------


def test_abs_kink_and_signs():
    assert abs(Value(-2.0)).data == 2.0
    assert abs(Value(-2.0)).op == "abs"
    for x, slope in [(-2.0, -1.0), (0.0, 0.0), (-0.0, 0.0), (3.0, 1.0)]:
        v = Value(x)
        abs(v).backward()
        assert v.grad == slope


def test_sqrt_slope_at_zero_is_infinite():
    for zero in (0.0, -0.0):
        v = Value(zero)
        v.sqrt().backward()
        assert v.grad == math.inf


@pytest.mark.parametrize(("f", "tie"), [(maximum, 2.0), (minimum, 2.0), (maximum, -0.0)])
def test_maximum_and_minimum_share_a_tie(f, tie):
    a, b = Value(tie), Value(tie)
    f(a, b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)
    x = Value(tie)
    f(x, x).backward()  # max(x, x) = x: slope 1
    assert x.grad == 1.0


def test_maximum_and_minimum_with_numbers_and_signed_zeros():
    x = Value(1.0)
    m = maximum(3, x)
    assert m.data == 3.0 and m.args == (3.0, x)
    assert minimum(x, 3).data == 1.0
    assert math.copysign(1.0, maximum(Value(-0.0), 0.0).data) == 1.0
    assert math.copysign(1.0, minimum(Value(0.0), -0.0).data) == -1.0
    assert math.isnan(maximum(Value(math.nan), 1.0).data)
    assert math.isnan(minimum(1.0, Value(math.nan)).data)
    assert maximum(2.0, 5.0).data == 5.0
    with pytest.raises(TypeError, match="maximum"):
        maximum("2", Value(1.0))  # type: ignore[arg-type]


# --- domain errors name the op and the operand ----------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: Value(-1.0).sqrt(), ValueError, r"sqrt: operand must be >= 0, got -1.0"),
        (lambda: Value(-1.0).log1p(), ValueError, r"log1p: operand must be > -1, got -1.0"),
        (lambda: Value(-2.0).log1p(), ValueError, r"log1p: operand must be > -1, got -2.0"),
        (lambda: Value(math.inf).sin(), ValueError, r"sin: sin\(inf\) is not defined"),
        (lambda: Value(-math.inf).cos(), ValueError, r"cos: cos\(-inf\) is not defined"),
        (lambda: Value(710.0).expm1(), OverflowError, r"expm1: expm1\(710.0\) overflows"),
        (lambda: logsumexp([]), ValueError, r"logsumexp: needs at least one value"),
        (lambda: logsumexp(["x"]), TypeError, r"logsumexp"),  # type: ignore[list-item]
    ],
)
def test_domain_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_rule_text_of_the_new_ops():
    assert OPS["sin"].rule(0, 1) == "d(sin(x))/dx = cos(x)"
    assert OPS["cos"].rule(0, 1) == "d(cos(x))/dx = -sin(x)"
    assert OPS["sqrt"].rule(0, 1) == "d(sqrt(x))/dx = 1/(2 sqrt(x)) = 0.5/out"
    assert OPS["expm1"].rule(0, 1) == "d(expm1(x))/dx = exp(x)"
    assert OPS["softplus"].rule(0, 1) == "d(softplus(x))/dx = sigmoid(x)"
    assert OPS["logsumexp"].rule(2, 3).endswith("/dx_3 = exp(x_3 - out)")
    assert OPS["maximum"].rule(1, 2).startswith("d(maximum(a, b))/db = 1 if b > a")


def test_nan_passes_through_the_new_ops():
    for method in ("sin", "cos", "sqrt", "abs", "log1p", "expm1", "softplus"):
        assert math.isnan(getattr(Value(math.nan), method)().data), method
    assert math.isnan(logsumexp([Value(1.0), Value(math.nan)]).data)


def test_logsumexp_with_infinities():
    a, b = Value(math.inf), Value(1.0)
    out = logsumexp([a, b])
    out.backward()
    assert out.data == math.inf and (a.grad, b.grad) == (1.0, 0.0)
    assert logsumexp([Value(-math.inf), Value(-math.inf)]).data == -math.inf


def test_maximum_method_refuses_a_non_number():
    with pytest.raises(TypeError, match="maximum: expected a Value or a real number, got str"):
        Value(1.0).maximum("2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="minimum: expected a Value or a real number, got str"):
        minimum(Value(1.0), "2")  # type: ignore[arg-type]
