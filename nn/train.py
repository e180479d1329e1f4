"""Training loops: mini-batch gradient descent on any :class:`~nn.datasets.DataSplit`.

One step on a batch ``B`` of ``m`` training rows (:func:`train_step`)::

    L_B = 1/m sum_{x in B} L(model(x), c_x)  +  l2 * sum_p p^2
    p <- p - lr * dL_B/dp                      (for plain SGD)

For the weights of layer ``l`` this is article 004's update rule
``w^l <- w^l - eta/m sum_x delta^{x,l} (a^{x,l-1})^T``: the mean over the
batch of each sample's ``delta`` times its input, because the gradient of a
mean is the mean of the gradients. ``batch_size=1`` is the per-sample SGD of
articles 001 and 003 (then ``L_B`` is the sample's own loss node, unchanged);
``batch_size >= len(data.train)`` is full-batch gradient descent.

:func:`fit` runs the epochs: the training rows in their stored order, or
reshuffled every epoch with ``shuffle=True`` (seeded), cut into batches (the
last one may be smaller). After each step it calls ``on_step`` with a
:class:`Step` (the model, the batch's rows, the loss), for progress bars and
replays; after each epoch it evaluates the validation rows under
:func:`autograd.no_grad` and calls ``on_epoch`` with :class:`EpochStats`.

Two accuracies, two names:

* ``EpochStats.train_accuracy`` and ``train_loss`` are **running** figures:
  each batch is scored by the network of the moment, just before its update,
  so the weights move while the epoch is measured (micrograd's demo prints
  this one).
* ``TrainResult.train_accuracy`` (and ``val_accuracy``, ``final_loss``) score
  the **final** network on every row, after training, under ``no_grad``.
  Validation figures are always of a fixed network (the end of an epoch).

:func:`train_iris` is article 003's Iris training: with a seed ``s`` the
draws are made in the article program's order (the shuffle, then every
parameter, from one ``random.Random(s)``).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import OPS, Value, no_grad
from autograd import sum as vsum
from autograd.compile import MAX_VARIANTS, CompiledStep, compile_forward, compile_step

from .datasets import Dataset, DataSplit, load_iris
from .init import Initializer, make_rng
from .layers import MLP
from .objectives import Objective
from .optim import SGD, Optimizer

__all__ = [
    "BatchLoss",
    "EpochStats",
    "Step",
    "TrainResult",
    "argmax",
    "batch_loss",
    "compiled_evaluation",
    "compiled_train_step",
    "evaluate",
    "fit",
    "train",
    "train_iris",
    "train_step",
]

MAX_EPOCHS = 1_000_000
MAX_BATCH = 1_000_000


@dataclass(frozen=True)
class EpochStats:
    """One epoch: running training loss and accuracy (see the module docstring), then validation.

    ``train_loss`` is the mean per-sample data loss (without the ``l2`` term)
    and ``train_accuracy`` the fraction classified right, each sample scored
    just before the update of its batch. ``val_loss`` and ``val_accuracy``
    score the network at the end of the epoch.
    """

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float
    steps: int = 0


@dataclass(frozen=True)
class Step:
    """One training step, as ``on_step`` sees it (after the update).

    ``index`` counts steps from 0 over the whole run; ``rows`` are the batch's
    indices into ``data.train``; ``loss`` is ``L_B`` before the update
    (``data_loss`` without the ``l2`` term); ``correct`` counts the batch's
    rows classified right before the update; ``lr`` is the rate used.
    ``model`` is the network being trained, itself, already updated: a
    callback that records a replay copies what it needs (e.g.
    ``step.model.state_dict()``).
    """

    epoch: int
    index: int
    rows: tuple[int, ...]
    loss: float
    data_loss: float
    correct: int
    lr: float
    model: MLP


@dataclass
class TrainResult:
    """The trained network, its history, and how the final network scores.

    ``epochs`` counts completed epochs; after an interruption the network also
    holds the updates of the epoch that was cut short. ``train_accuracy``,
    ``val_accuracy`` and ``final_loss`` (mean per-sample loss on the training
    rows) are of the final network, under ``no_grad``; fractions in [0, 1].
    """

    model: MLP
    history: list[EpochStats] = field(default_factory=list)
    epochs: int = 0
    steps: int = 0
    train_accuracy: float = math.nan
    val_accuracy: float = math.nan
    final_loss: float = math.nan
    seconds: float = 0.0
    interrupted: bool = False
    # with fit(compile=True): "evaluation", "step and evaluation", or
    # "sample gradients, update and evaluation" (reshuffled mini-batches)
    compiled: str = "nothing"


def argmax(values: Sequence[Value]) -> int:
    """The index of the largest output (the first one if tied): the predicted class."""
    best = 0
    for k in range(1, len(values)):
        if values[k].data > values[best].data:
            best = k
    return best


def _objective(data: Dataset, objective: Objective | None) -> Objective:
    return objective if objective is not None else Objective("half-squared-error", len(data.y[0]))


def evaluate(
    model: MLP,
    data: Dataset,
    objective: Objective | None = None,
    compiled: CompiledStep | None = None,
) -> tuple[float, float]:
    """``(mean loss, accuracy)`` of ``model`` on ``data``, under ``no_grad`` (no graph).

    Without an ``objective``: article 003's half squared error against the
    one-hot targets, and argmax. No rows: ``(nan, nan)``. ``compiled`` (from
    :func:`compiled_evaluation`) computes the same numbers, bit for bit, faster.
    """
    if len(data) == 0:
        return math.nan, math.nan
    obj = _objective(data, objective)
    total, correct = 0.0, 0
    if compiled is not None:
        rows = list(zip(data.x, _ys(obj, data.labels)))
        for (loss, out), label in zip(compiled.run(rows), data.labels):
            total += loss
            correct += obj.predict(out) == label
        return total / len(data), correct / len(data)
    with no_grad():
        for x, label in zip(data.x, data.labels):
            out = model(x)
            total += obj.loss(out, label).data
            correct += obj.predict(out) == label
    return total / len(data), correct / len(data)


@dataclass(frozen=True)
class BatchLoss:
    """``total`` = ``L_B`` (a Value to call ``backward`` on), its data part, and rows right."""

    total: Value
    data_loss: float
    correct: int


def batch_loss(
    model: MLP,
    xs: Sequence[Sequence[float]],
    labels: Sequence[int],
    objective: Objective,
    l2: float = 0.0,
) -> BatchLoss:
    """``L_B = 1/m sum_x L(model(x), c_x) + l2 * sum_p p^2`` for one batch.

    For ``m = 1`` and ``l2 = 0`` the sample's loss node itself is returned
    (no extra node), so per-sample training is the articles' exactly.
    """
    m = len(xs)
    if m == 0:
        raise ValueError("batch_loss: an empty batch")
    losses, correct = [], 0
    for x, label in zip(xs, labels):
        out = model(x)
        losses.append(objective.loss(out, label))
        correct += objective.predict(out) == label
    data = losses[0] if m == 1 else vsum(losses) * (1.0 / m)
    total = data
    if l2:
        total = data + l2 * vsum([p * p for p in model.parameters()])
    return BatchLoss(total, data.data, correct)


def train_step(
    model: MLP,
    optimizer: Optimizer,
    xs: Sequence[Sequence[float]],
    labels: Sequence[int],
    objective: Objective,
    l2: float = 0.0,
) -> BatchLoss:
    """One step: ``L_B`` (:func:`batch_loss`), gradients reset, ``backward()``, update."""
    loss = batch_loss(model, xs, labels, objective, l2)
    optimizer.zero_grad()
    loss.total.backward()
    optimizer.step()
    return loss


# --- compiled steps (autograd.compile): the same arithmetic, bit for bit, traced once ----


def compiled_train_step(
    model: MLP,
    optimizer: Optimizer,
    objective: Objective,
    example: tuple[Sequence[Sequence[float]], Sequence[int]],
    l2: float = 0.0,
) -> CompiledStep:
    """:func:`train_step` compiled: ``(xs, labels) -> (L_B, its data part, outputs)``.

    The traced function builds exactly :func:`batch_loss`'s graph (it only
    leaves out what reads ``.data``: the score and the accuracy, which the
    caller takes from the returned outputs). Where the loss needs only a
    class's target numbers (:meth:`Objective.target`: the squared errors, one
    score of two classes), the step takes those (``_ys``) and one trace serves
    every class. Otherwise the class labels are integers, so each pattern of
    labels in a batch is compiled in as constants: a pattern not seen before
    is traced again, up to :data:`autograd.compile.MAX_VARIANTS`, after which
    the step runs eagerly (the same numbers, at the engine's speed).
    """

    loss_of = _loss_of(objective)

    def step(xs: Sequence[Sequence[float]], ys: Sequence[Any]) -> object:
        outs = [model(x) for x in xs]
        losses = [loss_of(out, y) for out, y in zip(outs, ys)]
        m = len(losses)
        data = losses[0] if m == 1 else vsum(losses) * (1.0 / m)
        total = data
        if l2:
            total = data + l2 * vsum([p * p for p in model.parameters()])
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        return total, data, outs

    return compile_step(step, list(example[0]), _ys(objective, example[1]), optimizer=optimizer)


def _ys(objective: Objective, labels: Sequence[int]) -> list[Any]:
    """What a compiled step takes for ``labels``: their targets (:meth:`Objective.target`)
    where the loss needs no more of the class, else the labels themselves."""
    if not objective.numeric:
        return list(labels)
    return [objective.target(label) for label in labels]


def _loss_of(objective: Objective) -> Callable[[Sequence[Value], Any], Value]:
    """One sample's loss against what :func:`_ys` gives: a target traced as numbers (one
    trace for every class), or a class label (compiled in as a constant)."""
    return objective.loss_of_target if objective.numeric else objective.loss


def compiled_sample_gradient(
    model: MLP, objective: Objective, example: tuple[Sequence[float], int]
) -> CompiledStep:
    """One sample's part of a mini-batch step, compiled: ``(x, label, 1/m) -> (L, outputs)``.

    It adds ``d(L(model(x), label) / m)/dp`` to every parameter's ``.grad``. After
    ``zero_grad()``, calling it for a batch's samples from the last to the first
    leaves in ``.grad`` exactly what ``backward()`` of :func:`batch_loss` (without
    ``l2``) leaves, bit for bit: the batch's backward pass reaches the samples'
    subgraphs in that order, each parameter's sum starts from 0.0 either way, and
    each sample's loss gets the gradient ``1/m`` either way. It takes a class's
    target numbers where the loss needs no more (``_ys``): one trace for every
    class. Otherwise each label is one trace (an integer, compiled in as a
    constant): up to :data:`autograd.compile.MAX_VARIANTS` classes run compiled,
    in any order of samples, which is what reshuffled mini-batches need.
    """

    loss_of = _loss_of(objective)

    def gradient(x: Sequence[float], y: Any, scale: float) -> object:
        out = model(x)
        loss = loss_of(out, y)
        (loss * scale).backward()
        return loss, out

    return compile_step(gradient, list(example[0]), _ys(objective, [example[1]])[0], 0.5)


def _sample_loop_step(
    sample: CompiledStep,
    update: CompiledStep,
    optimizer: Optimizer,
    xs: Sequence[Sequence[float]],
    ys: Sequence[Any],
) -> tuple[float, list[list[float]]]:
    """:func:`train_step` (no ``l2``) as compiled sample gradients and a compiled update.

    ``ys`` are the samples' labels or targets, as :func:`_ys` gives them.

    Returns ``(L_B, outputs)``; ``L_B`` is ``sum_x L_x * (1/m)`` added left to right
    as :func:`autograd.sum` adds (``L_x`` itself when ``m = 1``).
    """
    m = len(xs)
    scale = 1.0 / m
    optimizer.zero_grad()
    # from the last sample to the first, the order the batch's backward pass takes, in one
    # call: the gradients stay in the generated code's locals from one sample to the next
    got = sample.run([(xs[i], ys[i], scale) for i in range(m - 1, -1, -1)])[::-1]
    update()
    losses = [loss for loss, _ in got]
    total = losses[0] if m == 1 else _SUM(*losses) * scale
    return total, [out for _, out in got]


def compiled_evaluation(model: MLP, objective: Objective, data: Dataset) -> CompiledStep:
    """:func:`evaluate`'s forward pass for one row, compiled: ``(x, label) -> (loss, outputs)``."""

    loss_of = _loss_of(objective)

    def forward(x: Sequence[float], y: Any) -> object:
        out = model(x)
        return loss_of(out, y), out

    return compile_forward(forward, data.x[0], _ys(objective, data.labels[:1])[0])


