"""The training replay: a recorded training run as one self-contained HTML page.

:func:`record_training` trains a network exactly as :func:`nn.train.train`
does (same model, same draws, same batches: a test checks the final weights bit
for bit) and records at most :data:`MAX_FRAMES` of its steps, evenly sampled
when the run is longer (the first and the last step always among them). A
frame is one step *as the step found the network*, before its update:

* every weight and bias (in full, :func:`autograd.formatting.format_exact`);
* the batch's loss ``L_B``, the number the loss curve shows;
* one sample, the batch's first row: its forward and backward pass through
  the network, performed by the engine (:func:`autograd.stepper.backward_steps`),
  giving each neuron's ``z``, ``a = f(z)`` and ``delta = dL/dz`` for that
  sample's own loss, and the backward pass one neuron at a time: the neuron's
  incoming gradient ``dL/da`` and the step-through's own arithmetic of
  ``delta = dL/da * f'(z)`` (a batch's gradient is the mean over its rows of
  such per-sample passes);
* for two-dimensional data, the decision regions on a grid over the data:
  each cell's predicted class and how far its score is from the boundary, from
  the op table's own forward rules on the frame's weights (the numbers of
  ``model(x)``, without building a graph; a test checks them against it).

:func:`replay_page` puts the frames in the page of :mod:`viewers.page`'s
family: the network view of :func:`viewers.network.network_svg` (weights
redrawn, ``z``, ``a``, ``delta`` rewritten at every frame), the loss curve,
the decision regions with the training points, play / pause, and at any frame
the backward pass of that step's sample, one neuron (or one layer) at a time.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import OPS, Value
from autograd.formatting import format_exact, format_number
from autograd.stepper import BackwardStep
from nn.datasets import DataSplit
from nn.layers import MLP
from nn.objectives import Objective
from nn.train import Step, TrainResult, train

from .page import CSP, MAX_TITLE, Page, _asset, _script_json

__all__ = [
    "GRID",
    "MAX_FRAMES",
    "Frame",
    "Recorder",
    "network_page",
    "record_training",
    "replay_page",
    "sample_pass",
    "worked_example_network_page",
]

MAX_FRAMES = 300
"""The most training steps a replay records; a longer run is sampled evenly."""
GRID = 24
"""Cells per side of the decision-region grid (two-dimensional data only)."""
GRANULARITIES = ("neuron", "layer")


@dataclass
class Frame:
    """One recorded training step, before its update (see the module docstring)."""

    step: int
    epoch: int
    loss: str
    params: list[str]
    sample: int
    x: list[str]
    label: int
    sample_loss: str
    short: dict[str, Any]
    neurons: list[list[str]]
    backward: dict[str, Any]
    grid: str = ""


def _neuron_names(model: MLP) -> list[str]:
    return [
        f"L{k}.n{j}"
        for k, layer in enumerate(model.layers, start=1)
        for j in range(1, len(layer.neurons) + 1)
    ]


def _param_names(model: MLP) -> list[str]:
    names = []
    for k, layer in enumerate(model.layers, start=1):
        for j, neuron in enumerate(layer.neurons, start=1):
            names += [f"L{k}.n{j}.w{i}" for i in range(1, len(neuron.w) + 1)]
            names.append(f"L{k}.n{j}.b")
    return names


def _neurons(model: MLP) -> list[Any]:
    return [n for layer in model.layers for n in layer.neurons]


def _params(model: MLP) -> list[Value]:
    return [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]


_FORWARD: dict[str, Callable[[float], float]] = {
    "sigmoid": OPS["sigmoid"].forward,
    "tanh": OPS["tanh"].forward,
    "relu": OPS["relu"].forward,
    "linear": lambda z: z,
}


def float_forward(model: MLP, x: Sequence[float]) -> list[float]:
    """``model(x)``'s numbers from the op table's forward rules, without building a graph."""
    return _FloatNet(model)(x)


class _FloatNet:
    """A model's weights read once, to run many forward passes on floats (the decision grid)."""

    def __init__(self, model: MLP) -> None:
        self.layers = [
            [(_FORWARD[n.activation], [w.data for w in n.w], n.b.data) for n in layer.neurons]
            for layer in model.layers
        ]

    def __call__(self, x: Sequence[float]) -> list[float]:
        linear = OPS["linear"].forward
        values = [float(v) for v in x]
        for layer in self.layers:
            values = [f(linear(*ws, *values, b)) for f, ws, b in layer]
        return values


