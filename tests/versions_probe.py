"""Run under any CPython >= 3.11 (standard library only): eager and compiled training, as bits.

Prints one JSON object: the interpreter's version, whether every compiled step
gave the eager step's parameters, gradients and loss bit for bit, how many steps
were compared, and a sha256 of the eager runs' bits, which must be the same on
every interpreter (the engine adds with plain ``+`` in a fixed order everywhere:
from 3.12 on ``builtins.sum`` of floats is compensated and the engine does not
use it). Used by ``tests/test_python_versions.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from collections.abc import Callable, Sequence
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograd import Value
from autograd import sum as vsum
from autograd.compile import compile_forward, compile_step
from nn import MLP, SGD, Adam, half_squared_error, mse, softmax_cross_entropy


def bits(xs: Sequence[float]) -> list[str]:
    return [x.hex() for x in xs]


def run() -> dict[str, Any]:
    rng = random.Random(11)
    identical = True
    steps = 0
    fallbacks = 0
    digest = hashlib.sha256()
    configs = [
        ("sigmoid", "sigmoid", "sgd", "half_squared_error", 1),
        ("tanh", "linear", "adam", "mse", 1),
        ("relu", "linear", "sgd", "cross_entropy", 1),
        ("relu", "linear", "adam", "cross_entropy", 4),
        ("sigmoid", "tanh", "sgd", "mse", 4),
    ]
    for act, out_act, opt_name, loss_name, batch in configs:
        nout = 3 if loss_name == "cross_entropy" else 2
        runs = []
        for _ in range(2):
            net = MLP(3, [6, 5, nout], act, out_act, seed=7)
            opt: Any = (
                Adam(net.parameters(), lr=0.05)
                if opt_name == "adam"
                else SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
            )
            runs.append((net, opt))
        rows = []
        for _ in range(12 * batch):
            x = [rng.uniform(-2.0, 2.0) for _ in range(3)]
            y: Any = (
                rng.randrange(nout)
                if loss_name == "cross_entropy"
                else [rng.uniform(-1.0, 1.0) for _ in range(nout)]
            )
            rows.append((x, y))

        def loss_of(net: MLP, x: Any, y: Any, name: str = loss_name) -> Value:
            out = net(x)
            if name == "cross_entropy":
                return softmax_cross_entropy(out, y)
            return half_squared_error(out, y) if name == "half_squared_error" else mse(out, y)

        def step_for(net: MLP, opt: Any) -> Callable[..., Value]:
            def step(xs: Sequence[Any], ys: Sequence[Any]) -> Value:
                loss = vsum([loss_of(net, x, y) for x, y in zip(xs, ys)]) * (1.0 / len(xs))
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss

            return step

        eager = step_for(*runs[0])
        first = rows[:batch]
        compiled = compile_step(
            step_for(*runs[1]), [x for x, _ in first], [y for _, y in first], optimizer=runs[1][1]
        )
        for i in range(0, len(rows), batch):
            bx, by = [x for x, _ in rows[i : i + batch]], [y for _, y in rows[i : i + batch]]
            want = eager(bx, by).data
            got = compiled(bx, by)
            a = [(p.data, p.grad) for p in runs[0][0].parameters()]
            b = [(p.data, p.grad) for p in runs[1][0].parameters()]
            identical &= want.hex() == got.hex() and a == b
            digest.update(" ".join(bits([want, *(v for pair in a for v in pair)])).encode())
            steps += 1
        fallbacks += compiled.fallbacks
        net = runs[0][0]
        forward = compile_forward(lambda x, net=net: net(x), rows[0][0])
        for x, _ in rows:
            identical &= bits(forward(x)) == bits([v.data for v in net(x)])
        fallbacks += forward.fallbacks
    return {
        "version": sys.version.split()[0],
        "identical": identical,
        "steps": steps,
        "fallbacks": fallbacks,
        "digest": digest.hexdigest(),
    }


if __name__ == "__main__":
    print(json.dumps(run()))
