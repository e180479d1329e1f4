"""Zero means zero: a local derivative that is exactly 0 contributes exactly 0.

The rule, everywhere a contribution ``g * d node/d arg`` is formed (the
engine's pass, the checked pass of ``detect_anomaly`` and the stepper): if
``d == 0.0`` nothing is added, whatever ``g`` is (``inf`` or ``nan``
included); otherwise ``g * d`` is added. IEEE 754 alone would give
``inf * 0 = nan``. Checks are exact (``same``: bit for bit).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import Value, detect_anomaly, linear
from autograd.stepper import backward_steps

nan, inf = math.nan, math.inf


def same(actual: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    return actual == expected and math.copysign(1.0, actual) == math.copysign(1.0, expected)


# (name, function of the leaves, leaf values, expected gradients)
CASES: list[tuple[str, Callable[..., Value], tuple[float, ...], tuple[float, ...]]] = [
    # the three cases (PyTorch gives 0.0 for each: bench/torch_check.py)
    ("relu(x) ** 0.5 at x = -1", lambda x: x.relu() ** 0.5, (-1.0,), (0.0,)),
    ("relu(x) * y at x = -1, y = nan", lambda x, y: x.relu() * y, (-1.0, nan), (0.0, 0.0)),
    ("x ** 0 * 1e308 * 10 at x = 2", lambda x: x**0.0 * 1e308 * 10.0, (2.0,), (0.0,)),
    # a constant on the right (the engine's constant-b path) and on the left
    ("x * 0 * 1e308 * 10", lambda x: x * 0.0 * 1e308 * 10.0, (3.0,), (0.0,)),
    ("0 * x * 1e308 * 10", lambda x: 0.0 * x * 1e308 * 10.0, (3.0,), (0.0,)),
    # two Value arguments, one local derivative zero
    ("x * y * 1e308 * 10 at y = 0", lambda x, y: x * y * 1e308 * 10.0, (3.0, 0.0), (0.0, inf)),
    # a variadic node: d linear/d w = x = 0
    (
        "linear([w], [x], b) * 1e308 * 10 at x = 0",
        lambda w, x, b: linear([w], [x], b) * 1e308 * 10.0,
        (2.0, 0.0, 1.0),
        (0.0, inf, inf),
    ),
    # exp(-1000) underflows to 0, and so does its derivative
    ("exp(x) * nan at x = -1000", lambda x, y: x.exp() * y, (-1000.0, nan), (0.0, 0.0)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_backward(case):
    _, f, at, grads = case
    leaves = [Value(x) for x in at]
    f(*leaves).backward()
    for leaf, expected in zip(leaves, grads, strict=True):
        assert same(leaf.grad, expected), (leaf.grad, expected)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_backward_steps_follow_the_same_rule(case):
    _, f, at, grads = case
    leaves = [Value(x) for x in at]
    steps = list(backward_steps(f(*leaves)))
    for leaf, expected in zip(leaves, grads, strict=True):
        assert same(leaf.grad, expected), (leaf.grad, expected)
    for step in steps:
        for c in step.contributions:
            if c.local == 0.0:
                assert same(c.contribution, 0.0)


def test_the_checked_pass_skips_a_zero_local_derivative():
    # Under detect_anomaly a non-finite contribution raises, so a zero local derivative
    # can only meet a finite g there; the skip must still give the same sums.
    for _, f, at, _grads in CASES:
        plain = [Value(x) for x in at]
        checked = [Value(x) for x in at]
        try:
            f(*plain).backward()
        except ArithmeticError:
            continue
        try:
            with detect_anomaly():
                f(*checked).backward()
        except ArithmeticError:
            continue  # an inf or nan on the way: the anomaly is reported, as it should be
        for p, c in zip(plain, checked, strict=True):
            assert same(c.grad, p.grad)


def test_checked_pass_relu_with_zero_derivative():
    x, y = Value(-1.0), Value(3.0)
    with detect_anomaly():
        (x.relu() * y).backward()
    assert same(x.grad, 0.0) and same(y.grad, 0.0)
