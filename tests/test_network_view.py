"""The network view (viewers.network), tested on its SVG: layout read back, names, numbers.

Text boxes are estimated from Helvetica's advance widths (AFM metrics, in
font sizes; the widest character of each class is used, so a box is never
smaller than the text it holds), height from 0.8 font sizes above the baseline
to 0.25 below. "Legible" means: no two text boxes overlap, the picture's
longer side is at most twice its shorter side, and every text is at least
8 pt = 10.67 px tall when the picture is scaled to fit a 1920 x 1080 screen.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.formatting import format_exact, format_number
from nn import MLP, half_squared_error
from nn import worked_example as we
from viewers.network import NEGATIVE, POSITIVE, draw_network, network_svg

SVG = "{http://www.w3.org/2000/svg}"
MIN_PX = 8 * 96 / 72  # 8 pt in CSS pixels

# Helvetica advance widths (per 1000 font units) for the classes of character the view writes.
_WIDTHS = {"digit": 556, "lower": 611, "upper": 722, "wide": 944, "other": 611}


def _char_width(c: str) -> float:
    if c in "WMmw":
        return _WIDTHS["wide"] / 1000
    if c.isdigit():
        return _WIDTHS["digit"] / 1000
    if c.isupper():
        return _WIDTHS["upper"] / 1000
    if c.islower():
        return _WIDTHS["lower"] / 1000
    return _WIDTHS["other"] / 1000


def _boxes(root: ET.Element) -> list[tuple[str, float, float, float, float, float]]:
    """``(text, x0, y0, x1, y1, font size)`` of every non-empty text element."""
    out = []
    for t in root.iter(f"{SVG}text"):
        text = t.text or ""
        if not text.strip():
            continue
        size = float(t.get("font-size", "0"))
        x, y = float(t.get("x", "0")), float(t.get("y", "0"))
        width = sum(_char_width(c) for c in text) * size
        anchor = t.get("text-anchor", "start")
        x0 = x if anchor == "start" else x - width / 2 if anchor == "middle" else x - width
        out.append((text, x0, y - 0.8 * size, x0 + width, y + 0.25 * size, size))
    return out


def _size(root: ET.Element) -> tuple[float, float]:
    return float(root.get("width", "0")), float(root.get("height", "0"))


def _check_legible(svg: str) -> dict[str, float]:
    root = ET.fromstring(svg)
    width, height = _size(root)
    boxes = _boxes(root)
    assert boxes
    ratio = max(width / height, height / width)
    assert ratio <= 2.0, f"{width} x {height} is {ratio:.2f}:1"
    fit = min(1920 / width, 1080 / height)
    smallest = min(b[5] for b in boxes) * fit
    assert smallest >= MIN_PX, f"smallest text {smallest:.2f} px when fitted"
    for k, a in enumerate(boxes):
        assert a[1] >= 0 and a[2] >= 0 and a[3] <= width and a[4] <= height, f"{a[0]!r} outside"
        for b in boxes[k + 1 :]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, f"texts {a[0]!r} and {b[0]!r} overlap"
    return {"width": width, "height": height, "ratio": ratio, "smallest_px": smallest}


def _groups(svg: str, cls: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    found = {}
    for g in root.iter(f"{SVG}g"):
        if cls in g.get("class", "").split():
            name = g.get("data-node", "")
            assert name not in found, f"two {cls} groups named {name}"
            found[name] = g
    return found


def _text(g: ET.Element, cls: str) -> str:
    texts = [t.text or "" for t in g.iter(f"{SVG}text") if t.get("class") == cls]
    assert len(texts) == 1, (cls, texts)
    return texts[0]


def _worked_example(backward: bool = True) -> tuple[we.ExampleGraph, str]:
    graph = we.article_graph("forward")
    if backward:
        graph.loss.backward()
    return graph, network_svg(graph.net, loss=graph.loss)


def _big(batch: int = 1) -> tuple[MLP, Value, str]:
    net = MLP(2, [16, 16, 1], "sigmoid", "sigmoid", seed=3)
    loss = half_squared_error(net([0.5, -1.0]), [1.0])
    loss.backward()
    return net, loss, network_svg(net, loss=loss)


def test_worked_example_is_legible():
    _, svg = _worked_example()
    sizes = _check_legible(svg)
    assert sizes["ratio"] <= 2.0


def test_micrograd_sized_network_is_legible():
    _, _, svg = _big()
    _check_legible(svg)
    net = MLP(2, [16, 16, 1], "relu", "linear", seed=0)  # micrograd's own
    loss = half_squared_error(net([0.5, -1.0]), [1.0])
    loss.backward()
    _check_legible(network_svg(net, loss=loss))


def test_a_caption_is_wrapped_inside_and_stays_legible():
    graph, _ = _worked_example()
    caption = "step 3 of 6: " + "delta_j = f'(z_j) * sum_k w_kj delta_k = 0.25 * 3 " * 6
    svg = network_svg(graph.net, loss=graph.loss, caption=caption)
    _check_legible(svg)
    lines = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "caption"]
    assert "".join(x.replace(" ", "") for x in lines) == caption.replace(" ", "")


def test_every_neuron_input_weight_and_bias_is_named_as_agreed():
    _, svg = _worked_example()
    neurons = _groups(svg, "neuron")
    assert sorted(neurons) == sorted(["L1.n1", "L1.n2", "L1.n3", "L2.n1", "L2.n2", "L3.n1"])
    assert sorted(_groups(svg, "input")) == ["x1", "x2"]
    weights = _groups(svg, "weight")
    expected = [
        f"L{k}.n{j}.w{i}"
        for k, (nin, nout) in enumerate([(2, 3), (3, 2), (2, 1)], start=1)
        for j in range(1, nout + 1)
        for i in range(1, nin + 1)
    ]
    assert sorted(weights) == sorted(expected)
    assert sorted(_groups(svg, "bias")) == sorted(f"{n}.b" for n in neurons)
    assert list(_groups(svg, "loss")) == ["L"]
    for g in [*neurons.values(), *weights.values()]:
        assert g.find(f"{SVG}title") is not None


def test_neurons_show_the_engines_numbers_and_delta_after_backward():
    graph, svg = _worked_example()
    neurons = _groups(svg, "neuron")
    order = [n for layer in graph.net.layers for n in layer.neurons]
    names = ["L1.n1", "L1.n2", "L1.n3", "L2.n1", "L2.n2", "L3.n1"]
    for k, (name, neuron) in enumerate(zip(names, order), start=1):
        g = neurons[name]
        assert g.find(f"{SVG}ellipse") is not None or g.find(f"{SVG}circle") is not None
        assert _text(g, "z") == f"z{k} = {format_number(neuron.z.data, 4)}"
        assert _text(g, "a") == f"f{k} = {format_number(neuron.out.data, 4)}"
        assert _text(g, "delta") == f"δ{k} = {format_number(neuron.z.grad, 4)}"
        title = g.find(f"{SVG}title").text
        assert format_exact(neuron.z.data) in title and format_exact(neuron.z.grad) in title
    # the article's z5 and delta3 (network B)
    assert _text(neurons["L2.n2"], "z").startswith("z5 = 8.979")
    inputs = _groups(svg, "input")
    assert [(t.text or "") for t in inputs["x2"].iter(f"{SVG}text")] == ["x2 = 2"]


def test_delta_is_blank_before_backward():
    _, svg = _worked_example(backward=False)
    for g in _groups(svg, "neuron").values():
        text = _text(g, "delta")
        assert re.fullmatch(r"δ\d =", text), text


def test_neurons_are_in_order_top_to_bottom_in_one_column_per_layer():
    _, _, svg = _big()
    neurons = _groups(svg, "neuron")
    for layer, count in ((1, 16), (2, 16), (3, 1)):
        ellipses = [neurons[f"L{layer}.n{j}"].find(f"{SVG}ellipse") for j in range(1, count + 1)]
        ys = [float(e.get("cy")) for e in ellipses]
        xs = {e.get("cx") for e in ellipses}
        assert ys == sorted(ys) and len(set(ys)) == count and len(xs) == 1


def test_line_width_grows_with_the_weight_and_colour_gives_its_sign():
    net = MLP.from_weights([[[0.5, -2.0, 1.0]]], [[0.0]], activation="linear")
    net([1.0, 1.0, 1.0])
    weights = _groups(network_svg(net), "weight")
    lines = [weights[f"L1.n1.w{i}"].find(f"{SVG}line") for i in (1, 2, 3)]
    widths = [float(line.get("stroke-width")) for line in lines]
    assert widths[0] < widths[2] < widths[1]
    assert [line.get("stroke") for line in lines] == [POSITIVE, NEGATIVE, POSITIVE]


def test_names_in_the_scalar_graph_follow_the_same_scheme():
    net = MLP(2, [3, 1], "sigmoid", "sigmoid", seed=0)
    loss = half_squared_error(net([1.0, 2.0]), [1.0])
    assert loss.label == "L"
    assert net.layers[0].neurons[2].z.label == "L1.n3.z"
    assert net.layers[1].neurons[0].out.label == "L2.n1.a"


def test_draw_network_shows_inline_and_saves(tmp_path):
    graph, svg = _worked_example()
    view = draw_network(graph.net, loss=graph.loss)
    assert view._repr_svg_() == svg
    path = view.save(tmp_path / "net.svg")
    assert path.read_text("utf-8") == svg
    with pytest.raises(ValueError, match=r"\.svg"):
        view.save(tmp_path / "net.png")


def test_bad_model_is_refused_by_name():
    with pytest.raises(TypeError, match="network_svg: expected an nn MLP"):
        network_svg(Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"widest of 33 neurons.*too large"):
        network_svg(MLP(2, [33, 1], "sigmoid", "sigmoid", seed=0))
    network_svg(MLP(32, [32, 1], "sigmoid", "sigmoid", seed=0))  # the largest drawn


def test_sizes_measured(capsys):
    """The sizes and ratios reported in the issue's closing note (printed with -s)."""
    _, we_svg = _worked_example()
    _, _, big_svg = _big()
    for name, svg in (("2-3-2-1", we_svg), ("2-16-16-1", big_svg)):
        m = _check_legible(svg)
        print(f"{name}: {m['width']:.0f} x {m['height']:.0f} px, {m['ratio']:.2f}:1, "
              f"smallest text {m['smallest_px']:.1f} px fitted")  # fmt: skip
        assert math.isfinite(m["ratio"])
