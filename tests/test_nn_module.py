"""Module: zero_grad, state_dict / load_state_dict."""

import math

import pytest

from nn import MLP, Layer, Module, Neuron, StateDictError, half_squared_error


def test_zero_grad_resets_every_parameter():
    net = MLP(3, [4, 2], seed=0)
    half_squared_error(net([1.0, 2.0, 3.0]), [0.0, 1.0]).backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


def test_state_dict_round_trip_is_exact_and_in_parameter_order():
    a = MLP(3, [4, 2], seed=1)
    b = MLP(3, [4, 2], seed=2)
    state = a.state_dict()
    assert list(state) == [name for name, _ in a.named_parameters()]
    params_before = b.parameters()
    b.load_state_dict(state)
    assert b.state_dict() == state
    assert b.parameters() is params_before  # loaded in place, same Values
    x = [0.3, -0.2, 0.9]
    assert [v.data for v in a(x)] == [v.data for v in b(x)]


def test_load_state_dict_names_missing_and_unexpected_entries_and_changes_nothing():
    net = MLP(2, [2, 1], seed=0)
    before = net.state_dict()
    state = dict(before)
    del state["layers.1.neurons.0.b"]
    state["layers.2.neurons.0.b"] = 1.0
    with pytest.raises(StateDictError) as e:
        net.load_state_dict(state)
    msg = str(e.value)
    assert "missing 1 parameter(s): 'layers.1.neurons.0.b'" in msg
    assert "1 unexpected: 'layers.2.neurons.0.b'" in msg
    assert net.state_dict() == before


@pytest.mark.parametrize("bad", ["1.0", None, True, math.nan, math.inf, [1.0]])
def test_load_state_dict_rejects_non_numbers(bad):
    net = Neuron(1, seed=0)
    before = net.state_dict()
    with pytest.raises(StateDictError, match="'b'"):
        net.load_state_dict({"w.0": 0.5, "b": bad})
    assert net.state_dict() == before


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(StateDictError, match="mapping"):
        Neuron(1).load_state_dict([("w.0", 1.0), ("b", 2.0)])  # type: ignore[arg-type]


def test_layer_and_neuron_names():
    assert [n for n, _ in Neuron(2).named_parameters()] == ["w.0", "w.1", "b"]
    assert [n for n, _ in Layer(1, 2).named_parameters()] == [
        "neurons.0.w.0",
        "neurons.0.b",
        "neurons.1.w.0",
        "neurons.1.b",
    ]


def test_a_module_without_config_cannot_be_saved(tmp_path):
    class Empty(Module):
        pass

    assert Empty().parameters() == ()
    with pytest.raises(NotImplementedError, match="config"):
        Empty().save(tmp_path / "m.json")
