"""The ``deltagrad`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd import Value
from autograd.table import node_table
from nn import grad_command


def run_demo() -> int:
    """The main job: an expression, its backward pass, and every node's value and gradient."""
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(1.0, "c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d.tanh()
    L.label = "L"
    L.backward()
    print("L = tanh(a*b + c) with a = 0.5, b = -1.5, c = 1.0\n")
    print(node_table(L))
    print(f"\nby hand: dL/da = (1 - L**2) * b = {(1 - L.data**2) * b.data:.6g}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deltagrad", description="Watch backpropagation happen, one node at a time."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the main demonstration")
    grad_command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        return run_demo()
    if args.command == "grad":
        return grad_command.run(args)
    return 2  # unreachable: argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
