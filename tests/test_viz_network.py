"""Scalar graphs of networks, drawn by `dot` and read back: layers, neuron order, inputs drawn
once, neurons folded into boxes, a batch folded to one sample, and short names."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

import pytest
from svg_helpers import parse
from svg_helpers import parse as parse_svg

from autograd import sum as vsum
from autograd.formatting import format_number
from autograd.viz import GraphTooLargeError, draw_dot, to_svg
from nn import MLP, half_squared_error
from nn import worked_example as we

SVG = "{http://www.w3.org/2000/svg}"


def _size_pt(svg: str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return float(root.get("width", "").removesuffix("pt")), float(
        root.get("height", "").removesuffix("pt")
    )


def _first_text_y(svg: str) -> dict[str, float]:
    """The y of the first text (the name) of every value record or neuron box, by that name."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if "value" in g.get("class", "").split():
            text = next(g.iter(f"{SVG}text"))
            out[(text.text or "").strip()] = float(text.get("y", "0"))
    return out


@pytest.fixture(scope="module")
def worked_example_svg():
    graph = we.article_graph("forward")
    graph.loss.backward()
    return to_svg(graph.loss)


def test_worked_example_graph_is_within_two_and_a_half_to_one(worked_example_svg):
    width, height = _size_pt(worked_example_svg)
    assert max(width / height, height / width) <= 2.5, (width, height)


def test_neurons_keep_their_order_top_to_bottom(worked_example_svg):
    y = _first_text_y(worked_example_svg)
    assert y["z1"] < y["z2"] < y["z3"]
    assert y["z4"] < y["z5"]


def test_each_input_is_drawn_once_with_every_edge_that_uses_it(worked_example_svg):
    d = parse(worked_example_svg)
    inputs = d.by_class("input")
    assert sorted(n.texts[0] for n in inputs) == ["x_1 = 1", "x_2 = 2"]
    for node in inputs:
        assert len([e for e in d.edges if e.title.startswith(f"{node.id}->")]) == 3


def _net_and_loss(batch: int, seed: int = 0):
    net = MLP(2, [16, 16, 1], "sigmoid", "sigmoid", seed=seed)
    rng = random.Random(seed)
    losses = [
        half_squared_error(net([rng.uniform(-1, 1), rng.uniform(-1, 1)]), [1.0])
        for _ in range(batch)
    ]
    loss = losses[0] if batch == 1 else vsum(losses) * (1 / batch)
    loss.backward()
    return net, loss


def test_a_batch_of_20_folds_to_one_sample_and_says_so():
    _, loss = _net_and_loss(20)
    d = parse(to_svg(loss))
    boxes = d.by_class("neuron")
    assert len(boxes) == 33  # one sample's neurons, each one box
    gather = [n for n in d.by_class("op") if "+19 samples not drawn" in n.texts]
    assert len(gather) == 1
    svg = to_svg(loss)
    assert "one sample of a batch of 20 drawn" in svg


def test_a_neuron_box_shows_its_name_contents_z_out_and_delta():
    net, loss = _net_and_loss(1)
    d = parse(to_svg(loss))  # more than 24 neurons: boxes without asking
    boxes = {n.texts[0]: n for n in d.by_class("neuron")}
    assert len(boxes) == 33 and "L2.n15" in boxes
    neuron = net.layers[1].neurons[14]
    texts = boxes["L2.n15"].texts
    assert texts[2] == "Σ w·x + b → σ (17 parameters)"
    assert f"z {format_number(neuron.z.data, 4)}" in texts
    assert f"out {format_number(neuron.out.data, 4)}" in texts
    assert f"δ {format_number(neuron.z.grad, 4)}" in texts
    # every weight is an arrow: 2 inputs x 16 + 16 x 16 + 16, and the output into the loss
    ids = {n.id for n in boxes.values()}
    into_boxes = [e for e in d.edges if e.title.split("->")[1].split(":")[0] in ids]
    assert len(into_boxes) == 2 * 16 + 16 * 16 + 16


def test_neuron_boxes_keep_the_order_of_each_layer():
    _, loss = _net_and_loss(1)
    y = _first_text_y(to_svg(loss, fold_neurons=True))
    for layer in (1, 2):
        ys = [y[f"L{layer}.n{j}"] for j in range(1, 17)]
        assert ys == sorted(ys)


def test_a_graph_too_large_even_folded_is_still_refused():
    _, loss = _net_and_loss(20)
    with pytest.raises(GraphTooLargeError, match=r"one sample of 20.*max_nodes=10"):
        draw_dot(loss, max_nodes=10)


def test_network_nodes_have_short_names_and_no_name_repeats_a_subexpression():
    net = MLP(2, [16, 16, 1], "sigmoid", "sigmoid", seed=0)
    loss = half_squared_error(net([0.5, 0.5]), [1.0])
    d = parse(to_svg(loss, max_nodes=2000, fold_neurons=False))
    names = [n.texts[0] for n in d.by_class("value")]
    assert "L" in names and "L2.n15.z" in names and "L2.n15.a" in names
    assert "L2.n15.w16" in names and "L2.n15.b" in names
    assert all(re.fullmatch(r"L(\d\.n\d+\.([za]|w\d+|b))?", name) for name in names), names


def test_a_drawn_name_never_repeats_the_expression_of_an_argument():
    from autograd.expr import parse

    root = parse("tanh(x*w + b) * exp(x*w + b)").evaluate(
        {"x": 1, "w": 2, "b": 3}, label_nodes=True
    )
    d = parse_svg(to_svg(root))
    names = sorted(n.texts[0] for n in d.by_class("value") if "leaf" not in n.classes)
    assert names == sorted(["x*w", "x*w", "… + b", "… + b", "tanh(…)", "exp(…)", "… * …"])
