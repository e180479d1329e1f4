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
from nn.datasets import load
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
        ("xor", {"batch_size": 16, "epochs": 2}, "evaluation"),
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


@pytest.mark.parametrize("dataset", ["iris", "moons"])
def test_the_command_line_compile_writes_the_same_model_file(tmp_path, capsys, dataset):
    files = []
    for extra in ([], ["--compile"]):
        path = tmp_path / f"model{len(files)}.json"
        argv = ["train", dataset, "--epochs", "3", "--no-progress", "--json", "--save", str(path)]
        assert main(argv + extra) == 0
        record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        files.append((path.read_bytes(), record["train_accuracy"], record["compiled"]))
    assert files[0][:2] == files[1][:2]
    assert files[0][2] == "nothing" and files[1][2] != "nothing"
