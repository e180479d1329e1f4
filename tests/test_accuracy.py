"""Accuracy of the calculus ops (issue 11) against a 60-digit reference (mpmath).

For each op, the value and the first derivative (from ``backward()``) are
computed at fixed inputs spread over the op's whole domain, its edges included,
and compared with the exact value computed by mpmath with 60 significant
digits. The error is counted in ulps of the exact result (``math.ulp`` of the
double nearest it: one unit in the last place, 2.2e-16 relative near 1).

The claim is <= 4 ulps everywhere sampled. The README's accuracy table lists
the worst error seen per op (run this file to print it); the test checks that
every measured error is within both the 4-ulp claim and the README's figure.
"""

from __future__ import annotations

import math
import pathlib
import random
from collections.abc import Callable

import mpmath  # in the dev extra: a missing one fails here, it is never skipped
import pytest

mp, mpf = mpmath.mp, mpmath.mpf

CLAIM = 4.0
README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def ulps(computed: float, exact: object) -> float:
    """``|computed - exact|`` in units of the last place of the double nearest ``exact``."""
    nearest = float(exact)  # type: ignore[arg-type]
    if math.isinf(nearest):
        return 0.0 if computed == nearest else math.inf
    if math.isnan(computed) or math.isinf(computed):
        return math.inf
    unit = math.ulp(nearest)
    return float(abs(mpf(computed) - exact) / unit)


def spread(low_exp: int, high_exp: int, count: int, seed: int, signs=(1.0,)) -> list[float]:
    """``count`` numbers with log-uniform magnitudes 10**low_exp .. 10**high_exp."""
    rng = random.Random(seed)
    return [rng.choice(signs) * 10.0 ** rng.uniform(low_exp, high_exp) for _ in range(count)]


BOTH = (1.0, -1.0)
N = 600  # random inputs per op, on top of the edges

