"""Scalar op chain: forward and backward of ``y = (y * 1.0001).relu()`` repeated.

Per operation (two per link of the chain), deltagrad against micrograd 0.1.0
and, when it is installed, PyTorch on 0-dimensional CPU tensors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from autograd import Value

from .harness import Result, Timed, clock, fresh_runs, interleave, pool

LINKS = 5_000  # 10,000 operations per run
ROUNDS = 11
PROCESSES = 3  # fresh processes for the first run, their rounds pooled
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


def _first_run() -> Result:
    """deltagrad and micrograd, interleaved, in this process (which must have loaded none
    of :data:`HEAVY`: see :func:`run`)."""
    contenders: dict[str, Callable[[], float]] = {"deltagrad": _deltagrad}
    first = Result(
        "Scalar op chain, forward + backward (PyTorch not loaded)", "op", baseline="deltagrad"
    )
    micro = _micrograd_runner()
    if micro is None:
        first.notes.append("micrograd 0.1.0 is not installed: its column is skipped.")
    else:
        contenders["micrograd 0.1.0"] = micro
    heavy = [name for name in HEAVY if name in sys.modules]
    if heavy:
        raise RuntimeError(f"the first op chain run needs a process without {', '.join(heavy)}")
    first.times = interleave(contenders, ROUNDS, per_unit=2 * LINKS, block=BLOCK)
    first.notes.append(f"Run in a fresh process, where none of {', '.join(HEAVY)} was loaded.")
    return first


def run() -> list[Result]:
    """Two interleaved runs: deltagrad and micrograd in fresh processes, then with PyTorch
    added in this one.

    Importing PyTorch leaves a large number of long-lived objects that every full
    garbage collection must then walk, and micrograd, whose graphs are reference cycles,
    pays for far more collections than deltagrad. JAX does the same, and so, less, do
    the objects the other benchmarks leave alive (micrograd measured 3.0-3.6 µs an
    operation in fresh processes, 6.6 µs with JAX imported first, 4.9 µs at the end of
    ``make bench`` with nothing heavy imported). The first run is micrograd's ratio
    without any of that, in processes of its own (three, their rounds pooled: like the
    Iris contest of bench/compiled.py, one process is one draw); the second is the
    three-way comparison this process gives once PyTorch is loaded.
    """
    # micrograd's backward() recurses once per node.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * LINKS + 1000))
    first = Result(
        "Scalar op chain, forward + backward (PyTorch not loaded)", "op", baseline="deltagrad"
    )
    runs = fresh_runs("bench.chain", [], PROCESSES)
    first.notes = runs[0]["notes"]
    own = pool(first, runs, "micrograd 0.1.0")
    if own:
        first.notes.append(
            f"{PROCESSES} processes of {len(runs[0]['times']['deltagrad'])} rounds each, "
            "pooled; micrograd / deltagrad in each process on its own: "
            f"{', '.join(f'{r:.2f}' for r in own)}."
        )
    results = [first]
    contenders: dict[str, Callable[[], float]] = {"deltagrad": _deltagrad}
    micro = _micrograd_runner()
    if micro is not None:
        contenders["micrograd 0.1.0"] = micro
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


if __name__ == "__main__":  # python -m bench.chain: the first run, printed as JSON
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * LINKS + 1000))
    done = _first_run()
    print(json.dumps({"times": done.times, "notes": done.notes}))