def _level(outs: Sequence[float]) -> int:
    """How sure the network is: 0..3 for a margin below 0.5, 1, 2, and above."""
    if len(outs) == 1:
        margin = abs(outs[0])
    else:
        top = sorted(outs, reverse=True)
        margin = top[0] - top[1]
    if math.isnan(margin):
        return 0
    return 0 if margin < 0.5 else 1 if margin < 1.0 else 2 if margin < 2.0 else 3


@dataclass
class Recorder:
    """Records frames of a training run; pass :meth:`on_step` to :func:`nn.train.fit`."""

    model: MLP
    data: DataSplit
    objective: Objective
    total_steps: int
    max_frames: int = MAX_FRAMES
    frames: list[Frame] = field(default_factory=list)
    granularity: str = "neuron"
    bounds: tuple[float, float, float, float] | None = None
    labelled_weights: bool = False

    def __post_init__(self) -> None:
        _check_granularity(self.granularity)
        if not 1 <= self.max_frames <= MAX_FRAMES:
            raise ValueError(
                f"replay: max_frames must be from 1 to {MAX_FRAMES}, got {self.max_frames!r}"
            )
        count = min(self.total_steps, self.max_frames)
        if count <= 1:
            self.sampled = {0}
        else:
            last = self.total_steps - 1
            self.sampled = {round(i * last / (count - 1)) for i in range(count)}
        self._before = [p.data for p in _params(self.model)]
        # the network view writes each weight on its line when there are few (viewers.network)
        self.labelled_weights = sum(len(n.w) for n in _neurons(self.model)) <= 40
        if self.data.nfeatures == 2 and len(self.data.train):
            xs = [row[0] for row in self.data.train.x]
            ys = [row[1] for row in self.data.train.x]
            padx = 0.1 * ((max(xs) - min(xs)) or 1.0)
            pady = 0.1 * ((max(ys) - min(ys)) or 1.0)
            self.bounds = (min(xs) - padx, max(xs) + padx, min(ys) - pady, max(ys) + pady)

    def on_step(self, step: Step) -> None:
        """After step ``step.index``: record it (with the weights it started from) if sampled."""
        params = _params(self.model)
        after = [p.data for p in params]
        if step.index in self.sampled:
            grads = [p.grad for p in params]
            try:
                for p, value in zip(params, self._before):
                    p.data = value
                self.frames.append(self._frame(step))
            finally:
                for p, value, grad in zip(params, after, grads):
                    p.data = value
                    p.grad = grad
        self._before = after

    def _frame(self, step: Step) -> Frame:
        row = step.rows[0]
        x = self.data.train.x[row]
        label = self.data.train.labels[row]
        for p in _params(self.model):
            p.grad = 0.0
        loss = self.objective.loss(self.model(x), label)
        numbers, backward = sample_pass(self.model, loss, self.granularity)
        neurons = _neurons(self.model)
        return Frame(
            step=step.index,
            epoch=step.epoch,
            loss=format_exact(step.loss),
            params=[format_exact(p.data) for p in _params(self.model)],
            sample=row,
            x=[format_exact(v) for v in x],
            label=label,
            sample_loss=format_exact(loss.data),
            short={
                "x": [format_number(v) for v in x],
                "L": format_number(loss.data),
                "b": [format_number(n.b.data) for n in neurons],
                "w": [format_number(p.data) for p in _params(self.model)]
                if self.labelled_weights
                else None,
            },
            neurons=numbers,
            backward=backward,
            grid=self._grid(),
        )

    def _grid(self) -> str:
        if self.bounds is None:
            return ""
        x0, x1, y0, y1 = self.bounds
        net = _FloatNet(self.model)
        cells = []
        for r in range(GRID):  # top row first
            y = y1 - (r + 0.5) * (y1 - y0) / GRID
            for c in range(GRID):
                x = x0 + (c + 0.5) * (x1 - x0) / GRID
                outs = net([x, y])
                cls = min(self.objective.predict(outs), 5)
                cells.append(chr(ord("a") + 4 * cls + _level(outs)))
        return "".join(cells)


def _check_granularity(granularity: object) -> str:
    if granularity not in GRANULARITIES:
        raise ValueError(
            f"replay: granularity must be one of {', '.join(GRANULARITIES)}, "
            f"got {granularity!r:.40}"
        )
    return str(granularity)


