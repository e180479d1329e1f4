"""The command line under careless and hostile input: short messages, linear time.

Error messages quote user text short (:func:`autograd.formatting.quote_short`);
every regular expression of the project runs in time linear in its input,
checked by how the time grows from one size to ten times that size (a linear
matcher takes about 10 times as long, a quadratic one about 100 times; the
bound 35 leaves room for noise on a shared machine).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

import autograd.compile
import autograd.expr
import autograd.stepper
import autograd.viz
import nn.datasets.tabular
import nn.modelfile
import viewers.network
import viewers.page
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


@pytest.mark.parametrize("literal", ["1e-400", "0.000_1e-399", "-.5e-330"])
def test_an_underflowing_literal_in_the_expression_is_refused(capsys, literal):
    status, out, err = run(capsys, "grad", f"log(x * {literal})", "--at", "x=2")
    assert status == 2 and out == "" and "this number underflows" in err


@pytest.mark.parametrize("literal", ["0.0", "0e-999", "0_0.0_0"])
def test_zero_literals_are_zero(capsys, literal):
    status, out, _ = run(capsys, "grad", f"x + {literal}", "--at", "x=2", "--json")
    assert status == 0 and json.loads(out)["value"] == 2.0


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
    "autograd.expr._JUXTAPOSED": (autograd.expr._JUXTAPOSED, ("finditer",)),
    "autograd.viz._NETWORK_NAME": (autograd.viz._NETWORK_NAME, ("match",)),
    "autograd.viz._EXPRESSION": (autograd.viz._EXPRESSION, ("search",)),
    "nn.datasets.tabular._NUMBER": (nn.datasets.tabular._NUMBER, ("fullmatch",)),
    "viewers.network._ARTICLE_NAME": (viewers.network._ARTICLE_NAME, ("match",)),
    # these read the code autograd.compile generates (never user text)
    "autograd.compile._TEMPORARY": (autograd.compile._TEMPORARY, ("split",)),
    "autograd.compile._ASSIGNED": (autograd.compile._ASSIGNED, ("findall",)),
    "autograd.compile._NAME": (autograd.compile._NAME, ("findall", "sub")),
    "autograd.compile._GRADIENT": (autograd.compile._GRADIENT, ("fullmatch",)),
    "autograd.compile._GRAD_READ": (autograd.compile._GRAD_READ, ("fullmatch",)),
    "autograd.compile._FLOAT_LITERAL": (autograd.compile._FLOAT_LITERAL, ("findall",)),
    "autograd.compile._STORE": (autograd.compile._STORE, ("fullmatch",)),
    "autograd.compile._FIRST_STORE": (autograd.compile._FIRST_STORE, ("sub",)),
    "autograd.compile._ARITHMETIC": (autograd.compile._ARITHMETIC, ("fullmatch",)),
    "autograd.compile._LOOSE": (autograd.compile._LOOSE, ("search",)),
    "autograd.compile._LEAF": (autograd.compile._LEAF, ("sub",)),
    "autograd.compile._STORED_NAME": (autograd.compile._STORED_NAME, ("findall", "search")),
    # these three read Graphviz's SVG of a graph (user text in it is escaped, so it cannot
    # open a tag; every node's <g> is closed), timed here on the same shapes all the same
    "viewers.page._NODE_G": (viewers.page._NODE_G, ("sub",)),
    "viewers.page._TEXT": (viewers.page._TEXT, ("finditer",)),
    "viewers.page._TITLE": (viewers.page._TITLE, ("sub",)),
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
                elif method == "finditer":
                    list(pattern.finditer(text))
                else:
                    getattr(pattern, method)(text)

    assert growth(work, 1_000, repeat=3) < GROWTH_LIMIT


# --- 4. a closed or full stdout, and Ctrl-C at any moment ----------------------------------

DELTAGRAD = [sys.executable, "-m", "deltagrad"]
# about 190 KB of JSON: more than a pipe (64 KiB) and a reader's buffer hold together
LONG_OUTPUT = ["grad", "sum(" + ", ".join(f"x{i}*x{i}" for i in range(150)) + ")", "--steps"]
LONG_OUTPUT += ["--at", *(f"x{i}={i}.5" for i in range(150)), "--json"]


def no_traceback(err: str) -> bool:
    return "Traceback" not in err and "Exception ignored" not in err


def test_a_reader_that_closes_stdout_early_gets_status_141_and_no_message():
    # the reader keeps 10 bytes and closes the pipe while deltagrad is still writing
    proc = subprocess.Popen(DELTAGRAD + LONG_OUTPUT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(10)) == 10
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""


def test_the_same_through_a_shell_pipe_into_head():
    command = " ".join(shlex.quote(a) for a in DELTAGRAD + LONG_OUTPUT) + " | head -c 10"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, timeout=60, check=False
    )
    assert len(done.stdout) == 10
    assert done.stderr == b"" and done.returncode == 141


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_stdout_is_one_line_and_status_74():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*DELTAGRAD, "grad", "x*x", "--at", "x=3"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    err = done.stderr.decode()
    assert done.returncode == 74
    assert err == "deltagrad: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("phase", ["imports", "parse", "run"])
def test_ctrl_c_at_each_phase_of_start_up_is_one_line_and_status_130(phase):
    env = dict(os.environ, DELTAGRAD_TEST_SIGINT_AT=phase)
    done = subprocess.run(
        [*DELTAGRAD, "grad", "x*x", "--at", "x=3"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 130
    assert done.stderr.decode() == "deltagrad: interrupted\n"
    assert done.stdout == b""


def test_real_ctrl_c_at_many_moments_never_shows_a_traceback():
    # Python's own start-up (before any of deltagrad's code runs) is measured first and
    # the signals are sent after it, at moments spread over deltagrad's imports and work.
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - start
    statuses = []
    for k in range(8):
        proc = subprocess.Popen(
            DELTAGRAD + LONG_OUTPUT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(max(3 * bare, 0.1) + 0.04 * k)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert no_traceback(err.decode()), err.decode()
        statuses.append(proc.returncode)
        if proc.returncode == 130:
            assert err.decode() == "deltagrad: interrupted\n"
    # -SIGINT: stopped by the signal's default action before Python installed its handler
    # (no output at all; a shell reports it as 130 too)
    assert set(statuses) <= {0, 130, -signal.SIGINT}


# --- 7. every size a user gives is bounded ------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--hidden", "1000000000"], "--hidden: '1000000000' is too large: the limit is 1024 ("),
        (["--hidden", "1025"], "--hidden: 1025 is too large: the limit is 1024 (each neuron"),
        (["--hidden", "16,1025"], "--hidden: 1025 is too large: the limit is 1024 (each neuron"),
        (["--hidden", "9" * 100_000], "(100000 characters) is too large: the limit is 1024"),
        (["--epochs", "100001"], "--epochs: 100001 is too large: the limit is 100000 (the history"),
        (["--seed", "9" * 5000], "(5000 characters) has more than 100 digits"),
        (["--lr", "x" * 100_000], "(100000 characters) is not a number"),
    ],
)
def test_train_sizes_are_bounded_with_a_message_naming_the_limit(capsys, argv, message):
    status, out, err = run(capsys, "train", "iris", "--no-progress", *argv)
    assert status == 2 and out == ""
    # argparse prints the command's usage (about 750 characters for train) before the line
    assert message in err and len(err) < 1500


def test_demo_epochs_are_bounded(capsys):
    status, _, err = run(capsys, "demo", "--epochs", "100001")
    assert status == 2 and "the limit is 100000" in err


@pytest.mark.parametrize(
    "argv",
    [["train", "x" * 100_000], ["grad", "x", "--at", "x=1", "--" + "y" * 100_000], ["z" * 100_000]],
    ids=["unknown-choice", "unknown-option", "unknown-command"],
)
def test_argparse_messages_quote_long_arguments_short(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert "(100000 characters)" in err or "(100002 characters)" in err
    assert len(err) < 2000


def test_the_number_of_arguments_is_bounded(capsys):
    # argparse takes time quadratic in the number of options (10000 --at options: 2 s,
    # 100000: minutes), so the count is refused before parsing
    argv = ["grad", "x"] + [a for i in range(100_000) for a in ("--at", f"y{i}=1")]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert "200002 arguments; the limit is 4000" in err and len(err) < 1000
    status, _, err = run(capsys, "grad", "x", *[a for i in range(1999) for a in ("--at", "x=1")])
    assert status == 2 and "given twice" in err  # 4000 arguments are still read
