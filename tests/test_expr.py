"""The expression language: what it accepts and computes, and what it refuses and where."""

from __future__ import annotations

import math
import operator

import pytest

from autograd import AnomalyError, Value, detect_anomaly
from autograd import sum as vsum
from autograd.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    EvaluationError,
    ExpressionError,
    parse,
    parse_number,
)


def grads(text: str, **at: float) -> tuple[float, dict[str, float]]:
    root, leaves = parse(text).build(at)
    root.backward()
    return root.data, {name: leaf.grad for name, leaf in leaves.items()}


# Each row: text, bindings, and the same function written directly with the
# engine. The parser must build the very same operations in the same order, so
# the value and every gradient must be equal exactly (no tolerance).
ACCEPTED = [
    ("tanh(x*w + b)", {"x": 1.0, "w": 0.5, "b": -0.2}, lambda x, w, b: (x * w + b).tanh()),
    ("-x**2", {"x": 3.0}, lambda x: -(x**2)),
    ("(-x)**2", {"x": 3.0}, lambda x: (-x) ** 2),
    ("x**y**2", {"x": 1.5, "y": 2.0}, lambda x, y: x ** (y**2)),
    ("a - b - c", {"a": 1.0, "b": 2.0, "c": 4.0}, lambda a, b, c: (a - b) - c),
    ("a / b / c", {"a": 1.0, "b": 2.0, "c": 4.0}, lambda a, b, c: (a / b) / c),
    ("a + b * c", {"a": 1.0, "b": 2.0, "c": 4.0}, lambda a, b, c: a + b * c),
    ("+x", {"x": 2.0}, lambda x: x),
    ("- -x", {"x": 2.0}, lambda x: operator.neg(operator.neg(x))),
    ("((x))", {"x": 2.0}, lambda x: x),
    ("x * x * x", {"x": 3.0}, lambda x: x * x * x),
    ("2 * x", {"x": 3.0}, lambda x: 2.0 * x),
    ("x / 4", {"x": 3.0}, lambda x: x / 4.0),
    ("2 ** x", {"x": 3.0}, lambda x: 2.0**x),
    ("x ** -1", {"x": 4.0}, lambda x: x**-1.0),
    ("exp(log(x))", {"x": 2.5}, lambda x: x.log().exp()),
    ("sigmoid(z) * relu(z - 1)", {"z": 1.5}, lambda z: z.sigmoid() * (z - 1.0).relu()),
    ("sum(x, y, x, 2)", {"x": 1.0, "y": 5.0}, lambda x, y: vsum([x, y, x, 2.0])),
    ("1_000 * x + 1e-3", {"x": 2.0}, lambda x: 1000.0 * x + 1e-3),
    ("0x10 * x", {"x": 2.0}, lambda x: 16.0 * x),
    ("x * (2 * 3)", {"x": 2.0}, lambda x: x * 6.0),
    ("  x  +  1  ", {"x": 2.0}, lambda x: x + 1.0),
    ("open + id", {"open": 1.0, "id": 2.0}, lambda a, b: a + b),
]


@pytest.mark.parametrize(("text", "at", "direct"), ACCEPTED, ids=[r[0] for r in ACCEPTED])
def test_accepted_expressions_build_the_same_graph_as_the_engine(text, at, direct):
    value, gradient = grads(text, **at)
    leaves = [Value(v) for v in at.values()]
    expected = direct(*leaves)
    expected.backward()
    assert value == expected.data  # exact: the same operations in the same order
    assert gradient == dict(zip(at, (leaf.grad for leaf in leaves)))  # exact, as above


def test_names_in_order_of_first_appearance_and_one_leaf_per_name():
    f = parse("b * a + sum(a, c) / b")
    assert f.names == ("b", "a", "c")
    root, leaves = f.build({"a": 1.0, "b": 2.0, "c": 3.0})
    assert [leaf.label for leaf in leaves.values()] == ["b", "a", "c"]
    root.backward()
    # d/da = b + 1/b, d/db = a - (a + c)/b**2, d/dc = 1/b; exact in binary here
    assert leaves["a"].grad == 2.5
    assert leaves["b"].grad == 0.0
    assert leaves["c"].grad == 0.5


def test_a_bound_value_receives_the_gradient_itself():
    x = Value(3.0, "mine")
    y = parse("x * x").evaluate({"x": x})
    y.backward()
    assert x.grad == 6.0 and x.label == "mine"


def test_label_nodes_names_each_node_by_its_source_text():
    root = parse("tanh(x*w + b)").evaluate({"x": 1, "w": 2, "b": 3}, label_nodes=True)
    assert root.label == "tanh(x*w + b)"
    assert root.parents[0].label == "x*w + b"
    assert root.parents[0].parents[0].label == "x*w"


def test_an_expression_without_names_is_a_leaf_and_constants_fold():
    root = parse("2 * 3 + exp(0)").evaluate({})
    assert root.is_leaf and root.data == 7.0
    root = parse("x * (2 * 3)").evaluate({"x": 1.0})
    assert root.op == "mul" and root.args[1] == 6.0  # a constant, as in x * 6


