"""The command line under careless and hostile input: short messages, linear time.

Error messages quote user text short (:func:`autograd.formatting.quote_short`);
every regular expression of the project runs in time linear in its input,
checked by how the time grows from one size to ten times that size (a linear
matcher takes about 10 times as long, a quadratic one about 100 times; the
bound 35 leaves room for noise on a shared machine).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import pytest

import autograd.expr
import autograd.stepper
import nn.modelfile
from autograd.formatting import quote_short, shorten
from deltagrad.cli import main

GROWTH_LIMIT = 35.0
"""Time ratio allowed between a 10x larger input and the smaller one (linear: ~10; quadratic:
~100). Generous, because two cores are shared with other jobs."""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def growth(work: Callable[[int], object], small: int, repeat: int = 5) -> float:
    """How much longer ``work(10 * small)`` takes than ``work(small)`` (best of ``repeat``)."""

    def best(n: int) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            work(n)
            times.append(time.perf_counter() - start)
        return min(times)

    best(small)  # warm up
    return best(10 * small) / best(small)


# --- 1. messages are short ----------------------------------------------------------------


def test_quote_short_keeps_the_start_and_says_the_length():
    assert quote_short("abc") == "'abc'"
    long = "1" * 131_000
    assert quote_short(long) == repr("1" * 60) + "... (131000 characters)"
    assert shorten("x=" + long).endswith("... (131002 characters)")
    assert len(quote_short(10**100_000)) < 100  # no "Exceeds the limit for integer string"


@pytest.mark.parametrize(
    "argv",
    [
        ["grad", "x", "--at", "x=" + "1" * 131_000 + "x"],
        ["grad", "x", "--at", "x=" + "1" * 131_000],
        ["grad", "x", "--at", "x" * 131_000 + "=1"],
        ["grad", "x", "--at", "x=1", "x=" + "2" * 131_000],
        ["grad", "x", "--at", "x" * 131_000],
        ["grad", "x" * 131_000, "--at", "x=1"],
        ["grad", "x+y", "--at", "x=1", "y" * 131_000 + "=2"],
    ],
    ids=["not-a-number", "long-number", "long-name", "twice", "no-equals", "long-expr", "extra"],
)
def test_a_huge_argument_gives_a_short_one_line_message(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") <= 3  # one line, plus at most an excerpt of the expression
    assert len(err) < 600, err[:200]


# --- 2. underflow and overflow are named -------------------------------------------------


def test_an_underflowing_value_is_refused_not_turned_into_zero(capsys):
    status, out, err = run(capsys, "grad", "log(x)", "--at", "x=1e-400")
    assert status == 2 and out == ""
    assert "'1e-400' underflows" in err and "log" not in err.partition("underflows")[2]


def test_zero_written_with_a_tiny_exponent_is_still_zero(capsys):
    status, out, _ = run(capsys, "grad", "x", "--at", "x=0.000e-999", "--json")
    assert status == 0 and json.loads(out)["at"] == {"x": 0.0}


def test_a_subnormal_value_is_accepted_as_its_nearest_float(capsys):
    status, out, _ = run(capsys, "grad", "x*2", "--at", "x=1e-310", "--json")
    assert status == 0
    assert json.loads(out)["at"] == {"x": 1e-310} and json.loads(out)["value"] == 2e-310


# --- 3. linear time -----------------------------------------------------------------------


def test_a_long_value_is_answered_in_linear_time(capsys):
    def work(n: int) -> None:
        run(capsys, "grad", "x", "--at", "x=" + "1" * n + "x")

    assert growth(work, 10_000) < GROWTH_LIMIT


PROJECT_REGEXES: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    # each with the methods the project calls on it
    "autograd.expr._DECIMAL": (autograd.expr._DECIMAL, ("match",)),
    "autograd.expr._NAME": (autograd.expr._NAME, ("match",)),
    "autograd.stepper._NAME": (autograd.stepper._NAME, ("sub", "findall")),
    "nn.modelfile._CUT_TOKEN": (nn.modelfile._CUT_TOKEN, ("fullmatch",)),
}
UNITS = ["1", "1.", ".1", "1e", "e1", "1e+", "-", "-1", "+", "a", "a1", "_", " ", "t", "tr", "\t1"]
TAILS = ["", "x", "e", ".", "!", " ", "-"]


def test_the_project_regexes_are_all_listed_here():
    """A new regular expression must join the timing test below."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    found = sum(
        len(re.findall(r"re\.compile\(", path.read_text("utf-8")))
        for package in ("autograd", "nn", "viewers", "deltagrad")
        for path in (root / package).rglob("*.py")
    )
    assert found == len(PROJECT_REGEXES)


@pytest.mark.parametrize("name", sorted(PROJECT_REGEXES))
def test_every_project_regex_runs_in_linear_time_on_pathological_shapes(name):
    pattern, methods = PROJECT_REGEXES[name]
    shapes = [(unit, tail) for unit in UNITS for tail in TAILS]

    def work(n: int) -> None:
        for unit, tail in shapes:
            text = unit * (n // len(unit)) + tail
            for method in methods:
                if method == "sub":
                    pattern.sub("y", text)
                else:
                    getattr(pattern, method)(text)

    assert growth(work, 1_000, repeat=3) < GROWTH_LIMIT
