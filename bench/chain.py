"""Scalar op chain: forward and backward of ``y = (y * 1.0001).relu()`` repeated.

Per operation (two per link of the chain), deltagrad against micrograd 0.1.0
and, when it is installed, PyTorch on 0-dimensional CPU tensors.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from autograd import Value

from .harness import Result, Timed, clock, interleave

LINKS = 5_000  # 10,000 operations per run
ROUNDS = 11
BLOCK = 5  # runs per contender per round, back to back, like a training loop


def _runner(make_leaf: Callable[[], Any]) -> Timed:
    """Time the chain, forward and backward, on the leaf that ``make_leaf`` returns."""

    def run() -> float:
        x = make_leaf()
        start = clock()
        y = x
        for _ in range(LINKS):
            y = (y * 1.0001).relu()
        y.backward()
        return clock() - start

    return run


_deltagrad = _runner(lambda: Value(1.0))


HEAVY = ("torch", "jax", "numpy")  # frameworks whose import leaves many long-lived objects


def heavy_loaded() -> list[str]:
    """Which of :data:`HEAVY` this process has imported (the first run needs none)."""
    return [name for name in HEAVY if name in sys.modules]


def _micrograd_runner() -> Timed | None:
    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        return None
    return _runner(lambda: MicroValue(1.0))


def _torch_runner() -> Timed | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return _runner(lambda: torch.tensor(1.0, requires_grad=True))


def run() -> list[Result]:
    """Two interleaved runs: deltagrad and micrograd first, then with PyTorch added.

    PyTorch is imported only for the second run: importing it leaves a large
    number of long-lived objects that every full garbage collection must then
    walk, and micrograd, whose graphs are reference cycles, pays for far more
    collections than deltagrad. The first run is micrograd's ratio without
    that handicap; the second is the three-way comparison the same process
    gives once PyTorch is loaded. JAX does the same (micrograd 7.5 µs an
    operation instead of 3.4 with JAX imported earlier in the process): the
    first run notes whether any such framework was loaded before it, and
    ``bench.run`` judges micrograd's target only on a clean first run.
    """
    # micrograd's backward() recurses once per node.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * LINKS + 1000))
    results = []
    contenders: dict[str, Callable[[], float]] = {"deltagrad": _deltagrad}
    notes = []
    micro = _micrograd_runner()
    if micro is None:
        notes.append("micrograd 0.1.0 is not installed: its column is skipped.")
    else:
        contenders["micrograd 0.1.0"] = micro
    first = Result(
        "Scalar op chain, forward + backward (PyTorch not loaded)", "op", baseline="deltagrad"
    )
    heavy = heavy_loaded()
    first.times = interleave(contenders, ROUNDS, per_unit=2 * LINKS, block=BLOCK)
    notes.append(
        f"Loaded in this process before this run: {', '.join(heavy)}: the ratio is not clean."
        if heavy
        else f"None of {', '.join(HEAVY)} was loaded in this process before this run."
    )
    first.notes = notes
    results.append(first)
    torch = _torch_runner()
    second = Result(
        "Scalar op chain, forward + backward (PyTorch loaded)", "op", baseline="deltagrad"
    )
    if torch is None:
        second.notes.append("PyTorch (CPU) is not installed: this comparison is skipped.")
        return results
    contenders["PyTorch (CPU)"] = torch
    second.times = interleave(contenders, ROUNDS, per_unit=2 * LINKS, block=BLOCK)
    results.append(second)
    return results
