"""Where an Iris training step spends its time: ``python -m bench.profile_iris``.

Times each phase of the ``nn`` step (forward, loss, zero_grad, the two walks
of the backward pass, the update) over several epochs, next to the
hand-written step and its forward pass alone.
"""

from __future__ import annotations

import time

from autograd.engine import _prepare_pass, _run_pass
from nn import MLP, SGD, half_squared_error
from nn.datasets import load_iris

from . import handwritten

EPOCHS = 5


def main() -> None:
    rows = list(zip(*(lambda d: (d.x, d.y))(load_iris(seed=0).train), strict=True))
    net = MLP(4, [5, 3], "sigmoid", "sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=0.2)
    hand = handwritten.make_net(*net.weights_and_biases())
    phases = dict.fromkeys(
        ["forward", "loss", "zero_grad", "backward: count uses", "backward: chain rule", "update"],
        0.0,
    )
    clock = time.perf_counter
    for _ in range(EPOCHS):
        for x, y in rows:
            t0 = clock()
            out = net(x)
            t1 = clock()
            loss = half_squared_error(out, y)
            t2 = clock()
            opt.zero_grad()
            t3 = clock()
            _prepare_pass(loss, [], [])  # what loss.backward() does, in its two parts
            t4 = clock()
            loss.grad = 1.0
            _run_pass(loss)
            t5 = clock()
            opt.step()
            t6 = clock()
            for name, a, b in zip(phases, (t0, t1, t2, t3, t4, t5), (t1, t2, t3, t4, t5, t6)):
                phases[name] += b - a
    steps = EPOCHS * len(rows)
    hand_forward = hand_step = 0.0
    for _ in range(EPOCHS):
        for x, y in rows:
            t0 = clock()
            handwritten._forward(hand, x)
            t1 = clock()
            handwritten.step(hand, x, y, 0.2)
            t2 = clock()
            hand_forward += t1 - t0
            hand_step += t2 - t1
    print("nn step, µs per step:")
    for name, seconds in phases.items():
        print(f"  {name:22} {seconds / steps * 1e6:6.1f}")
    print(f"  {'total':22} {sum(phases.values()) / steps * 1e6:6.1f}")
    print("by hand, µs per step:")
    print(f"  {'forward alone':22} {hand_forward / steps * 1e6:6.1f}")
    print(f"  {'whole step':22} {hand_step / steps * 1e6:6.1f}")


if __name__ == "__main__":
    main()
