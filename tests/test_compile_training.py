"""``fit(compile=True)`` and ``deltagrad train --compile``: the eager network, bit for bit.

Tolerance: none. Parameters are compared by ``float.hex``, the running and
final figures by ``==``: the compiled step must do the engine's arithmetic in
the engine's order, so any difference is a bug.
"""

from __future__ import annotations

import json
import random

import pytest

from deltagrad.cli import main
from nn.datasets import BUILTIN, load
from nn.train import train, train_iris


def bits(model):
    return [p.data.hex() for p in model.parameters()]


def figures(result):
    history = [(h.train_loss, h.train_accuracy, h.val_loss, h.val_accuracy) for h in result.history]
    return history, result.train_accuracy, result.val_accuracy, result.final_loss


@pytest.mark.parametrize(
    ("name", "options", "compiled"),
    [
        ("moons", {"batch_size": 1, "epochs": 2}, "step and evaluation"),
        ("spiral", {"batch_size": 1, "epochs": 2, "loss": "cross-entropy"}, "step and evaluation"),
        ("circles", {"batch_size": 1, "epochs": 2, "loss": "mse"}, "step and evaluation"),
        (
            "moons",
            {"batch_size": 1000, "epochs": 5, "shuffle": False, "l2": 1e-4},
            "step and evaluation",
        ),
        # two classes, or squared errors: the targets as numbers, one trace for all classes;
        # mini-batches as a loop of sample gradients (but with l2: the batch traced whole)
        ("xor", {"batch_size": 16, "epochs": 2}, "sample gradients, update and evaluation"),
        ("moons", {"batch_size": 7, "epochs": 3}, "sample gradients, update and evaluation"),
        ("moons", {"batch_size": 7, "epochs": 2, "l2": 1e-3}, "step and evaluation"),
        ("moons", {"batch_size": 1, "epochs": 2, "loss": "cross-entropy"}, "step and evaluation"),
        (
            "circles",
            {"batch_size": 9, "epochs": 2, "loss": "mse", "activation": "sigmoid"},
            "sample gradients, update and evaluation",
        ),
        # more classes, reshuffled: a loop of compiled sample gradients
        (
            "spiral",
            {"batch_size": 5, "epochs": 2, "loss": "cross-entropy", "activation": "tanh"},
            "sample gradients, update and evaluation",
        ),
        ("spiral", {"batch_size": 4, "epochs": 2}, "sample gradients, update and evaluation"),
        ("spiral", {"batch_size": 4, "epochs": 2, "l2": 1e-3}, "evaluation"),
    ],
)
def test_compiled_training_gives_the_eager_network(name, options, compiled):
    runs = []
    for compile_ in (False, True):
        rng = random.Random(3)
        data = load(name, seed=rng, n=60)
        runs.append(train(data, seed=rng, compile=compile_, **options))
    eager, fast = runs
    assert bits(fast.model) == bits(eager.model)
    assert figures(fast) == figures(eager)
    assert fast.compiled == compiled and eager.compiled == "nothing"


def test_compiled_iris_gives_the_eager_network():
    eager, fast = train_iris(epochs=5), train_iris(epochs=5, compile=True)
    assert bits(fast.model) == bits(eager.model) and figures(fast) == figures(eager)
    assert fast.compiled == "step and evaluation"


def _csv(tmp_path):
    """A CSV of three classes a user might bring: two measurements and a label."""
    rows = ["length,weight,grade"]
    for i in range(45):
        x, y = (i * 37 % 45) / 9.0, (i * 11 % 45) / 15.0
        rows.append(f"{x:.3f},{y:.3f},{'abc'[int(x + y) % 3]}")
    path = tmp_path / "grades.csv"
    path.write_text("\n".join(rows) + "\n")
    return [str(path), "--target", "grade"]


@pytest.mark.parametrize("dataset", [*sorted(BUILTIN), "a CSV file"])
def test_the_command_line_compile_writes_the_same_model_file(tmp_path, capsys, dataset):
    """Every data set the command line offers: its built-in ones and a user's CSV."""
    source = _csv(tmp_path) if dataset == "a CSV file" else [dataset]
    files = []
    for extra in ([], ["--compile"]):
        path = tmp_path / f"model{len(files)}.json"
        argv = ["train", *source, "--epochs", "3", "--no-progress", "--json", "--save", str(path)]
        assert main(argv + extra) == 0
        record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        files.append((path.read_bytes(), record["train_accuracy"], record["compiled"]))
    assert files[0][:2] == files[1][:2]
    assert files[0][2] == "nothing" and files[1][2] != "nothing"


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("batch_size", [2, 6, 60])
def test_reshuffled_batches_with_any_optimiser_give_the_eager_network(optimizer, batch_size):
    """The loop of compiled sample gradients (last sample first) and the compiled update."""
    from nn import MLP, SGD, Adam
    from nn.objectives import Objective
    from nn.train import fit

    runs = []
    for compile_ in (False, True):
        rng = random.Random(8)
        data = load("spiral", seed=rng, n=45)
        model = MLP(2, [6, 5, 3], "tanh", seed=1)
        params = model.parameters()
        opt = SGD(params, lr=0.1, momentum=0.9) if optimizer == "momentum" else Adam(params)
        objective = Objective("cross-entropy", 3)
        kw = {"epochs": 3, "batch_size": batch_size, "shuffle": True, "seed": 4}
        runs.append(fit(model, data, objective, opt, compile=compile_, **kw))
    eager, fast = runs
    assert bits(fast.model) == bits(eager.model)
    assert figures(fast) == figures(eager)
    expected = (
        "step and evaluation" if batch_size >= 45 else "sample gradients, update and evaluation"
    )
    assert fast.compiled == expected


def test_an_epoch_of_compiled_steps_runs_in_one_call_and_stops_after_the_epoch(monkeypatch):
    """Numeric targets, no on_step: each epoch is one CompiledStep.run call (and the same
    network as eager); should_stop is then asked after each epoch, not after each step."""
    from autograd.compile import CompiledStep

    calls = []
    original = CompiledStep.run

    def counting(self, rows):
        calls.append(len(rows))
        return original(self, rows)

    monkeypatch.setattr(CompiledStep, "run", counting)

    def run(compile_, should_stop=None):
        rng = random.Random(5)
        data = load("moons", seed=rng, n=50)
        kw = {"batch_size": 1, "epochs": 3, "should_stop": should_stop}
        return train(data, seed=rng, compile=compile_, **kw), len(data.train)

    (eager, n), (fast, _) = run(False), run(True)
    assert bits(fast.model) == bits(eager.model) and figures(fast) == figures(eager)
    assert calls.count(n) == 4  # three epochs, one call each, and the final evaluation
    asked: list[int] = []

    def second_time() -> bool:
        asked.append(1)
        return len(asked) >= 2

    stopped, _ = run(True, second_time)
    assert stopped.steps == 2 * n and stopped.interrupted and stopped.epochs == 2  # by epoch
    asked.clear()
    stopped_eager, _ = run(False, second_time)
    assert stopped_eager.steps == 2 and stopped_eager.interrupted
