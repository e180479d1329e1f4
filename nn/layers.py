"""Neurons, layers and multi-layer perceptrons made of engine Values.

A neuron with weights ``w_1..w_n`` and bias ``b`` computes, for inputs
``x_1..x_n`` (article 004's notation, one neuron)::

    z = sum_i w_i x_i + b          (one ``linear`` node in the graph)
    out = f(z)                      (f = sigmoid, tanh, relu, or the identity)

After each call the neuron keeps that call's nodes as ``neuron.z`` and
``neuron.out``; in a network they are labelled ``L{l}.n{j}.z`` and
``L{l}.n{j}.a`` (layer ``l`` from 1 = the first hidden layer, neuron ``j`` from
1), the names drawings and the step-through show. After ``loss.backward()``, ``neuron.z.grad`` is
``dL/dz``: the error term ``delta`` of articles 003 and 004 (and minus the
``delta`` of article 001 and of article 003's Iris code, which use the
opposite sign). For the ``"linear"`` activation ``out`` is ``z`` itself.

Parameter order (part of the API): layer by layer, neuron by neuron, each
neuron's weights in input order, then its bias. Parameter names (in
``named_parameters``, state dicts and model files) follow the attribute path,
indices from 0: ``layers.1.neurons.2.w.0`` is ``mlp.layers[1].neurons[2].w[0]``;
the parameter's *label* (what drawings and step-throughs show) is the short
network name, indices from 1: ``L2.n3.w1``. Random initial values are drawn in the
same order (see :mod:`nn.init`).

>>> net = MLP.from_weights([[[2.0, 1.0]], [[3.0]]], [[1.0], [-2.0]], activation="linear")
>>> [round(v.data, 6) for v in net([1.0, 2.0])]  # z1 = 2*1 + 1*2 + 1 = 5; 3*5 - 2 = 13
[13.0]
>>> [name for name, _ in net.named_parameters()]
['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b', \
'layers.1.neurons.0.w.0', 'layers.1.neurons.0.b']
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Self, cast

from autograd import Value, linear

from .init import Initializer, make_rng, resolve_init
from .module import Module, config_int, config_int_list, config_str

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Neuron", "check_activation"]

Input = Sequence[Value | float]
"""What a neuron, layer or network accepts: numbers or Values, one per input."""
Matrix = Sequence[Sequence[float]]
"""A weight matrix as nested lists, one row per neuron."""


def _identity(z: Value) -> Value:
    return z


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": _identity,
}
"""Activation name -> the function ``f`` applied to ``z``."""


def check_activation(name: object) -> str:
    """``name`` if it names an activation; ``ValueError`` listing the known ones otherwise."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r:.40}; known: {known}")
    return name


