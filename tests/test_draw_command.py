"""`deltagrad draw MODEL.json -o net.svg` and the network view `deltagrad demo` writes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from deltagrad.cli import main
from deltagrad.commands.demo import write_worked_example_network
from nn import MLP

SVG = "{http://www.w3.org/2000/svg}"


def _neurons(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-node", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "neuron"}


def _delta(g: ET.Element) -> str:
    return next(t.text or "" for t in g.iter(f"{SVG}text") if t.get("class") == "delta")


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], "sigmoid", "sigmoid", seed=0).save(path)
    return path


def test_draw_writes_the_network_view(model, tmp_path, capsys):
    out = tmp_path / "net.svg"
    assert main(["draw", str(model), "-o", str(out)]) == 0
    neurons = _neurons(out.read_text("utf-8"))
    assert sorted(neurons) == ["L1.n1", "L1.n2", "L1.n3", "L2.n1"]
    assert str(out) in capsys.readouterr().out


def test_draw_with_input_and_target_shows_delta(model, tmp_path):
    out = tmp_path / "net.svg"
    assert main(["draw", str(model), "-o", str(out), "--input", "1,2", "--target", "0"]) == 0
    net = MLP.load(model)
    from nn import half_squared_error

    loss = half_squared_error(net([1.0, 2.0]), [0.0])
    loss.backward()
    from autograd.formatting import format_number

    g = _neurons(out.read_text("utf-8"))["L1.n2"]
    assert _delta(g) == f"δ2 = {format_number(net.layers[0].neurons[1].z.grad, 4)}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--input", "1"], "--input needs 2 comma-separated numbers, got 1"),
        (["--input", "1,x"], "--input number 2 is not a number: 'x'"),
        (["--input", "1,nan"], "must be finite"),
        (["--target", "1"], "--target needs --input"),
        (["--digits", "0"], "--digits must be from 1 to 17"),
    ],
)
def test_draw_refuses_bad_arguments_in_one_line(model, tmp_path, capsys, extra, message):
    assert main(["draw", str(model), "-o", str(tmp_path / "n.svg"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("deltagrad draw: error:")
    assert not (tmp_path / "n.svg").exists()


def test_draw_refuses_bad_files(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{", "utf-8")
    assert main(["draw", str(bad), "-o", str(tmp_path / "n.svg")]) == 2
    assert main(["draw", str(tmp_path / "none.json"), "-o", str(tmp_path / "n.svg")]) == 2
    assert main(["draw", str(bad), "-o", str(tmp_path / "n.png")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and "no such model file" in lines[1] and ".svg" in lines[2]


def test_draw_refuses_a_network_too_large_to_read(tmp_path, capsys):
    path = tmp_path / "wide.json"
    MLP(2, [33, 1], "sigmoid", "sigmoid", seed=0).save(path)
    assert main(["draw", str(path), "-o", str(tmp_path / "n.svg")]) == 2
    assert "too large to draw legibly" in capsys.readouterr().err


def test_demo_writes_the_worked_example_network_view(tmp_path):
    path = write_worked_example_network(tmp_path / "worked_example_network.svg")
    neurons = _neurons(path.read_text("utf-8"))
    assert len(neurons) == 6
    for g in neurons.values():
        assert g.find(f"{SVG}ellipse") is not None
        assert _delta(g).startswith("δ") and len(_delta(g)) > len("δ1 = ")


def test_draw_refuses_a_folder_and_keeps_a_read_only_file_unless_forced(tmp_path, capsys):
    """-o follows the other outputs' rules: checked first, read-only kept without --force."""
    from deltagrad.cli import main
    from nn import MLP

    model = tmp_path / "m.json"
    MLP(2, [2, 1], seed=0).save(model)
    folder = tmp_path / "out.svg"
    folder.mkdir()
    assert main(["draw", str(model), "-o", str(folder)]) == 2
    assert "folder" in capsys.readouterr().err
    locked = tmp_path / "locked.svg"
    locked.write_text("keep me")
    locked.chmod(0o444)
    assert main(["draw", str(model), "-o", str(locked)]) == 2
    assert locked.read_text() == "keep me"
    assert main(["draw", str(model), "-o", str(locked), "--force"]) == 0
    assert locked.read_text().startswith("<svg") or "<svg" in locked.read_text()
