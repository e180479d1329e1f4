"""`deltagrad train` on the generated data sets and on CSV files: options, JSON, errors, plots."""

import json
import subprocess
import sys

import pytest

from deltagrad.cli import main
from nn.datasets import load_csv

QUICK = ["--epochs", "2", "--no-progress", "--samples", "40"]


def run_json(capsys, *args):
    status = main(["train", *args, "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 1  # one line of JSON, nothing else on stdout
    return json.loads(lines[0])


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral", "iris"])
def test_every_dataset_gives_fractions_in_one_json_line(capsys, name):
    args = ["--epochs", "2", "--no-progress"] + (["--samples", "40"] if name != "iris" else [])
    summary = run_json(capsys, name, *args)
    for key in ("train_accuracy", "val_accuracy"):
        assert 0.0 <= summary[key] <= 1.0
    assert summary["dataset"] == name and summary["epochs"] == 2


def test_moons_defaults_reach_95_percent(capsys):
    """The defaults (2-16-16-1 ReLU, hinge, batches of 16, lr 0.2, 50 epochs, seed 0)."""
    summary = run_json(capsys, "moons", "--no-progress")
    assert summary["train_accuracy"] >= 0.95
    assert summary["architecture"] == {
        "sizes": [2, 16, 16, 1],
        "activations": ["relu", "relu", "linear"],
        "parameters": 337,
    }
    assert (summary["loss"], summary["batch_size"], summary["epochs"]) == ("hinge", 16, 50)


def test_same_seed_same_numbers_other_seed_other_numbers(capsys):
    args = ["spiral", *QUICK, "--batch-size", "4", "--arms", "3"]
    a = run_json(capsys, *args, "--seed", "7")
    b = run_json(capsys, *args, "--seed", "7")
    c = run_json(capsys, *args, "--seed", "8")
    keys = ("train_accuracy", "val_accuracy", "final_loss")
    assert [a[k] for k in keys] == [b[k] for k in keys]
    assert [a[k] for k in keys] != [c[k] for k in keys]


@pytest.mark.parametrize(("batch", "steps"), [("1", 32), ("5", 7), ("32", 1), ("1000", 1)])
def test_batch_size_sets_the_steps(capsys, batch, steps):
    summary = run_json(capsys, "moons", *QUICK, "--batch-size", batch)
    assert summary["n_train"] == 32 and summary["steps"] == 2 * steps


@pytest.mark.parametrize("loss", ["hinge", "cross-entropy", "half-squared-error", "mse"])
def test_losses_and_architecture_options(capsys, loss):
    summary = run_json(
        capsys,
        "spiral",
        *QUICK,
        "--loss",
        loss,
        "--hidden",
        "5,4,3",
        "--activation",
        "tanh",
        "--output-activation",
        "sigmoid",
        "--l2",
        "0.001",
    )
    assert summary["architecture"]["sizes"] == [2, 5, 4, 3, 3]
    assert summary["architecture"]["activations"] == ["tanh"] * 3 + ["sigmoid"]
    assert summary["loss"] == loss and summary["l2"] == 0.001


def test_report_prints_architecture_first_on_stdout(capsys):
    assert main(["train", "circles", *QUICK]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("data: circles: two concentric circles")
    assert "network: 2-16-16-1 MLP, relu hidden, linear output, 337 parameters" in out
    assert "scaling: none" in out
    assert "batch size 16 (mini-batches, rows reshuffled every epoch)" in out
    assert "final network, every row, no_grad: training accuracy" in out
    assert "running" in out
    assert err == ""


def test_progress_bar_labels_its_training_figure_running(capsys):
    assert main(["train", "xor", "--epochs", "2", "--samples", "40"]) == 0
    _, err = capsys.readouterr()
    assert "running: loss" in err and "val" in err and "2/2" in err


def _shape_row(i):
    width, height = 1 + i % 7, 10 + (i * 3) % 11
    return f"{width},{height},{'big' if width * height > 60 else 'small'}\n"


CSV = "width,height,kind\n" + "".join(_shape_row(i) for i in range(40))


def test_csv_trains_and_reports_scaling(capsys, tmp_path):
    path = tmp_path / "shapes.csv"
    path.write_text(CSV)
    assert main(["train", str(path), "--target", "kind", "--epochs", "3", "--no-progress"]) == 0
    out, _ = capsys.readouterr()
    assert "scaling: standardised (x - mean) / std, fitted on the 32 training rows" in out
    assert "classes (big, small)" in out
    summary = run_json(capsys, str(path), "--target", "kind", "--epochs", "3", "--no-progress")
    assert summary["scaling"] == "standard" and summary["classes"] == ["big", "small"]
    assert summary["source"] == str(path) and summary["n_val"] == 8
    minmax = run_json(
        capsys, str(path), "--target", "kind", "--epochs", "3", "--no-progress", "--scale", "minmax"
    )
    assert minmax["scaling"] == "minmax"


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (CSV, [], "needs --target COLUMN"),
        (CSV, ["--target", "colour"], "no column named 'colour'"),
        (CSV + "3,x,big\n", ["--target", "kind"], "line 42, column 'height': 'x' is not"),
        ("", ["--target", "kind"], "is empty"),
        ("a,kind\n1,x\n2,x\n", ["--target", "kind"], "one class only"),
        (CSV, ["--target", "kind", "--arms", "3"], "--arms is for generated data sets"),
    ],
)
def test_csv_errors_are_one_line_exit_2(capsys, tmp_path, text, args, message):
    path = tmp_path / "data.csv"
    path.write_text(text)
    assert main(["train", str(path), *args, "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing reported before the arguments are known to be good
    assert message in err and err.count("\n") == 1 and err.startswith("deltagrad train: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["moons", "--target", "y"], "--target is for CSV files"),
        (["moons", "--arms", "3"], "--arms is for spiral"),
        (["iris", "--samples", "30"], "--samples does not apply to iris"),
        (["circles", "--scale", "none"], "--scale is for CSV files"),
        (["moons", "--samples", "1000000"], "from 2 to 100000"),
        (["spiral", "--arms", "11"], "arms must be an integer from 2 to 10"),
        (["moons", "--batch-size", "1000001"], "--batch-size 1000001: at most 1000000"),
    ],
)
def test_option_errors(capsys, args, message):
    assert main(["train", *args, "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and err.count("\n") == 1


def test_epochs_are_bounded_when_the_arguments_are_read(capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "moons", "--epochs", "100001"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "--epochs: 100001 is too large: the limit is 100000" in err


@pytest.mark.parametrize("hidden", ["0", "2000", "1,2,3,4,5,6,7,8,9", "a,b", "3,,4"])
def test_hidden_sizes_are_bounded(capsys, hidden):
    with pytest.raises(SystemExit) as e:
        main(["train", "moons", "--hidden", hidden])
    assert e.value.code == 2 and "--hidden" in capsys.readouterr().err


def test_csv_error_in_a_real_process_has_no_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,kind\n1,2,x\n1,,y\n")
    proc = subprocess.run(
        [sys.executable, "-m", "deltagrad", "train", str(path), "--target", "kind"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"deltagrad train: {path} line 3, column 'b': an empty cell\n"


def test_plot_has_a_decision_boundary_for_2d_data(capsys, tmp_path):
    import matplotlib.image

    two_d, four_d = tmp_path / "moons.png", tmp_path / "iris.png"
    assert main(["train", "moons", *QUICK, "--plot", str(two_d)]) == 0
    assert main(["train", "iris", "--epochs", "2", "--no-progress", "--plot", str(four_d)]) == 0
    wide = matplotlib.image.imread(two_d)
    narrow = matplotlib.image.imread(four_d)
    # the boundary panel makes the figure wider (12.5 in against 7 in at the same dpi)
    assert wide.shape[1] > 1.6 * narrow.shape[1] and wide.shape[0] == narrow.shape[0]
    # both class colours of the regions appear, tinted (alpha 0.25 over white)
    pixels = {tuple(round(float(v), 2) for v in p[:3]) for p in wide.reshape(-1, 4)[::5]}
    assert len(pixels) > 50


def test_the_command_is_the_python_call(capsys, tmp_path):
    """`deltagrad train spiral --seed 3 ...` = train(load("spiral", seed=rng), seed=rng, ...)."""
    import random

    from nn.datasets import load
    from nn.train import train

    summary = run_json(capsys, "spiral", *QUICK, "--seed", "3", "--batch-size", "8")
    rng = random.Random(3)
    result = train(load("spiral", seed=rng, n=40), seed=rng, epochs=2, batch_size=8)
    assert summary["train_accuracy"] == result.train_accuracy
    assert summary["val_accuracy"] == result.val_accuracy
    assert summary["final_loss"] == result.final_loss
    path = tmp_path / "d.csv"
    path.write_text(CSV)
    summary = run_json(capsys, str(path), "--target", "kind", "--epochs", "2", "--no-progress")
    rng = random.Random(0)
    result = train(load_csv(path, "kind", seed=rng), seed=rng, epochs=2)
    assert summary["final_loss"] == result.final_loss
