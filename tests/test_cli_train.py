"""`deltagrad train iris` and `deltagrad demo`: options, outputs, errors, Ctrl-C."""

import json
import os
import signal
import subprocess
import sys

import pytest

import deltagrad.commands.train as train_command
from deltagrad.cli import main
from nn import MLP

FAST = ["train", "iris", "--epochs", "3", "--no-progress"]


def run(capsys, *args):
    status = main([*FAST, *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_train_prints_a_report(capsys):
    status, out, err = run(capsys)
    assert status == 0
    assert "3 epochs" in out and "validation accuracy" in out and "final loss" in out
    assert err == ""


def test_json_summary(capsys):
    status, out, _ = run(capsys, "--json", "--hidden", "4", "--lr", "0.5", "--seed", "2")
    assert status == 0
    summary = json.loads(out)
    assert summary["epochs"] == 3 and summary["interrupted"] is False
    assert 0.0 <= summary["train_accuracy"] <= 1.0 and 0.0 <= summary["val_accuracy"] <= 1.0
    assert summary["final_loss"] > 0.0 and summary["seconds"] > 0.0
    assert (summary["hidden"], summary["lr"], summary["seed"]) == ([4], 0.5, 2)
    assert summary["architecture"]["sizes"] == [4, 4, 3]
    assert summary["saved"] is None and summary["plot"] is None


def test_same_seed_same_result(capsys):
    first = json.loads(run(capsys, "--json")[1])
    second = json.loads(run(capsys, "--json")[1])
    for key in ("train_accuracy", "val_accuracy", "final_loss"):
        assert first[key] == second[key]


def test_progress_bar_shows_epoch_loss_and_accuracy(capsys):
    status = main(["train", "iris", "--epochs", "2"])
    _, err = capsys.readouterr()
    assert status == 0
    assert "2/2" in err and "epoch" in err and "loss" in err and "val" in err and "%" in err


def test_save_writes_a_loadable_model(capsys, tmp_path):
    path = tmp_path / "iris.json"
    status, out, _ = run(capsys, "--json", "--save", str(path), "--hidden", "6")
    assert status == 0 and json.loads(out)["saved"] == str(path)
    model = MLP.load(path)
    assert model.nin == 4 and model.nouts == [6, 3]
    assert model.activations == ["sigmoid", "sigmoid"]


def test_plot_writes_a_real_png(capsys, tmp_path):
    import matplotlib.image

    path = tmp_path / "curve.png"
    status, out, _ = run(capsys, "--plot", str(path))
    assert status == 0 and f"plot written to {path}" in out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(path)
    height, width, _ = pixels.shape
    assert height >= 300 and width >= 400
    # Not a blank canvas: the drawn curves and text give many distinct colours.
    colours = {tuple(p) for p in pixels.reshape(-1, pixels.shape[2])[::7].tolist()}
    assert len(colours) > 20


def test_plot_in_svg(capsys, tmp_path):
    path = tmp_path / "curve.svg"
    assert run(capsys, "--plot", str(path))[0] == 0
    assert b"<svg" in path.read_bytes()[:1000]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plot", "curve.xyz"], "cannot tell the image format"),
        (["--plot", "no/such/dir/curve.png"], "does not exist"),
        (["--save", "no/such/dir/model.json"], "does not exist"),
    ],
)
def test_bad_output_paths_are_refused_before_training(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(train_command, "fit", lambda *a, **kw: pytest.fail("trained anyway"))
    status, _, err = run(capsys, *args)
    assert status == 2 and message in err and err.startswith("deltagrad train:")


def test_plot_without_matplotlib_says_how_to_install_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    monkeypatch.setattr(train_command, "fit", lambda *a, **kw: pytest.fail("trained anyway"))
    status, _, err = run(capsys, "--plot", str(tmp_path / "p.png"))
    assert status == 2
    assert "needs matplotlib" in err and "pip install 'deltagrad[plot]'" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--epochs", "0"],
        ["--epochs", "x"],
        ["--lr", "-0.1"],
        ["--lr", "nan"],
        ["--hidden", "0"],
        ["--init", "ones"],
    ],
)
def test_bad_options_are_usage_errors(capsys, args):
    with pytest.raises(SystemExit) as e:
        main(["train", "iris", *args])
    assert e.value.code == 2
    assert args[0] in capsys.readouterr().err