def sample_pass(
    model: MLP, loss: Value, granularity: str = "neuron"
) -> tuple[list[list[str]], dict[str, Any]]:
    """One sample's pass: every neuron's numbers, and the backward pass step by step.

    ``loss`` must come from the model's latest call; its backward pass is run
    here, by :func:`viewers.netsteps.neuron_steps` (or ``layer_steps``), which
    drive the engine's own steps. Returns per neuron ``[z, a, delta]`` in full
    then with 4 digits, and ``{"steps": [{"nodes": [...], "text": ...}], "full":
    {neuron: text}, "loss": text}``: each step's text as netsteps writes it, and
    for each neuron the step-through's arithmetic of its ``delta`` in full.
    """
    from .netsteps import layer_steps, neuron_steps

    walk = neuron_steps if _check_granularity(granularity) == "neuron" else layer_steps
    steps = []
    scalar: list[BackwardStep] = []
    for step in walk(model, loss):
        steps.append({"nodes": [f"L{step.layer}.n{j}" for j in step.neurons], "text": step.text})
        scalar += step.scalar_steps
    numbers = []
    for n in _neurons(model):
        assert n.z is not None and n.out is not None
        numbers.append(
            [format_exact(n.z.data), format_exact(n.out.data), format_exact(n.z.grad),
             format_number(n.z.data), format_number(n.out.data), format_number(n.z.grad)]
        )  # fmt: skip
    full, loss_text = _full_texts(model, scalar)
    return numbers, {"steps": steps, "full": full, "loss": loss_text}


def _full_texts(model: MLP, steps: Sequence[BackwardStep]) -> tuple[dict[str, str], str]:
    """Each neuron's ``delta`` as the step-through computed it, every number in full."""
    owner: dict[Value, str] = {}
    zs: set[Value] = set()
    for k, layer in enumerate(model.layers, start=1):
        for j, n in enumerate(layer.neurons, start=1):
            assert n.z is not None and n.out is not None
            owner[n.z] = owner[n.out] = f"L{k}.n{j}"
            zs.add(n.z)
    loss_text = "\n".join(s.describe(digits=None) for s in steps if s.node not in owner)
    full: dict[str, str] = {}
    for s in steps:
        name = owner.get(s.node)
        if name is None:
            continue
        if s.node not in zs:  # the activation's node: dL/da arrives, delta = dL/da * f'(z) leaves
            (to_z,) = (c for c in s.contributions if c.target in zs)
            full[name] = (
                f"dL/da = {format_exact(s.grad)}\n"
                f"delta = dL/dz = dL/da * f'(z): {to_z.arithmetic(digits=None)}"
            )
        elif name not in full:  # a linear neuron: a = z
            full[name] = f"a = z (linear): delta = dL/dz = {format_exact(s.grad)}"
    return full, loss_text


def record_training(
    data: DataSplit,
    *,
    max_frames: int = MAX_FRAMES,
    granularity: str = "neuron",
    on_step: Callable[[Step], None] | None = None,
    **options: Any,
) -> tuple[TrainResult, Recorder]:
    """Train with :func:`nn.train.train` (``options`` are its arguments), recording a replay.

    Returns the result and the recording; ``max_frames`` and ``granularity``
    are the replay's. The training is ``train``'s own, so the network is the
    one ``train(data, **options)`` gives, bit for bit (a test checks it).
    """
    made: list[Recorder] = []

    def start(model: MLP, objective: Objective, steps: int) -> None:
        made.append(Recorder(model, data, objective, steps, max_frames, granularity=granularity))

    def each_step(step: Step) -> None:
        made[0].on_step(step)
        if on_step is not None:
            on_step(step)

    result = train(data, on_start=start, on_step=each_step, **options)
    return result, made[0]  # on_start is called before the first step, always


def replay_page(recorder: Recorder, *, title: str = "deltagrad: a training run") -> Page:
    """The replay page of a recording (see the module docstring)."""
    from .network import network_svg

    _check_title(title)
    if not recorder.frames:
        raise ValueError("replay_page: no frame was recorded (did training run a step?)")
    model, data = recorder.model, recorder.data
    # the drawing shows the first frame: its weights, and its sample's pass
    params = _params(model)
    now = [p.data for p in params]
    first = recorder.frames[0]
    try:
        for p, text in zip(params, first.params):
            p.data = float(text)
        sample = data.train.x[first.sample]
        loss = recorder.objective.loss(model(sample), first.label)
        loss.backward()
        svg = network_svg(model, loss=loss)
    finally:
        for p, value in zip(params, now):
            p.data = value
            p.grad = 0.0
    payload = {
        "kind": "replay",
        "single": False,
        "title": title,
        "granularity": recorder.granularity,
        "neurons": _neuron_names(model),
        "params": _param_names(model),
        "classes": list(data.classes),
        "bounds": [format_exact(v) for v in recorder.bounds] if recorder.bounds else None,
        "grid": GRID,
        "points": [
            [format_number(x[0]), format_number(x[1]), label]
            for x, label in zip(data.train.x, data.train.labels)
        ]
        if recorder.bounds
        else [],
        "totalSteps": recorder.total_steps,
        "frames": [_frame_json(f) for f in recorder.frames],
    }
    return _page(title, svg, payload)


