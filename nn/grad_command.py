"""``deltagrad grad``: the value and every gradient of an expression typed by a user.

::

    $ deltagrad grad "tanh(x*w + b)" --at x=1 w=0.5 b=-0.2
    tanh(x*w + b) at x = 1.0, w = 0.5, b = -0.2
    value  0.2913126124515909
    d/dx   0.4575684809133146
    d/dw   0.9151369618266292
    d/db   0.9151369618266292

The expression is read by :mod:`autograd.expr` (parsed, never evaluated as
Python). Results go to stdout; a problem is reported on stderr, never as a
traceback, with the exit status telling its kind:

* 0: done;
* 1: the math failed on these numbers: a domain error such as ``log`` of a
  negative number, a division by zero or an overflow, in the forward or the
  backward pass (one line);
* 2: the command was used wrongly: an expression outside the grammar (the
  message points at the offending part, compiler style), a malformed ``--at``
  pair, a value that is not a finite decimal number, a name without a value,
  a name given twice, or a value for a name the expression does not have (one
  line each).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TextIO

from autograd.expr import FUNCTIONS, EvaluationError, Expression, ExpressionError, parse_number
from autograd.expr import parse as parse_expression

__all__ = ["EXIT_MATH", "EXIT_USAGE", "add_parser", "run"]

EXIT_MATH = 1
"""Exit status when an operation fails on the given numbers."""
EXIT_USAGE = 2
"""Exit status for an expression or ``--at`` arguments that cannot be used (as argparse uses)."""

_PROG = "deltagrad grad"
_FUNCTIONS = ", ".join(FUNCTIONS)
_EPILOG = f"""\
examples:
  deltagrad grad "tanh(x*w + b)" --at x=1 w=0.5 b=-0.2
  deltagrad grad "x**2 + sum(x, y, 1)" --at x=3 y=-1 --json
  deltagrad grad --at z=0.5 -- "-log(sigmoid(z))"   (an expression starting with '-'
                                                    goes after '--', which ends the options)

The language: numbers, names, + - * / ** (as in Python: -x**2 is -(x**2)),
parentheses and the functions {_FUNCTIONS}.
exit status: 0 done, 1 math error (e.g. log of a negative), 2 usage error.
"""


class _UsageError(Exception):
    """A mistake in the command's arguments; its text is the one line to print."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``grad`` subcommand on the ``deltagrad`` parser."""
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
    except _UsageError as exc:
        print(f"{_PROG}: error: {exc}", file=err)
        return EXIT_USAGE
    try:
        root, leaves = expression.build(values)
    except EvaluationError as exc:
        print(f"{_PROG}: error: {exc}", file=err)
        return EXIT_MATH
    try:
        root.backward()
    except (ArithmeticError, ValueError) as exc:
        print(f"{_PROG}: error: the backward pass failed: {type(exc).__name__}: {exc}", file=err)
        return EXIT_MATH
    gradient = {name: leaves[name].grad for name in expression.names}
    if args.json:
        report = {
            "expression": expression.text,
            "at": {name: _json_number(values[name]) for name in expression.names},
            "value": _json_number(root.data),
            "gradient": {name: _json_number(g) for name, g in gradient.items()},
        }
        print(json.dumps(report, indent=2, allow_nan=False), file=out)
    else:
        _print_text(expression, values, root.data, gradient, out)
    return 0


def _bindings(expression: Expression, pairs: list[str]) -> dict[str, float]:
    """The ``--at NAME=VALUE`` pairs as a dict, checked against the expression's names."""
    values: dict[str, float] = {}
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise _UsageError(f"--at expects NAME=VALUE pairs such as x=0.5, got {pair!r}")
        if name in given:
            raise _UsageError(f"{name!r} is given twice: --at {given[name]} and --at {pair}")
        try:
            values[name] = parse_number(text)
        except ExpressionError:
            raise _UsageError(
                f"--at {pair}: {text.strip()!r} is not a finite decimal number "
                "(write e.g. 2, -0.5 or 1e-3)"
            ) from None
        given[name] = pair
    names = expression.names
    for name in values:
        if name not in names:
            has = f"its names are {', '.join(names)}" if names else "it has no names"
            raise _UsageError(f"--at {given[name]}: {name!r} is not in the expression ({has})")
    missing = [name for name in names if name not in values]
    if missing:
        some = " ".join(f"{name}=VALUE" for name in missing)
        them = "it" if len(missing) == 1 else "them"
        raise _UsageError(
            f"no value for {', '.join(repr(n) for n in missing)}: give {them} with --at {some}"
        )
    return values


def _print_text(
    expression: Expression,
    values: dict[str, float],
    value: float,
    gradient: dict[str, float],
    out: TextIO,
) -> None:
    at = ", ".join(f"{name} = {values[name]!r}" for name in expression.names)
    print(expression.text.strip() + (f" at {at}" if at else ""), file=out)
    rows = [("value", value)] + [(f"d/d{name}", g) for name, g in gradient.items()]
    width = max(len(label) for label, _ in rows)
    for label, number in rows:
        print(f"{label.ljust(width)}  {number!r}", file=out)


def _json_number(x: float) -> float | str:
    """``x`` itself if finite; JSON has no NaN or infinity, so those become "nan", "inf", "-inf"."""
    return x if math.isfinite(x) else repr(x)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``grad`` subcommand (the interface of :mod:`nn.commands` modules)."""
    add_parser(subparsers)
    subparsers.choices["grad"].set_defaults(run=run)
