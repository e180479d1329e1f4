"""Memory: bytes per graph node, measured with tracemalloc, against micrograd.

Two graphs: the op chain of the speed benchmark (where micrograd also makes a
node for each constant 1.0001, so it is reported per operation), and a graph
without constants, ``y = (y * w + b).relu()`` with shared leaves ``w`` and
``b``, where both engines make exactly three nodes per link: per node.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

from autograd import Value

LINKS = 20_000


def _bytes(build: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        graph = build()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del graph
    return after - before


def _chain(cls: Any) -> Callable[[], Any]:
    def build() -> Any:
        y = cls(1.0)
        for _ in range(LINKS):
            y = (y * 1.0001).relu()
        return y

    return build


def _affine_chain(cls: Any) -> Callable[[], Any]:
    def build() -> Any:
        w, b = cls(0.5), cls(0.1)
        y = cls(1.0)
        for _ in range(LINKS):
            y = (y * w + b).relu()
        return y

    return build


def run() -> dict[str, dict[str, float]]:
    """``{graph: {engine: bytes per unit}}``; units: operations (chain), nodes (affine chain)."""
    engines: dict[str, Any] = {"deltagrad": Value}
    try:
        from micrograd.engine import Value as MicroValue

        engines["micrograd 0.1.0"] = MicroValue
    except ImportError:
        pass
    out: dict[str, dict[str, float]] = {"chain, per op": {}, "no constants, per node": {}}
    for name, cls in engines.items():
        out["chain, per op"][name] = _bytes(_chain(cls)) / (2 * LINKS)
        out["no constants, per node"][name] = _bytes(_affine_chain(cls)) / (3 * LINKS)
    return out
