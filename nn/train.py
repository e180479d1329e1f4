"""Training as article 003 trains its Iris network: one sample at a time, plain SGD.

Per sample ``(x, y)``: forward pass, ``L = 1/2 * sum_k (y_k - out_k)^2``,
``backward()``, then ``w <- w - lr * dL/dw`` for every parameter. The rows
keep the order of the one shuffle made when the data was loaded; after each
epoch the network is evaluated on the validation rows (the article's figure 3
plots that accuracy per epoch).

With the defaults (4-5-3 sigmoid network, ``U[0, 1)`` initial parameters,
learning rate 0.2, 300 epochs) and a seed ``s``, the draws are made in the
article program's order: the shuffle, then every parameter in parameter
order, all from one ``random.Random(s)``.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from autograd import Value, no_grad
from autograd.compile import CompiledStep, compile_forward, compile_step

from .datasets import Dataset, IrisData, load_iris
from .init import Initializer, make_rng
from .layers import MLP
from .losses import half_squared_error
from .optim import SGD, Optimizer

__all__ = [
    "EpochStats",
    "TrainResult",
    "argmax",
    "compiled_evaluation",
    "compiled_training_step",
    "evaluate",
    "train_iris",
    "train_one_epoch",
]


@dataclass(frozen=True)
class EpochStats:
    """One epoch: mean training loss and accuracy as seen while training, then validation."""

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float


@dataclass
class TrainResult:
    """The trained network, its history, and how the final network scores.

    ``epochs`` counts completed epochs; after an interruption the network also
    holds the updates of the epoch that was cut short. Accuracies are
    fractions in [0, 1]; ``final_loss`` is the mean per-sample loss of the
    final network on the training rows.
    """

    model: MLP
    history: list[EpochStats] = field(default_factory=list)
    epochs: int = 0
    train_accuracy: float = math.nan
    val_accuracy: float = math.nan
    final_loss: float = math.nan
    seconds: float = 0.0
    interrupted: bool = False


def argmax(values: Sequence[Value] | Sequence[float]) -> int:
    """The index of the largest output (the first one if tied): the predicted class."""
    xs = [v.data if isinstance(v, Value) else v for v in values]
    best = 0
    for k in range(1, len(xs)):
        if xs[k] > xs[best]:
            best = k
    return best


# --- compiled steps (autograd.compile): the same arithmetic, bit for bit, traced once ---------


def compiled_training_step(model: MLP, optimizer: Optimizer, data: Dataset) -> CompiledStep:
    """:func:`train_one_epoch`'s step for one sample, compiled: ``(x, y) -> (loss, outputs)``."""

    def step(x: Sequence[float], y: Sequence[float]) -> tuple[Value, list[Value]]:
        out = model(x)
        loss = half_squared_error(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss, out

    return compile_step(step, data.x[0], data.y[0], optimizer=optimizer)


def compiled_evaluation(model: MLP, data: Dataset) -> CompiledStep:
    """:func:`evaluate`'s forward pass for one sample, compiled: ``(x, y) -> (loss, outputs)``."""

    def forward(x: Sequence[float], y: Sequence[float]) -> tuple[Value, list[Value]]:
        out = model(x)
        return half_squared_error(out, y), out

    return compile_forward(forward, data.x[0], data.y[0])


# ------------------------------------------------------------------------------------------------


def evaluate(
    model: MLP, data: Dataset, compiled: CompiledStep | None = None
) -> tuple[float, float]:
    """``(mean loss, accuracy)`` of ``model`` on ``data``, recording no graph.

    ``compiled`` (from :func:`compiled_evaluation`) computes the same numbers faster.
    """
    total, correct = 0.0, 0
    with no_grad():
        for x, y, label in zip(data.x, data.y, data.labels):
            if compiled is not None:
                loss, out = compiled(x, y)
                total += loss
                correct += argmax(out) == label
                continue
            out = model(x)
            total += half_squared_error(out, y).data
            correct += argmax(out) == label
    return total / len(data), correct / len(data)


def train_one_epoch(
    model: MLP,
    data: Dataset,
    optimizer: Optimizer,
    should_stop: Callable[[], bool] | None = None,
    compiled: CompiledStep | None = None,
) -> tuple[float, float, bool]:
    """One pass of per-sample SGD: ``(mean loss, accuracy before each update, completed)``.

    ``should_stop`` is asked after every sample; when it says yes the pass
    ends there and ``completed`` is False. ``compiled`` (from
    :func:`compiled_training_step`) runs each step compiled, with the same result.
    """
    total, correct, seen = 0.0, 0, 0
    for x, y, label in zip(data.x, data.y, data.labels):
        if compiled is not None:
            loss_value, out_values = compiled(x, y)
            total += loss_value
            correct += argmax(out_values) == label
            seen += 1
            if should_stop is not None and should_stop():
                break
            continue
        out = model(x)
        loss = half_squared_error(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.data
        correct += argmax(out) == label
        seen += 1
        if should_stop is not None and should_stop():
            break
    seen = max(seen, 1)
    return total / seen, correct / seen, seen == len(data)


def train_iris(
    *,
    epochs: int = 300,
    lr: float = 0.2,
    hidden: int = 5,
    seed: int = 0,
    init: str | Initializer = "uniform01",
    on_epoch: Callable[[EpochStats], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    compile: bool = False,  # noqa: A002 - the option's name on the command line
) -> TrainResult:
    """Train a ``4-hidden-3`` sigmoid network on Iris; see the module docstring.

    ``on_epoch`` is called after every completed epoch (for progress bars);
    ``should_stop`` is asked after every sample (for Ctrl-C). ``compile``
    traces the training step and the evaluation once and runs them compiled
    (:mod:`autograd.compile`): the trained network is bit for bit the same.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"train_iris: epochs must be an integer >= 0, got {epochs!r}")
    rng: random.Random = make_rng(seed)
    data: IrisData = load_iris(rng)
    model = MLP(4, [hidden, len(data.classes)], "sigmoid", init=init, seed=rng)
    optimizer = SGD(model.parameters(), lr=lr)
    result = TrainResult(model)
    start = time.perf_counter()
    step = forward = None
    if compile:  # the compiled hook: traced here, used by the two calls below
        step = compiled_training_step(model, optimizer, data.train)
        forward = compiled_evaluation(model, data.train)
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        loss, accuracy, completed = train_one_epoch(model, data.train, optimizer, should_stop, step)
        if not completed:
            result.interrupted = True
            break
        val_loss, val_accuracy = evaluate(model, data.val, forward)
        stats = EpochStats(epoch, loss, accuracy, val_loss, val_accuracy, time.perf_counter() - t0)
        result.history.append(stats)
        result.epochs = epoch
        if on_epoch is not None:
            on_epoch(stats)
        if should_stop is not None and should_stop():
            result.interrupted = epoch < epochs
            break
    result.final_loss, result.train_accuracy = evaluate(model, data.train, forward)
    _, result.val_accuracy = evaluate(model, data.val, forward)
    result.seconds = time.perf_counter() - start
    return result
