"""``deltagrad grad``: output, exit status and one-line errors, never a traceback."""

from __future__ import annotations

import json
import math
import os
import pathlib
import shlex
import subprocess
import sys

import pytest
from svg_helpers import parse as parse_svg

from autograd import OPS, Value, is_anomaly_enabled
from autograd.formatting import format_number
from deltagrad.cli import main


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
    (["x", "--at", "x=1e999"], "'1e999' is too large for a float (it overflows"),
    (["log(x)", "--at", "x=1e-400"], "--at x=1e-400: '1e-400' underflows: it is not zero"),
    (["x", "--at", "x=-0.0000001e-999"], "'-0.0000001e-999' underflows"),
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
        "(the functions are exp, log, tanh, sigmoid, relu, sin, cos, sqrt, abs, log1p, expm1, "
        "softplus, maximum, minimum, sum, logsumexp) (column 11)",
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
        [sys.executable, "-m", "deltagrad", "grad", "().__class__.__bases__[0]", "--at", "x=1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert "Traceback" not in bad.stderr and "cannot be used in an expression" in bad.stderr
    good = subprocess.run(
        [sys.executable, "-m", "deltagrad", "grad", "x*x", "--at", "x=3", "--json"],
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
    assert len(sessions) >= 5
    assert any("--steps" in command for command, _ in sessions)
    for command, shown in sessions:
        argv = shlex.split(command)[2:]
        _, out, err = run(capsys, *argv)
        assert (out + err).splitlines() == shown, command


# --- --steps -------------------------------------------------------------------------


def hand_example():
    """y = tanh(x*w + b) at x = 1, w = 0.5, b = -0.2, built and differentiated directly."""
    x, w, b = Value(1.0, "x"), Value(0.5, "w"), Value(-0.2, "b")
    y = (x * w + b).tanh()
    y.backward()
    return x, w, b, y


HAND = ["tanh(x*w + b)", "--at", "x=1", "w=0.5", "b=-0.2"]


def test_steps_text_shows_rules_numbers_and_contributions(capsys):
    status, out, err = run(capsys, *HAND, "--steps")
    assert status == 0 and err == ""
    lines = out.splitlines()
    x, w, b, y = hand_example()
    # exact: the same engine operations, printed with repr()
    assert lines[:3] == [
        "tanh(x*w + b) at x = 1.0, w = 0.5, b = -0.2",
        f"value  {y.data!r}",
        "backward pass, one node at a time: g is the node's gradient, out its value; "
        "each input receives g * (local derivative)",
    ]
    assert lines[-3:] == [f"d/dx   {x.grad!r}", f"d/dw   {w.grad!r}", f"d/db   {b.grad!r}"]
    heads = [line for line in lines if line.startswith("step ")]
    assert [h.partition("; g = ")[0] for h in heads] == [
        "step 1 of 3: [tanh(x*w + b)] = tanh(x) with x = [x*w + b]",
        "step 2 of 3: [x*w + b] = a + b with a = [x*w], b = [b]",
        "step 3 of 3: [x*w] = a * b with a = [x], b = [w]",
    ]
    sent = [line.strip() for line in lines if line.startswith("  to [")]
    targets = [line.partition(":")[0] for line in sent]
    assert targets == ["to [x*w + b]", "to [x*w]", "to [b]", "to [x]", "to [w]"]
    # the rule texts are the op table's own
    tanh, add, mul = OPS["tanh"], OPS["add"], OPS["mul"]
    rules = [tanh.rule(0, 1), add.rule(0, 2), add.rule(1, 2), mul.rule(0, 2), mul.rule(1, 2)]
    for line, rule in zip(sent, rules, strict=True):
        rest = line.partition(": ")[2]
        assert rest.startswith(rule) and rest[len(rule) :].startswith((";", " = "))
    # numbers put in: out = y for tanh, b = w = 0.5 and a = x = 1 for the product
    assert f"= 1 - out**2 = 1 - {y.data!r}**2 = " in sent[0]
    assert sent[3].startswith("to [x]: d(a * b)/da = b = 0.5; ")
    assert sent[4].startswith("to [w]: d(a * b)/db = a = 1; ")
    # Contributions by hand: g_z = 1 - tanh(z)**2 with z = x*w + b, then g_z * w to x and
    # g_z * x to w. rel 1e-15: tanh and 1 - t**2 round a few times, math.tanh vs the engine.
    z = 1.0 * 0.5 + -0.2
    g_z = 1.0 - math.tanh(z) ** 2
    expected = [g_z, g_z, g_z, g_z * 0.5, g_z * 1.0]
    for line, want in zip(sent, expected, strict=True):
        product, _, result = line.rpartition("; ")[2].rpartition(" = ")
        g, _, local = product.partition(" * ")
        assert float(g) * float(local.strip("()")) == float(result)  # exact: one rounding
        assert math.isclose(float(result), want, rel_tol=1e-15, abs_tol=0.0)


def test_steps_json_lists_every_step(capsys):
    status, out, _ = run(capsys, *HAND, "--steps", "--json")
    assert status == 0
    report = json.loads(out)
    x, w, b, y = hand_example()
    # exact: repr round trip, same engine operations
    assert report["gradient"] == {"x": x.grad, "w": w.grad, "b": b.grad}
    steps = report["steps"]
    assert [s["step"] for s in steps] == [1, 2, 3]
    assert [s["node"] for s in steps] == ["tanh(x*w + b)", "x*w + b", "x*w"]
    assert [s["op"] for s in steps] == ["tanh", "add", "mul"]
    assert [s["notation"] for s in steps] == ["tanh(x)", "a + b", "a * b"]
    assert steps[0]["value"] == y.data and steps[0]["grad"] == 1.0
    assert steps[2]["args"] == [
        {"param": "a", "node": "x", "value": 1.0},
        {"param": "b", "node": "w", "value": 0.5},
    ]
    first = steps[0]["contributions"]
    assert len(first) == 1
    assert first[0]["to"] == "x*w + b" and first[0]["param"] == "x"
    assert first[0]["rule"] == "d(tanh(x))/dx = 1 - tanh(x)**2 = 1 - out**2"
    # every name of the rule's forms after the first: x (the op's argument) and out
    assert first[0]["values"] == {"x": y.parents[0].data, "out": y.data}
    assert first[0]["substituted"] == f"1 - {y.data!r}**2"
    # exact: the local derivative is computed from the same out as the engine's
    assert first[0]["local"] == 1 - y.data**2 == first[0]["contribution"]
    product = steps[2]["contributions"]
    assert [(c["to"], c["rule"], c["values"]) for c in product] == [
        ("x", "d(a * b)/da = b", {"b": 0.5}),
        ("w", "d(a * b)/db = a", {"a": 1.0}),
    ]
    g = steps[2]["grad"]
    # exact: contribution = g * local, one multiplication, as in backward()
    assert [c["contribution"] for c in product] == [g * 0.5, g * 1.0]
    assert product[0]["contribution"] == x.grad and product[1]["contribution"] == w.grad


def test_steps_json_carries_a_constant_argument_as_null(capsys):
    status, out, _ = run(capsys, "x ** 3", "--at", "x=-2", "--steps", "--json")
    assert status == 0
    (step,) = json.loads(out)["steps"]
    assert step["args"] == [
        {"param": "a", "node": "x", "value": -2.0},
        {"param": "b", "node": None, "value": 3.0},
    ]
    (c,) = step["contributions"]
    assert c["substituted"] == "3 * (-2)**(3-1)"
    assert c["local"] == 12.0 == c["contribution"]  # exact: 3 * 4


SAME_GRADIENTS = [
    ["tanh(x*w + b)", "--at", "x=1", "w=0.5", "b=-0.2"],
    ["x*x + x", "--at", "x=3"],
    ["x**2 + sum(x, y, 1) - x/y", "--at", "x=0.7", "y=-1.3"],
    ["-log(sigmoid(z)) * exp(-z) + relu(z - 1)", "--at", "z=2.5"],
    ["x ** y + y ** 2.5", "--at", "x=1.5", "y=2"],
    ["x ** -1", "--at", "x=1e-200"],  # a gradient of -inf, shown as "-inf"
    ["x", "--at", "x=4"],
    ["2 * 3"],
]


@pytest.mark.parametrize("argv", SAME_GRADIENTS, ids=lambda v: v[0])
def test_steps_end_with_the_gradients_of_a_plain_run(capsys, argv):
    _, plain, _ = run(capsys, *argv, "--json")
    status, stepped, _ = run(capsys, *argv, "--json", "--steps")
    assert status == 0
    # exact: the step-through does backward()'s arithmetic in backward()'s order
    assert json.loads(stepped)["gradient"] == json.loads(plain)["gradient"]
    assert json.loads(stepped)["value"] == json.loads(plain)["value"]
    _, plain_text, _ = run(capsys, *argv)
    _, steps_text, _ = run(capsys, *argv, "--steps")
    plain_lines = plain_text.splitlines()
    steps_lines = steps_text.splitlines()
    count = len(plain_lines) - 2  # the d/dNAME lines
    assert steps_lines[:2] == plain_lines[:2]
    assert steps_lines[len(steps_lines) - count :] == plain_lines[2:]


def test_steps_of_a_name_used_twice_send_it_two_contributions(capsys):
    status, out, _ = run(capsys, "x*x", "--at", "x=3", "--steps", "--json")
    assert status == 0
    report = json.loads(out)
    (step,) = report["steps"]
    assert [c["to"] for c in step["contributions"]] == ["x", "x"]
    assert [c["contribution"] for c in step["contributions"]] == [3.0, 3.0]
    assert report["gradient"] == {"x": 6.0}  # exact: 3 + 3


def test_steps_without_an_operation_on_an_input(capsys):
    status, out, _ = run(capsys, "2 * 3", "--steps")
    assert status == 0
    assert out.splitlines() == [
        "2 * 3",
        "value  6.0",
        "backward pass: no steps (no operation involves an input)",
    ]
    status, out, _ = run(capsys, "2 * 3", "--steps", "--json")
    assert status == 0 and json.loads(out)["steps"] == []


# --- --svg -----------------------------------------------------------------------------


def test_svg_draws_every_node_with_its_name_value_and_gradient(capsys, tmp_path):
    target = tmp_path / "graph.svg"
    status, out, err = run(capsys, *HAND, "--svg", str(target))
    assert status == 0 and err == ""
    _, plain, _ = run(capsys, *HAND)
    assert out == plain  # the drawing adds nothing to stdout
    drawing = parse_svg(target.read_text("utf-8"))  # ElementTree: well-formed XML
    records = drawing.by_class("value")
    assert len(records) == 6 and len(drawing.by_class("leaf")) == 3
    assert sorted(n.texts[0] for n in drawing.by_class("op")) == ["*", "+", "tanh"]
    assert len(drawing.nodes) == 9  # 6 Values + 3 operations, no constants
    assert len(drawing.edges) == 8  # 5 arguments + 3 results
    x, w, b, y = hand_example()
    z = y.parents[0]
    xw = z.parents[0]
    # a box names its own operation only: an argument's expression, drawn in its own box, is "…"
    expected = {
        "x": x, "w": w, "b": b, "x*w": xw, "… + b": z, "tanh(…)": y,
    }  # fmt: skip
    shown = {n.texts[0]: n.texts[1:] for n in records}
    assert shown == {
        name: [f"data {format_number(v.data)}", f"grad {format_number(v.grad)}"]
        for name, v in expected.items()
    }
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]  # no temporary file left


def test_svg_shows_a_constant_and_creates_missing_folders(capsys, tmp_path):
    target = tmp_path / "new" / "deeper" / "g.svg"
    status, _, _ = run(capsys, "x ** 3", "--at", "x=-2", "--svg", str(target))
    assert status == 0
    drawing = parse_svg(target.read_text("utf-8"))
    (const,) = drawing.by_class("const")
    assert const.texts == ["3"]
    (record,) = [n for n in drawing.by_class("value") if n.texts[0] == "x ** 3"]
    assert record.texts[1:] == ["data -8", "grad 1"]


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".PDF", b"%PDF")])
def test_svg_option_writes_png_and_pdf_by_suffix(capsys, tmp_path, suffix, magic):
    target = tmp_path / f"graph{suffix}"
    status, _, err = run(capsys, "x*x", "--at", "x=3", "--svg", str(target))
    assert status == 0 and err == ""
    assert target.read_bytes().startswith(magic)