def network_page(
    model: MLP,
    x: Sequence[float],
    loss: Value,
    *,
    title: str = "deltagrad: a network's backward pass",
    granularity: str = "neuron",
) -> Page:
    """The network view of one sample's pass, its backward pass one neuron or one layer at a time.

    ``loss`` must come from ``model(x)``; its backward pass is run here (by
    :mod:`viewers.netsteps`); the parameters' gradients are put back afterwards.
    """
    from .network import network_svg

    _check_title(title)
    params = _params(model)
    grads = [p.grad for p in params]
    try:
        for p in params:
            p.grad = 0.0
        numbers, backward = sample_pass(model, loss, granularity)
        svg = network_svg(model, loss=loss)
    finally:
        for p, grad in zip(params, grads):
            p.grad = grad
    neurons = _neurons(model)
    labelled = sum(len(n.w) for n in neurons) <= 40
    frame = Frame(
        step=0,
        epoch=0,
        loss=format_exact(loss.data),
        params=[format_exact(p.data) for p in params],
        sample=0,
        x=[format_exact(float(v)) for v in x],
        label=0,
        sample_loss=format_exact(loss.data),
        short={
            "x": [format_number(float(v)) for v in x],
            "L": format_number(loss.data),
            "b": [format_number(n.b.data) for n in neurons],
            "w": [format_number(p.data) for p in params] if labelled else None,
        },
        neurons=numbers,
        backward=backward,
    )
    payload = {
        "kind": "network",
        "single": True,
        "title": title,
        "granularity": granularity,
        "neurons": _neuron_names(model),
        "params": _param_names(model),
        "classes": [],
        "bounds": None,
        "grid": GRID,
        "points": [],
        "totalSteps": 1,
        "frames": [_frame_json(frame)],
    }
    return _page(title, svg, payload)


def worked_example_network_page(granularity: str = "neuron") -> Page:
    """Article 003's worked example on the network view, its backward pass neuron by neuron."""
    from nn.worked_example import X, article_graph

    graph = article_graph("forward")
    steps = "one neuron" if granularity == "neuron" else "one layer"
    return network_page(
        graph.net,
        X,
        graph.loss,
        title=f"Article 003's worked example: the backward pass {steps} at a time",
        granularity=granularity,
    )


def _check_title(title: object) -> str:
    if not isinstance(title, str):
        raise TypeError(f"replay: title must be a str, got {type(title).__name__}")
    if len(title) > MAX_TITLE:
        raise ValueError(f"replay: title longer than {MAX_TITLE} characters: {title[:40]!r}...")
    return title


def _frame_json(f: Frame) -> dict[str, Any]:
    return {
        "step": f.step,
        "epoch": f.epoch,
        "loss": f.loss,
        "w": f.params,
        "sample": f.sample,
        "x": f.x,
        "label": f.label,
        "sampleLoss": f.sample_loss,
        "short": f.short,
        "n": f.neurons,
        "bw": f.backward,
        "grid": f.grid,
    }


def _page(title: str, svg: str, payload: dict[str, Any]) -> Page:
    parts = {
        "CSP": html.escape(CSP, quote=True),
        "TITLE": html.escape(title),
        "CSS": _asset("page.css") + _asset("replay.css"),
        "SVG": _inline_svg(svg),
        "DATA": _script_json(payload),
        "JS": _asset("replay.js").replace("</", "<\\/"),
    }
    return Page(re.sub(r"@@(\w+)@@", lambda m: parts[m.group(1)], _asset("replay.html")), title)


def _inline_svg(svg: str) -> str:
    """The network view made ready to sit inline: no prologue, namespace or fixed size."""
    svg = svg[svg.index("<svg") :]
    end = svg.index(">")
    head = re.sub(r'\s(width|height|xmlns(:\w+)?)="[^"]*"', "", svg[:end])
    head = head.replace('class="network-view"', 'class="network network-view"')
    return head + ' role="group" aria-label="the network"' + svg[end:]
