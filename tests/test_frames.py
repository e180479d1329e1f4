"""Saved step-through frames carry their caption and fit a 1920 x 1080 screen."""

from __future__ import annotations

import html
import re

import pytest

from autograd import Value
from autograd.stepper import backward_steps, forward_steps, save_frames
from nn import MLP, half_squared_error


def _size_px(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert m is not None
    return float(m.group(1)) * 96 / 72, float(m.group(2)) * 96 / 72


def _texts(svg: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_every_frame_carries_its_steps_text(tmp_path):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    L = (a * b).tanh()
    L.label = "L"
    steps = list(backward_steps(L))
    paths = save_frames(steps, tmp_path)
    for step, path in zip(steps, paths):
        texts = _texts(path.read_text("utf-8"))
        for line in step.describe().splitlines():
            assert line.strip() in texts
    fwd = list(forward_steps(L))
    for step, path in zip(fwd, save_frames(fwd, tmp_path, prefix="fwd")):
        assert step.describe() in _texts(path.read_text("utf-8"))


@pytest.mark.parametrize(
    ("activations", "count"),
    [(("sigmoid", "sigmoid"), 67), (("relu", "linear"), 66)],  # micrograd's MLP(2, [16, 16, 1])
)
def test_frames_of_a_2_16_16_1_network_fit_1920_by_1080_with_neurons_in_boxes(
    tmp_path, activations, count
):
    net = MLP(2, [16, 16, 1], *activations, seed=0)
    loss = half_squared_error(net([0.3, 0.4]), [1.0])
    steps = list(backward_steps(loss))
    assert len(steps) == count  # 33 linear nodes, an activation per neuron that has one, the loss
    chosen = [steps[0], steps[1], steps[40]]  # (all of them take a few seconds: see the README)
    for path in save_frames(chosen, tmp_path):
        svg = path.read_text("utf-8")
        width, height = _size_px(svg)
        assert width <= 1920.5 and height <= 1080.5, (width, height)
        assert svg.count('class="node value neuron') == 33
    # the frame's caption names the step with the network's names
    second = "L3.n1.a = sigmoid(L3.n1.z)" if count == 67 else "L3.n1.z = L3.n1.w1*L2.n1.a"
    assert steps[1].describe().startswith(f"step 2 of {count}: {second}")
