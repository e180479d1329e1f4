"""The network view: an ``nn`` model drawn the way the articles draw it.

One column per layer (the inputs, each hidden layer, the output layer, then
the loss), neurons as ellipses in their order (neuron 1 at the top), one line
per weight whose width shows ``|w|`` and whose colour shows its sign (blue
``w > 0``, red ``w < 0``), each neuron's bias beside it, and in each neuron
its pre-activation ``z``, its output ``a = f(z)`` and, once ``backward()`` has
run, its error term ``delta = dL/dz`` (the ``z`` node's ``grad``: articles
003 and 004's ``delta``). Hovering a neuron, a weight or a bias shows its
exact numbers and rule (an SVG ``<title>``).

>>> from nn import MLP, half_squared_error
>>> net = MLP.from_weights([[[2.0, 1.0]], [[3.0]]], [[1.0], [-2.0]], activation="linear")
>>> L = half_squared_error(net([1.0, 2.0]), [10.0])
>>> L.backward()
>>> svg = network_svg(net, loss=L)
>>> 'data-node="L1.n1"' in svg and 'data-node="L2.n1.w1"' in svg and 'δ1 = 9' in svg
True

The document follows a fixed scheme that other pages rely on:

* a neuron is ``<g class="neuron" data-node="L{l}.n{j}">`` (layer ``l`` from 1
  = the first hidden layer, neuron ``j`` from 1, top to bottom) holding its
  ellipse, a ``<title>`` and ``<text>`` elements of class ``z``, ``a`` and
  ``delta`` (the delta's number blank before ``backward()``);
* an input is ``<g class="input" data-node="x{i}">``, a weight
  ``<g class="weight" data-node="L{l}.n{j}.w{i}">`` (its line and title), a
  bias ``<g class="bias" data-node="L{l}.n{j}.b">`` and the loss
  ``<g class="loss" data-node="L">``; a weight's value written on its line (small
  networks) is ``<g class="weight-label" data-for="L{l}.n{j}.w{i}">``.

The names are those of the scalar graph (``L{l}.n{j}.z``, ``L{l}.n{j}.a``,
``L``; see :mod:`nn.layers`); where a node or a parameter carries another
label (the article's ``z5``, ``W2[1][3]``), the picture shows that label.

Sizes: every length is a multiple of the font size, which is chosen (at most
14 px) so that the whole picture fits a 1920 x 1080 frame; columns and rows
are spread so that neither side is more than twice the other.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from autograd import Value
from autograd.atomic import write_atomic
from autograd.formatting import format_exact, format_number
from nn.layers import MLP, Layer, Neuron

__all__ = [
    "CHAR_WIDTH",
    "CURRENT",
    "FRAME",
    "MAX_LAYERS",
    "MAX_NEURONS",
    "NEGATIVE",
    "POSITIVE",
    "READ",
    "NetworkView",
    "draw_network",
    "network_svg",
    "shown_name",
    "text_width",
]

MAX_NEURONS = 32
"""The most neurons (or inputs) in one column: the text of a column of 16 is 12 px high on a
1920 x 1080 screen, of 32 about 6 px; more would not be readable."""
MAX_LAYERS = 12
"""The most layers in one picture."""
FRAME = (1920, 1080)
"""The frame every picture fits, in pixels (a 16:9 screen)."""
MAX_FONT = 14.0
"""The largest font size (px) of a picture; smaller only when the network does not fit otherwise."""
CHAR_WIDTH = 0.6
"""The width of an ordinary character, in font sizes, assumed when laying out text (Helvetica's
digits are 0.556 wide, its lower-case letters at most 0.611 but for m and w; see
:func:`text_width` for the wide ones)."""
POSITIVE = "#1565c0"
"""Colour of a positive weight."""
NEGATIVE = "#c62828"
"""Colour of a negative weight."""
CURRENT = "#ffd54f"
"""Fill of the neuron a step works on."""
READ = "#b3e5fc"
"""Fill of the neurons a step reads."""
_FONT = "Helvetica, Arial, sans-serif"
_GREY = "#616161"
_MAX_LABELLED_EDGES = 20  # weight values are written on the lines only up to this many lines

# Geometry, in font sizes.
_RX, _RY = 4.6, 2.3  # a neuron's ellipse
_LINE = 1.1  # distance between the text lines in a neuron
_IN_RX, _IN_RY = 3.4, 1.3  # an input's ellipse
_GAP = 0.6  # least vertical space between two neighbours
_COLUMN_GAP = 9.0  # least horizontal space for the weights between two columns
_BIAS_W = 7.0  # room on the left of a neuron for its bias
_MARGIN = 1.0
_MAX_RATIO = 1.8  # the longer side at most this many times the shorter one

_ARTICLE_NAME = re.compile(r"^L\d+\.n\d+\.[za]$")


@dataclass
class _Box:
    """A text's box (for the overlap check when placing edge labels), in font sizes."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