# name: (inputs, exact value, exact derivative, domain as shown in the README)
UNARY: dict[str, tuple[list[float], Callable, Callable, str]] = {
    "sin": (
        [0.0, 5e-324, 1e-300, math.pi / 2, math.pi, 1e6, 1e22, *spread(-8, 6, N, 1, BOTH)],
        mp.sin, mp.cos, "abs(x) <= 1e6, and 1e22",
    ),
    "cos": (
        [0.0, 5e-324, math.pi / 2, math.pi, 1e6, 1e22, *spread(-8, 6, N, 2, BOTH)],
        mp.cos, lambda x: -mp.sin(x), "abs(x) <= 1e6, and 1e22",
    ),
    "sqrt": (
        [5e-324, 1e-320, 2.0, 1.7e308, *spread(-323, 308, N, 3)],
        mp.sqrt, lambda x: 1 / (2 * mp.sqrt(x)), "5e-324 .. 1.7e308",
    ),
    "log1p": (
        [-1 + 2.0**-53, -0.999, -0.5, 1e-300, 1e308,
         *spread(-12, 308, N // 2, 4), *[-x for x in spread(-12, -1e-16, N // 2, 5)]],
        mp.log1p, lambda x: 1 / (1 + x), "-1 + 2**-53 .. 1e308",
    ),
    "expm1": (
        [-745.0, -30.0, -1e-300, 1e-300, 709.0, *spread(-12, math.log10(709.0), N, 6, BOTH)],
        mp.expm1, mp.exp, "-745 .. 709",
    ),
    "softplus": (
        [-745.0, -700.0, -36.0, 0.0, 36.0, 37.0, 700.0, 1e300,
         *spread(-12, math.log10(745.0), N, 7, BOTH)],
        lambda x: mp.log1p(mp.exp(x)), lambda x: 1 / (1 + mp.exp(-x)), "-745 .. 1e300",
    ),
}  # fmt: skip


def _logsumexp_inputs() -> list[list[float]]:
    rng = random.Random(8)
    lists = [
        [1000.0, 1000.0, -1000.0],
        [0.0, -745.0],
        [-math.log(2.0), -math.log(2.0)],
        [-math.log(3.0)] * 3,
        [0.0, -48.53296, -18.02437],  # the trust issue's softmax case, shifted
        [23.546000642914763 - 23.546000642914763, -24.986959390158983 - 23.546000642914763,
         5.521633613144118 - 23.546000642914763],
    ]  # fmt: skip
    for _ in range(N):
        n = rng.randint(1, 6)
        scale = 10.0 ** rng.uniform(-3, 3)
        lists.append([rng.uniform(-1.0, 1.0) * scale for _ in range(n)])
    for _ in range(N // 2):  # results near 0: the shift cancels
        n = rng.randint(2, 5)
        lists.append([-math.log(n) + rng.uniform(-1e-3, 1e-3) for _ in range(n)])
    return lists


def measure_unary(name: str) -> tuple[float, float]:
    from autograd import Value

    inputs, value, derivative, _ = UNARY[name]
    mp.dps = 60
    worst_value = worst_slope = 0.0
    for x in inputs:
        v = Value(x)
        out = getattr(v, name)()
        out.backward()
        worst_value = max(worst_value, ulps(out.data, value(mpf(x))))
        worst_slope = max(worst_slope, ulps(v.grad, derivative(mpf(x))))
    return worst_value, worst_slope


def measure_logsumexp() -> tuple[float, float]:
    from autograd import Value, logsumexp

    mp.dps = 60
    worst_value = worst_slope = 0.0
    for xs in _logsumexp_inputs():
        vs = [Value(x) for x in xs]
        out = logsumexp(vs)
        out.backward()
        exact = mp.log(mp.fsum(mp.exp(mpf(x)) for x in xs))
        worst_value = max(worst_value, ulps(out.data, exact))
        for v, x in zip(vs, xs):
            worst_slope = max(worst_slope, ulps(v.grad, mp.exp(mpf(x) - exact)))
    return worst_value, worst_slope


def measure(name: str) -> tuple[float, float]:
    return measure_logsumexp() if name == "logsumexp" else measure_unary(name)


OPS_MEASURED = [*UNARY, "logsumexp"]
DOMAINS = {**{name: spec[3] for name, spec in UNARY.items()},
           "logsumexp": "1-6 inputs, scales 1e-3 .. 1e3; sums near 1"}  # fmt: skip


def readme_table() -> str:
    """The README's accuracy table from a fresh measurement (worst cases rounded up to 0.1)."""
    lines = ["| op | inputs | value, worst | derivative, worst |", "|---|---|---|---|"]
    for name in OPS_MEASURED:
        value, slope = measure(name)
        up = lambda u: math.ceil(u * 10) / 10  # noqa: E731
        lines.append(f"| `{name}` | {DOMAINS[name]} | {up(value):.1f} ulp | {up(slope):.1f} ulp |")
    return "\n".join(lines)


def readme_claims() -> dict[str, tuple[float, float]]:
    text = README.read_text("utf-8").partition("\n## Accuracy\n")[2].partition("\n## ")[0]
    claims = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            claims[cells[0].strip("`")] = (float(cells[2].split()[0]), float(cells[3].split()[0]))
    return claims


@pytest.mark.parametrize("name", OPS_MEASURED)
def test_value_and_derivative_within_4_ulps_of_60_digits(name):
    value, slope = measure(name)
    assert value <= CLAIM, f"{name}: value off by {value:.2f} ulps"
    assert slope <= CLAIM, f"{name}: derivative off by {slope:.2f} ulps"
    claimed_value, claimed_slope = readme_claims()[name]
    assert value <= claimed_value and slope <= claimed_slope, (
        f"{name}: measured {value:.2f}, {slope:.2f} ulps; the README says "
        f"{claimed_value}, {claimed_slope}: regenerate it with .venv/bin/python "
        "tests/test_accuracy.py"
    )


def test_the_readme_lists_every_measured_op():
    assert sorted(readme_claims()) == sorted(OPS_MEASURED)


def test_the_ulp_measure_can_fail():
    # the old softmax cross-entropy, (log sum + m) - z_k, on the trust issue's case
    z = [23.546000642914763, -24.986959390158983, 5.521633613144118]
    m = max(z)
    old = (math.log(math.fsum(math.exp(x - m) for x in z)) + m) - z[0]
    mp.dps = 60
    exact = mp.log(mp.fsum(mp.exp(mpf(x)) for x in z)) - mpf(z[0])
    assert ulps(old, exact) > 1e6


if __name__ == "__main__":
    print(readme_table())