def _check_size(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, got {value!r:.40}")
    if value < 1:
        raise ValueError(f"{what} must be at least 1, got {value}")
    return value


def _check_number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {value!r:.40}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{where}: expected a finite number, got {number!r}")
    return number


def _sequence(value: object, where: str) -> Sequence[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{where}: expected a list, got {value!r:.40}")
    return value


class Neuron(Module):
    """One neuron: ``z = sum_i w_i x_i + b``, ``out = f(z)``.

    Args:
        nin: number of inputs.
        activation: ``"relu"`` (the default, as micrograd's), ``"sigmoid"``,
            ``"tanh"`` or ``"linear"``.
        init: an initialiser name or function (:mod:`nn.init`).
        seed: an int, a ``random.Random`` (shared, so a layer's neurons draw
            in turn), or None for an unseeded generator.
        fan_out: the size of the layer the neuron is in, for initialisers
            that use it.

    Attributes:
        w: the weights (leaf Values), ``b``: the bias.
        z, out: the pre-activation and output nodes of the latest call
            (``None`` before the first call).
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        init: str | Initializer = "scaled_uniform",
        seed: int | random.Random | None = None,
        fan_out: int = 1,
    ) -> None:
        self.nin = _check_size(nin, "Neuron: nin")
        self.activation = check_activation(activation)
        self._f = ACTIVATIONS[activation]
        draw = resolve_init(init)
        rng = make_rng(seed)
        self.w = [Value(draw(rng, nin, fan_out)) for _ in range(nin)]
        self.b = Value(draw(rng, nin, fan_out))
        self._params = (*self.w, self.b)
        self.z: Value | None = None
        self.out: Value | None = None
        self.name = self._z_label = self._a_label = ""
        self.set_name("")  # labels w.0, w.1, ..., b until a layer names the neuron

    def set_name(self, name: str) -> None:
        """Name this neuron (``L2.n3``): its nodes are then labelled ``L2.n3.z`` and ``L2.n3.a``,
        its parameters ``L2.n3.w1``, ``L2.n3.w2``, ... and ``L2.n3.b``.

        A layer names its neurons ``L1.n1``, ``L1.n2``, ...; a network names them
        ``L{l}.n{j}``, layer ``l`` counted from 1 (the first hidden layer) and
        neuron ``j`` from 1, top to bottom in the network view
        (:mod:`viewers.network`). An empty name leaves the nodes unlabelled.
        """
        self.name = name
        self._z_label = f"{name}.z" if name else ""
        self._a_label = f"{name}.a" if name else ""
        for i, w in enumerate(self.w, start=1):
            w.label = f"{name}.w{i}" if name else f"w.{i - 1}"
        self.b.label = f"{name}.b" if name else "b"

    @classmethod
    def from_weights(cls, weights: Sequence[float], bias: float, activation: str = "relu") -> Self:
        """A neuron with the given weights and bias (finite real numbers)."""
        ws = _sequence(weights, "Neuron.from_weights: weights")
        neuron = cls(len(ws), activation, init="zeros")
        for i, (p, w) in enumerate(zip(neuron.w, ws)):
            p.data = _check_number(w, f"Neuron.from_weights: weights[{i}]")
        neuron.b.data = _check_number(bias, "Neuron.from_weights: bias")
        return neuron

    def __call__(self, x: Input) -> Value:
        if len(x) != self.nin:
            raise ValueError(f"{self!r}: expected {self.nin} inputs, got {len(x)}")
        z = linear(self.w, x, self.b)
        out = self._f(z)
        z.label = self._z_label
        if out is not z:  # the "linear" activation: out is z itself
            out.label = self._a_label
        self.z = z
        self.out = out
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def parameters(self) -> tuple[Value, ...]:
        return self._params

    def config(self) -> dict[str, object]:
        return {"nin": self.nin, "activation": self.activation}

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Self:
        return cls(config_int(config, "nin"), config_str(config, "activation"), init="zeros")

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int:
        return _check_size(config_int(config, "nin"), "Neuron: nin") + 1

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, {self.activation!r})"


class Layer(Module):
    """``nout`` neurons that all read the same ``nin`` inputs.

    Calling a layer on ``nin`` numbers or Values returns ``nout`` Values.
    Row ``j`` of its weight matrix holds the weights into neuron ``j``
    (article 003's convention for ``W^(k)``).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        *,
        init: str | Initializer = "scaled_uniform",
        seed: int | random.Random | None = None,
    ) -> None:
        self.nin = _check_size(nin, "Layer: nin")
        self.nout = _check_size(nout, "Layer: nout")
        self.activation = check_activation(activation)
        rng = make_rng(seed)
        self.neurons = [
            Neuron(nin, activation, init=init, seed=rng, fan_out=nout) for _ in range(nout)
        ]
        self._params = tuple(p for n in self.neurons for p in n.parameters())
        self.set_index(1)

    def set_index(self, index: int) -> None:
        """Number this layer ``index`` (from 1): its neurons become ``L{index}.n1``, ``.n2``, ..."""
        for j, neuron in enumerate(self.neurons, start=1):
            neuron.set_name(f"L{index}.n{j}")

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[Sequence[float]],
        biases: Sequence[float],
        activation: str = "relu",
    ) -> Self:
        """A layer from its weight matrix (one row per neuron) and bias vector."""
        rows = _sequence(weights, "Layer.from_weights: weights")
        bs = _sequence(biases, "Layer.from_weights: biases")
        if not rows:
            raise ValueError("Layer.from_weights: the weight matrix has no rows")
        if len(rows) != len(bs):
            raise ValueError(
                f"Layer.from_weights: {len(rows)} weight rows but {len(bs)} biases; "
                "one row and one bias per neuron"
            )
        nin = len(_sequence(rows[0], "Layer.from_weights: weights[0]"))
        if nin == 0:
            raise ValueError(
                "Layer.from_weights: row 0 is empty; a neuron needs at least one input"
            )
        layer = cls(nin, len(rows), activation, init="zeros")
        for j, (neuron, row, b) in enumerate(zip(layer.neurons, rows, bs)):
            row = _sequence(row, f"Layer.from_weights: weights[{j}]")
            if len(row) != nin:
                raise ValueError(
                    f"Layer.from_weights: row {j} has {len(row)} weights, row 0 has {nin}; "
                    "every row needs one weight per input"
                )
            for i, (p, w) in enumerate(zip(neuron.w, row)):
                p.data = _check_number(w, f"Layer.from_weights: weights[{j}][{i}]")
            neuron.b.data = _check_number(b, f"Layer.from_weights: biases[{j}]")
        return layer

    def __call__(self, x: Input) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"{self!r}: expected {self.nin} inputs, got {len(x)}")
        return [n(x) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"neurons.{j}.{name}", p)
            for j, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def parameters(self) -> tuple[Value, ...]:
        return self._params

    def weights_and_biases(self) -> tuple[list[list[float]], list[float]]:
        """``(W, b)`` as plain numbers: ``W[j][i]`` is the weight from input i into neuron j."""
        return [[w.data for w in n.w] for n in self.neurons], [n.b.data for n in self.neurons]

    def config(self) -> dict[str, object]:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Self:
        return cls(
            config_int(config, "nin"),
            config_int(config, "nout"),
            config_str(config, "activation"),
            init="zeros",
        )

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int:
        nin = _check_size(config_int(config, "nin"), "Layer: nin")
        return (nin + 1) * _check_size(config_int(config, "nout"), "Layer: nout")

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, {self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: layers applied one after the other.

    Args:
        nin: number of inputs.
        nouts: the size of each layer, the output layer last
            (``MLP(4, [5, 3], "sigmoid", "sigmoid")`` is article 003's 4-5-3
            Iris network).
        activation: the activation of the hidden layers (default ``"relu"``),
            or a list with one name per layer (then ``output_activation``
            must be None).
        output_activation: the output layer's activation; None (the
            default) means ``"linear"``: the outputs are scores or logits.
            The articles' networks are sigmoid everywhere: give
            ``MLP(4, [5, 3], "sigmoid", "sigmoid")``.

    The defaults are micrograd's: its ``MLP(2, [16, 16, 1])`` has ReLU hidden
    layers and a linear output layer, and so has this one. PyTorch has no
    default: ``torch.nn.Linear`` is affine only and one writes the
    activations between the layers of a ``torch.nn.Sequential`` (see
    :mod:`nn.safetensors`, which exports to that layout). ``Neuron`` and
    ``Layer`` default to ``"relu"`` as micrograd's do.
        init, seed: how to draw the initial parameters (:mod:`nn.init`).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output_activation: str | None = None,
        *,
        init: str | Initializer = "scaled_uniform",
        seed: int | random.Random | None = None,
    ) -> None:
        self.nin = _check_size(nin, "MLP: nin")
        sizes = _sequence(nouts, "MLP: nouts")
        if not sizes:
            raise ValueError("MLP: nouts must list at least one layer size")
        self.nouts = [_check_size(n, f"MLP: nouts[{k}]") for k, n in enumerate(sizes)]
        self.activations = _layer_activations(activation, output_activation, len(self.nouts))
        rng = make_rng(seed)
        fan_ins = [self.nin, *self.nouts[:-1]]
        self.layers = [
            Layer(n_in, n_out, act, init=init, seed=rng)
            for n_in, n_out, act in zip(fan_ins, self.nouts, self.activations)
        ]
        self._params = tuple(p for layer in self.layers for p in layer.parameters())
        for index, layer in enumerate(self.layers, start=1):
            layer.set_index(index)

    @classmethod
    def from_weights(
        cls,
        weights: Sequence[Sequence[Sequence[float]]],
        biases: Sequence[Sequence[float]],
        activation: str | Sequence[str] = "relu",
        output_activation: str | None = None,
    ) -> Self:
        """A network from each layer's weight matrix and bias vector, shapes checked.

        ``weights[k][j][i]`` is the weight from input ``i`` of layer ``k``
        (the network's inputs for k = 0, else the outputs of layer k-1) into
        its neuron ``j``; ``biases[k][j]`` is that neuron's bias. This is
        the ``W^(k)``/``b^(k)`` layout of article 003, counted from 0.
        """
        ws = _sequence(weights, "MLP.from_weights: weights")
        bs = _sequence(biases, "MLP.from_weights: biases")
        if not ws:
            raise ValueError("MLP.from_weights: no layers given")
        if len(ws) != len(bs):
            raise ValueError(
                f"MLP.from_weights: {len(ws)} weight matrices but {len(bs)} bias vectors"
            )
        layers = []
        for k, (w, b) in enumerate(zip(ws, bs)):
            try:
                layers.append(Layer.from_weights(cast(Matrix, w), cast(Sequence[float], b)))
            except (TypeError, ValueError) as e:
                message = str(e).replace("Layer.from_weights: ", "")
                raise type(e)(f"MLP.from_weights: layer {k}: {message}") from None
            if k > 0 and layers[k].nin != layers[k - 1].nout:
                raise ValueError(
                    f"MLP.from_weights: layer {k} has {layers[k].nin} weights per row but "
                    f"layer {k - 1} has {layers[k - 1].nout} neurons; they must match"
                )
        net = cls(
            layers[0].nin,
            [layer.nout for layer in layers],
            activation,
            output_activation,
            init="zeros",
        )
        for p, q in zip(net.parameters(), (p for layer in layers for p in layer.parameters())):
            p.data = q.data
        return net

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,  # noqa: A002
        activation: str | Sequence[str] | None = None,
        output_activation: str | None = None,
    ) -> Self:
        """An MLP from a JSON model file or a safetensors file (:mod:`nn.safetensors`).

        ``format`` is ``"json"`` or ``"safetensors"``; None decides by the
        file: a ``.safetensors`` suffix, or a content that starts like one (a
        length that fits the file, then ``{``). ``activation`` and
        ``output_activation`` are for safetensors files written elsewhere,
        which do not say their activations.
        """
        from .safetensors import is_safetensors, load_safetensors

        kind = format
        if kind is None:
            suffix = os.fspath(path).lower().endswith(".safetensors")
            kind = "safetensors" if suffix or is_safetensors(path) else "json"
        if kind == "safetensors":
            return cast(Self, load_safetensors(path, activation, output_activation))
        if kind != "json":
            raise ValueError(f"load: unknown format {kind!r:.40}; use 'json' or 'safetensors'")
        if activation is not None or output_activation is not None:
            raise ValueError("load: a JSON model file names its activations; do not give them")
        return super().load(path)

    def __call__(self, x: Input) -> list[Value]:
        out: Sequence[Value | float] = x
        for layer in self.layers:
            out = layer(out)
        return out  # type: ignore[return-value]  # a layer always returns Values

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{k}.{name}", p)
            for k, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def parameters(self) -> tuple[Value, ...]:
        return self._params

    def weights_and_biases(self) -> tuple[list[list[list[float]]], list[list[float]]]:
        """``(weights, biases)`` as plain numbers, in the layout :meth:`from_weights` takes."""
        pairs = [layer.weights_and_biases() for layer in self.layers]
        return [w for w, _ in pairs], [b for _, b in pairs]

    def config(self) -> dict[str, object]:
        return {"nin": self.nin, "nouts": list(self.nouts), "activations": list(self.activations)}

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Self:
        value = config.get("activations")
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise TypeError(f"'activations' must be a list of names, got {value!r:.40}")
        return cls(config_int(config, "nin"), config_int_list(config, "nouts"), value, init="zeros")

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int:
        """``sum((n_in + 1) * n_out)`` over the layers: each neuron's weights and bias."""
        sizes = [config_int(config, "nin"), *config_int_list(config, "nouts")]
        for k, n in enumerate(sizes):
            _check_size(n, "MLP: nin" if k == 0 else f"MLP: nouts[{k - 1}]")
        return sum((a + 1) * b for a, b in itertools.pairwise(sizes))

    def __repr__(self) -> str:
        hidden, output = self.activations[:-1], self.activations[-1]
        if not hidden:
            return f"MLP({self.nin}, {self.nouts}, output_activation={output!r})"
        if len(set(hidden)) == 1:
            return f"MLP({self.nin}, {self.nouts}, {hidden[0]!r}, {output!r})"
        return f"MLP({self.nin}, {self.nouts}, {self.activations!r})"


def _layer_activations(
    activation: str | Sequence[str], output_activation: str | None, nlayers: int
) -> list[str]:
    """One activation name per layer, checked."""
    if isinstance(activation, str):
        hidden = check_activation(activation)
        output = "linear" if output_activation is None else check_activation(output_activation)
        return [hidden] * (nlayers - 1) + [output]
    names = _sequence(activation, "MLP: activation")
    if output_activation is not None:
        raise ValueError("MLP: give output_activation only with a single hidden activation name")
    if len(names) != nlayers:
        raise ValueError(f"MLP: {len(names)} activations for {nlayers} layers; give one per layer")
    return [check_activation(a) for a in names]
