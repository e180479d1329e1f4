"""Compiled steps (autograd.compile) against the hand-written loop, the eager engine and JAX.

* Iris: one per-sample SGD step of the 4-5-3 sigmoid network, as in
  ``bench/iris_step.py``: by hand (the baseline), compiled, eager, and JAX
  ``jit`` (one call per sample, float64) where JAX is installed; in three
  fresh processes, their rounds pooled (see run_iris).
* 2-16-16-1 (sigmoid on every layer as in the articles, the articles' loss,
  SGD): eager (the baseline) against compiled; and the same with tanh hidden
  layers and a linear output, where the eager engine is relatively faster
  (its tanh is ``math.tanh`` itself, its sigmoid a Python function).
* Compile cost: tracing, generating and compiling one step with nothing
  cached (the first compile in a process), in eager steps of the same network.
* A mini-batch of 16 on the 2-16-16-1 network, two ways to compile it: one
  wide trace of the whole batch (one backward through the sum of the 16
  losses), or a loop of a compiled one-sample gradient step over the 16
  samples, last sample first (the order the wide graph's backward pass visits
  them), in one ``run()`` call as ``fit`` makes it, then a compiled update.
  Both give the eager batch step bit for bit (checked here before timing).
* The whole command: ``deltagrad train iris --epochs 300`` with and without
  ``--compile``, by the ``seconds`` of its own JSON (tracing and compiling
  included) and by the wall time of the whole process, start-up included; and
  ``deltagrad train moons`` (its defaults: reshuffled mini-batches of 16, which
  compile as a loop of sample gradients and an update).
* ``compiled`` is one call of the compiled step per sample; ``compiled, run()``
  one call of ``CompiledStep.run`` for all of them (the parameters stay in the
  generated code's local variables between samples).
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value
from autograd import compile as autograd_compile
from autograd import sum as vsum
from autograd.compile import compile_step
from nn import MLP, SGD, half_squared_error
from nn.datasets import load_iris

from . import handwritten
from .harness import Result, clock, fresh_runs, interleave, pool

LR = 0.2
BATCH = 16


def _step_fn(net: MLP, opt: SGD) -> Callable[[Sequence[float], Sequence[float]], Value]:
    def step(x: Sequence[float], y: Sequence[float]) -> Value:
        loss = half_squared_error(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def _epoch(step: Callable[..., Any], rows: Sequence[tuple[Any, Any]]) -> Callable[[], float]:
    def run() -> float:
        start = clock()
        for x, y in rows:
            step(x, y)
        return clock() - start

    return run


def _run(step: Any, rows: Sequence[tuple[Any, Any]]) -> Callable[[], float]:
    """The same steps through ``CompiledStep.run``: one call for all rows."""
    batch = list(rows)

    def run() -> float:
        start = clock()
        step.run(batch)
        return clock() - start

    return run


def _jax_contender(net: MLP, rows: Sequence[tuple[Any, Any]]) -> Callable[[], float] | None:
    try:
        import jax
        import numpy as np
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    (w1, w2), (b1, b2) = net.weights_and_biases()
    params = [jnp.array(w1), jnp.array(b1), jnp.array(w2), jnp.array(b2)]

    def loss_fn(p: list[Any], x: Any, y: Any) -> Any:
        h = jax.nn.sigmoid(p[0] @ x + p[1])
        out = jax.nn.sigmoid(p[2] @ h + p[3])
        return 0.5 * jnp.sum((y - out) ** 2)

    @jax.jit
    def step(p: list[Any], x: Any, y: Any) -> tuple[list[Any], Any]:
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
        return [a - LR * g for a, g in zip(p, grads)], loss

    data = [(np.array(x), np.array(y)) for x, y in rows]
    state = {"p": params}

    def run() -> float:
        start = clock()
        p = state["p"]
        for x, y in data:
            p, loss = step(p, x, y)
        loss.block_until_ready()
        state["p"] = p
        return clock() - start

    return run


def _iris_contest(rounds: int) -> tuple[dict[str, list[float]], bool, bool]:
    """One process's Iris contest: per-contender seconds per step in each round, whether
    the compiled, run() and eager networks ended bit-identical, and whether JAX ran."""
    rows = list(zip(*[getattr(load_iris(seed=0).train, a) for a in ("x", "y")]))
    eager_net, eager_opt = _iris_net()
    net, opt = _iris_net()
    run_net, run_opt = _iris_net()
    compiled = compile_step(_step_fn(net, opt), *rows[0], optimizer=opt)
    looped = compile_step(_step_fn(run_net, run_opt), *rows[0], optimizer=run_opt)
    hand = handwritten.make_net(*net.weights_and_biases())
    contenders = {
        "by hand": _epoch(lambda x, y: handwritten.step(hand, x, y, LR), rows),
        "compiled": _epoch(compiled, rows),
        "compiled, run()": _run(looped, rows),
        "eager nn": _epoch(_step_fn(eager_net, eager_opt), rows),
    }
    jax_run = _jax_contender(net, rows)
    if jax_run is not None:
        contenders["JAX jit, per sample"] = jax_run
    times = interleave(contenders, rounds, per_unit=len(rows), block=3)
    same = (
        [p.data for p in net.parameters()]
        == [p.data for p in run_net.parameters()]
        == [p.data for p in eager_net.parameters()]
    )
    return times, same, jax_run is not None


IRIS_PROCESSES = 3
IRIS_ROUNDS = 15  # per process


def run_iris(processes: int = IRIS_PROCESSES, rounds: int = IRIS_ROUNDS) -> Result:
    """The Iris contest in ``processes`` fresh interpreters, rounds pooled (see fresh_runs).

    Measured: 20 processes of 31 rounds, one after another, gave medians of compiled
    / by hand from 0.336 to 0.358 (their median 0.346, standard deviation 0.005),
    while within a process half the rounds lay in a band about 0.012 wide. The
    pooled rounds of several processes are a steadier figure, and each process's own
    median is reported beside it.
    """
    result = Result(
        "Iris training step (4-5-3 sigmoid, per-sample SGD), compiled", "step", baseline="by hand"
    )
    runs = fresh_runs("bench.compiled", ["iris", str(rounds)], processes)
    own = pool(result, runs, "compiled")
    if not all(run["jax"] for run in runs):
        result.notes.append("JAX is not installed: its row is missing.")
    verdict = "bit-identical" if all(run["same"] for run in runs) else "NOT IDENTICAL"
    result.notes.append(
        f"{processes} processes of {rounds} rounds each, pooled; compiled / by hand in each "
        f"process on its own: {', '.join(f'{r:.3f}' for r in own)}. "
        f"After all rounds, in every process, the compiled, run() and eager networks are "
        f"{verdict}. `compiled` is one call per sample; `compiled, run()` is one call per "
        "epoch (`CompiledStep.run(rows)`: the same steps, with the parameters kept in the "
        "generated code's local variables between samples instead of stored and read back)."
    )
    return result


def _wide_rows(n: int, seed: int = 1) -> list[tuple[list[float], list[float]]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        x = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)]
        rows.append((x, [1.0 if x[0] * x[1] > 0 else -1.0]))
    return rows


def _wide_net(activation: str = "sigmoid") -> tuple[MLP, SGD]:
    net = MLP(
        2, [16, 16, 1], activation, "sigmoid" if activation == "sigmoid" else "linear", seed=0
    )
    return net, SGD(net.parameters(), lr=0.01)


def run_wide(activation: str = "sigmoid") -> Result:
    rows = _wide_rows(64)
    eager_net, eager_opt = _wide_net(activation)
    net, opt = _wide_net(activation)
    run_net, run_opt = _wide_net(activation)
    compiled = compile_step(_step_fn(net, opt), *rows[0], optimizer=opt)
    looped = compile_step(_step_fn(run_net, run_opt), *rows[0], optimizer=run_opt)
    result = Result(
        f"2-16-16-1 training step ({activation}, per-sample SGD)", "step", baseline="eager"
    )
    result.times = interleave(
        {
            "eager": _epoch(_step_fn(eager_net, eager_opt), rows),
            "compiled": _epoch(compiled, rows),
            "compiled, run()": _run(looped, rows),
        },
        9,
        per_unit=len(rows),
    )
    same = (
        [p.data for p in net.parameters()]
        == [p.data for p in run_net.parameters()]
        == [p.data for p in eager_net.parameters()]
    )
    result.notes.append(
        "After all rounds the three networks are "
        + ("bit-identical." if same else "NOT IDENTICAL.")
    )
    return result


def compile_cost() -> dict[str, tuple[float, float, float]]:
    """Per network: (seconds to compile with nothing cached, that in eager steps, and the
    extra for ``run()``'s loop, generated on its first call, in eager steps)."""
    iris = list(zip(*[getattr(load_iris(seed=0).train, a) for a in ("x", "y")]))
    found = {}
    for name, make, rows in (
        ("Iris 4-5-3", lambda: _iris_net(), iris),
        ("2-16-16-1", _wide_net, _wide_rows(64)),
    ):
        compiles, loops, steps = [], [], []
        for _ in range(7):
            net, opt = make()
            autograd_compile._rules_cache.clear()  # the first compile of a process
            autograd_compile._probe_cache.clear()
            autograd_compile._mixed_cache.clear()
            autograd_compile._even_cache.clear()
            start = clock()
            step = compile_step(_step_fn(net, opt), *rows[0], optimizer=opt)
            compiles.append(clock() - start)
            start = clock()
            step.run([])  # run()'s loop is generated on its first call
            loops.append(clock() - start)
            steps.append(_epoch(_step_fn(net, opt), rows)() / len(rows))
        found[name] = (
            statistics.median(compiles),
            statistics.median(c / s for c, s in zip(compiles, steps)),
            statistics.median(c / s for c, s in zip(loops, steps)),
        )
    return found


def _iris_net() -> tuple[MLP, SGD]:
    net = MLP(4, [5, 3], "sigmoid", "sigmoid", seed=0)
    return net, SGD(net.parameters(), lr=LR)


def _batch_fns(net: MLP, opt: SGD) -> tuple[Callable[..., Value], Callable[..., Value], Any]:
    scale = 1.0 / BATCH

    def wide(xs: Sequence[Sequence[float]], ys: Sequence[Sequence[float]]) -> Value:
        loss = vsum([half_squared_error(net(x), y) for x, y in zip(xs, ys)]) * scale
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    def one(x: Sequence[float], y: Sequence[float]) -> Value:  # adds this sample's gradient
        loss = half_squared_error(net(x), y) * scale
        loss.backward()
        return loss

    def update() -> None:
        opt.step()
        opt.zero_grad()

    return wide, one, update


def run_batch() -> Result:
    rows = _wide_rows(BATCH * 8, seed=2)
    batches = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
    split = [([x for x, _ in b], [y for _, y in b]) for b in batches]
    nets = [_wide_net() for _ in range(3)]
    eager_wide, _, _ = _batch_fns(*nets[0])
    wide_fn, _, _ = _batch_fns(*nets[1])
    wide = compile_step(wide_fn, *split[0], optimizer=nets[1][1])
    _, one_fn, update_fn = _batch_fns(*nets[2])
    nets[2][1].zero_grad()
    one = compile_step(one_fn, *batches[0][0])
    update = compile_step(update_fn, optimizer=nets[2][1])

    def loop_step(xs: Sequence[Any], ys: Sequence[Any]) -> None:
        one.run([(xs[i], ys[i]) for i in range(len(xs) - 1, -1, -1)])  # as fit does
        update()

    def timed(step: Callable[..., Any]) -> Callable[[], float]:
        def run() -> float:
            start = clock()
            for xs, ys in split:
                step(xs, ys)
            return clock() - start

        return run

    for xs, ys in split:  # the three give the same numbers before anything is timed
        eager_wide(xs, ys)
        wide(xs, ys)
        loop_step(xs, ys)
    same = (
        [p.data for p in nets[0][0].parameters()]
        == [p.data for p in nets[1][0].parameters()]
        == [p.data for p in nets[2][0].parameters()]
    )
    result = Result(f"Mini-batch of {BATCH}, 2-16-16-1", "batch step", baseline="eager")
    result.times = interleave(
        {
            "eager": timed(eager_wide),
            "compiled, wide": timed(wide),
            "compiled, loop": timed(loop_step),
        },
        9,
        per_unit=len(split),
    )
    result.notes.append(
        "Eager, wide and loop steps are "
        + ("bit-identical" if same else "NOT IDENTICAL")
        + " after 8 batches (checked before timing)."
    )
    return result


def _cli(compiled: bool, dataset: str = "iris") -> tuple[float, float]:
    cmd = [sys.executable, "-m", "deltagrad", "train", dataset, "--json", "--no-progress"]
    cmd += [
        *(["--epochs", "300"] if dataset == "iris" else []),
        *(["--compile"] if compiled else []),
    ]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    return float(json.loads(out)["seconds"]), wall


def run_train(rounds: int = 3, dataset: str = "iris") -> dict[str, list[tuple[float, float]]]:
    runs: dict[str, list[tuple[float, float]]] = {"eager": [], "compiled": []}
    for r in range(rounds):
        for name in ("eager", "compiled") if r % 2 == 0 else ("compiled", "eager"):
            runs[name].append(_cli(name == "compiled", dataset))
    return runs


if __name__ == "__main__":  # python -m bench.compiled iris ROUNDS: one process of run_iris
    args = sys.argv[1:]
    digits = args[1] if len(args) == 2 and args[0] == "iris" else ""
    rounds = int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 4 else 0
    if not 1 <= rounds <= 1000:
        sys.exit("usage: python -m bench.compiled iris ROUNDS   (ROUNDS: 1 to 1000)")
    times, same, jax = _iris_contest(rounds)
    print(json.dumps({"times": times, "same": same, "jax": jax}))
