"""The engine at the edges of floating point and of graph size: one table, one test.

Every row gives the function, the inputs, the expected value, the expected
gradient of every input and why. The same rows, by their ``what`` column, form
the edge-case table of the README; ``test_the_readme_lists_every_case`` keeps
the two in step.

Tolerance: none. Every check is exact, bit for bit, sign of zero included
(see ``same``): each expected number is what IEEE 754 double arithmetic gives
for the op's own forward rule and local derivative, written as a formula
where it is not a round number, so the engine must reproduce it exactly.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from autograd import Value, logsumexp, maximum, minimum
from autograd import sum as vsum

nan, inf = math.nan, math.inf
TINY = 5e-324  # the smallest positive (subnormal) double, 2**-1074


@dataclass(frozen=True)
class Case:
    what: str  # the README's first column
    f: Callable[..., Value]
    at: tuple[float, ...]
    value: float | type[Exception]  # an exception type: the forward pass raises it
    grads: tuple[float, ...] | type[Exception] = ()  # an exception type: backward raises it
    why: str = ""


def _chain(x: Value, n: int, step: Callable[[Value], Value]) -> Value:
    y = x
    for _ in range(n):
        y = step(y)
    return y


def _add_chain(*xs: Value) -> Value:
    y = xs[0]
    for x in xs[1:]:
        y = y + x
    return y


def _product(x: Value, n: int) -> Value:
    y = x
    for _ in range(n - 1):
        y = y * x
    return y


N_WIDE = 100_000
N_CHAIN = 10_000

CASES = [
    # --- NaN and infinity as inputs ---
    Case("x + 1 at x = nan", lambda x: x + 1, (nan,), nan, (1.0,),
         "NaN propagates forward; `d(a + b)/da` is the constant 1"),
    Case("x * y at x = nan, y = 2", lambda x, y: x * y, (nan, 2.0), nan, (2.0, nan),
         "`d/dx = y` is finite; `d/dy = x` is NaN"),
    Case("exp(x) at x = inf", lambda x: x.exp(), (inf,), inf, (inf,),
         "`exp(inf)` is inf and so is its derivative; an infinite input is not an overflow"),
    Case("exp(x) at x = -inf", lambda x: x.exp(), (-inf,), 0.0, (0.0,), "`exp(-inf) = 0`"),
    Case("log(x) at x = inf", lambda x: x.log(), (inf,), inf, (0.0,), "`d log(x)/dx = 1/inf = 0`"),
    Case("tanh(x) at x = inf", lambda x: x.tanh(), (inf,), 1.0, (0.0,), "`1 - 1**2 = 0`"),
    Case("sigmoid(x) at x = -inf", lambda x: x.sigmoid(), (-inf,), 0.0, (0.0,),
         "computed as `e^x / (1 + e^x)` for `x < 0`: no `inf/inf`"),
    Case("x - y at x = y = inf", lambda x, y: x - y, (inf, inf), nan, (1.0, -1.0),
         "`inf - inf` is NaN; the local derivatives are constants"),
    Case("x * 0 at x = inf", lambda x: x * 0, (inf,), nan, (0.0,),
         "`inf * 0` is NaN, but `d(x * 0)/dx` is the constant 0"),
    Case("relu(x) at x = nan", lambda x: x.relu(), (nan,), nan, (0.0,),
         "NaN passes forward; the derivative tests `x > 0`, false for NaN, so 0 "
         "(PyTorch's relu gives 1 here: its test `x <= 0` is false for NaN too)"),
    Case("x * x at x = 1e200", lambda x: x * x, (1e200,), inf, (2e200,),
         "`*` overflows to inf as IEEE 754 says; only `exp` and `**` raise `OverflowError`"),
    # --- signed zeros ---
    Case("-x at x = 0.0", lambda x: -x, (0.0,), -0.0, (-1.0,), "negation flips the sign of zero"),
    Case("x * -1 at x = 0.0", lambda x: x * -1, (0.0,), -0.0, (-1.0,), "`0.0 * -1 = -0.0`"),
    Case("x / -2 at x = 0.0", lambda x: x / -2, (0.0,), -0.0, (-0.5,), "`0.0 / -2 = -0.0`"),
    Case("x * y at x = -0.0, y = 0.0", lambda x, y: x * y, (-0.0, 0.0), -0.0, (0.0, 0.0),
         "`d/dy = x = -0.0`, but a gradient is a sum starting at `+0.0`: `0.0 + -0.0 = 0.0`"),
    Case("relu(x) at x = -0.0", lambda x: x.relu(), (-0.0,), 0.0, (0.0,),
         "relu returns `+0.0` for every `x <= 0`, `-0.0` included"),
    Case("tanh(x) at x = -0.0", lambda x: x.tanh(), (-0.0,), -0.0, (1.0,),
         "tanh keeps the sign of zero"),
    Case("1 / x at x = -0.0", lambda x: 1 / x, (-0.0,), ZeroDivisionError, (),
         "division by a zero of either sign is an error, not inf"),
    Case("log(x) at x = -0.0", lambda x: x.log(), (-0.0,), ValueError, (),
         "log needs `x > 0`; `-0.0` is not"),
    # --- subnormals ---
    Case("x * 2 at x = 5e-324", lambda x: x * 2, (TINY,), 1e-323, (2.0,),
         "subnormal arithmetic is exact here: `2 * 2**-1074 = 2**-1073`"),
    Case("x * y at x = 5e-324, y = 0.5", lambda x, y: x * y, (TINY, 0.5), 0.0, (0.5, TINY),
         "half the smallest subnormal rounds to 0 (ties to even), yet `d/dy = x` is 5e-324"),
    Case("log(x) at x = 5e-324", lambda x: x.log(), (TINY,), math.log(TINY), (inf,),
         "`1/5e-324` overflows to inf"),
    Case("exp(x) at x = -745", lambda x: x.exp(), (-745.0,), TINY, (TINY,),
         "exp underflows into the subnormals, not to 0"),
    Case("x / y at x = 1, y = 5e-324", lambda x, y: x / y, (1.0, TINY), inf, (inf, -inf),
         "a tiny divisor is not zero: the quotient overflows to inf, no error"),
    # --- saturation ---
    Case("sigmoid(x) at x = 40", lambda x: x.sigmoid(), (40.0,), 1.0, (0.0,),
         "`1/(1 + e^-40)` rounds to exactly 1, so `sigma * (1 - sigma)` is exactly 0"),
    Case("sigmoid(x) at x = -40", lambda x: x.sigmoid(), (-40.0,),
         math.exp(-40.0) / (1.0 + math.exp(-40.0)), (math.exp(-40.0) / (1.0 + math.exp(-40.0)),),
         "on the negative side sigma is tiny but exact, and its derivative equals it"),
    Case("sigmoid(x) at x = -1000", lambda x: x.sigmoid(), (-1000.0,), 0.0, (0.0,),
         "`e^-1000` underflows to 0; no overflow error"),
    Case("tanh(x) at x = 20", lambda x: x.tanh(), (20.0,), 1.0, (0.0,),
         "`tanh(20)` rounds to exactly 1, so `1 - tanh**2` is exactly 0"),
    Case("tanh(x) at x = -20", lambda x: x.tanh(), (-20.0,), -1.0, (0.0,), "`1 - (-1)**2 = 0`"),
    # --- relu at its kink ---
    Case("relu(x) at x = 0", lambda x: x.relu(), (0.0,), 0.0, (0.0,),
         "the subgradient at exactly 0 is taken to be 0"),
    Case("relu(x) at x = 5e-324", lambda x: x.relu(), (TINY,), TINY, (1.0,),
         "any x > 0, however small, has slope 1"),
    # --- powers ---
    Case("x ** 0 at x = 5", lambda x: x**0, (5.0,), 1.0, (0.0,), "`x**0` is the constant 1"),
    Case("x ** 0 at x = 0", lambda x: x**0, (0.0,), 1.0, (0.0,),
         "`0**0 = 1` as in Python and IEEE 754; `d/dx` is 0 since `x**0` is constant"),
    Case("x ** y at x = 0, y = 0", lambda x, y: x**y, (0.0, 0.0), 1.0, (0.0, 0.0),
         "`d/dy = out * log(x)` is replaced by its limit 0 at `x = 0`"),
    Case("x ** 0.5 at x = 0", lambda x: x**0.5, (0.0,), 0.0, (inf,),
         "the slope of sqrt at 0 is infinite"),
    Case("x ** 3 at x = -2", lambda x: x**3, (-2.0,), -8.0, (12.0,),
         "a negative base to an integer power is real; `d/dx = 3 x**2`"),
    Case("x ** 3.0 at x = -2", lambda x: x**3.0, (-2.0,), -8.0, (12.0,),
         "3.0 is an integer value, the same as 3"),
    Case("x ** 2.5 at x = -2", lambda x: x**2.5, (-2.0,), ValueError, (),
         "a negative base to a non-integer power is not real"),
    Case("x ** y at x = -2, y = 3", lambda x, y: x**y, (-2.0, 3.0), -8.0, (12.0, nan),
         "`d/dy = out * log(x)` is not real for `x < 0`: NaN"),
    Case("x ** -2 at x = 0", lambda x: x**-2, (0.0,), ZeroDivisionError, (),
         "zero to a negative power divides by zero"),
    Case("x ** 2 at x = 1e200", lambda x: x**2, (1e200,), OverflowError, (),
         "`**` overflow is an error (unlike `*`, see above)"),
    Case("x ** -1 at x = 1e-200", lambda x: x**-1, (1e-200,), 1e200, (-inf,),
         "the value is finite; `d/dx = -x**-2 = -1e400` is not, and rounds to -inf"),
    # --- very deep and very wide graphs ---
    Case("x + 0.5, applied 100 000 times", lambda x: _chain(x, 100_000, lambda y: y + 0.5),
         (1.0,), 50_001.0, (1.0,), "a chain of 100 000 nodes: `backward()` never recurses"),
    Case("sum of 100 000 leaves", lambda *xs: vsum(xs), tuple(float(k) for k in range(N_WIDE)),
         float(N_WIDE * (N_WIDE - 1) // 2), (1.0,) * N_WIDE,
         "one node with 100 000 inputs; the integers sum exactly"),
    Case("x1 + x2 + ... + x10000", _add_chain, tuple(float(k) for k in range(N_CHAIN)),
         float(N_CHAIN * (N_CHAIN - 1) // 2), (1.0,) * N_CHAIN,
         "10 000 additions, a chain as deep as it is wide"),
    # --- one Value used thousands of times ---
    Case("x + x + ... + x (5000 terms)", lambda x: _add_chain(*[x] * 5000), (0.25,),
         1250.0, (5000.0,), "5000 contributions of 1 each, summed exactly"),
    Case("sum(x, x, ..., x) (5000 terms)", lambda x: vsum([x] * 5000), (0.25,),
         1250.0, (5000.0,), "the same through one sum node"),
    Case("x * x * ... * x (5000 factors)", lambda x: _product(x, 5000), (-1.0,), 1.0, (-5000.0,),
         "`d(x**5000)/dx = 5000 x**4999 = -5000` at `x = -1`; every product is exact"),
    # --- the calculus ops (issue 11): kinks, edges, forms that never overflow ---
    Case("abs(x) at x = 0", lambda x: abs(x), (0.0,), 0.0, (0.0,),
         "the subgradient at the kink is taken to be 0, the middle of [-1, 1]"),
    Case("abs(x) at x = -0.0", lambda x: abs(x), (-0.0,), 0.0, (0.0,),
         "`abs` clears the sign of zero; the slope is 0 as at `+0.0`"),
    Case("sqrt(x) at x = 0", lambda x: x.sqrt(), (0.0,), 0.0, (inf,),
         "the slope at 0 is taken to be +inf, the one-sided limit (as for `x ** 0.5`)"),
    Case("sqrt(x) at x = -0.0", lambda x: x.sqrt(), (-0.0,), -0.0, (inf,),
         "IEEE 754: `sqrt(-0.0) = -0.0`; the slope is +inf as at `+0.0`"),
    Case("sqrt(x) at x = -1", lambda x: x.sqrt(), (-1.0,), ValueError, (),
         "sqrt needs `x >= 0`"),
    Case("sqrt(x) at x = 5e-324", lambda x: x.sqrt(), (TINY,), math.sqrt(TINY),
         (0.5 / math.sqrt(TINY),), "`sqrt(2**-1074)` is normal; the slope `0.5/out` is finite"),
    Case("maximum(x, y) at x = y = 2", lambda x, y: maximum(x, y), (2.0, 2.0), 2.0, (0.5, 0.5),
         "at a tie each argument gets half, so the two slopes add up to 1"),
    Case("maximum(x, x) at x = 2", lambda x: maximum(x, x), (2.0,), 2.0, (1.0,),
         "`maximum(x, x) = x`: the two halves sum to slope 1"),
    Case("minimum(x, y) at x = 0.0, y = -0.0", lambda x, y: minimum(x, y), (0.0, -0.0), -0.0,
         (0.5, 0.5), "`-0.0` is the smaller zero (IEEE 754 minimum); a tie all the same"),
    Case("maximum(x, y) at x = nan, y = 1", lambda x, y: maximum(x, y), (nan, 1.0), nan,
         (nan, nan), "NaN in, NaN out, whatever the order; the slope is not defined"),
    Case("log1p(x) at x = -1", lambda x: x.log1p(), (-1.0,), ValueError, (),
         "log1p needs `x > -1`"),
    Case("log1p(x) at x = 1e-300", lambda x: x.log1p(), (1e-300,), 1e-300, (1.0,),
         "`log(1 + x)` for tiny x without computing `1 + x`"),
    Case("expm1(x) at x = -30", lambda x: x.expm1(), (-30.0,), math.expm1(-30.0),
         (math.exp(-30.0),), "the slope is `exp(x)`, not `out + 1`, which keeps 3 digits"),
    Case("expm1(x) at x = 710", lambda x: x.expm1(), (710.0,), OverflowError, (),
         "`expm1` overflows as `exp` does, with an error"),
    Case("softplus(x) at x = 1000", lambda x: x.softplus(), (1000.0,), 1000.0, (1.0,),
         "`x + log1p(e^-x)` for `x > 0`: no overflow"),
    Case("softplus(x) at x = -700", lambda x: x.softplus(), (-700.0,), math.exp(-700.0),
         (math.exp(-700.0) / (1.0 + math.exp(-700.0)),),
         "`log1p(e^x)` keeps the tiny value; the slope is `sigmoid(x)`"),
    Case("softplus(x) at x = -1000", lambda x: x.softplus(), (-1000.0,), 0.0, (0.0,),
         "`e^-1000` underflows to 0"),
    Case("sin(x) at x = -0.0", lambda x: x.sin(), (-0.0,), -0.0, (1.0,),
         "sin keeps the sign of zero"),
    Case("sin(x) at x = inf", lambda x: x.sin(), (inf,), ValueError, (),
         "`sin(inf)` is not defined: an error, not a NaN"),
    Case("logsumexp([x, y, z]) at 1000, 1000, -1000", lambda *xs: logsumexp(xs),
         (1000.0, 1000.0, -1000.0), 1000.0 + math.log(2.0), (0.5, 0.5, 0.0),
         "`m + log1p(sum e^(x_i - m))`: no overflow; the softmax is the slope"),
    Case("logsumexp([x, y]) at x = inf, y = 1", lambda *xs: logsumexp(xs), (inf, 1.0), inf,
         (1.0, 0.0), "the infinite term takes the whole weight"),
    Case("logsumexp([x, y]) at x = y = -inf", lambda *xs: logsumexp(xs), (-inf, -inf), -inf,
         (nan, nan), "`log 0 = -inf`; the softmax `0/0` is not defined"),
    # --- zero means zero: a local derivative of exactly 0 sends nothing ---
    Case("relu(x) ** 0.5 at x = -1", lambda x: x.relu() ** 0.5, (-1.0,), 0.0, (0.0,),
         "inf arrives at relu (the slope of sqrt at 0), but relu's local derivative 0 sends "
         "nothing: not `inf * 0 = nan`"),
    Case("relu(x) * y at x = -1, y = nan", lambda x, y: x.relu() * y, (-1.0, nan), nan, (0.0, 0.0),
         "nan arrives at relu, whose local derivative 0 sends nothing; `d/dy = relu(x) = 0`"),
    Case("x ** 0 * 1e308 * 10 at x = 2", lambda x: x**0 * 1e308 * 10, (2.0,), inf, (0.0,),
         "`1e308 * 10` overflows, so inf arrives at `x ** 0`, whose local derivative 0 sends "
         "nothing"),
    Case("x * y * 1e308 * 10 at x = 3, y = 0", lambda x, y: x * y * 1e308 * 10, (3.0, 0.0), 0.0,
         (0.0, inf),
         "inf arrives at `x * y`: `d/dx = y = 0` sends nothing, `d/dy = x = 3` sends inf"),
    # --- nothing leaves the graph silently ---
    Case("math.sin(x) at x = 0.5", lambda x: math.sin(x), (0.5,), TypeError, (),
         "`float(x)` is refused: write `x.data`, or use the Value's own operations"),
    Case("bool(x) at x = 0", lambda x: bool(x), (0.0,), TypeError, (),
         "`if x:` is refused (every Value would be true): write `x.data != 0` or `x > 0`"),
    Case("[1, 2][x] at x = 1", lambda x: [1, 2][x], (1.0,), TypeError, (),
         "using a Value as an index is refused, as `int(x)` and `round(x)` are"),
    # --- numbers in ---
    Case("x * 10**5000 at x = 1", lambda x: x * 10**5000, (1.0,), OverflowError, (),
         "too large for a float; the message gives the number of digits, not the digits"),
    Case("x * longdouble(1e4000) at x = 1", lambda x: x * np.longdouble("1e4000"), (1.0,),
         OverflowError, (), "`float()` would make it inf without a word"),
    Case("sum(x, x, x, x, x, x) at x = 0.1", lambda x: vsum([x] * 6), (0.1,),
         0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1, (6.0,),
         "left to right, as a chain of `+`, on every Python version (`builtins.sum` is "
         "compensated from 3.12 and gives 0.6000000000000001)"),
]  # fmt: skip


def same(actual: float, expected: float) -> bool:
    """Bit-for-bit equality of floats: NaN equals NaN, and 0.0 differs from -0.0."""
    if math.isnan(expected):
        return math.isnan(actual)
    return actual == expected and math.copysign(1.0, actual) == math.copysign(1.0, expected)


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_edge_case(case: Case) -> None:
    leaves = [Value(x) for x in case.at]
    if isinstance(case.value, type):
        with pytest.raises(case.value):
            case.f(*leaves)
        return
    out = case.f(*leaves)
    assert same(out.data, case.value), f"{case.what}: value {out.data!r}, expected {case.value!r}"
    if isinstance(case.grads, type):
        with pytest.raises(case.grads):
            out.backward()
        return
    out.backward()
    assert len(case.grads) == len(leaves)
    for k, (leaf, expected) in enumerate(zip(leaves, case.grads, strict=True)):
        assert same(leaf.grad, expected), f"{case.what}: grad {k} {leaf.grad!r} != {expected!r}"


def _show(x: float | type[Exception]) -> str:
    return x.__name__ if isinstance(x, type) else repr(x)


def readme_table() -> str:
    """The edge-case table of the README, made from ``CASES`` (run this file to print it)."""
    lines = ["| case | value | gradient | why |", "|---|---|---|---|"]
    for c in CASES:
        if isinstance(c.value, type):
            grads = "—"
        elif isinstance(c.grads, type):
            grads = f"{c.grads.__name__} in `backward()`"
        elif len(set(map(repr, c.grads))) == 1 and len(c.grads) > 2:
            grads = f"{c.grads[0]!r} each"
        else:
            grads = ", ".join(map(repr, c.grads))
        lines.append(f"| `{c.what}` | {_show(c.value)} | {grads} | {c.why} |")
    return "\n".join(lines)


def test_the_readme_table_is_this_table() -> None:
    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.partition("\n## Edge cases\n")[2].partition("\n## ")[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == readme_table(), "regenerate it with: .venv/bin/python tests/test_edge_cases.py"


if __name__ == "__main__":
    print(readme_table())
