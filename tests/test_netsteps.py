"""Stepping an MLP's backward pass one neuron or one layer at a time (viewers.netsteps)."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.formatting import format_number
from nn import MLP, half_squared_error
from nn import worked_example as we
from viewers.netsteps import layer_steps, neuron_steps, save_frames

SVG = "{http://www.w3.org/2000/svg}"


def _pair(sizes, activation="sigmoid", seed=0):
    """Two identical networks with their losses on the same sample (one for backward())."""
    net = MLP(2, sizes, activation, activation, seed=seed)
    twin = copy.deepcopy(net)
    losses = [half_squared_error(n([0.3, -0.7]), [1.0] * sizes[-1]) for n in (net, twin)]
    return (net, losses[0]), (twin, losses[1])


@pytest.mark.parametrize("stepper", [neuron_steps, layer_steps])
@pytest.mark.parametrize(
    ("sizes", "activation"), [([16, 16, 1], "sigmoid"), ([3, 2], "tanh"), ([4, 3, 2], "linear")]
)
def test_all_steps_leave_exactly_the_gradients_of_backward(stepper, sizes, activation):
    (net, loss), (twin, twin_loss) = _pair(sizes, activation)
    twin_loss.backward()
    steps = list(stepper(net, loss))
    assert len(steps) == (sum(sizes) if stepper is neuron_steps else len(sizes))
    for p, q in zip(net.parameters(), twin.parameters(), strict=True):
        assert p.grad == q.grad  # bit for bit: the same arithmetic in the same order
    for n, m in zip(
        [n for layer in net.layers for n in layer.neurons],
        [m for layer in twin.layers for m in layer.neurons],
    ):
        assert n.z.grad == m.z.grad


def test_a_neuron_step_writes_the_delta_rule_with_the_engines_numbers():
    g = we.article_graph("forward")
    steps = list(neuron_steps(g.net, g.loss))
    assert [(s.layer, s.neurons) for s in steps] == [
        (3, (1,)), (2, (2,)), (2, (1,)), (1, (3,)), (1, (2,)), (1, (1,))
    ]  # fmt: skip
    printed = we.printed_values()
    text = steps[1].describe()
    # z5's delta: f'(z5) * w_65 * delta6, with the article's delta2[2]
    assert text.startswith("step 2 of 6: L2.n2: δ5 = f'(z5) * Σ_k w_k2 δ_k = ")
    assert text.endswith(f"= {format_number(printed['delta2[2]'], 4)}")
    f5 = g.f[4]
    fprime = f5.data * (1 - f5.data)
    assert f"{format_number(fprime, 4)} * (3*({format_number(g.z[5].grad, 4)}))" in text
    # each step shows the deltas finished so far, and only those
    assert set(steps[0].deltas) == {g.z[5]}
    assert set(steps[2].deltas) == {g.z[5], g.z[4], g.z[3]}


def test_a_layer_step_writes_bp1_and_bp2_in_matrix_form():
    g = we.article_graph("forward")
    steps = list(layer_steps(g.net, g.loss))
    assert [s.layer for s in steps] == [3, 2, 1]
    assert "BP1: δ^L = ∇_a L ⊙ f'(z^L)" in steps[0].text
    assert "BP2: δ^1 = ((W^2)^T δ^2) ⊙ f'(z^1)" in steps[2].text
    deltas = ", ".join(format_number(z.grad, 4) for z in g.z[:3])
    assert steps[2].text.splitlines()[1].endswith(f"= [{deltas}]")


def test_frames_carry_their_caption_and_fit_the_screen(tmp_path):
    (net, loss), _ = _pair([16, 16, 1])
    steps = list(neuron_steps(net, loss))
    paths = save_frames(steps[:3], tmp_path)
    assert [p.name for p in paths] == ["net_001.svg", "net_002.svg", "net_003.svg"]
    for step, path in zip(steps, paths):
        root = ET.fromstring(path.read_text("utf-8"))
        caption = " ".join(
            t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "caption"
        )
        assert re.sub(r"\s+", "", caption) == re.sub(r"\s+", "", step.describe())
        assert float(root.get("width")) <= 1920 and float(root.get("height")) <= 1080
        current = [
            g.get("data-node")
            for g in root.iter(f"{SVG}g")
            if g.get("class") == "neuron" and g.find(f"{SVG}ellipse").get("fill") == "#ffd54f"
        ]
        assert current == [f"L{step.layer}.n{step.neurons[0]}"]


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(TypeError, match="expected an nn MLP"):
        list(neuron_steps(Value(1.0), Value(1.0)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has not computed yet"):
        list(neuron_steps(MLP(2, [2, 1], "sigmoid", "sigmoid", seed=0), Value(1.0)))