def text_width(text: str) -> float:
    """The width of ``text`` in font sizes, a little more than Helvetica's (capitals 0.72, W, M,
    m and w 0.95, everything else :data:`CHAR_WIDTH`)."""
    wide = sum(1 for c in text if c in "WMmw")
    capitals = sum(1 for c in text if c.isupper() and c not in "WM")
    return (len(text) - wide - capitals) * CHAR_WIDTH + 0.72 * capitals + 0.95 * wide


def _text_box(x: float, y: float, text: str, size: float, anchor: str) -> _Box:
    """The box of a text line whose baseline starts (or centres, or ends) at ``(x, y)``."""
    width = text_width(text) * size
    x0 = x if anchor == "start" else x - width / 2 if anchor == "middle" else x - width
    return _Box(x0, y - 0.8 * size, x0 + width, y + 0.25 * size)


def _wrap(text: str, width: float) -> list[str]:
    """``text`` broken into lines at most ``width`` font sizes wide (at spaces where it can)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            while text_width(word) > width:  # a word wider than a line is cut
                cut = len(word)
                while cut > 1 and text_width(word[:cut]) > width:
                    cut -= 1
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:cut])
                word = word[cut:]
            candidate = f"{line} {word}" if line else word
            if text_width(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


@dataclass
class _Svg:
    """Collects SVG elements in font-size units and writes them scaled to pixels."""

    scale: float = 1.0
    parts: list[str] = field(default_factory=list)

    def n(self, v: float) -> str:
        return f"{v * self.scale:.2f}".rstrip("0").rstrip(".")

    def text(
        self, x: float, y: float, text: str, *, cls: str, size: float = 1.0, anchor: str = "middle",
        weight: str = "normal", fill: str = "#212121", backing: bool = False,
    ) -> str:  # fmt: skip
        """A ``<text>``; ``backing`` puts a white box behind it (text over lines)."""
        bold = ' font-weight="bold"' if weight != "normal" else ""
        out = (
            f'<text class="{cls}" x="{self.n(x)}" y="{self.n(y)}" font-size="{self.n(size)}" '
            f'text-anchor="{anchor}" fill="{fill}"{bold}>{escape(text)}</text>'
        )
        if not backing:
            return out
        box = _text_box(x, y, text, size, anchor)
        return (
            f'<rect class="backing" x="{self.n(box.x0 - 0.1)}" y="{self.n(box.y0)}" '
            f'width="{self.n(box.x1 - box.x0 + 0.2)}" height="{self.n(box.y1 - box.y0 + 0.05)}" '
            f'rx="{self.n(0.2)}" fill="white" fill-opacity="0.88"/>' + out
        )


def _num(x: float, digits: int) -> str:
    return format_number(x, digits)


def _exact(x: float) -> str:
    return format_exact(x)


@dataclass
class _NeuronInfo:
    layer: int  # from 1
    index: int  # from 1
    neuron: Neuron
    x: float = 0.0
    y: float = 0.0


def _layers(model: MLP | Layer | Neuron) -> list[Layer] | list[list[Neuron]]:
    if isinstance(model, MLP):
        return model.layers
    if isinstance(model, Layer):
        return [model]
    if isinstance(model, Neuron):
        return [[model]]
    raise TypeError(f"network_svg: expected an nn MLP, Layer or Neuron, got {type(model).__name__}")


def _neurons_of(layer: Layer | list[Neuron]) -> list[Neuron]:
    return layer.neurons if isinstance(layer, Layer) else layer


def shown_name(node: Value | None, fallback: str) -> str:
    """The label of ``node`` when it is an article-style name (``z5``), else ``fallback``."""
    short = node is not None and 0 < len(node.label) <= 8
    if short and node is not None and not _ARTICLE_NAME.match(node.label):
        return node.label
    return fallback


def _param_name(p: Value, fallback: str) -> str:
    """A parameter's label when it is short (``W2[1][3]``), else ``fallback`` (``w3``)."""
    return p.label if p.label and len(p.label) <= 10 and "." not in p.label else fallback


