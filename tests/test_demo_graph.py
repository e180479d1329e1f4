"""`deltagrad demo` draws article 003's worked example after the backward pass.

The drawing is rendered with the real `dot` and read back as XML: every Value
of the 2-3-2-1 network's graph is one box, named as the article names it, and
shows the engine's data and gradient.
"""

import pytest
from svg_helpers import parse

from autograd.formatting import format_number
from deltagrad.commands.demo import write_worked_example_graph
from nn import worked_example as we

# The article's names: W{k}[j][i] into neuron j of layer k from input i, b{k}[j],
# z1..z6 and f1..f6 for the six neurons, and the loss L.
SIZES = [2, 3, 2, 1]
PARAMETERS = [
    name
    for k in range(1, 4)
    for j in range(1, SIZES[k] + 1)
    for name in [f"W{k}[{j}][{i}]" for i in range(1, SIZES[k - 1] + 1)] + [f"b{k}[{j}]"]
]
NEURONS = [f"{q}{n}" for n in range(1, 7) for q in ("z", "f")]


@pytest.fixture(scope="module")
def drawing(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "worked_example.svg"
    assert write_worked_example_graph(path) == path
    return parse(path.read_text(encoding="utf-8"))


def test_every_value_is_one_box_named_as_in_the_article(drawing):
    boxes = drawing.by_class("value")
    assert len(PARAMETERS) == 20
    assert len(boxes) == len(PARAMETERS) + len(NEURONS) + 1  # 33 Values in all
    names = sorted(box.texts[0] for box in boxes)
    assert names == sorted([*PARAMETERS, *NEURONS, "L"])
    assert sorted(b.texts[0] for b in drawing.by_class("leaf")) == sorted(PARAMETERS)


def test_operations_constants_and_arrows(drawing):
    ops = drawing.by_class("op")
    # six weighted sums, six sigmoids and the loss
    expected = ["Σ w·x + b"] * 6 + ["σ"] * 6 + ["½Σ(y-ŷ)²"]
    assert sorted(op.texts[0] for op in ops) == sorted(expected)
    # x = (1, 2) is drawn once, with an arrow into each of the three first-layer sums;
    # y = 1 enters the loss
    assert sorted(c.texts[0] for c in drawing.by_class("const")) == ["1"]
    inputs = {n.id: n.texts[0] for n in drawing.by_class("input")}
    assert sorted(inputs.values()) == ["x_1 = 1", "x_2 = 2"]
    for node_id in inputs:
        assert sum(e.title.startswith(f"{node_id}->") for e in drawing.edges) == 3
    # arguments: 3 sums of 2 weights, 2 inputs and a bias; 2 sums of 3 + 3 + 1; one of
    # 2 + 2 + 1; one per sigmoid; prediction and target of the loss. Plus one arrow per result.
    assert len(drawing.edges) == 3 * 5 + 2 * 7 + 5 + 6 + 2 + 13


def test_the_boxes_show_the_engines_numbers_after_backward(drawing):
    by_name = {box.texts[0]: box for box in drawing.by_class("value")}
    printed = we.printed_values()
    # Network B reproduces these printed numbers to 1e-15, far below the 4 digits drawn.
    assert f"data {format_number(printed['z5'], 4)}" in by_name["z5"].texts
    assert f"grad {format_number(printed['delta3[1]'], 4)}" in by_name["z6"].texts
    assert f"grad {format_number(printed['delta2[2]'], 4)}" in by_name["z5"].texts
    assert "grad 1" in by_name["L"].texts  # the seed dL/dL
    assert "data 3" in by_name["W2[2][2]"].texts  # the reading with W2[2][2] = 3


def test_without_dot_the_demo_says_so_and_goes_on(tmp_path, monkeypatch, capsys):
    import autograd.viz

    def no_dot(*args, **kwargs):
        raise autograd.viz.DotNotFoundError("Graphviz's dot program was not found")

    monkeypatch.setattr(autograd.viz, "render", no_dot)
    assert write_worked_example_graph(tmp_path / "g.svg") is None
    assert "drawing skipped: Graphviz's dot program was not found" in capsys.readouterr().err
    assert not (tmp_path / "g.svg").exists()
