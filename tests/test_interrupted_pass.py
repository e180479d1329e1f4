"""An interrupted backward pass loses nothing.

After any exception inside ``backward()`` (Ctrl-C, ``AnomalyError``, an error
from an operation) every leaf holds exactly what it held before the call, and
the next pass adds exactly one pass. Exceptions are injected at every line the
pass executes (``sys.settrace`` raises ``KeyboardInterrupt`` at the k-th line
event, for every k) and from an op's ``partials`` on its k-th call. Checks are
exact (``bits``): prior gradients include 1e6, NaN and -0.0.
"""

from __future__ import annotations

import dataclasses
import math
import struct
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from autograd import AnomalyError, Value, detect_anomaly, nodes_of
from autograd import linear as vlinear
from autograd import sum as vsum

PRIORS = (1e6, 5.0, -0.0, math.nan, 0.0, -3.25)


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def build() -> tuple[Value, list[Value]]:
    """A small graph with shared nodes, constants and variadic nodes; leaves hold PRIORS."""
    a, b, c, d, e, f = (Value(v) for v in (0.5, -1.5, 2.0, 0.25, 3.0, -0.75))
    leaves = [a, b, c, d, e, f]
    for leaf, prior in zip(leaves, PRIORS, strict=True):
        leaf.grad = prior
    h = (a * b + c).tanh()
    k = vlinear([a, d], [h, e], f).sigmoid()
    out = vsum([h * k, k / 2.0, (c**2.0).log(), 3.0 - e.exp() * h]) * h
    return out, leaves


def one_pass() -> list[float]:
    out, leaves = build()
    for leaf in leaves:
        leaf.grad = 0.0
    out.backward()
    return [leaf.grad for leaf in leaves]


def check_restored(leaves: list[Value]) -> None:
    for leaf, prior in zip(leaves, PRIORS, strict=True):
        assert bits(leaf.grad) == bits(prior), (leaf.grad, prior)


def check_another_thread_can_run_a_pass() -> None:
    """The interrupted pass gave the pass lock back: another thread's pass is not blocked."""
    done = threading.Event()

    def other() -> None:
        y = Value(2.0) * 3.0
        y.backward()
        done.set()

    t = threading.Thread(target=other, daemon=True)
    t.start()
    assert done.wait(30), "the pass lock was left held"


def check_next_pass_adds_one(out: Value, leaves: list[Value]) -> None:
    check_another_thread_can_run_a_pass()
    for node in nodes_of(out):
        assert node._pending == 0
    out.backward()
    for leaf, prior, g in zip(leaves, PRIORS, one_pass(), strict=True):
        assert bits(leaf.grad) == bits(prior + g), (leaf.grad, prior, g)


ENGINE_FILES = ("engine.py", "anomaly.py")


def run_interrupted(call: Callable[[], Any], k: int) -> int:
    """Run ``call`` raising KeyboardInterrupt at the k-th line of the engine; return lines seen."""
    seen = 0
    fired = False

    def tracer(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal seen, fired
        if not frame.f_code.co_filename.endswith(ENGINE_FILES):
            return None
        if event == "line" and not fired:
            seen += 1
            if seen == k:
                fired = True
                raise KeyboardInterrupt
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return seen


def count_lines(checked: bool) -> int:
    out, _ = build()
    if checked:
        with detect_anomaly():
            return run_interrupted(out.backward, 0)
    return run_interrupted(out.backward, 0)


@pytest.mark.parametrize("checked", [False, True], ids=["backward", "detect_anomaly"])
def test_ctrl_c_at_every_line_of_the_pass(checked: bool) -> None:
    total = count_lines(checked)
    assert total > 100  # the trace does see the pass
    for k in range(1, total + 1):
        out, leaves = build()
        with pytest.raises(KeyboardInterrupt):
            if checked:
                with detect_anomaly():
                    run_interrupted(out.backward, k)
            else:
                run_interrupted(out.backward, k)
        check_restored(leaves)
        check_next_pass_adds_one(out, leaves)


class Injected(Exception):
    pass


def failing_on_call(k: int) -> Callable[[Any], Any]:
    """Wraps every op of a graph so that the k-th partials call (over the pass) raises."""
    calls = 0

    def wrap(op: Any) -> Any:
        plain = op.partials

        def partials(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == k:
                raise Injected(f"partials call {k}")
            return plain(*args)

        return dataclasses.replace(op, partials=partials)

    return wrap


@pytest.mark.parametrize("checked", [False, True], ids=["backward", "detect_anomaly"])
def test_an_operation_failing_on_its_kth_partials_call(checked: bool) -> None:
    k = 1
    while True:
        out, leaves = build()
        wrap = failing_on_call(k)
        saved = {}
        for node in nodes_of(out):
            if node._op is not None and node._op.arity is not None:
                saved[node] = node._op
                node._op = wrap(node._op)
        try:
            if checked:
                with detect_anomaly():
                    out.backward()
            else:
                out.backward()
        except Injected:
            check_restored(leaves)
            for node, op in saved.items():
                node._op = op
            check_next_pass_adds_one(out, leaves)
            k += 1
            continue
        break  # k is past the last call: the pass completed
    assert k > 10


def test_the_issue_anomaly_example_keeps_the_gradient() -> None:
    x = Value(0.0)
    x.grad = 5.0
    with detect_anomaly(), pytest.raises(AnomalyError):
        (x**0.5).backward()  # d sqrt(x)/dx at 0 is inf
    assert x.grad == 5.0
    (x * 2.0).backward()
    assert x.grad == 7.0


def test_a_failing_leaf_root_and_a_failing_seed_change_nothing() -> None:
    x = Value(1.0)
    x.grad = 1e6
    with pytest.raises(TypeError):
        x.backward("1")  # type: ignore[arg-type]
    assert x.grad == 1e6
    assert run_interrupted(x.backward, 0) > 0
    assert x.grad == 1e6 + 1.0
    for k in range(1, 20):
        x.grad = 1e6
        try:
            run_interrupted(x.backward, k)
        except KeyboardInterrupt:
            assert x.grad == 1e6
        else:
            assert x.grad == 1e6 + 1.0