# Each row: text, a fragment of the message, and the 1-based column it points at
REFUSED = [
    ("x.__class__", "attribute access", 1),
    ("x[0]", "indexing", 1),
    ("x[1:2]", "indexing", 1),
    ("lambda: 0", "lambda", 1),
    ("[x for x in y]", "comprehensions", 1),
    ("{x: 1 for x in y}", "comprehensions", 1),
    ("sum(x for x in y)", "generator expressions", 4),  # the call's parentheses are its own
    ("x < y", "comparisons", 1),
    ("x and y", "'and' and 'or'", 1),
    ("x if y else z", "conditional expressions", 1),
    ("(y := 2)", "assignment (':=')", 2),
    ("f'{x}'", "f-strings", 1),
    ("x, y", "tuples", 1),
    ("[x]", "lists", 1),
    ("{x}", "sets", 1),
    ("{}", "dicts", 1),
    ("'os'", "strings", 1),
    ("b'os'", "strings", 1),
    ("1j * x", "complex numbers", 1),
    ("True + x", "True is not a number", 1),
    ("None", "None is not a number", 1),
    ("...", "Ellipsis is not a number", 1),
    ("x // 2", "operator '//'", 3),
    ("x % 2", "operator '%'", 3),
    ("x @ y", "operator '@'", 3),
    ("x ^ 2", "operator '^'", 3),
    ("x << 2", "operator '<<'", 3),
    ("(x)&(y)", "operator '&'", 4),
    ("not x", "operator 'not'", 1),
    ("~x", "operator '~'", 1),
    ("__import__('os')", "names may not start with '__'", 1),
    ("x + __builtins__", "names may not start with '__'", 5),
    ("open('/etc/passwd')", "unknown function 'open'", 1),
    ("os.system('ls')", "only the functions", 1),
    ("exp(x).real", "attribute access", 1),
    ("exp(x)(y)", "only the functions", 1),
    ("tanh(x, y)", "tanh takes exactly one argument, got 2", 1),
    ("log()", "log takes exactly one argument, got 0", 1),
    ("sum()", "sum needs at least one argument", 1),
    ("exp(x=1)", "keyword arguments", 5),
    ("sum(*xs)", "unpacking ('*')", 5),
    ("exp(**k)", "keyword arguments", 5),
    ("exp + 1", "'exp' is a function", 1),
    ("x + é", "names are ASCII", 5),
    ("é.x", "attribute access", 1),  # the outermost offence is reported first
    ("1e400 * x", "too large for a float", 1),
    ("x + " + "9" * 400, "too large for a float", 5),
    ("x +", "syntax error", 4),
    ("(x", "syntax error: '(' was never closed", 1),
    ("x = 1", "syntax error", 1),
    ("x\t+ 1", "character '\\t' is not allowed", 2),
    ("x\n+ 1", "character '\\n' is not allowed", 2),
    ("x\x00", "character '\\x00' is not allowed", 2),
    ("x\u202e + 1", "character '\\u202e' is not allowed", 2),
    ("x # a comment", "comments ('#')", 3),
    ("'#' + x", "comments ('#')", 2),
    ("", "the expression is empty", None),
    ("   ", "the expression is empty", None),
]


