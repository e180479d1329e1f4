"""``deltagrad grad``: output, exit status and one-line errors, never a traceback."""

from __future__ import annotations

import json
import math
import pathlib
import shlex
import subprocess
import sys

import pytest

from autograd import Value
from nn.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["grad", *argv])
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def test_prints_the_value_and_every_gradient(capsys):
    status, out, err = run(capsys, "tanh(x*w + b)", "--at", "x=1", "w=0.5", "b=-0.2")
    assert status == 0 and err == ""
    x, w, b = Value(1.0), Value(0.5), Value(-0.2)
    y = (x * w + b).tanh()
    y.backward()
    # exact: the same engine operations, and repr() prints a float so it reads back unchanged
    assert out.splitlines() == [
        "tanh(x*w + b) at x = 1.0, w = 0.5, b = -0.2",
        f"value  {y.data!r}",
        f"d/dx   {x.grad!r}",
        f"d/dw   {w.grad!r}",
        f"d/db   {b.grad!r}",
    ]


def test_json_output_reads_back_exactly(capsys):
    status, out, _ = run(capsys, "x*y + exp(x)", "--at", "y=2", "--at", "x=0.5", "--json")
    assert status == 0
    report = json.loads(out)
    assert report["expression"] == "x*y + exp(x)"
    assert list(report["at"]) == ["x", "y"]  # order of first appearance, not of --at
    # exact: JSON carries the shortest repr of each float, which reads back to the same float
    assert report["value"] == 0.5 * 2 + math.exp(0.5)
    assert report["gradient"] == {"x": 2.0 + math.exp(0.5), "y": 0.5}


def test_json_spells_non_finite_numbers_as_strings(capsys):
    status, out, _ = run(capsys, "x ** 0.5", "--at", "x=0", "--json")
    assert status == 0
    assert json.loads(out)["gradient"] == {"x": "inf"}  # the slope of sqrt at 0
    assert "Infinity" not in out and "NaN" not in out  # strict JSON


def test_an_expression_without_names(capsys):
    status, out, _ = run(capsys, "2 * 3")
    assert status == 0
    assert out.splitlines() == ["2 * 3", "value  6.0"]


def test_an_expression_starting_with_minus_after_double_dash(capsys):
    status, out, _ = run(capsys, "--at", "z=0", "--", "-log(sigmoid(z))")
    assert status == 0
    assert out.splitlines()[1] == f"value  {math.log(2.0)!r}"  # exact: -log(1/2) = log 2


USAGE_ERRORS = [
    (["x +"], "syntax error"),
    (["os.system('ls')"], "only the functions"),
    (["__import__('os')"], "names may not start with '__'"),
    (["x.y"], "attribute access"),
    (["foo(x)", "--at", "x=1"], "unknown function 'foo'"),
    (["x + y", "--at", "x=1"], "no value for 'y': give it with --at y=VALUE"),
    (["x + y"], "no value for 'x', 'y': give them with --at x=VALUE y=VALUE"),
    (["x", "--at", "x=1", "x=2"], "'x' is given twice: --at x=1 and --at x=2"),
    (["x", "--at", "x=1", "--at", "x=1"], "'x' is given twice"),
    (["x", "--at", "x"], "--at expects NAME=VALUE pairs such as x=0.5, got 'x'"),
    (["x", "--at", "=1"], "--at expects NAME=VALUE pairs"),
    (["x", "--at", "x="], "--at expects NAME=VALUE pairs"),
    (["x", "--at", "x=abc"], "--at x=abc: 'abc' is not a finite decimal number"),
    (["x", "--at", "x=nan"], "'nan' is not a finite decimal number"),
    (["x", "--at", "x=-inf"], "'-inf' is not a finite decimal number"),
    (["x", "--at", "x=1e999"], "'1e999' is not a finite decimal number"),
    (["x", "--at", "x=1,5"], "'1,5' is not a finite decimal number"),
    (["x", "--at", "x=1", "y=2"], "--at y=2: 'y' is not in the expression (its names are x)"),
    (["2", "--at", "y=2"], "'y' is not in the expression (it has no names)"),
    (["x", "--at", "__class__=2"], "'__class__' is not in the expression"),
]


@pytest.mark.parametrize(
    ("argv", "message"), USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_usage_errors_exit_2_with_a_clear_message(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("deltagrad grad: error: ")
    assert message in err
    assert "Traceback" not in err


def test_binding_errors_are_one_line(capsys):
    for argv in (["x + y", "--at", "x=1"], ["x", "--at", "x=1", "x=2"], ["x", "--at", "x=abc"]):
        _, _, err = run(capsys, *argv)
        assert err.count("\n") == 1


def test_a_refused_expression_is_pointed_at_like_a_compiler(capsys):
    status, _, err = run(capsys, "tanh(x) + foo(x)", "--at", "x=1")
    assert status == 2
    assert err.splitlines() == [
        "deltagrad grad: error: unknown function 'foo' "
        "(the functions are exp, log, tanh, sigmoid, relu, sum) (column 11)",
        "  tanh(x) + foo(x)",
        "            ^^^",
    ]


MATH_ERRORS = [
    (["log(x)", "--at", "x=-1"], "log: operand must be > 0, got -1.0, evaluating 'log(x)'"),
    (["1 + 1/(x-y)", "--at", "x=2", "y=2"], "div: division by zero in 1.0 / 0.0"),
    (["exp(x)", "--at", "x=1000"], "exp: exp(1000.0) overflows a float"),
    (["x ** 0.5", "--at", "x=-4"], "pow: -4.0 ** 0.5 is not real"),
    (["10**10**10"], "pow: 10.0 ** 10000000000.0 overflows a float"),
]


@pytest.mark.parametrize(
    ("argv", "message"), MATH_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_math_errors_exit_1_with_one_line(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert out == ""
    assert err.startswith("deltagrad grad: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_argparse_usage_errors_exit_2(capsys):
    status, _, err = run(capsys)
    assert status == 2 and "EXPRESSION" in err
    status, _, err = run(capsys, "x", "--at")
    assert status == 2 and "--at" in err


def test_the_installed_command_never_shows_a_traceback():
    # A real process: the exit status and stderr as a shell sees them.
    bad = subprocess.run(
        [sys.executable, "-m", "nn.cli", "grad", "().__class__.__bases__[0]", "--at", "x=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert "Traceback" not in bad.stderr and "cannot be used in an expression" in bad.stderr
    good = subprocess.run(
        [sys.executable, "-m", "nn.cli", "grad", "x*x", "--at", "x=3", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0 and good.stderr == ""
    assert json.loads(good.stdout)["gradient"] == {"x": 6.0}  # exact: 2 * 3


def _readme_sessions() -> list[tuple[str, list[str]]]:
    """Every ``$ deltagrad grad ...`` line of the README and the lines shown after it."""
    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    sessions: list[tuple[str, list[str]]] = []
    in_block = False
    for line in readme.splitlines():
        if line.startswith("```"):
            in_block = not in_block
            current = None
        elif in_block and line.startswith("$ deltagrad grad"):
            current = (line[2:], [])
            sessions.append(current)
        elif in_block and current is not None:
            current[1].append(line)
    return sessions


def test_the_readme_examples_are_what_the_command_prints(capsys):
    sessions = _readme_sessions()
    assert len(sessions) >= 4
    for command, shown in sessions:
        argv = shlex.split(command)[2:]
        _, out, err = run(capsys, *argv)
        assert (out + err).splitlines() == shown, command