def _inputs_of(first: Sequence[Neuron], nin: int) -> list[Value | float | None]:
    """The numbers (or Values) the first layer read in its latest call, or None each."""
    for neuron in first:
        if neuron.z is not None and len(neuron.z.args) == 2 * nin + 1:
            return [a for a in neuron.z.args[nin : 2 * nin]]
    return [None] * nin


def _backward_ran(neurons: Iterable[Neuron], loss: Value | None) -> bool:
    """Whether ``backward()`` has run through the latest call's nodes.

    With a loss: whether its ``grad`` was seeded. Without: whether any ``z``
    node has a non-zero gradient (a new node's ``grad`` is 0 until then).
    """
    if loss is not None:
        return loss.grad != 0.0
    return any(n.z is not None and n.z.grad != 0.0 for n in neurons)


def _activation_rule(neuron: Neuron) -> str:
    f = neuron.activation
    return "a = z" if f == "linear" else f"a = {f}(z)"


def network_svg(
    model: MLP | Layer | Neuron,
    *,
    loss: Value | None = None,
    digits: int = 4,
    deltas: Mapping[Value, float] | None = None,
    show_deltas: bool | None = None,
    highlight: Mapping[str, str] | None = None,
    emphasis: Iterable[str] = (),
    caption: str = "",
    weight_labels: bool | None = None,
) -> str:
    """The network view of ``model`` as a standalone SVG document.

    Args:
        model: an :class:`nn.MLP` (or a single ``Layer`` or ``Neuron``). The
            numbers shown are those of its latest call (``neuron.z``,
            ``neuron.out``); before any call the neurons show names only.
        loss: the loss computed from the model's outputs, drawn as a last
            column ``L``.
        digits: significant digits of the numbers written in the picture
            (titles always hold exact numbers).
        deltas: the ``delta`` to show for a neuron's ``z`` node, overriding
            ``z.grad`` (the step-through passes the deltas known so far; a
            neuron missing from it shows a blank delta).
        show_deltas: whether to show ``z.grad`` as delta; None (default):
            when ``backward()`` has run (see the module docstring).
        highlight: fill colours by ``data-node`` name (``{"L2.n1": "#ffd54f"}``).
        emphasis: ``data-node`` names of weights to draw dark and bold.
        caption: text written across the top of the picture (wrapped).
        weight_labels: write each weight's value on its line; None: when
            there are at most 20 weights (a label that finds no free place
            is left out; its title still holds it).
    """
    format_number(0.0, digits)  # validates digits
    layers = _layers(model)
    columns = [_neurons_of(layer) for layer in layers]
    nin = columns[0][0].nin
    widest = max(nin, *(len(c) for c in columns))
    if len(columns) > MAX_LAYERS or widest > MAX_NEURONS:
        raise ValueError(
            f"network_svg: {len(columns)} layers, the widest of {widest} neurons or inputs: "
            f"too large to draw legibly (at most {MAX_LAYERS} layers of {MAX_NEURONS})"
        )
    neurons = [n for col in columns for n in col]
    if deltas is None:
        known = (
            {n.z: n.z.grad for n in neurons if n.z is not None}
            if (show_deltas if show_deltas is not None else _backward_ran(neurons, loss))
            else {}
        )
    else:
        known = dict(deltas)
    highlight = dict(highlight or {})
    emphasised = set(emphasis)
    nweights = sum(n.nin for n in neurons)
    labelled_edges = weight_labels if weight_labels is not None else nweights <= _MAX_LABELLED_EDGES

    # --- columns and rows, in font sizes --------------------------------------------
    widths = [2 * _IN_RX] + [_BIAS_W + 2 * _RX] * len(columns)
    if loss is not None:
        widths.append(2 * _IN_RX + 1.0)
    counts = [nin] + [len(c) for c in columns] + ([1] if loss is not None else [])
    pitch = 2 * _RY + _GAP
    rows = max(counts)
    header = 3.2  # two header lines
    legend_lines = 2
    # room for the weights between two columns grows with how many lines cross it
    gaps = [_COLUMN_GAP + 0.4 * math.sqrt(a * b) + (4.0 if labelled_edges else 0.0)
            for a, b in itertools.pairwise(counts)]  # fmt: skip
    width = 2 * _MARGIN + sum(widths) + sum(gaps)
    # the caption is wrapped to the width; its height adds to the picture's
    chars = width - 2 * _MARGIN
    caption_lines = _wrap(caption, chars) if caption else []
    top = _MARGIN + 1.25 * len(caption_lines) + (0.6 if caption_lines else 0.0) + header
    body = rows * pitch
    bottom = 1.0 + 1.25 * legend_lines + _MARGIN
    height = top + body + bottom
    if width > _MAX_RATIO * height:  # too flat: spread the rows
        body = width / _MAX_RATIO - top - bottom
        pitch = max(pitch, body / rows)
        body = rows * pitch
        height = top + body + bottom
    if height > _MAX_RATIO * width:  # too tall: widen the gaps between columns
        extra = (height / _MAX_RATIO - width) / len(gaps)
        gaps = [g + extra for g in gaps]
        width = height / _MAX_RATIO
        chars = width - 2 * _MARGIN
    scale = min(MAX_FONT, FRAME[0] / width, FRAME[1] / height)

    xs: list[float] = []
    x = _MARGIN
    for w, g in zip(widths, [*gaps, 0.0]):
        xs.append(x + w / 2)
        x += w + g
    # a neuron column's centre is that of its ellipse, right of the room for the bias
    centres = [xs[0]] + [xs[k] + _BIAS_W / 2 for k in range(1, len(columns) + 1)]
    if loss is not None:
        centres.append(xs[-1])

    def ys(count: int) -> list[float]:
        start = top + (body - count * pitch) / 2 + pitch / 2
        return [start + k * pitch for k in range(count)]

    svg = _Svg(scale)
    boxes: list[_Box] = []
    edges: list[str] = []
    nodes: list[str] = []
    labels: list[str] = []

    # --- captions, headers, legend -----------------------------------------------------
    for k, line in enumerate(caption_lines):
        y = _MARGIN + 0.9 + 1.25 * k
        labels.append(svg.text(_MARGIN, y, line, cls="caption", anchor="start"))
    head_y = top - header + 1.0
    names = ["inputs"]
    for k in range(1, len(columns) + 1):
        place = "output" if k == len(columns) else "hidden"
        names.append(f"layer {k}: {place}" if len(columns) > 1 else "neurons")
    if loss is not None:
        names.append("loss")
    subtitles = ["x"] + [f"{len(col)} {col[0].activation}" for col in columns]
    if loss is not None:
        subtitles.append(loss.op or "")
    for cx, title, sub in zip(centres, names, subtitles):
        labels.append(svg.text(cx, head_y, title, cls="header", weight="bold"))
        labels.append(svg.text(cx, head_y + 1.2, sub, cls="header", fill=_GREY))
        boxes.append(_text_box(cx, head_y, title, 1.0, "middle"))
        boxes.append(_text_box(cx, head_y + 1.2, sub, 1.0, "middle"))
    legend = (
        "line width ~ |w|; blue w > 0, red w < 0.  z = sum w a + b, a = f(z), "
        "δ = dL/dz (after backward()). Hover for exact numbers."
    )
    for k, line in enumerate(_wrap(legend, chars)[:legend_lines]):
        y = height - _MARGIN - 1.25 * (legend_lines - 1 - k) - 0.3
        labels.append(svg.text(_MARGIN, y, line, cls="legend", anchor="start", fill=_GREY))

    # --- inputs ------------------------------------------------------------------------
    inputs = _inputs_of(columns[0], nin)
    in_pos = list(zip([centres[0]] * nin, ys(nin)))
    for i, ((cx, cy), value) in enumerate(zip(in_pos, inputs), start=1):
        name = value.label if isinstance(value, Value) and value.label else f"x{i}"
        number = value.data if isinstance(value, Value) else value
        text = f"{name} = {_num(number, digits)}" if number is not None else name
        title = f"input {name}" + (f" = {_exact(number)}" if number is not None else "")
        fill = highlight.get(f"x{i}", "#eeeeee")
        nodes.append(
            f'<g class="input" data-node="x{i}"><title>{escape(title)}</title>'
            f'<ellipse cx="{svg.n(cx)}" cy="{svg.n(cy)}" rx="{svg.n(_IN_RX)}" '
            f'ry="{svg.n(_IN_RY)}" fill="{fill}" stroke="#9e9e9e"/>'
            f"{svg.text(cx, cy + 0.35, text, cls='value')}</g>"
        )
        boxes.append(_Box(cx - _IN_RX, cy - _IN_RY, cx + _IN_RX, cy + _IN_RY))

    # --- neurons -----------------------------------------------------------------------
    positions: list[list[tuple[float, float]]] = [in_pos]
    for k, col in enumerate(columns, start=1):
        cx = centres[k]
        positions.append([(cx, y) for y in ys(len(col))])
        for x0, y0 in positions[-1]:
            boxes.append(_Box(x0 - _RX, y0 - _RY, x0 + _RX, y0 + _RY))
    biggest = max((abs(w.data) for n in neurons for w in n.w), default=0.0) or 1.0
    for k, col in enumerate(columns, start=1):
        previous = positions[k - 1]
        for j, (neuron, (cx, cy)) in enumerate(zip(col, positions[k]), start=1):
            node = f"L{k}.n{j}"
            for i, (weight, (px, py)) in enumerate(zip(neuron.w, previous), start=1):
                edges.append(
                    _edge(
                        svg,
                        f"{node}.w{i}",
                        weight,
                        (px, py),
                        (cx, cy),
                        k,
                        i,
                        j,
                        biggest,
                        f"{node}.w{i}" in emphasised,
                        neuron,
                        inputs,
                        columns,
                        known,
                    )
                )
            nodes.append(_neuron(svg, node, neuron, k, j, cx, cy, digits, known,
                                 highlight.get(node), columns))  # fmt: skip
            bias_text = f"{_param_name(neuron.b, 'b')} = {_num(neuron.b.data, digits)}"
            bx = cx - _RX - 0.3
            by = cy + 0.35
            boxes.append(_text_box(bx, by, bias_text, 1.0, "end"))
            grad = f"; dL/db = δ = {_exact(known[neuron.z])}" if neuron.z in known else ""
            title = f"bias {_param_name(neuron.b, node + '.b')} = {_exact(neuron.b.data)}{grad}"
            text = svg.text(bx, by, bias_text, cls="b", anchor="end", fill=_GREY,
                            backing=True)  # fmt: skip
            nodes.append(
                f'<g class="bias" data-node="{node}.b"><title>{escape(title)}</title>{text}</g>'
            )

    # --- the loss ------------------------------------------------------------------------
    if loss is not None:
        lx, ly = centres[-1], ys(1)[0]
        outs = positions[len(columns)]
        for ox, oy in outs:
            edges.append(
                f'<line class="to-loss" x1="{svg.n(ox + _RX)}" y1="{svg.n(oy)}" '
                f'x2="{svg.n(lx - _IN_RX)}" y2="{svg.n(ly)}" stroke="#9e9e9e" '
                f'stroke-width="{svg.n(0.08)}"/>'
            )
        op = loss.op_info
        rule = f"L = {op.notation if op is not None and op.arity is not None else loss.op}"
        title = f"loss L ({rule}) = {_exact(loss.data)}"
        fill = highlight.get("L", "#fff3e0")
        nodes.append(
            f'<g class="loss" data-node="L"><title>{escape(title)}</title>'
            f'<ellipse cx="{svg.n(lx)}" cy="{svg.n(ly)}" rx="{svg.n(_IN_RX + 0.5)}" '
            f'ry="{svg.n(_IN_RY)}" fill="{fill}" stroke="#ef6c00"/>'
            f"{svg.text(lx, ly + 0.35, f'L = {_num(loss.data, digits)}', cls='value')}</g>"
        )
        boxes.append(_Box(lx - _IN_RX - 0.5, ly - _IN_RY, lx + _IN_RX + 0.5, ly + _IN_RY))

    # --- weight values on the lines, where there is room -----------------------------------
    if labelled_edges:
        for k, col in enumerate(columns, start=1):
            previous = positions[k - 1]
            for j, (neuron, (cx, cy)) in enumerate(zip(col, positions[k]), start=1):
                for i, (wt, (px, py)) in enumerate(zip(neuron.w, previous), start=1):
                    article = _param_name(wt, "")
                    shown = _num(wt.data, digits)
                    text = f"{article} = {shown}" if article else shown
                    start = px + (_IN_RX if k == 1 else _RX)
                    end = cx - _RX
                    placed = _place(text, (start, py), (end, cy), boxes)
                    if placed is not None:
                        colour = POSITIVE if wt.data >= 0 else NEGATIVE
                        label = svg.text(*placed, text, cls="w", fill=colour, backing=True)
                        labels.append(
                            f'<g class="weight-label" data-for="L{k}.n{j}.w{i}">{label}</g>'
                        )

    w_px, h_px = svg.n(width), svg.n(height)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w_px}" height="{h_px}" '
        f'viewBox="0 0 {w_px} {h_px}" font-family="{_FONT}" class="network-view">\n'
        f'<rect class="background" x="0" y="0" width="{w_px}" height="{h_px}" fill="white"/>\n'
        + "\n".join(edges + nodes + labels)
        + "\n</svg>\n"
    )


