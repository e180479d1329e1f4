"""Iris training step: ``nn`` against the same step written by hand on plain lists.

One per-sample SGD step of the article's 4-5-3 sigmoid network (forward, the
articles' loss, zero_grad, backward, update), over the 130 training rows, for
both contenders starting from the same weights. The unit is one step.
"""

from __future__ import annotations

from nn import MLP, SGD, half_squared_error
from nn.datasets import load_iris

from . import handwritten
from .harness import Result, clock, interleave

ROUNDS = 15
BLOCK = 3  # epochs per contender per round
LR = 0.2


def run() -> Result:
    data = load_iris(seed=0).train
    rows = list(zip(data.x, data.y, strict=True))
    net = MLP(4, [5, 3], "sigmoid", "sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=LR)
    hand = handwritten.make_net(*net.weights_and_biases())

    def engine_epoch() -> float:
        start = clock()
        for x, y in rows:
            loss = half_squared_error(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return clock() - start

    def hand_epoch() -> float:
        start = clock()
        for x, y in rows:
            handwritten.step(hand, x, y, LR)
        return clock() - start

    result = Result(
        "Iris training step (4-5-3 sigmoid, per-sample SGD)", "step", baseline="by hand"
    )
    result.times = interleave(
        {"by hand": hand_epoch, "deltagrad nn": engine_epoch},
        ROUNDS,
        per_unit=len(rows),
        block=BLOCK,
    )
    return result
