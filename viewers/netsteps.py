"""The backward pass of an MLP one neuron, or one layer, at a time, on the network view.

:func:`neuron_steps` and :func:`layer_steps` drive the engine's own step-through
(:func:`autograd.stepper.backward_steps`, which is ``loss.backward()`` done node
by node with the same arithmetic) and stop after each neuron, or each layer,
has sent everything it sends. So running all the steps leaves every gradient
bit for bit as ``loss.backward()`` leaves it, and every number a step writes
is one the engine computed.

A neuron step writes the delta rule with its numbers (article 003/004's
``delta = dL/dz``)::

    output neuron:  delta_j = f'(z_j) * dL/da_j
    hidden neuron:  delta_j = f'(z_j) * sum_k w_kj delta_k

where ``sum_k w_kj delta_k`` is ``dL/da_j``, the sum over the neurons ``k`` of
the next layer that read ``a_j``. A layer step writes BP1/BP2 in matrix form
(Nielsen's equations, article 004)::

    BP1  delta^L = grad_a L (.) f'(z^L)
    BP2  delta^l = ((W^(l+1))^T delta^(l+1)) (.) f'(z^l)

then BP3/BP4: ``dL/db^l = delta^l``, ``dL/dW^l = delta^l (a^(l-1))^T``. Steps
come in the engine's order: the output layer first, and within a layer the
last neuron first (the reverse of the order the forward pass made them).

>>> from nn import MLP, half_squared_error
>>> net = MLP.from_weights([[[2.0, 1.0]], [[3.0]]], [[1.0], [-2.0]], activation="linear")
>>> L = half_squared_error(net([1.0, 2.0]), [10.0])
>>> for step in neuron_steps(net, L):
...     print(step.describe())
step 1 of 2: L2.n1 (output): δ1 = dL/dz1 = 3
step 2 of 2: L1.n1: δ1 = Σ_k w_k1 δ_k = 3*3 = 9
>>> net.layers[0].neurons[0].w[0].grad  # dL/dw = delta * x = 9 * 1
9.0
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograd import Value
from autograd.atomic import write_atomic
from autograd.formatting import format_number
from autograd.stepper import BackwardStep, backward_steps
from nn.layers import MLP, Neuron

from .network import CURRENT, READ, network_svg, shown_name

__all__ = ["NetStep", "layer_steps", "neuron_steps", "save_frames"]

_MAX_TERMS = 6  # a sum of more terms is written with its first and last ones


@dataclass(frozen=True)
class NetStep:
    """One neuron's (or one layer's) part of the backward pass, after it was done.

    Attributes:
        index, count: this step's number from 0, and how many there are.
        layer: the layer (from 1) the step works on.
        neurons: the neurons (from 1) it works on: one, or the whole layer.
        text: what the step did, with its numbers (see the module docstring).
        deltas: the finished ``delta = dL/dz`` of every neuron after the step,
            by its ``z`` node.
        scalar_steps: the engine's node-by-node steps it is made of.
    """

    index: int
    count: int
    layer: int
    neurons: tuple[int, ...]
    text: str
    deltas: Mapping[Value, float]
    scalar_steps: tuple[BackwardStep, ...]
    model: MLP = field(repr=False)
    loss: Value = field(repr=False)

    def describe(self) -> str:
        """The step as text: ``step 2 of 6: L2.n1: δ1 = f'(z1) * Σ_k w_k1 δ_k = ...``."""
        return f"step {self.index + 1} of {self.count}: {self.text}"

    def to_svg(self, digits: int = 4) -> str:
        """The network view at this step, its caption the step's text.

        The neurons worked on are filled yellow, the neurons whose deltas they
        read light blue, the weights they read drawn bold; deltas not yet known
        are blank.
        """
        k = self.layer
        highlight = {f"L{k}.n{j}": CURRENT for j in self.neurons}
        emphasis: list[str] = []
        if k < len(self.model.layers):
            following = self.model.layers[k].neurons
            for m in range(1, len(following) + 1):
                highlight[f"L{k + 1}.n{m}"] = READ
                emphasis += [f"L{k + 1}.n{m}.w{j}" for j in self.neurons]
        return network_svg(
            self.model,
            loss=self.loss,
            digits=digits,
            deltas=self.deltas,
            highlight=highlight,
            emphasis=emphasis,
            caption=self.describe(),
        )

    def _repr_svg_(self) -> str:
        return self.to_svg()


