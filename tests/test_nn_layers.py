"""Neurons, layers and MLPs: construction, parameter order, forward pass, errors."""

import math
import random

import pytest

from autograd import Value
from nn import ACTIVATIONS, MLP, Layer, Neuron
from nn.init import resolve_init


def test_activations_are_the_four_named():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "linear"}


@pytest.mark.parametrize(
    "make",
    [
        lambda a: Neuron(2, a),
        lambda a: Layer(2, 3, a),
        lambda a: MLP(2, [3, 1], a),
        lambda a: MLP(2, [3, 1], "tanh", a),
    ],
)
def test_unknown_activation_lists_the_known_ones(make):
    with pytest.raises(ValueError) as e:
        make("swish")
    msg = str(e.value)
    assert "'swish'" in msg
    for name in ACTIVATIONS:
        assert repr(name) in msg


@pytest.mark.parametrize(
    ("name", "f"),
    [
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("tanh", math.tanh),
        ("relu", lambda z: max(z, 0.0)),
        ("linear", lambda z: z),
    ],
)
def test_neuron_computes_f_of_w_dot_x_plus_b(name, f):
    n = Neuron.from_weights([0.5, -1.25], 0.25, name)
    out = n([2.0, 0.4])
    z = 0.5 * 2.0 - 1.25 * 0.4 + 0.25
    # The engine and this line compute the same float operations, in the same
    # order for z; f is evaluated by two implementations: allow 2 ulps.
    assert n.z is not None and n.z.data == z
    assert out.data == pytest.approx(f(z), rel=4.5e-16, abs=0)
    assert n.out is out
    if name == "linear":
        assert n.out is n.z


def test_z_and_out_belong_to_the_latest_call_and_z_grad_is_dL_dz():
    n = Neuron.from_weights([2.0], 0.0, "sigmoid")
    n([1.0])
    first = n.z
    out = n([3.0])
    assert n.z is not first and n.z is not None and n.z.data == 6.0
    out.backward()
    s = out.data
    # dL/dz for L = sigmoid(z) is s (1 - s); computed by the same formula: exact.
    assert n.z.grad == s * (1 - s)


def test_layer_and_mlp_return_lists_of_values():
    layer = Layer(3, 2, seed=1)
    out = layer([1.0, Value(2.0), 3])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(v, Value) for v in out)
    net = MLP(3, [4, 4, 2], seed=1)
    y = net([0.1, 0.2, 0.3])
    assert isinstance(y, list) and len(y) == 2 and all(isinstance(v, Value) for v in y)


def test_wrong_number_of_inputs_is_an_error_naming_the_sizes():
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        Layer(3, 2, seed=0)([1.0, 2.0])
    with pytest.raises(ValueError, match="expected 4 inputs, got 5"):
        MLP(4, [5, 3], seed=0)([1.0] * 5)
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        Neuron(2, seed=0)([1.0])


def test_bad_input_values_are_rejected_by_the_engine():
    with pytest.raises(TypeError, match="linear"):
        MLP(2, [1], seed=0)([1.0, "2"])  # type: ignore[list-item]


def test_parameter_order_and_names():
    net = MLP(2, [3, 2], seed=0)
    named = net.named_parameters()
    expected = []
    for k, (nin, nout) in enumerate([(2, 3), (3, 2)]):
        for j in range(nout):
            expected += [f"layers.{k}.neurons.{j}.w.{i}" for i in range(nin)]
            expected.append(f"layers.{k}.neurons.{j}.b")
    assert [name for name, _ in named] == expected
    # The name is the attribute path.
    for name, p in named:
        parts = name.split(".")
        obj = net.layers[int(parts[1])].neurons[int(parts[3])]
        target = obj.b if parts[4] == "b" else obj.w[int(parts[5])]
        assert target is p
        # its label is the network's short name, counted from 1: L2.n1.w3, L1.n2.b
        k, j = int(parts[1]) + 1, int(parts[3]) + 1
        assert p.label == (f"L{k}.n{j}.b" if parts[4] == "b" else f"L{k}.n{j}.w{int(parts[5]) + 1}")
    assert list(net.parameters()) == [p for _, p in named]
    assert len(net.parameters()) == 2 * 3 + 3 + 3 * 2 + 2


def test_parameters_is_built_once():
    net = MLP(4, [5, 3], seed=0)
    assert net.parameters() is net.parameters()
    assert isinstance(net.parameters(), tuple)


def test_seeded_construction_is_repeatable_and_draws_in_parameter_order():
    a = MLP(4, [5, 3], init="uniform01", seed=7)
    b = MLP(4, [5, 3], init="uniform01", seed=7)
    assert a.state_dict() == b.state_dict()
    rng = random.Random(7)
    assert [p.data for p in a.parameters()] == [rng.random() for _ in a.parameters()]
    assert MLP(4, [5, 3], seed=8).state_dict() != MLP(4, [5, 3], seed=9).state_dict()


