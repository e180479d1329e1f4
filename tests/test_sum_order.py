"""No result depends on the Python version: sums are plain left-to-right additions.

From Python 3.12, ``builtins.sum`` of floats is compensated, so
``sum([0.1] * 6)`` is 0.6000000000000001 there but 0.6 as a chain of ``+``.
``autograd.sum`` promises the value of the chain. The tests also run with
``builtins.sum`` replaced by a compensated sum (``math.fsum``, what 3.12 does),
so code that calls ``builtins.sum`` on floats at run time fails here whatever
the version; and the summing function the op table uses on this Python
(``builtins.sum`` before 3.12, where it is plain, ``functools.reduce`` from
3.12) is checked against a chain of ``+`` bit for bit on random floats.
"""

from __future__ import annotations

import builtins
import math
import struct
from collections.abc import Iterable
from functools import reduce
from operator import add

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, linear
from autograd import sum as vsum

CASES = [
    [0.1] * 6,
    [1e16, 1.0, -1e16],
    [0.1, 0.2, 0.3],
    [1.0, 1e100, 1.0, -1e100],
    [-0.0],
    [3.5],
    [0.1 * k for k in range(1, 50)],
]


def chain(xs: list[float]) -> float:
    return reduce(add, xs)


def compensated(values: Iterable[object], start: object = 0) -> object:
    items = list(values)
    if all(isinstance(v, float) for v in items) and isinstance(start, (int, float)):
        return math.fsum([float(start), *items])  # type: ignore[list-item]
    return builtins.__dict__["_real_sum"](items, start)


@pytest.fixture(params=["builtins.sum", "compensated sum"])
def python_sum(request, monkeypatch):
    if request.param == "compensated sum":
        monkeypatch.setitem(builtins.__dict__, "_real_sum", builtins.sum)
        monkeypatch.setattr(builtins, "sum", compensated)
    return request.param


@pytest.mark.parametrize("xs", CASES, ids=repr)
def test_autograd_sum_is_the_chain_of_plus_bit_for_bit(xs, python_sum):
    leaves = [Value(x) for x in xs]
    out = vsum(leaves)
    expected = chain(xs)
    assert out.data == expected and math.copysign(1, out.data) == math.copysign(1, expected)
    # the same as a chain of Value additions
    y = leaves[0]
    for leaf in leaves[1:]:
        y = y + leaf
    assert out.data == y.data


def test_a_compensated_sum_would_differ_on_these_cases():
    # the cases above are ones where the two sums disagree, so the test can fail
    assert math.fsum([0.1] * 6) != chain([0.1] * 6)
    assert math.fsum([1e16, 1.0, -1e16]) != chain([1e16, 1.0, -1e16])


@pytest.mark.parametrize("xs", CASES, ids=repr)
def test_linear_is_the_loop_z_plus_equals_w_x(xs, python_sum):
    ws = [1.0] * len(xs)
    z = 0.0
    for w, x in zip(ws, xs, strict=True):
        z += w * x
    assert linear(ws, xs, 0.5).data == z + 0.5


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=30),
    st.sampled_from([0.0, -0.0, 1.0]),
)
def test_the_summing_function_of_this_python_is_a_plain_chain(xs, start):
    from autograd.ops import _left_sum

    total, expected = _left_sum(xs, start), reduce(add, xs, start)
    assert math.isnan(expected) or struct.pack("<d", total) == struct.pack("<d", expected)


def test_the_summing_function_of_this_python_is_not_compensated():
    from autograd.ops import _left_sum

    assert _left_sum([0.1] * 6, 0.0) == chain([0.0, *[0.1] * 6]) == 0.6
    assert _left_sum([1e16, 1.0, -1e16], 0.0) == 0.0  # fsum would give 1.0
