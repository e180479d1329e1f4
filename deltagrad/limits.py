"""The bounds of every size a user gives the command line, and why each is what it is.

Each number a user types is checked against its bound when the arguments are
read, with a message that names the limit and the reason, before any memory
is taken: ``--hidden 1000000000`` would otherwise build a billion neurons and
end in a ``MemoryError``. :func:`bounded_int` makes the argparse type.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from autograd.formatting import quote_short

__all__ = ["ARGUMENTS", "EPOCHS", "HIDDEN", "SEED_DIGITS", "Limit", "bounded_int", "seed_int"]


@dataclass(frozen=True)
class Limit:
    """An integer bound: ``low <= value <= high``, and the reason for ``high``."""

    low: int
    high: int
    why: str


HIDDEN = Limit(
    1,
    1024,
    "each neuron adds about 20 graph nodes per sample; 2 layers of 1024 take minutes an epoch",
)
"""``train --hidden``: neurons in each hidden layer."""

EPOCHS = Limit(
    1,
    100_000,
    "the history keeps one row per epoch, and 100000 Iris epochs take hours",
)
"""``train --epochs`` and ``demo --epochs``."""

ARGUMENTS = Limit(
    0,
    4000,
    "an expression has at most 1000 names, each needing one --at value; and argparse's "
    "time grows with the square of the number of options",
)
"""How many command-line arguments ``deltagrad`` reads at most."""

SEED_DIGITS = 100
"""``train --seed``: at most this many digits (any integer is a seed; a longer one adds
nothing but time to read it)."""


def bounded_int(limit: Limit) -> Callable[[str], int]:
    """An argparse ``type`` reading an integer within ``limit``, with a message naming it."""

    def parse(text: str) -> int:
        significant = text.strip().lstrip("+").lstrip("0")
        if significant.isdigit() and len(significant) > len(str(limit.high)):
            raise argparse.ArgumentTypeError(
                f"{quote_short(text)} is too large: the limit is {limit.high} ({limit.why})"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{quote_short(text)} is not an integer") from None
        if value < limit.low:
            raise argparse.ArgumentTypeError(f"must be at least {limit.low}, got {value}")
        if value > limit.high:
            raise argparse.ArgumentTypeError(
                f"{value} is too large: the limit is {limit.high} ({limit.why})"
            )
        return value

    return parse


def seed_int(text: str) -> int:
    """An argparse ``type`` for a seed: any integer of at most :data:`SEED_DIGITS` digits."""
    if len(text.strip().lstrip("+-")) > SEED_DIGITS:
        raise argparse.ArgumentTypeError(
            f"{quote_short(text)} has more than {SEED_DIGITS} digits; give a shorter seed"
        )
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote_short(text)} is not an integer") from None