def test_default_init_is_scaled_uniform():
    net = MLP(16, [4], seed=3)
    bound = 1 / math.sqrt(16)
    values = [p.data for p in net.parameters()]
    assert all(-bound <= v <= bound for v in values)
    assert max(values) - min(values) > bound  # really spread out, not all zero


def test_unknown_init_is_an_error_listing_the_names():
    with pytest.raises(ValueError, match="'uniform01'"):
        MLP(2, [1], init="glorot")
    assert resolve_init("zeros")(random.Random(0), 3, 3) == 0.0


def test_shared_generator_gives_different_neurons():
    layer = Layer(3, 2, seed=0)
    w0, w1 = layer.neurons[0].w, layer.neurons[1].w
    assert [p.data for p in w0] != [p.data for p in w1]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((0, [3]), ValueError),
        ((2, []), ValueError),
        ((2, [0]), ValueError),
        ((2.0, [3]), TypeError),
        ((2, [True]), TypeError),
        ((2, 3), TypeError),
    ],
)
def test_bad_sizes(args, error):
    with pytest.raises(error, match="MLP"):
        MLP(*args)


def test_per_layer_activations():
    net = MLP(2, [3, 3, 1], ["relu", "tanh", "linear"], seed=0)
    assert [layer.activation for layer in net.layers] == ["relu", "tanh", "linear"]
    with pytest.raises(ValueError, match="one per layer"):
        MLP(2, [3, 1], ["relu"])
    with pytest.raises(ValueError, match="output_activation"):
        MLP(2, [3, 1], ["relu", "relu"], "linear")
    assert MLP(2, [3, 1], "relu", "linear").activations == ["relu", "linear"]
    # the defaults are micrograd's: ReLU hidden layers, a linear output layer
    assert MLP(2, [16, 16, 1]).activations == ["relu", "relu", "linear"]
    assert MLP(2, [3, 1], "sigmoid").activations == ["sigmoid", "linear"]
    assert MLP(2, [3, 1], "sigmoid", "sigmoid").activations == ["sigmoid", "sigmoid"]
    assert MLP(2, [1], "tanh").activations == ["linear"]  # one layer: it is the output layer
    assert Layer(2, 3).activation == Neuron(2).activation == "relu"


def test_from_weights_builds_the_given_network():
    w = [[[2, 1], [1, 3], [3, 2]], [[1, 1, 2], [3, 2, 2]], [[1, 3]]]
    b = [[1, 2, 3], [2, 1], [2]]
    net = MLP.from_weights(w, b)
    assert [layer.nin for layer in net.layers] == [2, 3, 2]
    assert net.nouts == [3, 2, 1]
    ws, bs = net.weights_and_biases()
    assert ws == w and bs == b
    assert net.layers[1].neurons[1].w[2].data == 2.0


@pytest.mark.parametrize(
    ("w", "b", "message"),
    [
        ([[[1, 2], [3]]], [[0, 0]], "row 1 has 1 weights, row 0 has 2"),
        ([[[1, 2], [3, 4]]], [[0]], "2 weight rows but 1 biases"),
        ([[[1, 2]], [[1, 2]]], [[0], [0]], "layer 1 has 2 weights per row but layer 0 has 1"),
        ([[[1, 2]]], [[0], [0]], "1 weight matrices but 2 bias vectors"),
        ([], [], "no layers"),
        ([[]], [[]], "no rows"),
        ([[[]]], [[0]], "row 0 is empty"),
        ([[[1, "x"]]], [[0]], r"weights\[0\]\[1\]"),
        ([[[1, math.nan]]], [[0]], "finite"),
        ([[[1, 2]]], [[True]], r"biases\[0\]"),
        ([[[1, 2]]], [0], "expected a list"),
    ],
)
def test_from_weights_validates_shapes_and_numbers(w, b, message):
    with pytest.raises((ValueError, TypeError), match=message) as e:
        MLP.from_weights(w, b)
    assert "MLP.from_weights" in str(e.value)


def test_layer_and_neuron_from_weights():
    layer = Layer.from_weights([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0.1, 0.2, 0.3], "linear")
    assert [v.data for v in layer([1.0, 1.0])] == [3.1, 7.2, 11.3]
    n = Neuron.from_weights([1.0, -1.0], 0.5, "relu")
    assert n([1.0, 3.0]).data == 0.0


def test_reprs():
    assert repr(MLP(4, [5, 3])) == "MLP(4, [5, 3], 'relu', 'linear')"
    assert repr(MLP(4, [5, 3], "sigmoid", "sigmoid")) == "MLP(4, [5, 3], 'sigmoid', 'sigmoid')"
    assert repr(MLP(4, [3], output_activation="tanh")) == "MLP(4, [3], output_activation='tanh')"
    assert repr(MLP(4, [5, 3], "relu", "linear")) == "MLP(4, [5, 3], 'relu', 'linear')"
    assert repr(Layer(4, 5, "tanh")) == "Layer(4, 5, 'tanh')"
    assert repr(Neuron(3)) == "Neuron(3, 'relu')"