def _n(x: float) -> str:
    text = format_number(x, 4)
    return f"({text})" if text.startswith("-") else text


def _sum_text(terms: Sequence[tuple[float, float]]) -> str:
    """``w1*d1 + w2*d2 + ...``, the middle left out beyond :data:`_MAX_TERMS` terms."""
    parts = [f"{_n(w)}*{_n(d)}" for w, d in terms]
    if len(parts) > _MAX_TERMS:
        parts = [*parts[:3], f"... ({len(parts)} terms)", parts[-1]]
    return " + ".join(parts)


@dataclass
class _Walk:
    model: MLP
    loss: Value
    where: dict[Value, tuple[int, int]]  # linear node -> (layer, neuron), both from 1
    steps: Iterator[BackwardStep]
    done: list[BackwardStep] = field(default_factory=list)


def _walk(model: MLP, loss: Value) -> _Walk:
    if not isinstance(model, MLP):
        raise TypeError(f"neuron_steps: expected an nn MLP, got {type(model).__name__}")
    if not isinstance(loss, Value):
        raise TypeError(f"neuron_steps: expected the loss as a Value, got {type(loss).__name__}")
    where: dict[Value, tuple[int, int]] = {}
    for k, layer in enumerate(model.layers, start=1):
        for j, neuron in enumerate(layer.neurons, start=1):
            if neuron.z is None:
                raise ValueError(
                    f"neuron_steps: neuron L{k}.n{j} has not computed yet; "
                    "call the network, then the loss, then step"
                )
            where[neuron.z] = (k, j)
    return _Walk(model, loss, where, backward_steps(loss))


def _advance(walk: _Walk) -> Iterator[tuple[int, int]]:
    """Run the engine's steps, yielding ``(layer, neuron)`` each time a neuron's ``z`` was done."""
    for step in walk.steps:
        walk.done.append(step)
        found = walk.where.get(step.node)
        if found is not None:
            yield found


def _deltas(walk: _Walk) -> dict[Value, float]:
    finished = walk.done[-1].grads if walk.done else {}
    return {z: g for z, g in finished.items() if z in walk.where}


def _derivative(neuron: Neuron, steps: Sequence[BackwardStep]) -> float | None:
    """``f'(z)`` as the engine computed it (its activation step's local derivative)."""
    out = neuron.out
    if out is None or out is neuron.z:
        return None
    for step in steps:
        if step.node is out:
            return step.contributions[0].local
    raise AssertionError("the activation's step comes before its z's")  # pragma: no cover


def _neuron_text(model: MLP, k: int, j: int, steps: Sequence[BackwardStep]) -> str:
    neuron = model.layers[k - 1].neurons[j - 1]
    assert neuron.z is not None and neuron.out is not None
    z = shown_name(neuron.z, f"z{j}")  # the article's z5 where the graph is named so
    a = shown_name(neuron.out if neuron.out is not neuron.z else None, f"a{j}")
    d = "δ" + (z[1:] if z.startswith("z") else f"({z})")
    delta = neuron.z.grad
    fprime = _derivative(neuron, steps)
    upstream = neuron.out.grad  # dL/da_j, the sum the next layer sent
    if k == len(model.layers):
        if fprime is None:
            return f"L{k}.n{j} (output): {d} = dL/d{z} = {format_number(delta, 4)}"
        return (
            f"L{k}.n{j} (output): {d} = f'({z}) * dL/d{a} = {_n(fprime)} * {_n(upstream)} "
            f"= {format_number(delta, 4)}"
        )
    following = model.layers[k].neurons
    terms = [(m.w[j - 1].data, m.z.grad if m.z is not None else 0.0) for m in following]
    total = _sum_text(terms)
    if fprime is None:
        return f"L{k}.n{j}: {d} = Σ_k w_k{j} δ_k = {total} = {format_number(delta, 4)}"
    return (
        f"L{k}.n{j}: {d} = f'({z}) * Σ_k w_k{j} δ_k = {_n(fprime)} * ({total}) = "
        f"{_n(fprime)} * {_n(upstream)} = {format_number(delta, 4)}"
    )


