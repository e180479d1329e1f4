"""Numbers in: a number too large for a float raises OverflowError with a short message.

``float()`` turns a NumPy ``longdouble`` of 1e4000 into inf without a word, and
building a message that prints an integer of 5000 digits fails on Python's
int-to-str limit. Every such input must raise ``OverflowError`` whose message
names the operation and stays short. Infinity and NaN given as such are kept
(they are explicit, and propagate as IEEE 754 says).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest

from autograd import Value
from autograd.stepper import backward_steps

HUGE = 10**5000

TOO_LARGE: list[tuple[str, Callable[[], object]]] = [
    ("longdouble 1e4000", lambda: Value(np.longdouble("1e4000"))),
    ("longdouble -1e4000", lambda: Value(np.longdouble("-1e4000"))),
    ("int 10**400", lambda: Value(10**400)),
    ("int 10**5000", lambda: Value(HUGE)),
    ("int -10**5000", lambda: Value(-HUGE)),
    ("Fraction 10**5000", lambda: Value(Fraction(HUGE))),
    ("Fraction 10**5000 / 3", lambda: Value(Fraction(HUGE, 3))),
    ("Value * 10**5000", lambda: Value(1.0) * HUGE),
    ("10**5000 * Value", lambda: HUGE * Value(1.0)),
    ("Value ** 10**5000", lambda: Value(2.0) ** HUGE),
    ("Value + longdouble", lambda: Value(1.0) + np.longdouble("1e4000")),
    ("backward(10**5000)", lambda: Value(1.0).backward(HUGE)),
    ("backward_steps seed", lambda: list(backward_steps(Value(1.0) * 2.0, HUGE))),
]


@pytest.mark.parametrize("make", [m for _, m in TOO_LARGE], ids=[n for n, _ in TOO_LARGE])
def test_too_large_for_a_float_raises_overflow_with_a_short_message(make):
    with pytest.raises(OverflowError) as caught:
        make()
    message = str(caught.value)
    assert len(message) < 200, message
    assert "too large for a float" in message


def test_the_message_describes_a_huge_integer_by_its_digits():
    with pytest.raises(OverflowError, match="Value: an integer of about 5001 digits"):
        Value(HUGE)
    with pytest.raises(OverflowError, match="mul: a negative integer of about 5001 digits"):
        Value(1.0) * -HUGE


@pytest.mark.parametrize(
    "given, expected",
    [
        (np.longdouble("inf"), math.inf),
        (np.longdouble("-inf"), -math.inf),
        (np.float64("inf"), math.inf),
        (Fraction(3, 4), 0.75),
        (10**300, 1e300),
        (np.longdouble("1e-4000"), 0.0),  # too small: rounds to the nearest float, as float()
    ],
)
def test_explicit_infinities_and_representable_numbers_are_kept(given, expected):
    assert Value(given).data == expected


def test_nan_given_as_such_is_kept():
    assert math.isnan(Value(np.longdouble("nan")).data)
    assert math.isnan(Value(math.nan).data)


def test_a_type_error_quotes_a_huge_container_briefly():
    with pytest.raises(TypeError) as caught:
        Value([1] * 10**6)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 120
