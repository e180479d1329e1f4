"""The expression language and ``deltagrad grad`` with the calculus ops of issue 11:
the new functions, the constants pi and e, the ``2x`` hint, and ``--hessian``.

Numbers are compared exactly where the command and the test run the same engine
operations (repr() prints a float so that it reads back unchanged).
"""

from __future__ import annotations

import json
import math
import re

import pytest

from autograd import Value, grad, hessian, logsumexp, maximum
from autograd.expr import CONSTANTS, ExpressionError, parse
from deltagrad.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["grad", *argv])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return status, out, err


def gradients(text: str, **at: float) -> tuple[float, dict[str, float]]:
    root, leaves = parse(text).build(at)
    root.backward()
    return root.data, {name: leaf.grad for name, leaf in leaves.items()}


def test_the_issue_example_now_works(capsys):
    status, out, err = run(capsys, "x**2 + sin(x)", "--at", "x=1")
    assert status == 0 and err == ""
    assert out.splitlines()[1:] == [
        f"value  {1.0 + math.sin(1.0)!r}",
        f"d/dx   {2.0 + math.cos(1.0)!r}",
    ]


@pytest.mark.parametrize(
    ("text", "build"),
    [
        ("sqrt(x) + abs(y)", lambda x, y: x.sqrt() + y.abs()),
        ("log1p(x) * expm1(y)", lambda x, y: x.log1p() * y.expm1()),
        ("softplus(x - y)", lambda x, y: (x - y).softplus()),
        ("cos(x) / (2 + sin(y))", lambda x, y: x.cos() / (2 + y.sin())),
        ("maximum(x, y) - minimum(x, 1)", lambda x, y: maximum(x, y) - (x.minimum(1.0))),
        ("logsumexp(x, y, 3)", lambda x, y: logsumexp([x, y, 3.0])),
    ],
)
def test_every_new_function_is_the_engine_op(text, build):
    value, grads = gradients(text, x=0.75, y=-0.5)
    x, y = Value(0.75), Value(-0.5)
    out = build(x, y)
    out.backward()
    assert value == out.data
    assert grads == {"x": x.grad, "y": y.grad}


def test_pi_and_e_are_constants_not_inputs():
    f = parse("sin(pi * x) + e**x")
    assert f.names == ("x",)
    value, grads = gradients("sin(pi * x) + e**x", x=0.5)
    assert value == math.sin(math.pi * 0.5) + math.e**0.5
    assert grads["x"] == math.pi * math.cos(math.pi * 0.5) + math.e**0.5 * math.log(math.e)
    assert {"pi": math.pi, "e": math.e} == CONSTANTS
    assert parse("pi").evaluate({}).data == math.pi


@pytest.mark.parametrize(
    ("text", "message", "span"),
    [
        ("2x", "write 2*x for a product", (0, 2)),
        ("x + 3.5y", "write 3.5*y for a product", (4, 8)),
        ("sin(10t)", "write 10*t for a product", (4, 7)),
        ("1 + 2e", "write 2*e for a product", (4, 6)),
    ],
)
def test_a_number_against_a_name_gets_a_hint(text, message, span):
    with pytest.raises(ExpressionError, match=re.escape(message)) as info:
        parse(text)
    assert (info.value.start, info.value.end) == span


def test_valid_exponents_and_other_syntax_errors_get_no_such_hint():
    assert parse("1e5 * x").names == ("x",)
    with pytest.raises(ExpressionError) as info:
        parse("1e5 * x +")
    assert "for a product" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("maximum(x)", "maximum takes exactly two arguments, got 1"),
        ("minimum(x, y, 1)", "minimum takes exactly two arguments, got 3"),
        ("logsumexp()", "logsumexp needs at least one argument"),
        ("sqrt(x, y)", "sqrt takes exactly one argument, got 2"),
        ("softplus", "'softplus' is a function: call it, as in softplus(x)"),
    ],
)
def test_arity_is_checked(text, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


@pytest.mark.parametrize(
    ("text", "at", "message"),
    [
        ("sqrt(x)", "x=-1", "sqrt: operand must be >= 0, got -1.0, evaluating 'sqrt(x)'"),
        ("log1p(x)", "x=-1", "log1p: operand must be > -1, got -1.0"),
        ("expm1(x)", "x=800", "expm1: expm1(800.0) overflows"),
    ],
)
def test_domain_errors_are_math_errors(capsys, text, at, message):
    status, out, err = run(capsys, text, "--at", at)
    assert status == 1 and out == ""
    assert message in err and err.count("\n") == 1


def test_hessian_text(capsys):
    status, out, err = run(capsys, "x**2*y + sin(x*y)", "--at", "x=1", "y=2", "--hessian")
    assert status == 0 and err == ""
    expected = hessian(lambda x, y: x**2 * y + (x * y).sin(), [1.0, 2.0])
    lines = out.splitlines()
    assert lines[4] == "hessian (row i, column j: d2/di dj)"
    assert lines[5].split() == ["x", "y"]
    assert lines[6].split() == ["x", *map(repr, expected[0])]
    assert lines[7].split() == ["y", *map(repr, expected[1])]
    # the same numbers by hand: f_xx = 2y - y^2 sin(xy), f_xy = 2x + cos(xy) - xy sin(xy)
    s, c = math.sin(2.0), math.cos(2.0)
    assert expected[0] == pytest.approx([4 - 4 * s, 2 + c - 2 * s], rel=1e-12)
    assert expected[1] == pytest.approx([2 + c - 2 * s, -s], rel=1e-12)


def test_hessian_json_and_gradients_unchanged(capsys):
    _, plain, _ = run(capsys, "tanh(x*w)", "--at", "x=0.5", "w=-2", "--json")
    status, out, err = run(capsys, "tanh(x*w)", "--at", "x=0.5", "w=-2", "--json", "--hessian")
    assert status == 0 and err == ""
    report = json.loads(out)
    assert report["gradient"] == json.loads(plain)["gradient"]
    x, w = Value(0.5), Value(-2.0)
    dx, dw = grad((x * w).tanh(), [x, w], create_graph=True)
    assert report["hessian"] == [grad(dx, [x, w]), grad(dw, [x, w])]


def test_hessian_of_an_expression_without_names(capsys):
    status, out, _ = run(capsys, "2 * pi", "--hessian")
    assert status == 0
    assert out.splitlines()[-1] == "hessian: none (the expression has no names)"


def test_hessian_of_a_linear_expression_is_zero(capsys):
    status, out, _ = run(capsys, "3*x - y", "--at", "x=1", "y=2", "--hessian", "--json")
    assert status == 0 and json.loads(out)["hessian"] == [[0.0, 0.0], [0.0, 0.0]]