def _edge(
    svg: _Svg, name: str, w: Value, start: tuple[float, float], end: tuple[float, float],
    k: int, i: int, j: int, biggest: float, bold: bool, neuron: Neuron,
    inputs: Sequence[Value | float | None], columns: Sequence[Sequence[Neuron]],
    known: Mapping[Value, float],
) -> str:  # fmt: skip
    """One weight's line with its title: value, and ``dL/dw = delta_j a_i`` once delta is known."""
    (px, py), (cx, cy) = start, end
    x1 = px + (_IN_RX if k == 1 else _RX)
    x2 = cx - _RX
    stroke = 0.06 + 0.34 * abs(w.data) / biggest
    colour = POSITIVE if w.data >= 0 else NEGATIVE
    opacity = "1" if bold else "0.75"
    if bold:
        stroke = max(stroke, 0.3)
    source = f"x{i}" if k == 1 else f"a of L{k - 1}.n{i}"
    article = _param_name(w, "")
    lines = [f"weight {article + ' (' + name + ')' if article else name} = {_exact(w.data)}",
             f"from {source} into L{k}.n{j}"]  # fmt: skip
    if neuron.z is not None and neuron.z in known:
        a_in = _input_number(k, i, inputs, columns)
        if a_in is not None:
            lines.append(f"dL/dw = δ a = {_exact(known[neuron.z])} * {_exact(a_in)}")
    return (
        f'<g class="weight" data-node="{name}"><title>{escape(chr(10).join(lines))}</title>'
        f'<line x1="{svg.n(x1)}" y1="{svg.n(py)}" x2="{svg.n(x2)}" y2="{svg.n(cy)}" '
        f'stroke="{colour}" stroke-width="{svg.n(stroke)}" stroke-opacity="{opacity}"/></g>'
    )


