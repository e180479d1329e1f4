"""``deltagrad draw MODEL.json -o net.svg``: the network view of a saved model.

The model file is one written by ``Module.save`` (``deltagrad train iris
--save``). Without ``--input`` the picture shows the weights and biases only;
with ``--input 0.2,0.5,...`` the network computes on those numbers and every
neuron shows its ``z`` and ``a``; with ``--target`` too, the loss
``L = 1/2 sum (y - y_hat)^2`` is computed and back-propagated, and every
neuron shows its ``delta = dL/dz``.

Exit status: 0 done, 2 a usage error (bad arguments, unreadable or invalid
model file, a network too large to draw legibly), one line on stderr.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TextIO

from nn import MLP, half_squared_error
from nn.modelfile import ModelFileError
from viewers.network import MAX_LAYERS, MAX_NEURONS, draw_network

from ..outputs import FORCE_HELP, output_problem

__all__ = ["EXIT_USAGE", "register", "run"]

EXIT_USAGE = 2
_PROG = "deltagrad draw"


class _UsageError(Exception):
    pass


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``draw`` subcommand."""
    p = subparsers.add_parser(
        "draw",
        help="draw a saved network as the articles do (SVG)",
        description="Draw the network view of a model file: one column per layer, z, a and "
        "delta in each neuron, weights as lines whose width and colour show magnitude and sign.",
        epilog="exit status: 0 done, 2 usage error (bad arguments or model file)",
    )
    p.add_argument("model", help="a model file written by deltagrad train --save")
    p.add_argument("-o", "--output", required=True, help="the SVG file to write")
    p.add_argument("--input", help="comma-separated input numbers: show z and a of each neuron")
    p.add_argument("--target", help="comma-separated targets (with --input): show delta too")
    p.add_argument("--digits", type=int, default=4, help="significant digits (1-17, default 4)")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(run=run)


def _numbers(text: str, what: str, count: int) -> list[float]:
    parts = text.split(",")
    if len(parts) != count:
        raise _UsageError(f"{what} needs {count} comma-separated numbers, got {len(parts)}")
    numbers = []
    for k, part in enumerate(parts, start=1):
        try:
            x = float(part)
        except ValueError:
            raise _UsageError(f"{what} number {k} is not a number: {part.strip()[:20]!r}") from None
        if not math.isfinite(x):
            raise _UsageError(f"{what} number {k} must be finite, got {part.strip()[:20]!r}")
        numbers.append(x)
    return numbers


def run(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Carry out ``deltagrad draw``; return the exit status."""
    err = sys.stderr if err is None else err
    try:
        target = Path(args.output)
        if target.suffix.lower() != ".svg":
            raise _UsageError(f"-o must name an .svg file, got {args.output[:60]!r}")
        if not 1 <= args.digits <= 17:
            raise _UsageError(f"--digits must be from 1 to 17, got {args.digits}")
        problem = output_problem("-o", args.output, force=args.force, create_parents=True)
        if problem is not None:
            raise _UsageError(problem)
        try:
            net = MLP.load(args.model)
        except FileNotFoundError:
            raise _UsageError(f"no such model file: {args.model[:80]!r}") from None
        except (OSError, ModelFileError) as exc:
            raise _UsageError(str(exc)) from None
        sizes = [net.nin, *net.nouts]
        if len(net.layers) > MAX_LAYERS or max(sizes) > MAX_NEURONS:
            raise _UsageError(
                f"the network {net!r:.60} is too large to draw legibly (at most {MAX_LAYERS} "
                f"layers of at most {MAX_NEURONS} neurons)"
            )
        loss = None
        if args.target is not None and args.input is None:
            raise _UsageError("--target needs --input")
        if args.input is not None:
            outputs = net(_numbers(args.input, "--input", net.nin))
            if args.target is not None:
                loss = half_squared_error(outputs, _numbers(args.target, "--target", net.nouts[-1]))
                loss.backward()
        view = draw_network(net, loss=loss, digits=args.digits)
        try:
            view.save(target, force=args.force)
        except OSError as exc:
            raise _UsageError(f"cannot write {args.output[:80]!r}: {exc.strerror}") from None
    except _UsageError as exc:
        print(f"{_PROG}: error: {exc}", file=err)
        return EXIT_USAGE
    width, height = view.size()
    print(f"{target} ({width:.0f} x {height:.0f} px)")
    return 0
