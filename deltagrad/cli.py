"""The ``deltagrad`` command line: a dispatcher over :mod:`deltagrad.commands`.

Each subcommand lives in its own module there, which registers its parser
and its ``run`` function; add a module to :data:`COMMANDS` to add one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .commands import demo, draw, grad, train

COMMANDS = (demo, train, grad, draw)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deltagrad", description="Watch backpropagation happen, one node at a time."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        print("deltagrad: interrupted", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
