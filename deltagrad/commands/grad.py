"""``deltagrad grad``: the value and every gradient of an expression typed by a user.

::

    $ deltagrad grad "tanh(x*w + b)" --at x=1 w=0.5 b=-0.2
    tanh(x*w + b) at x = 1.0, w = 0.5, b = -0.2
    value  0.2913126124515909
    d/dx   0.4575684809133146
    d/dw   0.9151369618266292
    d/db   0.9151369618266292

The expression is read by :mod:`autograd.expr` (parsed, never evaluated as
Python). Every node made by an operation is labelled with its part of the
text (``x*w + b``), which is how ``--steps`` and ``--svg`` name it.

Options: ``--json`` prints one JSON object; ``--steps`` goes through the
backward pass one node at a time with :func:`autograd.stepper.backward_steps`
(the same order and arithmetic as ``backward()``, so the gradients printed at
the end are those of a plain run); ``--svg PATH`` draws the graph, with its
gradients, with :func:`autograd.viz.render` (.svg, .png or .pdf by the
suffix, written atomically); ``--hessian`` also prints the matrix of second
derivatives (:func:`autograd.hessian`'s way: each first derivative built as a
graph with ``autograd.grad(..., create_graph=True)`` and differentiated
again); ``--html PATH`` writes the page of
:func:`viewers.page.graph_page`, which steps through both passes in a browser;
``--anomaly`` runs both passes under
:func:`autograd.detect_anomaly`, so the first NaN or infinity is an error
naming the operation.

Results go to stdout, and only when everything asked for succeeded; a problem
is reported on stderr, never as a traceback, with the exit status telling its
kind:

* 0: done;
* 1: the math failed on these numbers: a domain error such as ``log`` of a
  negative number, a division by zero or an overflow, in the forward or the
  backward pass, or with ``--anomaly`` a NaN or infinity (one line);
* 2: the command cannot be carried out as given: an expression outside the
  grammar (the message points at the offending part, compiler style), a
  malformed ``--at`` pair, a value that is not a finite decimal number (or
  that underflows to 0.0, such as ``1e-400``), a name
  without a value, a name given twice, a value for a name the expression does
  not have, or an ``--svg`` or ``--html`` file that cannot be made: unknown suffix, a folder
  in the way or not writable, Graphviz missing, a graph too large to draw (one
  line each). The numbers are not at fault, so it is not status 1.

and, as for every command (:mod:`deltagrad.cli`): 74 stdout cannot be written,
130 Ctrl-C, 141 stdout closed by its reader.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from autograd import AnomalyError, Value, detect_anomaly, grad
from autograd.atomic import write_atomic
from autograd.expr import FUNCTIONS, EvaluationError, Expression, ExpressionError, parse_number
from autograd.expr import parse as parse_expression
from autograd.formatting import format_exact, quote_short, shorten
from autograd.stepper import BackwardStep, backward_steps
from autograd.table import node_names

from ..outputs import FORCE_HELP, PATH_LIMIT, output_problem

__all__ = ["EXIT_MATH", "EXIT_USAGE", "register", "run"]

EXIT_MATH = 1
"""Exit status when an operation fails on the given numbers."""
EXIT_USAGE = 2
"""Exit status for arguments that cannot be used (as argparse uses): the expression, an
``--at`` pair, or an ``--svg`` file that cannot be made."""

_PROG = "deltagrad grad"
_FUNCTIONS = ", ".join(FUNCTIONS)
_EPILOG = f"""\
examples:
  deltagrad grad "tanh(x*w + b)" --at x=1 w=0.5 b=-0.2
  deltagrad grad "x**2 + sum(x, y, 1)" --at x=3 y=-1 --json
  deltagrad grad "x*x + x" --at x=3 --steps --svg graph.svg
  deltagrad grad "x**2*y + sin(x*y)" --at x=1 y=2 --hessian
  deltagrad grad "tanh(x*w + b)" --at x=1 w=0.5 b=-0.2 --html graph.html
  deltagrad grad --at z=0.5 -- "-log(sigmoid(z))"   (an expression starting with '-'
                                                    goes after '--', which ends the options)