_SUM = OPS["sum"].forward  # x_1 + ... + x_n on floats, as the sum node adds them


def _label_patterns(data: Dataset, batch_size: int, shuffle: bool, nclasses: int) -> int | None:
    """How many label patterns the batches can show, when small enough to count; else None."""
    n = len(data)
    if batch_size == 1:
        return nclasses
    if not shuffle:  # the same batches every epoch
        return len({tuple(data.labels[i : i + batch_size]) for i in range(0, n, batch_size)})
    return 1 if batch_size >= n else None


def _check_count(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{what} must be an integer from {low} to {high}, got {value!r:.40}")
    return value


def fit(
    model: MLP,
    data: DataSplit,
    objective: Objective,
    optimizer: Optimizer,
    *,
    epochs: int,
    batch_size: int = 1,
    shuffle: bool = False,
    seed: int | random.Random | None = 0,
    l2: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochStats], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    compile: bool = False,  # noqa: A002 - the option's name on the command line
    on_start: Callable[[MLP, Objective, int], None] | None = None,
) -> TrainResult:
    """Train ``model`` on ``data.train`` for ``epochs`` epochs; see the module docstring.

    ``on_start(model, objective, steps)``, when given, is called once before the
    first step with the number of steps the run will take (for replays).

    ``lr_schedule(k)`` (k = step index from 0), when given, sets the
    optimiser's ``lr`` before step k. ``should_stop`` is asked after every
    step and after every epoch (for Ctrl-C); when it says yes, training ends
    there with ``interrupted`` set. (When an epoch's compiled steps run in one
    call, see below, it is asked after the epoch only.)

    ``compile=True`` traces the evaluation once (:func:`compiled_evaluation`)
    and, when the batches can show at most
    :data:`autograd.compile.MAX_VARIANTS` patterns of labels (per-sample
    steps, fixed batches, or the full batch), the training step too
    (:func:`compiled_train_step`). Reshuffled mini-batches of several classes
    run each step as a loop of compiled sample gradients, last sample first
    (:func:`compiled_sample_gradient`), and a compiled update; with ``l2`` they
    keep eager steps. Where the loss needs only a class's target numbers
    (:meth:`Objective.target`) one trace serves every class: per-sample steps
    and the full batch compile as one step (and mini-batches too, with
    ``l2``), and without ``on_step`` or ``lr_schedule`` an epoch's steps run in
    one call (:meth:`autograd.compile.CompiledStep.run`); other mini-batches
    take the loop of sample gradients, whose trace is one sample long (a whole
    batch traced costs its size in compile time). Either way the trained
    network is bit for bit the eager one; ``result.compiled`` says what ran
    compiled.
    """
    _check_count(epochs, "fit: epochs", 0, MAX_EPOCHS)
    n = len(data.train)
    _check_count(batch_size, "fit: batch_size", 1, MAX_BATCH)
    if isinstance(l2, bool) or not isinstance(l2, int | float) or not 0.0 <= l2 < math.inf:
        raise ValueError(f"fit: l2 must be a finite number >= 0, got {l2!r:.40}")
    rng = make_rng(seed)
    train = data.train
    order = list(range(n))
    result = TrainResult(model)
    if on_start is not None:
        on_start(model, objective, math.ceil(n / batch_size) * epochs)
    compiled_step: CompiledStep | None = None
    forward: CompiledStep | None = None
    sample_loop: tuple[CompiledStep, CompiledStep] | None = None
    if compile and n:
        forward = compiled_evaluation(model, objective, train)
        result.compiled = "evaluation"
        # numeric targets: one trace for all classes (see _ys); a mini-batch traced whole costs
        # its size in compile time, so mini-batches take the loop of sample gradients instead
        if objective.numeric:
            patterns = 1 if batch_size == 1 or batch_size >= n or l2 else None
        else:
            patterns = _label_patterns(train, batch_size, shuffle, objective.nclasses)
        if patterns is not None and patterns <= MAX_VARIANTS:
            head = range(min(batch_size, n))
            example = ([train.x[i] for i in head], [train.labels[i] for i in head])
            compiled_step = compiled_train_step(model, optimizer, objective, example, l2)
            result.compiled = "step and evaluation"
        elif not l2:  # reshuffled mini-batches: a loop of compiled sample gradients
            sample = compiled_sample_gradient(model, objective, (train.x[0], train.labels[0]))
            update = compile_step(lambda: optimizer.step(), optimizer=optimizer)
            sample_loop = (sample, update)
            result.compiled = "sample gradients, update and evaluation"
    ys = _ys(objective, train.labels) if compile else []  # what the compiled steps take
    # With one trace for every class and nothing to call between steps, an epoch's steps
    # run in one call (CompiledStep.run: the same numbers, the parameters stored once).
    in_one_call = (
        compiled_step is not None and objective.numeric and on_step is None and lr_schedule is None
    )
    k = 0
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        if shuffle:
            rng.shuffle(order)
        total, correct, seen = 0.0, 0, 0
        batches = [tuple(order[first : first + batch_size]) for first in range(0, n, batch_size)]
        done: list[Any] | None = None
        if in_one_call and compiled_step is not None:
            whole = [b for b in batches if len(b) == len(batches[0])]  # a shorter last one: apart
            done = compiled_step.run([([train.x[i] for i in b], [ys[i] for i in b]) for b in whole])
        for j, rows in enumerate(batches):
            if lr_schedule is not None:
                optimizer.lr = lr_schedule(k)
            xs = [train.x[i] for i in rows]
            labels = [train.labels[i] for i in rows]
            outs: list[Any] | None = None  # a compiled step's outputs (it counts no rows)
            if done is not None and j < len(done):
                l_b, data_loss, outs = done[j]
            elif compiled_step is not None:
                l_b, data_loss, outs = compiled_step(xs, [ys[i] for i in rows])
            elif sample_loop is not None:
                l_b, outs = _sample_loop_step(*sample_loop, optimizer, xs, [ys[i] for i in rows])
                data_loss = l_b
            else:
                loss = train_step(model, optimizer, xs, labels, objective, l2)
                l_b, data_loss, right = loss.total.data, loss.data_loss, loss.correct
            if outs is not None:
                right = sum(objective.predict(o) == c for o, c in zip(outs, labels))
            total += data_loss * len(rows)
            correct += right
            seen += len(rows)
            if on_step is not None:
                lr = optimizer.lr
                on_step(Step(epoch, k, rows, l_b, data_loss, right, lr, model))
            k += 1
            result.steps = k
            if should_stop is not None and done is None and should_stop():
                break
        if seen < n:
            result.interrupted = True
            break
        val_loss, val_accuracy = evaluate(model, data.val, objective, forward)
        stats = EpochStats(
            epoch,
            total / seen,
            correct / seen,
            val_loss,
            val_accuracy,
            time.perf_counter() - t0,
            math.ceil(n / batch_size),
        )
        result.history.append(stats)
        result.epochs = epoch
        if on_epoch is not None:
            on_epoch(stats)
        if should_stop is not None and should_stop():
            result.interrupted = epoch < epochs
            break
    result.final_loss, result.train_accuracy = evaluate(model, data.train, objective, forward)
    _, result.val_accuracy = evaluate(model, data.val, objective, forward)
    result.seconds = time.perf_counter() - start
    return result


