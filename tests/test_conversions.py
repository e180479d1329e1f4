"""Nothing leaves the graph silently: every implicit conversion of a Value is refused.

``math.sin(x) * x`` used to compute ``sin`` on a plain float, so ``x.grad``
missed that path (0.479 instead of 0.918). Each conversion below must raise a
``TypeError`` that says what to write instead; comparisons keep working (they
return plain bools on ``data``, as documented).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import numpy as np
import pytest

from autograd import Value

CONVERSIONS: list[tuple[str, Callable[[Value], object]]] = [
    ("float", float),
    ("int", int),
    ("bool", bool),
    ("round", round),
    ("round2", lambda x: round(x, 2)),
    ("complex", complex),
    ("operator.index", operator.index),
    ("list index", lambda x: [1.0, 2.0][x]),  # type: ignore[index]
    ("range", lambda x: range(x)),  # type: ignore[call-overload]
    ("math.sin", math.sin),
    ("math.exp", math.exp),
    ("math.sqrt", math.sqrt),
    ("math.isfinite", math.isfinite),
    ("math.floor", math.floor),
    ("math.ceil", math.ceil),
    ("math.trunc", math.trunc),
    ("percent-f", lambda x: "%f" % x),  # noqa: UP031 - the old formatting calls float()
    ("if", lambda x: 1 if x else 0),
    ("not", lambda x: not x),
    ("np.float64", np.float64),
    ("np.asarray float", lambda x: np.asarray([x], dtype=float)),
    ("np.arctan", np.arctan),  # NumPy looks for a method x.arctan, which Value does not have
]


@pytest.mark.parametrize("convert", [c for _, c in CONVERSIONS], ids=[n for n, _ in CONVERSIONS])
def test_a_conversion_that_would_leave_the_graph_is_refused(convert: Callable[[Value], object]):
    x = Value(0.5)
    with pytest.raises(TypeError) as caught:
        convert(x)
    message = str(caught.value)
    if (
        "ufunc" not in message
    ):  # NumPy words its own refusal (np.arctan: "no callable arctan method")
        assert "x.data" in message


def test_the_message_says_what_to_write_instead():
    x = Value(0.5)
    with pytest.raises(TypeError, match=r"x\.data.*x\.exp\(\)"):
        math.exp(x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"x\.data != 0"):
        bool(x)


def test_the_issue_example_now_refuses_instead_of_a_wrong_gradient():
    x = Value(0.5)
    with pytest.raises(TypeError):
        math.sin(x) * x  # type: ignore[arg-type]
    # the graph way gives the true derivative of x * tanh(x): tanh(x) + x (1 - tanh(x)**2)
    y = x * x.tanh()
    y.backward()
    t = math.tanh(0.5)
    assert x.grad == t + 0.5 * (1.0 - t * t)  # same float operations in the same order


def test_numpy_conversions_that_stay_in_the_graph_still_work():
    x = Value(0.5)
    arr = np.asarray([x])  # an object array holding the Value itself
    assert arr.dtype == object and arr[0] is x
    y = np.exp(x)  # NumPy calls x.exp(): a node of the graph
    assert isinstance(y, Value) and y.op == "exp"
    s = np.sin(x)  # and x.sin()
    assert isinstance(s, Value) and s.op == "sin" and s.data == math.sin(0.5)
    z = np.float64(2.0) * x  # NumPy defers to Value.__rmul__
    assert isinstance(z, Value) and z.op == "mul"
    (y + z).backward()
    assert x.grad == math.exp(0.5) + 2.0


def test_comparisons_still_compare_data_and_sort_works():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1.0 and b >= 2
    assert sorted([b, a]) == [a, b]
    assert max(a, b) is b