The language: numbers, names, + - * / ** (as in Python: -x**2 is -(x**2)),
parentheses, the constants pi and e, and the functions {_FUNCTIONS}.
exit status: 0 done, 1 math error (e.g. log of a negative; with --anomaly also a NaN
or infinity), 2 the arguments cannot be used (also: an --svg or --html file that cannot be made),
74 stdout cannot be written, 130 Ctrl-C, 141 stdout closed by its reader (e.g. | head).
"""


class _UsageError(Exception):
    """A mistake in the command's arguments; its text is the one line to print."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``grad`` subcommand (the interface of the :mod:`deltagrad.commands` modules)."""
    parser = subparsers.add_parser(
        "grad",
        help="value and gradients of an expression, e.g. grad 'tanh(x*w + b)' --at x=1 w=2 b=0",
        description="Print the value of EXPRESSION and its gradient with respect to every "
        "name in it, at the values given with --at.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", metavar="EXPRESSION", help="e.g. 'tanh(x*w + b)'")
    parser.add_argument(
        "--at",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME=VALUE",
        help="a value for each name of the expression, e.g. --at x=1 w=0.5 b=-0.2 "
        "(decimal numbers; may be repeated)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument(
        "--steps",
        action="store_true",
        help="print the backward pass one node at a time: the node's gradient g, and for each "
        "input the rule from the op table, the numbers put in and the contribution g * local",
    )
    parser.add_argument(
        "--svg",
        metavar="PATH",
        help="draw the graph with every value and gradient into PATH; the suffix (.svg, .png, "
        ".pdf) chooses the format (needs Graphviz's dot)",
    )
    parser.add_argument("--force", action="store_true", help=FORCE_HELP + " (--svg, --html)")
    parser.add_argument(
        "--hessian",
        action="store_true",
        help="also print the matrix of second derivatives d2/dNAME_i dNAME_j",
    )
    parser.add_argument(
        "--html",
        metavar="PATH",
        help="write one self-contained HTML page that steps through the forward and backward "
        "passes (buttons, slider, arrow keys); opens from disk, offline (needs Graphviz's dot)",
    )
    parser.add_argument(
        "--anomaly",
        action="store_true",
        help="stop at the first NaN or infinity, forward or backward, naming the operation "
        "(exit status 1)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Carry out ``deltagrad grad`` with parsed ``args``; return the exit status."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        expression = parse_expression(args.expression)
    except ExpressionError as exc:
        print(f"{_PROG}: error: {exc}", file=err)
        for line in exc.excerpt().splitlines():
            print(f"  {line}", file=err)
        return EXIT_USAGE
    try:
        values = _bindings(expression, args.at)
        svg = None if args.svg is None else _svg_target(args.svg, args.force)
        page = None if args.html is None else _html_target(args.html, args.force)
    except _UsageError as exc:
        print(f"{_PROG}: error: {exc}", file=err)
        return EXIT_USAGE
    checking = detect_anomaly() if args.anomaly else contextlib.nullcontext()
    try:
        with checking:
            root, leaves = expression.build(values, label_nodes=True)
            steps = _backward(root, list(leaves.values()), args.steps, args.anomaly)
            inputs = [leaves[name] for name in expression.names]
            matrix = _hessian(root, inputs) if args.hessian else None
    except (EvaluationError, AnomalyError) as exc:  # a forward anomaly is an EvaluationError
        print(f"{_PROG}: error: {exc}", file=err)
        return EXIT_MATH
    except (ArithmeticError, ValueError) as exc:
        print(f"{_PROG}: error: the backward pass failed: {type(exc).__name__}: {exc}", file=err)
        return EXIT_MATH
    if svg is not None:
        try:
            svg.render(root)
        except _UsageError as exc:
            print(f"{_PROG}: error: {exc}", file=err)
            return EXIT_USAGE
    if page is not None:
        try:
            _write_page(page, root, expression.text.strip())
        except _UsageError as exc:
            print(f"{_PROG}: error: {exc}", file=err)
            return EXIT_USAGE
    gradient = {name: leaves[name].grad for name in expression.names}
    if args.json:
        report: dict[str, Any] = {
            "expression": expression.text,
            "at": {name: _json_number(values[name]) for name in expression.names},
            "value": _json_number(root.data),
            "gradient": {name: _json_number(g) for name, g in gradient.items()},
        }
        if matrix is not None:
            report["hessian"] = [[_json_number(h) for h in row] for row in matrix]
        if args.steps:
            names = node_names(root)
            report["steps"] = [_step_json(step, names) for step in steps]
        print(json.dumps(report, indent=2, allow_nan=False), file=out)
    else:
        shown = (steps, node_names(root)) if args.steps else None
        _print_text(expression, values, root.data, gradient, shown, out)
        if matrix is not None:
            _print_hessian(expression.names, matrix, out)
    return 0


def _hessian(root: Value, inputs: list[Value]) -> list[list[float]]:
    """``H[i][j] = d2 root / d inputs[i] d inputs[j]``: each first derivative as a graph,
    differentiated again (the same op-table partials, run on Values)."""
    first = grad(root, inputs, create_graph=True)
    return [grad(d, inputs) for d in first]


def _print_hessian(names: tuple[str, ...], matrix: list[list[float]], out: TextIO) -> None:
    """The matrix with a header row and column of names; numbers in full (``repr``)."""
    if not names:
        print("hessian: none (the expression has no names)", file=out)
        return
    print("hessian (row i, column j: d2/di dj)", file=out)
    cells = [[repr(h) for h in row] for row in matrix]
    width = max(len(c) for row in cells for c in row)
    width = max(width, *(len(n) for n in names))
    first = max(len(n) for n in names)
    print(" " * first + "  " + "  ".join(n.rjust(width) for n in names), file=out)
    for name, row in zip(names, cells):
        print(name.ljust(first) + "  " + "  ".join(c.rjust(width) for c in row), file=out)


def _backward(root: Value, leaves: list[Value], steps: bool, anomaly: bool) -> list[BackwardStep]:
    """Run the backward pass of ``root``: whole, or one step at a time when ``steps`` is set.

    With ``anomaly`` the engine's own ``backward()`` runs first, inside
    ``detect_anomaly()``, so that every gradient is checked; the steps then
    replay that pass from the leaves' starting gradient 0.
    """
    if anomaly or not steps:
        root.backward()
    if not steps:
        return []
    if anomaly:
        for leaf in leaves:
            leaf.grad = 0.0
    return list(backward_steps(root))


class _SvgTarget:
    """The file of ``--svg``, checked before any work: the renderer loads, the suffix is known,
    and no file stands where a folder must be."""

    def __init__(self, text: str, viz: Any, path: Path, force: bool) -> None:
        self.text = text
        self.viz = viz
        self.path = path
        self.force = force

    def render(self, root: Value) -> None:
        """Draw ``root``'s graph into the file, atomically; a failure is a :class:`_UsageError`."""
        where = f"--svg {shorten(self.text, PATH_LIMIT)}"
        with _drawing_errors(where, self.viz):
            drawing = self.viz.pipe(
                self.viz.draw_dot(root), self.viz.FORMATS[self.path.suffix.lower()]
            )
            write_atomic(self.path, drawing, force=self.force)


@contextlib.contextmanager
def _drawing_errors(where: str, viz: Any) -> Iterator[None]:
    """Turn what drawing and writing a graph can raise into a one-line usage error."""
    try:
        yield
    except viz.DotNotFoundError as exc:
        raise _UsageError(f"{where}: {exc}") from None
    except viz.GraphTooLargeError as exc:
        # The renderer's message ends with advice for Python callers; keep the counts.
        counts = str(exc).partition("; ")[0].removeprefix("draw_dot: ")
        counts = counts.replace("max_nodes=", "the limit of ")
        raise _UsageError(f"{where}: cannot draw it: {counts}") from None
    except OSError as exc:
        raise _UsageError(f"{where}: cannot write the file: {exc.strerror or exc}") from None
    except RuntimeError as exc:  # dot itself failed
        raise _UsageError(f"{where}: {exc}") from None


def _svg_target(text: str, force: bool) -> _SvgTarget:
    """Check the ``--svg`` argument; the renderer is imported only when a drawing is asked for."""
    try:
        import autograd.viz as viz
    except ImportError as exc:
        raise _UsageError(
            f"--svg needs the Python package graphviz ({exc}): "
            "pip install 'deltagrad[viz]', and Graphviz's dot program"
        ) from None
    path = Path(text)
    if path.suffix.lower() not in viz.FORMATS:
        shown = f"unknown file type {quote_short(path.suffix)}" if path.suffix else "no file type"
        raise _UsageError(
            f"--svg {shorten(text, PATH_LIMIT)}: {shown}; "
            f"the name must end in {', '.join(viz.FORMATS)}"
        )
    if path.is_dir():
        raise _UsageError(
            f"--svg {shorten(text, PATH_LIMIT)}: is a folder; give a file name such as graph.svg"
        )
    problem = output_problem("--svg", text, force=force, create_parents=True)
    if problem is not None:
        raise _UsageError(problem)
    return _SvgTarget(text, viz, path, force)


def _html_target(text: str, force: bool) -> tuple[Path, bool]:
    """Check the ``--html`` argument before any work: an .html name that may be written."""
    path = Path(text)
    shown = shorten(text, PATH_LIMIT)
    if path.suffix.lower() not in (".html", ".htm"):
        raise _UsageError(f"--html {shown}: the name must end in .html")
    if path.is_dir():
        raise _UsageError(f"--html {shown}: is a folder; give a file name such as graph.html")
    problem = output_problem("--html", text, force=force, create_parents=True)
    if problem is not None:
        raise _UsageError(problem)
    return path, force


def _write_page(target: tuple[Path, bool], root: Value, title: str) -> None:
    """Write the step-through page of ``root``; a failure is a :class:`_UsageError`."""
    path, force = target
    where = f"--html {shorten(str(path), PATH_LIMIT)}"
    try:
        import autograd.viz as viz
        from viewers.page import MAX_TITLE, graph_page
    except ImportError as exc:
        raise _UsageError(
            f"{where}: needs the Python package graphviz ({exc}): pip install 'deltagrad[viz]'"
        ) from None
    shown = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 3] + "..."
    with _drawing_errors(where, viz):
        graph_page(root, title=f"deltagrad grad: {shown}"[:MAX_TITLE]).save(path, force=force)