def train(
    data: DataSplit,
    *,
    hidden: Sequence[int] = (16, 16),
    activation: str = "relu",
    output_activation: str = "linear",
    loss: str = "hinge",
    lr: float = 0.2,
    epochs: int = 50,
    batch_size: int = 16,
    seed: int | random.Random | None = 0,
    init: str | Initializer = "scaled_uniform",
    l2: float = 0.0,
    shuffle: bool = True,
    on_step: Callable[[Step], None] | None = None,
    on_epoch: Callable[[EpochStats], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    compile: bool = False,  # noqa: A002
    on_start: Callable[[MLP, Objective, int], None] | None = None,
) -> TrainResult:
    """An MLP for ``data`` (inputs = features, outputs as ``loss`` needs), trained by SGD.

    The network is ``MLP(data.nfeatures, [*hidden, nout], activation,
    output_activation)`` drawn from ``random.Random(seed)`` (or from the
    generator passed as ``seed``); the same generator then shuffles the
    batches. ``deltagrad train NAME --seed s`` runs
    ``rng = random.Random(s); train(load(NAME, seed=rng), seed=rng, ...)``:
    one generator makes the data, the split, the weights and the batches.
    """
    objective = Objective(loss, data.nclasses)
    rng = make_rng(seed)
    model = MLP(
        data.nfeatures,
        [*hidden, objective.nout],
        activation,
        output_activation,
        init=init,
        seed=rng,
    )
    return fit(
        model,
        data,
        objective,
        SGD(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=rng,
        l2=l2,
        on_step=on_step,
        on_epoch=on_epoch,
        should_stop=should_stop,
        compile=compile,
        on_start=on_start,
    )


def train_iris(
    *,
    epochs: int = 300,
    lr: float = 0.2,
    hidden: int = 5,
    seed: int = 0,
    init: str | Initializer = "uniform01",
    on_epoch: Callable[[EpochStats], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    compile: bool = False,  # noqa: A002
) -> TrainResult:
    """Article 003: a ``4-hidden-3`` sigmoid network, per-sample SGD on the half squared error.

    Rows in the order of the one seeded shuffle (no reshuffling), sigmoid on
    every layer, ``U[0, 1)`` initial parameters by default. ``on_epoch`` is
    called after every completed epoch; ``should_stop`` is asked after every
    sample.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"train_iris: epochs must be an integer >= 0, got {epochs!r}")
    rng: random.Random = make_rng(seed)
    data = load_iris(rng)
    model = MLP(4, [hidden, len(data.classes)], "sigmoid", "sigmoid", init=init, seed=rng)
    return fit(
        model,
        data,
        Objective("half-squared-error", len(data.classes)),
        SGD(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=1,
        shuffle=False,
        seed=rng,
        on_epoch=on_epoch,
        should_stop=should_stop,
        compile=compile,
    )