def svg_error(capsys, *argv: str) -> str:
    """Run, expect exit 2, nothing on stdout and exactly one line on stderr; return it."""
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("deltagrad grad: error: --svg ")
    assert "Traceback" not in err
    return err.strip()


def test_svg_refuses_an_unknown_suffix_before_computing(capsys, tmp_path):
    bad = str(tmp_path / "graph.txt")
    err = svg_error(capsys, "log(x)", "--at", "x=-1", "--svg", bad)  # log(-1): not reached
    assert err.endswith(
        f"--svg {bad}: unknown file type '.txt'; the name must end in .svg, .png, .pdf"
    )
    err = svg_error(capsys, "x", "--at", "x=1", "--svg", str(tmp_path / "graph"))
    assert err.endswith("no file type; the name must end in .svg, .png, .pdf")
    assert list(tmp_path.iterdir()) == []


def test_svg_refuses_a_folder_and_a_file_in_the_way(capsys, tmp_path):
    folder = tmp_path / "pictures.svg"
    folder.mkdir()
    err = svg_error(capsys, "x", "--at", "x=1", "--svg", str(folder))
    assert err.endswith("is a folder; give a file name such as graph.svg")
    blocker = tmp_path / "notes.svg"
    blocker.write_text("keep me")
    err = svg_error(capsys, "x", "--at", "x=1", "--svg", str(blocker / "sub" / "g.svg"))
    assert err.endswith(f"{str(blocker)!r} is a file, not a folder")
    assert blocker.read_text() == "keep me"