def test_unknown_dataset(capsys):
    assert main(["train", "mnist"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "deltagrad train: 'mnist' is neither a built-in data set "
        "(moons, circles, xor, spiral, iris) nor an existing file\n"
    )


# --- Ctrl-C ----------------------------------------------------------------------


def interrupt_after(epochs, times=1):
    """A fit that sends itself SIGINT `times` times after `epochs` epochs."""
    real = train_command.fit

    def fit(*args, **kwargs):
        on_epoch = kwargs["on_epoch"]

        def hook(stats):
            on_epoch(stats)
            if stats.epoch == epochs:
                for _ in range(times):
                    signal.raise_signal(signal.SIGINT)

        return real(*args, **{**kwargs, "on_epoch": hook})

    return fit


def test_ctrl_c_stops_cleanly_and_still_saves(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(train_command, "fit", interrupt_after(2))
    model, plot = tmp_path / "m.json", tmp_path / "p.png"
    status = main(
        [
            "train",
            "iris",
            "--epochs",
            "50",
            "--no-progress",
            "--json",
            "--save",
            str(model),
            "--plot",
            str(plot),
        ]
    )
    out, err = capsys.readouterr()
    assert status == 130
    assert "stopped by Ctrl-C after 2 complete epoch(s)" in err
    summary = json.loads(out)
    assert summary["interrupted"] is True and summary["epochs"] == 2
    assert summary["saved"] == str(model) and summary["plot"] == str(plot)
    assert MLP.load(model).nouts == [5, 3]
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_second_ctrl_c_stops_at_once_without_saving(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(train_command, "fit", interrupt_after(1, times=2))
    model = tmp_path / "m.json"
    status = main(["train", "iris", "--epochs", "50", "--no-progress", "--save", str(model)])
    _, err = capsys.readouterr()
    assert status == 130 and "interrupted" in err
    assert not model.exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_real_sigint_to_a_running_process(tmp_path):
    """SIGINT to a real `deltagrad train` process: it stops, saves, and exits with 130."""
    model = tmp_path / "m.json"
    command = ["train", "iris", "--epochs", "100000", "--json", "--save", str(model)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "deltagrad", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        # The progress bar is drawn once the Ctrl-C handler is in place: wait for it.
        assert proc.stderr is not None
        assert proc.stderr.read(1) != b""
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err.decode()
    summary = json.loads(out)
    assert summary["interrupted"] is True and summary["epochs"] < 100000
    assert MLP.load(model).nouts == [5, 3]
    assert b"stopped by Ctrl-C" in err and b"Traceback" not in err


# --- the demo --------------------------------------------------------------------


def test_demo_runs_all_four_parts(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--epochs", "2", "--micrograd-steps", "3"]) == 0
    out, err = capsys.readouterr()
    assert "dL/da" in out  # the engine's node table
    assert "z5" in out and "7.979583862337768 ✗" in out  # the worked example, both readings
    assert "W <- W - alpha (delta a^T + W)" in out
    assert "2 epochs" in out and "2/2" in err
    assert MLP.load(tmp_path / "out" / "iris-model.json").nouts == [5, 3]
    assert (tmp_path / "out" / "iris-training.png").read_bytes()[:4] == b"\x89PNG"
    assert "out/worked_example.svg" in out
    assert (tmp_path / "out" / "worked_example.svg").read_text().lstrip().startswith("<?xml")
    # part 4: micrograd's demo (3 steps here; tests/test_micrograd_demo.py runs all 100)
    assert "   0  0.8958441028683222  50%" in out and "after 3 steps" in out
    assert (tmp_path / "out" / "micrograd-moons.png").read_bytes()[:4] == b"\x89PNG"
