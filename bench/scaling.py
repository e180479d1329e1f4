"""Scaling: time per node of forward and backward for graphs of 10^4, 10^5 and 10^6 nodes.

Two shapes: a chain (``y = (y * c).relu()``, every node used once, depth n)
and a wide sum (n leaves, each scaled, summed by one ``sum`` node). Reported
with CPython's cyclic garbage collector running, as users run it, and paused,
which isolates the engine's own work: the collector rescans every live object
whenever survivors grow by a quarter, which costs graphs much larger than the
interpreter itself a roughly constant extra per node once they pass that size.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

import autograd as ag
from autograd import Value

from .harness import clock

SIZES = (10_000, 100_000, 1_000_000)


@dataclass
class ScalingRow:
    shape: str
    collector: str
    per_node: dict[int, tuple[float, float]]  # size -> (forward s/node, backward s/node)
    in_collector: dict[int, float]  # size -> seconds per node spent in garbage collections

    def total(self, n: int) -> float:
        return sum(self.per_node[n])

    @property
    def ratio(self) -> float:
        """Per-node time (forward + backward) at the largest size over the smallest."""
        return self.total(SIZES[-1]) / self.total(SIZES[0])


def _chain(n: int) -> tuple[float, float]:
    x = Value(1.0)
    start = clock()
    y = x
    for _ in range(n // 2):
        y = (y * 1.0000001).relu()
    mid = clock()
    y.backward()
    end = clock()
    return (mid - start) / n, (end - mid) / n


def _wide(n: int) -> tuple[float, float]:
    leaves = [Value(1.0) for _ in range(n // 2)]
    start = clock()
    total = ag.sum([x * 2.0 for x in leaves])
    mid = clock()
    total.backward()
    end = clock()
    return (mid - start) / n, (end - mid) / n


class _CollectorClock:
    """Adds up the time CPython spends in garbage collections (through ``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = clock()
        else:
            self.total += clock() - self._started


def _measure(
    shape: Callable[[int], tuple[float, float]], n: int, repeats: int
) -> tuple[tuple[float, float], float]:
    """Median run of ``shape(n)`` and the collector's time per node in that run."""
    runs = []
    for _ in range(repeats):
        gc.collect()
        timer = _CollectorClock()
        gc.callbacks.append(timer)
        try:
            times = shape(n)
        finally:
            gc.callbacks.remove(timer)
        runs.append((times, timer.total / n))
    runs.sort(key=lambda run: sum(run[0]))
    return runs[len(runs) // 2]


def run() -> list[ScalingRow]:
    rows = []
    for name, shape in (("chain", _chain), ("wide sum", _wide)):
        for collector in ("running", "paused"):
            per_node = {}
            in_collector = {}
            for n in SIZES:
                repeats = 5 if n < 1_000_000 else 3
                was_enabled = gc.isenabled()
                if collector == "paused":
                    gc.disable()
                try:
                    per_node[n], in_collector[n] = _measure(shape, n, repeats)
                finally:
                    if was_enabled:
                        gc.enable()
            rows.append(ScalingRow(name, collector, per_node, in_collector))
    return rows