def _input_number(
    k: int, i: int, inputs: Sequence[Value | float | None], columns: Sequence[Sequence[Neuron]]
) -> float | None:
    """The number that reaches input ``i`` (from 1) of a neuron of layer ``k`` (from 1)."""
    if k == 1:
        value = inputs[i - 1]
        return value.data if isinstance(value, Value) else value
    out = columns[k - 2][i - 1].out
    return None if out is None else out.data


def _neuron(
    svg: _Svg, node: str, neuron: Neuron, k: int, j: int, cx: float, cy: float, digits: int,
    known: Mapping[Value, float], fill: str | None, columns: Sequence[Sequence[Neuron]],
) -> str:  # fmt: skip
    """A neuron's group: ellipse, title with the exact numbers and rules, z / a / delta texts."""
    z, out = neuron.z, neuron.out
    zname = shown_name(z, f"z{j}")
    aname = shown_name(out if out is not z else None, f"a{j}")
    dname = "δ" + (zname[1:] if zname.startswith("z") else f"({zname})")
    ztext = f"{zname} = {_num(z.data, digits)}" if z is not None else f"{zname} ="
    atext = f"{aname} = {_num(out.data, digits)}" if out is not None else f"{aname} ="
    delta = known.get(z) if z is not None else None
    dtext = f"{dname} = {_num(delta, digits)}" if delta is not None else f"{dname} ="
    title = [f"{node}: layer {k}, neuron {j} ({neuron.activation})"]
    if z is not None and out is not None:
        title.append(f"z = sum_i w_i a_i + b = {_exact(z.data)}")
        title.append(f"{_activation_rule(neuron)} = {_exact(out.data)}")
    if delta is not None and z is not None and out is not None:
        title.append(f"δ = dL/dz = {_delta_rule(k, j, neuron, columns)} = {_exact(delta)}")
    shape = (
        f'<ellipse cx="{svg.n(cx)}" cy="{svg.n(cy)}" rx="{svg.n(_RX)}" ry="{svg.n(_RY)}" '
        f'fill="{fill or "#ffffff"}" stroke="#424242" stroke-width="{svg.n(0.08)}"/>'
    )
    texts = [
        svg.text(cx, cy - _LINE + 0.35, ztext, cls="z"),
        svg.text(cx, cy + 0.35, atext, cls="a"),
        svg.text(cx, cy + _LINE + 0.35, dtext, cls="delta", weight="bold"),
    ]
    return (
        f'<g class="neuron" data-node="{node}"><title>{escape(chr(10).join(title))}</title>'
        f"{shape}{''.join(texts)}</g>"
    )


