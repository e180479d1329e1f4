"""Initial values for weights and biases.

An initialiser is a function ``init(rng, fan_in, fan_out) -> float`` that draws
one parameter of a neuron with ``fan_in`` inputs in a layer of ``fan_out``
neurons, from the random generator ``rng``. Networks draw their parameters in
parameter order (layer by layer, neuron by neuron, each neuron's weights in
input order, then its bias), one call per parameter, so a seeded generator
gives the same network every time.

Named initialisers (:data:`INITIALIZERS`):

* ``"scaled_uniform"`` (the default): ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``.
  The bound shrinks with the number of inputs, so ``z = sum_i w_i x_i + b``
  stays of order 1 however wide the layer, and sigmoid and tanh neurons start
  away from their flat tails.
* ``"uniform01"``: ``U[0, 1)``, one ``rng.random()`` per parameter, biases
  included. This is the draw of article 003's Iris program.
* ``"zeros"``: every parameter 0 (no randomness; used when parameters are
  about to be overwritten, e.g. when a model file is loaded).

>>> import random
>>> resolve_init("uniform01")(random.Random(0), 4, 5) == random.Random(0).random()
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import TypeAlias

__all__ = [
    "INITIALIZERS",
    "Initializer",
    "make_rng",
    "resolve_init",
    "scaled_uniform",
    "uniform01",
    "zeros",
]

Initializer: TypeAlias = Callable[[random.Random, int, int], float]
"""``init(rng, fan_in, fan_out) -> float``: one parameter's initial value."""


def scaled_uniform(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """One draw from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``."""
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound)


def uniform01(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """One draw from ``U[0, 1)`` (``rng.random()``), as article 003's Iris program does."""
    return rng.random()


def zeros(rng: random.Random, fan_in: int, fan_out: int) -> float:
    """Always 0.0; draws nothing from ``rng``."""
    return 0.0


INITIALIZERS: dict[str, Initializer] = {
    "scaled_uniform": scaled_uniform,
    "uniform01": uniform01,
    "zeros": zeros,
}


def resolve_init(init: str | Initializer) -> Initializer:
    """The initialiser named ``init`` (a key of :data:`INITIALIZERS`), or ``init`` itself."""
    if callable(init):
        return init
    try:
        return INITIALIZERS[init]
    except (KeyError, TypeError):
        known = ", ".join(repr(k) for k in INITIALIZERS)
        raise ValueError(f"init: unknown initialiser {init!r}; known: {known}") from None


def make_rng(seed: int | random.Random | None) -> random.Random:
    """A generator from a seed: an ``int`` seeds a new one, a ``Random`` is used as it is.

    ``None`` gives a generator seeded from the operating system (a different
    network every run).
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random()
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed: expected an int, a random.Random or None, got {seed!r:.60}")
    return random.Random(seed)