def neuron_steps(model: MLP, loss: Value) -> Iterator[NetStep]:
    """``loss.backward()`` one neuron at a time (see the module docstring).

    ``loss`` must have been computed from the model's latest call. Nothing
    happens before the first step is asked for; the pass is complete once the
    last step has been given.
    """
    walk = _walk(model, loss)
    count = len(walk.where)
    start = 0
    for index, (k, j) in enumerate(_advance(walk)):
        if index == count - 1:  # the last neuron: finish the pass (nodes after it, if any)
            for step in walk.steps:
                walk.done.append(step)
        part = tuple(walk.done[start:])
        start = len(walk.done)
        text = _neuron_text(model, k, j, walk.done)
        yield NetStep(index, count, k, (j,), text, _deltas(walk), part, model, loss)


def _vector(xs: Sequence[float]) -> str:
    shown = [format_number(x, 4) for x in xs]
    if len(shown) > 2 * _MAX_TERMS:
        shown = [*shown[:4], f"... ({len(shown)} entries)", *shown[-2:]]
    return "[" + ", ".join(shown) + "]"


def _layer_text(model: MLP, k: int, steps: Sequence[BackwardStep]) -> str:
    neurons = model.layers[k - 1].neurons
    outs = [n.out for n in neurons]
    deltas = [n.z.grad for n in neurons if n.z is not None]
    upstream = [o.grad for o in outs if o is not None]
    fprimes = [_derivative(n, steps) for n in neurons]
    last = k == len(model.layers)
    rule = (
        "BP1: δ^L = ∇_a L ⊙ f'(z^L)"
        if last
        else f"BP2: δ^{k} = ((W^{k + 1})^T δ^{k + 1}) ⊙ f'(z^{k})"
    )
    head = f"layer {k}{' (output)' if last else ''}: {rule}"
    if any(f is None for f in fprimes):  # a linear layer: f' = 1, delta is dL/da itself
        body = f"δ^{k} = {_vector(deltas)}"
    else:
        derivs = [f for f in fprimes if f is not None]
        body = f"= {_vector(upstream)} ⊙ {_vector(derivs)} = {_vector(deltas)}"
    tail = f"BP3/BP4: dL/db^{k} = δ^{k}, dL/dW^{k} = δ^{k} (a^{k - 1})^T"
    return f"{head}\n{body}\n{tail}"


def layer_steps(model: MLP, loss: Value) -> Iterator[NetStep]:
    """``loss.backward()`` one layer at a time, output layer first (see the module docstring)."""
    walk = _walk(model, loss)
    remaining = {k: len(layer.neurons) for k, layer in enumerate(model.layers, start=1)}
    count = len(model.layers)
    index = 0
    start = 0
    for k, _ in _advance(walk):
        remaining[k] -= 1
        if remaining[k]:
            continue
        if index == count - 1:
            for step in walk.steps:
                walk.done.append(step)
        part = tuple(walk.done[start:])
        start = len(walk.done)
        js = tuple(range(1, len(model.layers[k - 1].neurons) + 1))
        text = _layer_text(model, k, walk.done)
        yield NetStep(index, count, k, js, text, _deltas(walk), part, model, loss)
        index += 1


def save_frames(
    steps: Sequence[NetStep], directory: str | os.PathLike[str], *, prefix: str = "net"
) -> list[Path]:
    """Write one network view per step (``net_001.svg``, ...), each captioned; return the paths."""
    width = max(3, len(str(len(steps))))
    return [
        write_atomic(
            Path(directory) / f"{prefix}_{step.index + 1:0{width}d}.svg",
            step.to_svg().encode("utf-8"),
        )
        for step in steps
    ]