def _bindings(expression: Expression, pairs: list[str]) -> dict[str, float]:
    """The ``--at NAME=VALUE`` pairs as a dict, checked against the expression's names."""
    values: dict[str, float] = {}
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise _UsageError(
                f"--at expects NAME=VALUE pairs such as x=0.5, got {quote_short(pair)}"
            )
        if name in given:
            raise _UsageError(
                f"{quote_short(name)} is given twice: --at {shorten(given[name])} "
                f"and --at {shorten(pair)}"
            )
        try:
            values[name] = parse_number(text)
        except ExpressionError as exc:
            raise _UsageError(f"--at {shorten(pair)}: {exc.message}") from None
        given[name] = pair
    names = expression.names
    for name in values:
        if name not in names:
            has = f"its names are {_listed(names, quote=False)}" if names else "it has no names"
            raise _UsageError(
                f"--at {shorten(given[name])}: {quote_short(name)} is not in the expression ({has})"
            )
    missing = [name for name in names if name not in values]
    if missing:
        some = " ".join(f"{name}=VALUE" for name in missing[:_LISTED])
        them = "it" if len(missing) == 1 else "them"
        raise _UsageError(
            f"no value for {_listed(missing)}: give {them} with --at {some}"
            + (" ..." if len(missing) > _LISTED else "")
        )
    return values


