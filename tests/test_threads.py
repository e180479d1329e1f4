"""Threads: ``no_grad()`` is per thread, and concurrent backward passes are correct.

The thread switch interval is made tiny so that threads interleave at many
points; each test repeats its trial many times. Gradients are compared exactly:
every number involved is a small multiple of a power of two, so every sum is
exact whatever order the passes run in.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from autograd import Value, is_grad_enabled, no_grad


@pytest.fixture(autouse=True)
def fast_switching() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def run_threads(*targets: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as e:  # reported in the main thread
                errors.append(e)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    if errors:
        raise errors[0]


def test_interleaved_blocks_t1_enters_t2_enters_t1_exits_t2_exits() -> None:
    t1_in, t2_in, t1_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def t1() -> None:
        with no_grad():
            t1_in.set()
            assert t2_in.wait(10)
            seen["t1 inside"] = (Value(1.0) * 2).is_leaf
        t1_out.set()
        seen["t1 after"] = ((Value(1.0) * 2).op, is_grad_enabled())

    def t2() -> None:
        assert t1_in.wait(10)
        with no_grad():
            t2_in.set()
            assert t1_out.wait(10)
            # t1 has left its block; t2 is still inside its own
            seen["t2 inside after t1 left"] = ((Value(1.0) * 2).is_leaf, is_grad_enabled())
        seen["t2 after"] = ((Value(1.0) * 2).op, is_grad_enabled())

    for _ in range(50):
        run_threads(t1, t2)
        assert seen == {
            "t1 inside": True,
            "t1 after": ("mul", True),
            "t2 inside after t1 left": (True, False),
            "t2 after": ("mul", True),
        }
        t1_in.clear(), t2_in.clear(), t1_out.clear()
        assert is_grad_enabled() and (Value(1.0) * 2).op == "mul"


def test_a_block_in_one_thread_does_not_stop_recording_in_another() -> None:
    inside, done = threading.Event(), threading.Event()
    recorded: list[bool] = []

    def evaluator() -> None:
        with no_grad():
            inside.set()
            assert done.wait(10)

    def trainer() -> None:
        assert inside.wait(10)
        recorded.append(not (Value(1.0) * 2).is_leaf)
        done.set()

    run_threads(evaluator, trainer)
    assert recorded == [True]


def test_trainer_and_evaluator_threads() -> None:
    steps = 20_000
    stop = threading.Event()
    zero_steps = 0

    def trainer() -> None:
        nonlocal zero_steps
        w = Value(0.5)
        try:
            for _ in range(steps):
                w.grad = 0.0
                loss = (w * 3.0 - 1.0) * 2.0
                loss.backward()
                if w.grad != 6.0:
                    zero_steps += 1
        finally:
            stop.set()

    def evaluator() -> None:
        v = Value(0.25)
        while not stop.is_set():
            with no_grad():
                y = v * 2.0 + 1.0
            assert y.is_leaf

    run_threads(trainer, evaluator)
    assert zero_steps == 0
    assert is_grad_enabled()


def _shared_chain_trial(passes: int) -> None:
    x = Value(1.5)
    h = x
    for _ in range(50):  # a shared chain: each pass counts uses on its nodes
        h = h * 1.0
    wrong: list[tuple[str, float]] = []

    def worker(name: str, factor: float) -> Callable[[], None]:
        own = Value(factor)

        def run() -> None:
            for _ in range(passes):
                own.grad = 0.0
                root = h * h * own  # d/d own = h**2 = 2.25; d/dx = 2 h own = 3 * factor
                root.backward()
                if own.grad != 2.25:
                    wrong.append((name, own.grad))

        return run

    run_threads(worker("A", 2.0), worker("B", 4.0))
    assert wrong == []
    assert x.grad == passes * (6.0 + 12.0)  # exact: sums of multiples of 6
    assert all(node._pending == 0 for node in [h, x])


def test_concurrent_backward_passes_over_shared_nodes() -> None:
    for _trial in range(40):
        _shared_chain_trial(passes=200)
