"""Measure contenders side by side: interleaved rounds, medians, and paired ratios.

Absolute times on a shared machine drift from minute to minute; a ratio of two
contenders timed back to back in the same round does not drift much. So every
benchmark runs all of its contenders once per round, in an order that rotates
from round to round, and reports for each contender the median time and the
median over rounds of its time divided by the baseline's time in that round.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Timed = Callable[[], float]
"""Runs the workload once and returns the seconds it took for the measured part."""


@dataclass
class Result:
    """One benchmark: per-contender times (seconds per unit of work) and ratios."""

    name: str
    unit: str  # what one "unit" of work is, e.g. "op" or "training step"
    times: dict[str, list[float]] = field(default_factory=dict)
    baseline: str = ""
    notes: list[str] = field(default_factory=list)

    def median(self, who: str) -> float:
        return statistics.median(self.times[who])

    def ratio(self, who: str, against: str | None = None) -> float:
        """Median over rounds of ``time(who) / time(against)`` (paired by round)."""
        return statistics.median(self.ratios(who, against))

    def ratios(self, who: str, against: str | None = None) -> list[float]:
        """``time(who) / time(against)`` in each round (paired by round)."""
        other = self.times[against or self.baseline]
        return [a / b for a, b in zip(self.times[who], other, strict=True)]

    def spread(self, who: str, against: str | None = None) -> tuple[float, float]:
        """The quartiles of the per-round ratios: half of the rounds lie between them."""
        q1, _, q3 = statistics.quantiles(self.ratios(who, against), n=4)
        return q1, q3


def interleave(
    contenders: Mapping[str, Timed],
    rounds: int,
    *,
    per_unit: float = 1.0,
    block: int = 1,
    warmup: int = 1,
) -> dict[str, list[float]]:
    """Time each contender once per round, rotating the order; return seconds per unit.

    Within a round a contender runs ``block`` times in a row and its time is
    the sum. The cyclic garbage collector stays on, as in any user's loop, so
    what a contender leaves for it (micrograd's closures form reference
    cycles) is paid for inside that contender's own block; between blocks a
    full collection, not timed, keeps one contender's garbage from being billed
    to the next.
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            total = sum(contenders[name]() for _ in range(block))
            times[name].append(total / (block * per_unit))
    gc.collect()
    return times


ROOT = Path(__file__).resolve().parent.parent  # (where ``python -m bench.<module>`` runs)


def fresh_runs(module: str, args: Sequence[str], processes: int) -> list[dict[str, Any]]:
    """What ``python -m <module> <args>`` prints as JSON, in ``processes`` fresh
    interpreters run one after another.

    One process is one draw: its rounds agree closely, but the whole process can
    land a few per cent faster or slower than the next (its memory layout, what
    else it has loaded). A contest that sits near its target runs in several, and
    :func:`pool` puts their rounds together (pyperf runs several worker processes
    for the same reason).
    """
    command = [sys.executable, "-m", module, *args]
    return [
        json.loads(
            subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        )
        for _ in range(processes)
    ]


def pool(result: Result, runs: Sequence[Mapping[str, Any]], who: str) -> list[float]:
    """Append each run's ``times`` to ``result``'s, round by round (each process's rounds
    stay paired with its own baseline); return each run's own ratio for ``who``."""
    own = []
    for run in runs:
        times: dict[str, list[float]] = run["times"]
        for name, seconds in times.items():
            result.times.setdefault(name, []).extend(seconds)
        if who in times:
            own.append(Result(result.name, result.unit, dict(times), result.baseline).ratio(who))
    return own


def clock() -> float:
    return time.perf_counter()


def fmt_time(seconds: float) -> str:
    """A duration with a unit that keeps three significant digits."""
    for scale, unit in ((1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms")):
        if seconds < scale * 1000:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"
