"""Every operation's value and gradient against formulas derived by hand.

Exact comparisons use the same float expression as the engine would if it were
right; derived formulas that round differently are compared with rel 1e-12,
a few units in the last place of a double.
"""

import math

import pytest

from autograd import OPS, Value, linear, squared_error
from autograd import sum as vsum

REL = 1e-12  # a few ulps: the hand formula may round differently from the engine

POINTS = [-2.5, -0.7, 0.3, 1.0, 3.2]


def close(x, y):
    return x == pytest.approx(y, rel=REL, abs=1e-300)


def grads(f, *xs):
    vs = [Value(x) for x in xs]
    out = f(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


@pytest.mark.parametrize("x", POINTS)
@pytest.mark.parametrize("y", [-1.3, 0.4, 2.0])
def test_binary_ops_value_and_gradient(x, y):
    # (f, value, df/dx, df/dy)
    cases = {
        "add": (lambda a, b: a + b, x + y, 1.0, 1.0),
        "sub": (lambda a, b: a - b, x - y, 1.0, -1.0),
        "mul": (lambda a, b: a * b, x * y, y, x),
        "div": (lambda a, b: a / b, x / y, 1 / y, -x / y**2),
    }
    for name, (f, value, dx, dy) in cases.items():
        out, (gx, gy) = grads(f, x, y)
        assert close(out, value), name
        assert close(gx, dx) and close(gy, dy), name


@pytest.mark.parametrize("x", POINTS)
@pytest.mark.parametrize("c", [-1.3, 0.4, 2.0])
def test_binary_ops_with_a_number_on_either_side(x, c):
    cases = {
        "x+c": (lambda a: a + c, x + c, 1.0),
        "c+x": (lambda a: c + a, c + x, 1.0),
        "x-c": (lambda a: a - c, x - c, 1.0),
        "c-x": (lambda a: c - a, c - x, -1.0),
        "x*c": (lambda a: a * c, x * c, c),
        "c*x": (lambda a: c * a, c * x, c),
        "x/c": (lambda a: a / c, x / c, 1 / c),
        "c/x": (lambda a: c / a, c / x, -c / x**2),
    }
    for name, (f, value, dx) in cases.items():
        out, (gx,) = grads(f, x)
        assert close(out, value), name
        assert close(gx, dx), name


def test_constants_are_args_but_not_parents():
    x = Value(2.0)
    y = 3 * x
    assert y.op == "mul"
    assert y.args == (3.0, x)
    assert y.parents == (x,)
    z = x - 1
    assert z.args == (x, 1.0) and z.parents == (x,)


@pytest.mark.parametrize("x", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("p", [-2, -0.5, 0.5, 1, 2, 3.5])
def test_power_with_number_exponent(x, p):
    out, (gx,) = grads(lambda a: a**p, x)
    assert close(out, x**p)
    assert close(gx, p * x ** (p - 1))


@pytest.mark.parametrize("x", [-2.0, -0.5])
@pytest.mark.parametrize("p", [2, 3, -1])
def test_negative_base_integer_exponent(x, p):
    out, (gx,) = grads(lambda a: a**p, x)
    assert close(out, x**p)
    assert close(gx, p * x ** (p - 1))


@pytest.mark.parametrize("c", [0.5, 2.0, 3.0])
@pytest.mark.parametrize("x", [-1.5, 0.0, 0.7, 2.0])
def test_number_to_the_power_of_a_value(c, x):
    out, (gx,) = grads(lambda a: c**a, x)
    assert close(out, c**x)
    assert close(gx, c**x * math.log(c))


@pytest.mark.parametrize("x", [0.4, 1.0, 2.2])
@pytest.mark.parametrize("y", [-1.5, 0.5, 2.0])
def test_value_to_the_power_of_a_value(x, y):
    out, (gx, gy) = grads(lambda a, b: a**b, x, y)
    assert close(out, x**y)
    assert close(gx, y * x ** (y - 1))
    assert close(gy, x**y * math.log(x))


@pytest.mark.parametrize("x", POINTS)
def test_unary_ops_value_and_gradient(x):
    s = 1 / (1 + math.exp(-x))
    cases = {
        "neg": (lambda a: -a, -x, -1.0),
        "exp": (lambda a: a.exp(), math.exp(x), math.exp(x)),
        "tanh": (lambda a: a.tanh(), math.tanh(x), 1 / math.cosh(x) ** 2),
        "sigmoid": (lambda a: a.sigmoid(), s, math.exp(-x) / (1 + math.exp(-x)) ** 2),
        "relu": (lambda a: a.relu(), max(0.0, x), 1.0 if x > 0 else 0.0),
    }
    for name, (f, value, dx) in cases.items():
        out, (gx,) = grads(f, x)
        assert close(out, value), name
        assert close(gx, dx), name
        assert f(Value(x)).op == name


@pytest.mark.parametrize("x", [0.05, 0.7, 1.0, 3.2, 1e6])
def test_log(x):
    out, (gx,) = grads(lambda a: a.log(), x)
    assert close(out, math.log(x))
    assert close(gx, 1 / x)


def test_sigmoid_is_stable_far_out():
    assert Value(-1000).sigmoid().data == 0.0
    assert Value(1000).sigmoid().data == 1.0
    for x in [-745.0, -709.0, -40.0, 40.0, 709.0, 745.0]:
        s = Value(x).sigmoid()
        assert math.isfinite(s.data) and 0.0 <= s.data <= 1.0
        s.backward()
    # deep in the negative tail the stable form keeps full relative precision
    assert close(Value(-50.0).sigmoid().data, math.exp(-50.0) / (1 + math.exp(-50.0)))


def test_relu_subgradient_at_zero_is_zero():
    out, (gx,) = grads(lambda a: a.relu(), 0.0)
    assert out == 0.0 and gx == 0.0


@pytest.mark.parametrize("n", [1, 2, 5])
def test_sum_node(n):
    xs = [0.3 * k - 1 for k in range(n)]
    vs = [Value(x) for x in xs]
    s = vsum([*vs, 2.0])
    s.backward()
    assert s.op == "sum" and s.parents == tuple(vs)
    assert close(s.data, sum(xs) + 2.0)
    assert all(v.grad == 1.0 for v in vs)


def test_linear_node_is_the_weighted_sum_with_the_obvious_partials():
    w = [Value(0.5), Value(-1.0), Value(2.0)]
    x = [Value(1.5), Value(0.25), Value(-0.75)]
    b = Value(0.1)
    z = linear(w, x, b)
    z.backward()
    assert z.op == "linear" and z.parents == (*w, *x, b)
    assert close(z.data, 0.5 * 1.5 - 1.0 * 0.25 + 2.0 * -0.75 + 0.1)
    assert [wi.grad for wi in w] == [xi.data for xi in x]  # dz/dw_i = x_i
    assert [xi.grad for xi in x] == [wi.data for wi in w]  # dz/dx_i = w_i
    assert b.grad == 1.0


def test_linear_with_plain_number_inputs():
    w = [Value(0.5), Value(-1.0)]
    z = linear(w, [2.0, 3.0], 1.0)
    z.backward()
    assert z.data == 0.5 * 2.0 - 3.0 + 1.0
    assert [wi.grad for wi in w] == [2.0, 3.0]
    assert z.parents == tuple(w)


def test_linear_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="linear: 2 weights but 3 inputs"):
        linear([Value(1.0)] * 2, [1.0, 2.0, 3.0], 0.0)


def test_every_op_in_the_table_is_exercised_here():
    exercised = {"add", "sub", "mul", "div", "pow", "neg", "exp", "log", "tanh", "sigmoid",
                 "relu", "sum", "linear", "squared_error"}  # fmt: skip
    # the calculus ops (issue 11) have their own file, tests/test_calculus_ops.py
    exercised |= {"sin", "cos", "sqrt", "abs", "log1p", "expm1", "softplus", "maximum",
                  "minimum", "logsumexp"}  # fmt: skip
    assert set(OPS) == exercised


def test_squared_error_node_is_the_articles_loss():
    yhat = [Value(0.9), Value(0.2)]
    y = [1.0, 0.0]
    E = squared_error(yhat, y)
    E.backward()
    assert E.op == "squared_error" and E.parents == tuple(yhat)
    assert close(E.data, 0.5 * ((1.0 - 0.9) ** 2 + (0.0 - 0.2) ** 2))
    assert [v.grad for v in yhat] == [0.9 - 1.0, 0.2 - 0.0]  # dE/dyhat_k = yhat_k - y_k
    with pytest.raises(ValueError, match="squared_error: 2 predictions but 1 targets"):
        squared_error(yhat, [1.0])


def test_rule_text_comes_from_the_table():
    assert OPS["mul"].rule(0, 2) == "d(a * b)/da = b"
    assert OPS["mul"].rule(1, 2) == "d(a * b)/db = a"
    assert OPS["tanh"].rule(0, 1).startswith("d(tanh(x))/dx = 1 - tanh(x)**2")
    lin = OPS["linear"]  # arguments w_1, w_2, x_1, x_2, b
    assert [lin.param(i, 5) for i in range(5)] == ["w_1", "w_2", "x_1", "x_2", "b"]
    assert lin.rule(1, 5).endswith("/dw_2 = x_2")
    assert lin.rule(2, 5).endswith("/dx_1 = w_1")
    assert lin.rule(4, 5).endswith("/db = 1")
    assert OPS["sum"].rule(2, 3).endswith("/dx_3 = 1")
    assert OPS["squared_error"].rule(1, 4).endswith("/dyhat_2 = yhat_2 - y_2")
    assert OPS["squared_error"].rule(3, 4).endswith("/dy_2 = y_2 - yhat_2")


def test_numpy_and_fraction_scalars_are_accepted():
    from fractions import Fraction

    assert Value(Fraction(1, 4)).data == 0.25
    assert (Value(1.0) + Fraction(1, 2)).data == 1.5
    import numpy as np  # in the dev extra

    assert Value(np.float32(0.5)).data == 0.5
    assert (Value(2.0) * np.float64(3.0)).data == 6.0
    assert Value(np.int64(7)).data == 7.0
