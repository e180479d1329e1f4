"""Scalar op chain: forward and backward of ``y = (y * 1.0001).relu()`` repeated.

Per operation (two per link of the chain), deltagrad against micrograd 0.1.0
and, when it is installed, PyTorch on 0-dimensional CPU tensors.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from autograd import Value

from .harness import Result, Timed, clock, interleave

LINKS = 5_000  # 10,000 operations per run
ROUNDS = 11
BLOCK = 5  # runs per contender per round, back to back, like a training loop


def _deltagrad() -> float:
    x = Value(1.0)
    start = clock()
    y = x
    for _ in range(LINKS):
        y = (y * 1.0001).relu()
    y.backward()
    return clock() - start


def _micrograd_runner() -> Timed | None:
    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        return None

    def run() -> float:
        x = MicroValue(1.0)
        start = clock()
        y = x
        for _ in range(LINKS):
            y = (y * 1.0001).relu()
        y.backward()
        return clock() - start

    return run


def _torch_runner() -> Timed | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def run() -> float:
        x = torch.tensor(1.0, requires_grad=True)
        start = clock()
        y = x
        for _ in range(LINKS):
            y = (y * 1.0001).relu()
        y.backward()
        return clock() - start

    return run


def run() -> Result:
    # micrograd's backward() recurses once per node.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * LINKS + 1000))
    contenders: dict[str, Callable[[], float]] = {"deltagrad": _deltagrad}
    result = Result("Scalar op chain, forward + backward", "op", baseline="deltagrad")
    for name, make in (("micrograd 0.1.0", _micrograd_runner), ("PyTorch (CPU)", _torch_runner)):
        runner = make()
        if runner is None:
            result.notes.append(f"{name} is not installed: its column is skipped.")
        else:
            contenders[name] = runner
    result.times = interleave(contenders, ROUNDS, per_unit=2 * LINKS, block=BLOCK)
    return result