_LISTED = 4
"""How many names an error message lists (then "and N more")."""


def _listed(names: Sequence[str], quote: bool = True) -> str:
    """Up to :data:`_LISTED` names, each cut short, and how many more there are."""
    shown = [quote_short(n) if quote else n for n in names[:_LISTED]]
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return ", ".join(shown) + more


def _print_text(
    expression: Expression,
    values: dict[str, float],
    value: float,
    gradient: dict[str, float],
    shown_steps: tuple[list[BackwardStep], dict[Value, str]] | None,
    out: TextIO,
) -> None:
    """The title line and ``value``, then the steps if asked for, then every ``d/dNAME``."""
    at = ", ".join(f"{name} = {values[name]!r}" for name in expression.names)
    print(expression.text.strip() + (f" at {at}" if at else ""), file=out)
    rows = [("value", value)] + [(f"d/d{name}", g) for name, g in gradient.items()]
    width = max(len(label) for label, _ in rows)
    for k, (label, number) in enumerate(rows):
        print(f"{label.ljust(width)}  {number!r}", file=out)
        if k == 0 and shown_steps is not None:
            _print_steps(*shown_steps, out)


_STEPS_HEADER = (
    "backward pass, one node at a time: g is the node's gradient, out its value; "
    "each input receives g * (local derivative)"
)