@pytest.mark.parametrize(("text", "fragment", "column"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_a_message_pointing_at_the_offending_part(text, fragment, column):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert type(err) is ExpressionError  # not an EvaluationError: nothing was computed
    assert fragment in err.message
    if fragment.startswith("syntax error") and column is not None:
        assert err.column is not None  # Python's parser chooses the exact column
    else:
        assert err.column == column
    if column is not None:
        text_line, caret_line = err.excerpt().splitlines()
        assert caret_line.index("^") == err.column - 1
        if len(text) <= 72:  # longer texts are cut around the error
            assert len(text_line) == len(text)


def test_the_caret_sits_under_the_offending_part():
    with pytest.raises(ExpressionError) as info:
        parse("tanh(x) + foo(x)")
    assert str(info.value).endswith("(column 11)")
    assert info.value.excerpt() == "tanh(x) + foo(x)\n          ^^^"


def test_a_long_expression_is_shown_around_the_error():
    text = "x + " * 40 + "x // 2" + " + x" * 40
    with pytest.raises(ExpressionError) as info:
        parse(text)
    line, carets = info.value.excerpt(width=40).splitlines()
    assert line.startswith("...") and line.endswith("...")
    assert line[carets.index("^") :].startswith("//")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x" * (MAX_LENGTH + 1), f"the limit is {MAX_LENGTH}"),
        ("+".join(["x"] * (MAX_DEPTH + 1)), f"nested more than {MAX_DEPTH} levels"),
        ("-" * (MAX_DEPTH + 1) + "x", f"nested more than {MAX_DEPTH} levels"),
        ("exp(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH, f"nested more than {MAX_DEPTH} levels"),
        ("sum(" + "-1," * (MAX_NODES // 2) + "x)", f"more than {MAX_NODES}"),
        ("(" * 300 + "x" + ")" * 300, "syntax error: too many nested parentheses"),
        ("-" * (MAX_LENGTH - 1) + "x", f"nested more than {MAX_DEPTH} levels"),
        ("x**" * 600 + "x", f"nested more than {MAX_DEPTH} levels"),
        ("9" * MAX_LENGTH, "too large for a float"),
    ],
    ids=lambda v: v[:20] if isinstance(v, str) else v,
)
def test_work_is_bounded(text, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert fragment in info.value.message


def test_the_limits_themselves_are_accepted():
    assert parse("+".join(["x"] * MAX_DEPTH)).names == ("x",)
    assert parse("sum(" + "-1," * (MAX_NODES // 2 - 1) + "x)").names == ("x",)  # MAX_NODES nodes
    assert parse("x" * MAX_LENGTH).names == ("x" * MAX_LENGTH,)


def test_huge_powers_are_float_overflows_not_big_integers():
    f = parse("10**10**10")
    with pytest.raises(EvaluationError, match=r"pow: 10\.0 \*\* 10000000000\.0 overflows") as info:
        f.evaluate({})
    assert isinstance(info.value.__cause__, OverflowError)
    assert info.value.column == 1


@pytest.mark.parametrize(
    ("text", "at", "cause", "fragment", "column"),
    [
        ("log(x - 2)", {"x": 1.0}, ValueError, "log: operand must be > 0, got -1.0", 1),
        ("1 + 1/(x-y)", {"x": 1.0, "y": 1.0}, ZeroDivisionError, "div: division by zero", 5),
        ("x ** 0.5", {"x": -4.0}, ValueError, "not real", 1),
        ("3 * exp(x)", {"x": 1000.0}, OverflowError, "exp: exp(1000.0) overflows", 5),
        ("log(0)", {}, ValueError, "log: operand must be > 0, got 0.0", 1),
    ],
)
def test_domain_errors_name_the_op_and_the_part_of_the_text(text, at, cause, fragment, column):
    with pytest.raises(EvaluationError) as info:
        parse(text).evaluate(at)
    assert isinstance(info.value.__cause__, cause)
    assert fragment in info.value.message
    assert info.value.column == column


def test_bindings_must_match_the_names():
    f = parse("x + y * x")
    with pytest.raises(ExpressionError, match=r"no value for 'y' \(column 5\)"):
        f.evaluate({"x": 1.0})
    with pytest.raises(ExpressionError, match="'z' has a value but does not appear"):
        f.evaluate({"x": 1.0, "y": 2.0, "z": 3.0})
    with pytest.raises(TypeError, match="the value of 'y' must be a real number or a Value"):
        f.evaluate({"x": 1.0, "y": "2"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="the value of 'y'"):
        f.evaluate({"x": 1.0, "y": True})


def test_parse_refuses_non_strings():
    with pytest.raises(TypeError, match="expected the expression as a str, got bytes"):
        parse(b"x")  # type: ignore[arg-type]


def test_functions_are_the_engine_ops_written_as_calls():
    assert set(FUNCTIONS) == {"exp", "log", "tanh", "sigmoid", "relu", "sum", "sin", "cos",
                              "sqrt", "abs", "log1p", "expm1", "softplus", "maximum",
                              "minimum", "logsumexp"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "value"),
    [("2", 2.0), ("-0.5", -0.5), ("+1e-3", 1e-3), (".5", 0.5), ("5.", 5.0), (" 7 ", 7.0)],
)
def test_parse_number_reads_decimals(text, value):
    assert parse_number(text) == value  # exact: the same float() reading


@pytest.mark.parametrize(
    "text", ["", "abc", "nan", "inf", "-inf", "1e400", "1_000", "0x10", "1+1", "1,5", "١٢", "--1"]
)
def test_parse_number_refuses_everything_else(text):
    with pytest.raises(ExpressionError):
        parse_number(text)


def test_nan_and_inf_bindings_propagate_from_python():
    value, gradient = grads("x * 2 + y", x=math.inf, y=math.nan)
    assert math.isnan(value)
    assert gradient == {"x": 2.0, "y": 1.0}  # exact: local derivatives are constants


@pytest.mark.parametrize(
    ("function", "x"),
    [("exp", math.inf), ("log", math.inf), ("tanh", math.nan), ("sigmoid", math.nan),
     ("relu", math.inf)],
)  # fmt: skip
def test_functions_are_checked_inside_detect_anomaly(function, x):
    # Each function is looked up on the Value when called, so the checking versions that
    # detect_anomaly() swaps in are the ones used: a non-finite result is reported, naming
    # the input that was already not finite (tanh and sigmoid of inf are finite: nan here).
    with detect_anomaly(), pytest.raises(EvaluationError) as info:
        parse(f"{function}(x)").evaluate({"x": x})
    assert isinstance(info.value.__cause__, AnomalyError)
    assert f"anomaly in forward: {function}" in str(info.value)
    assert f"evaluating '{function}(x)'" in str(info.value)