def _delta_rule(k: int, j: int, neuron: Neuron, columns: Sequence[Sequence[Neuron]]) -> str:
    """The delta rule of one neuron, in words of the article: ``f'(z) * sum_k w_kj delta_k``."""
    if k == len(columns):
        return "f'(z) * dL/da"
    return f"f'(z) * sum_k w_kj δ_k (k over layer {k + 1})"


def _place(
    text: str, start: tuple[float, float], end: tuple[float, float], boxes: list[_Box]
) -> tuple[float, float] | None:
    """A free spot for ``text`` on the line from ``start`` to ``end``, or None."""
    (x1, y1), (x2, y2) = start, end
    for t in (0.22, 0.28, 0.16, 0.34, 0.4, 0.46, 0.52, 0.58, 0.64, 0.7):
        x = x1 + t * (x2 - x1)
        y = y1 + t * (y2 - y1) + 0.35
        box = _text_box(x, y, text, 1.0, "middle")
        box = _Box(box.x0 - 0.15, box.y0 - 0.1, box.x1 + 0.15, box.y1 + 0.1)
        if not any(box.overlaps(b) for b in boxes):
            boxes.append(box)
            return x, y
    return None


@dataclass
class NetworkView:
    """A network view: shows itself in Jupyter, :meth:`save` writes it.

    Attributes:
        svg: the SVG document (see :func:`network_svg`).
    """

    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the SVG document to ``path`` (a ``.svg`` file) atomically; return the path.

        A read-only file is replaced only with ``force=True`` (see :mod:`autograd.atomic`).
        """
        target = Path(path)
        if target.suffix.lower() != ".svg":
            raise ValueError(
                f"NetworkView.save: cannot write {str(target)!r:.80}: the network view is SVG; "
                "use a name ending in .svg"
            )
        return write_atomic(target, self.svg.encode("utf-8"), force=force)

    def size(self) -> tuple[float, float]:
        """The picture's width and height in pixels."""
        found = re.search(r'width="([\d.]+)" height="([\d.]+)"', self.svg)
        assert found is not None
        return float(found.group(1)), float(found.group(2))


def draw_network(model: MLP | Layer | Neuron, **options: object) -> NetworkView:
    """The network view of ``model`` (``options`` as for :func:`network_svg`).

    In Jupyter the result shows inline; ``draw_network(net, loss=L).save("net.svg")``
    writes it.
    """
    return NetworkView(network_svg(model, **options))  # type: ignore[arg-type]