def _print_steps(steps: list[BackwardStep], names: dict[Value, str], out: TextIO) -> None:
    """The backward pass in text, numbers in full: one head line per node, one line per input.

    Graph nodes are written in brackets, ``[x*w + b]``, to tell them from the
    op's own argument names (``a``, ``b``, ``x``) that the rules use.
    """
    if not steps:
        print("backward pass: no steps (no operation involves an input)", file=out)
        return
    print(_STEPS_HEADER, file=out)
    for step in steps:
        nargs = len(step.node.args)
        bound = ", ".join(
            f"{step.op.param(i, nargs)} = "
            + (f"[{names[arg]}]" if isinstance(arg, Value) else format_exact(arg))
            for i, arg in enumerate(step.node.args)
        )
        print(
            f"step {step.index + 1} of {step.count}: [{step.name}] = {step.op.notation} "
            f"with {bound}; g = {format_exact(step.grad)}",
            file=out,
        )
        for c in step.contributions:
            print(f"  to [{c.target_name}]: {c.arithmetic(digits=None)}", file=out)


def _step_json(step: BackwardStep, names: dict[Value, str]) -> dict[str, Any]:
    """One step of ``--steps --json``: the node, its arguments, and what each input receives."""
    nargs = len(step.node.args)
    return {
        "step": step.index + 1,
        "node": step.name,
        "op": step.op.name,
        "notation": step.op.notation,
        "value": _json_number(step.node.data),
        "args": [
            {
                "param": step.op.param(i, nargs),
                "node": names[arg] if isinstance(arg, Value) else None,
                "value": _json_number(arg.data if isinstance(arg, Value) else arg),
            }
            for i, arg in enumerate(step.node.args)
        ],
        "grad": _json_number(step.grad),
        "contributions": [
            {
                "to": c.target_name,
                "param": c.param,
                "rule": c.rule,
                "values": {name: _json_number(x) for name, x in c.values.items()},
                "substituted": c.substituted,
                "local": _json_number(c.local),
                "contribution": _json_number(c.contribution),
            }
            for c in step.contributions
        ],
    }


def _json_number(x: float) -> float | str:
    """``x`` itself if finite; JSON has no NaN or infinity, so those become "nan", "inf", "-inf"."""
    return x if math.isfinite(x) else repr(x)
