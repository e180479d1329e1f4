"""Run every benchmark, print a markdown report and write it to ``bench/results.md``.

python -m bench.run            # everything (a few minutes)
python -m bench.run chain iris # only some: iris, compiled, chain, scaling, memory, anomaly
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from autograd.atomic import write_atomic

from . import anomaly_cost, chain, memory, scaling
from .harness import Result, fmt_time

RESULTS = Path(__file__).with_name("results.md")


def _speed_table(result: Result) -> list[str]:
    lines = [
        f"### {result.name}",
        "",
        f"| contender | median per {result.unit} | time / {result.baseline} (median of rounds) |",
        "|---|---|---|",
    ]
    for who in result.times:
        lines.append(f"| {who} | {fmt_time(result.median(who))} | {result.ratio(who):.2f} |")
    lines += [f"\n{note}" for note in result.notes]
    return [*lines, ""]


def _paragraphs(doc: str | None) -> str:
    """A module docstring without its title line, as markdown paragraphs."""
    body = (doc or "").strip().split("\n\n")[1:]
    return "\n\n".join(" ".join(p.split()) for p in body)


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report_iris(targets: list[str]) -> list[str]:
    from . import iris_step  # needs nn

    r = iris_step.run()
    ratio = r.ratio("deltagrad nn")
    verdict = _verdict(ratio <= 2.0)
    targets.append(f"| Iris step, nn / by hand | {ratio:.2f}x | <= 2.0x | {verdict} |")
    return _speed_table(r)


def report_chain(targets: list[str]) -> list[str]:
    results = chain.run()
    # micrograd is judged on the run without PyTorch loaded (the harder one for us),
    # PyTorch on the run where it is loaded.
    for who, goal, r in (
        ("micrograd 0.1.0", 5.0, results[0]),
        ("PyTorch (CPU)", 4.0, results[-1]),
    ):
        if who in r.times:
            ratio = r.ratio(who)
            targets.append(
                f"| op chain, {who} / deltagrad | {ratio:.2f}x | >= {goal:g}x | "
                f"{_verdict(ratio >= goal)} |"
            )
        else:
            targets.append(f"| op chain, {who} / deltagrad | not installed | >= {goal:g}x | - |")
    lines = [line for r in results for line in _speed_table(r)]
    return [*lines, (chain.run.__doc__ or "").split("\n\n")[1].strip().replace("\n    ", " "), ""]


def report_scaling(targets: list[str]) -> list[str]:
    rows = scaling.run()
    sizes = scaling.SIZES
    lines = [
        "### Scaling: time per node, forward + backward",
        "",
        "| graph | garbage collector | "
        + " | ".join(f"n = {n:,}" for n in sizes)
        + f" | n = {sizes[-1]:,} / n = {sizes[0]:,} |",
        "|---|---|" + "---|" * (len(sizes) + 1),
    ]
    for row in rows:
        cells = " | ".join(
            f"{fmt_time(row.total(n))} ({fmt_time(row.per_node[n][0])} + "
            f"{fmt_time(row.per_node[n][1])}; collector {fmt_time(row.in_collector[n])})"
            for n in sizes
        )
        lines.append(f"| {row.shape} | {row.collector} | {cells} | {row.ratio:.2f} |")
        targets.append(
            f"| scaling, {row.shape}, collector {row.collector} | {row.ratio:.2f}x | <= 1.3x | "
            f"{_verdict(row.ratio <= 1.3)} |"
        )
    lines += [
        "",
        "Cells: forward + backward per node (in brackets: forward + backward, and the part of"
        " the total spent in CPython's garbage collections, timed through `gc.callbacks`).",
        "",
        _paragraphs(scaling.__doc__),
        "",
    ]
    return lines


def report_memory(targets: list[str]) -> list[str]:
    res = memory.run()
    lines = [
        "### Memory (tracemalloc)",
        "",
        "| graph | deltagrad | micrograd 0.1.0 | deltagrad / micrograd |",
        "|---|---|---|---|",
    ]
    for graph, by_engine in res.items():
        ours = by_engine["deltagrad"]
        theirs = by_engine.get("micrograd 0.1.0")
        if theirs is None:
            lines.append(f"| {graph} | {ours:.0f} B | not installed | - |")
            continue
        ratio = ours / theirs
        lines.append(f"| {graph} | {ours:.0f} B | {theirs:.0f} B | {ratio:.2f} |")
        targets.append(
            f"| memory, {graph}, deltagrad / micrograd | {ratio:.2f} | <= 0.25 | "
            f"{_verdict(ratio <= 0.25)} |"
        )
    return [*lines, "", _paragraphs(memory.__doc__), ""]


def report_anomaly(targets: list[str]) -> list[str]:
    r = anomaly_cost.run()
    identical = "identical" in r.notes[0] and "NOT" not in r.notes[0]
    targets.append(
        f"| detect_anomaly() off | same methods: {'yes' if identical else 'no'} | no cost | "
        f"{_verdict(identical)} |"
    )
    return _speed_table(r)


def report_compiled(targets: list[str]) -> list[str]:
    from . import compiled  # needs nn

    lines = ["### Compiled steps (autograd.compile)", "", _paragraphs(compiled.__doc__), ""]
    iris = compiled.run_iris()
    for who in ("compiled", "compiled, run()"):  # (half the rounds lie in the bracket)
        ratio, (low, high) = iris.ratio(who), iris.spread(who)
        targets.append(
            f"| Iris step, {who} / by hand | {ratio:.3f}x ({low:.3f}-{high:.3f}) | <= 0.35x "
            f"| {_verdict(ratio <= 0.35)} |"
        )
    lines += _speed_table(iris)
    if "JAX jit, per sample" in iris.times:
        targets.append(
            f"| Iris step, JAX jit per sample / by hand | {iris.ratio('JAX jit, per sample'):.2f}x"
            " | (a contender) | - |"
        )
    wide = compiled.run_wide()
    for who in ("compiled", "compiled, run()"):
        speedup, (low, high) = 1.0 / wide.ratio(who), wide.spread(who)
        targets.append(
            f"| 2-16-16-1 step (sigmoid), eager / {who} | {speedup:.2f}x "
            f"({1.0 / high:.2f}-{1.0 / low:.2f}) | >= 7x | {_verdict(speedup >= 7.0)} |"
        )
    lines += _speed_table(wide)
    tanh = compiled.run_wide("tanh")
    targets.append(
        f"| 2-16-16-1 step with tanh, eager / compiled | {1.0 / tanh.ratio('compiled'):.2f}x "
        f"| (reported) | - |"
    )
    lines += _speed_table(tanh)
    lines += [
        "| network | compile time (nothing cached) | in eager steps | run()'s loop, eager steps |",
        "|---|---|---|---|",
    ]
    for name, (seconds, steps, loop) in compiled.compile_cost().items():
        lines.append(f"| {name} | {fmt_time(seconds)} | {steps:.0f} | {loop:.0f} |")
        targets.append(
            f"| compile time, {name}, in eager steps | {steps:.0f} | <= 100 | "
            f"{_verdict(steps <= 100)} |"
        )
    lines.append("")
    batch = compiled.run_batch()
    lines += _speed_table(batch)
    for dataset, command in (("iris", "train iris --epochs 300"), ("moons", "train moons")):
        runs = compiled.run_train(dataset=dataset)
        own = statistics.median(e[0] / c[0] for e, c in zip(runs["eager"], runs["compiled"]))
        wall = statistics.median(e[1] / c[1] for e, c in zip(runs["eager"], runs["compiled"]))
        goal, verdict = (
            ("| >= 5x |", _verdict(own >= 5.0))
            if dataset == "iris"
            else (
                "| (reported) |",
                "-",
            )
        )
        targets.append(
            f"| deltagrad {command}, eager / --compile (its JSON seconds) | {own:.2f}x "
            f"{goal} {verdict} |"
        )
        targets.append(
            f"| the same, whole process (start-up included) | {wall:.2f}x | (reported) | - |"
        )
        lines += [
            f"### deltagrad {command}",
            "",
            "| run | JSON seconds (median) | whole process (median) |",
            "|---|---|---|",
        ]
        for name, pairs in runs.items():
            lines.append(
                f"| {name} | {statistics.median(p[0] for p in pairs):.2f} s | "
                f"{statistics.median(p[1] for p in pairs):.2f} s |"
            )
        lines.append("")
    return [*lines, ""]


# chain comes last: it imports PyTorch, whose objects slow every later garbage collection.
REPORTS: dict[str, Callable[[list[str]], list[str]]] = {
    "iris": report_iris,
    "compiled": report_compiled,
    "memory": report_memory,
    "anomaly": report_anomaly,
    "scaling": report_scaling,
    "chain": report_chain,
}


def main(argv: list[str]) -> int:
    chosen = [name for name in REPORTS if name in argv] if argv else list(REPORTS)
    unknown = [name for name in argv if name not in REPORTS]
    if unknown:
        print(f"bench: unknown benchmark {unknown}; known: {list(REPORTS)}", file=sys.stderr)
        return 2
    targets = ["| target | measured | goal | |", "|---|---|---|---|"]
    sections: list[str] = []
    started = time.perf_counter()
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        sections += REPORTS[name](targets)
    header = [
        "# Benchmark results",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}; "
        f"{time.perf_counter() - started:.0f} s. Ratios compare contenders timed side "
        "by side in the same rounds (see bench/harness.py); in brackets, where given, the "
        "quartiles of the per-round ratios (half of the rounds lie between them).",
        "",
        "## Targets",
        "",
        *targets,
        "",
        "## Details",
        "",
    ]
    text = "\n".join(header + sections) + "\n"
    print(text)
    if not argv:
        write_atomic(RESULTS, text)
        print(f"written to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