def test_svg_an_unwritable_folder_keeps_the_old_file(capsys, tmp_path, monkeypatch):
    # As root a read-only folder can still be written, so the refusal is simulated where the
    # file system would give it: at the rename that puts the new file in place.
    target = tmp_path / "graph.svg"
    target.write_text("old drawing")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    err = svg_error(capsys, "x*x", "--at", "x=3", "--svg", str(target))
    assert err.endswith(f"--svg {target}: cannot write the file: Permission denied")
    assert target.read_text() == "old drawing"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]  # the temporary file is gone


def test_svg_without_dot_says_how_to_install_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot on PATH
    target = tmp_path / "graph.svg"
    err = svg_error(capsys, "x*x", "--at", "x=3", "--svg", str(target))
    assert "Graphviz's 'dot' program was not found on PATH" in err
    assert "apt-get install graphviz" in err
    assert not target.exists()


def test_svg_without_the_graphviz_package(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    monkeypatch.delitem(sys.modules, "autograd.viz")
    err = svg_error(capsys, "x", "--at", "x=1", "--svg", str(tmp_path / "g.svg"))
    assert "--svg needs the Python package graphviz" in err
    assert "pip install 'deltagrad[viz]'" in err


def test_svg_of_a_graph_too_large_to_draw(capsys, tmp_path):
    # 300 products of x with a constant: 300 operations that share x, so folding leaves
    # used once does not bring the drawing under its limit of 400 nodes.
    text = "sum(" + ", ".join(f"x*{k}" for k in range(1, 301)) + ")"
    err = svg_error(capsys, text, "--at", "x=1", "--svg", str(tmp_path / "g.svg"))
    assert "cannot draw it: the graph of 302 Values needs" in err
    assert "more than the limit of 400" in err
    assert list(tmp_path.iterdir()) == []


# --- --anomaly -------------------------------------------------------------------------


def test_anomaly_stops_at_a_forward_overflow(capsys):
    status, out, _ = run(capsys, "x*x + 1", "--at", "x=1e200")
    assert status == 0 and "value  inf" in out  # without the flag: IEEE 754 inf
    status, out, err = run(capsys, "x*x + 1", "--at", "x=1e200", "--anomaly")
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("deltagrad grad: error: anomaly in forward: mul (a * b) gave inf")
    assert "evaluating 'x*x'" in err
    assert not is_anomaly_enabled()  # the check is switched off again


@pytest.mark.parametrize("extra", [[], ["--steps"], ["--json"], ["--steps", "--json"]])
def test_anomaly_stops_at_a_backward_infinity(capsys, extra):
    # x ** -1 at 1e-200 is 1e200, finite; its derivative -x**-2 = -1e400 is not.
    status, out, err = run(capsys, "x ** -1", "--at", "x=1e-200", "--anomaly", *extra)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("deltagrad grad: error: anomaly in backward: pow (a ** b) sends -inf")
    assert not is_anomaly_enabled()


@pytest.mark.parametrize("extra", [[], ["--steps"], ["--steps", "--json"]])
def test_anomaly_changes_nothing_when_all_is_finite(capsys, extra):
    _, plain, _ = run(capsys, *HAND, *extra)
    status, checked, err = run(capsys, *HAND, "--anomaly", *extra)
    assert status == 0 and err == ""
    assert checked == plain  # exact: same passes, same numbers, same text
