"""detect_anomaly(): the first NaN or infinity, forward or backward, is named; off costs nothing."""

import math

import pytest

from autograd import AnomalyError, Value, detect_anomaly, is_anomaly_enabled, linear
from autograd import sum as vsum
from autograd.anomaly import _METHODS


def test_forward_overflow_names_the_op_and_its_inputs():
    w = Value(1e200, "w")
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        w * w
    msg = str(info.value)
    assert info.value.phase == "forward"
    assert msg.startswith("anomaly in forward: mul (a * b) gave inf")
    assert "all of its inputs were finite" in msg
    assert "a = 1e+200 ('w', a leaf)" in msg


def test_forward_nan_from_inf_minus_inf_and_already_bad_inputs():
    big = Value(1e308) * 10  # inf, outside the block: nothing checks it
    with detect_anomaly():
        with pytest.raises(AnomalyError, match=r"sub \(a - b\) gave nan"):
            big - big
        with pytest.raises(AnomalyError, match="its input a was already not finite"):
            big + 1.0


def test_variadic_ops_are_checked_too():
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"anomaly in forward: sum"):
        vsum([Value(1e308), Value(1e308)])
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"anomaly in forward: linear"):
        linear([Value(1e300)], [1e10], 0.0)


def test_backward_names_op_rule_and_path_from_the_root():
    a = Value(0.0, "a")
    h = a**0.5  # d/da = 0.5 * 0**-0.5 = inf
    h.label = "h"
    L = (h * 2.0).tanh()
    L.label = "L"
    with detect_anomaly(), pytest.raises(AnomalyError) as info:
        L.backward()
    msg = str(info.value)
    assert info.value.phase == "backward" and info.value.node is h
    assert "pow (a ** b) sends inf to its input a = 0.0" in msg
    assert "d(a ** b)/da = b * a**(b-1) = inf" in msg
    assert "Path from the root: tanh 'L' -> mul -> pow 'h'" in msg


def test_non_finite_seed_is_reported():
    with detect_anomaly(), pytest.raises(AnomalyError, match="seed gradient is nan"):
        (Value(1.0) * 2).backward(grad=float("nan"))


def test_checked_backward_gives_bit_identical_gradients():
    xs = [Value(0.1 * k - 0.3) for k in range(6)]
    y = xs[0]
    for i in range(60):
        y = (y * xs[i % 6] + xs[(i + 2) % 6]).tanh() * 1.5
    y = vsum([y, linear(xs[:3], xs[3:], 0.5).sigmoid()])
    y.backward()
    plain = [x.grad for x in xs]
    for x in xs:
        x.grad = 0.0
    with detect_anomaly():
        y.backward()
    assert [x.grad for x in xs] == plain


def test_nothing_is_checked_outside_and_plain_methods_come_back():
    before = {name: Value.__dict__[name] for name in _METHODS}
    backward = Value.__dict__["backward"]
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
        with detect_anomaly():  # nesting
            assert Value.__dict__["__mul__"] is not before["__mul__"]
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
    assert {name: Value.__dict__[name] for name in _METHODS} == before
    assert Value.__dict__["backward"] is backward
    assert math.isinf((Value(1e200) * 1e200).data)  # unchecked again


def test_leaving_after_an_error_restores_the_plain_methods():
    before = Value.__dict__["__mul__"]
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(1e200) * 1e200
    assert Value.__dict__["__mul__"] is before and not is_anomaly_enabled()
