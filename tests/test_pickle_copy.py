"""Values and networks pickle, unpickle and deep-copy to the same numbers and graph.

A node refers to its operation by name (``autograd.OPS``), so no function is
pickled; graphs are flattened, so a chain of 10**5 nodes copies and pickles
without recursion. Checks are exact: the copies hold the very same floats.
"""

from __future__ import annotations

import copy
import pickle

import pytest

from autograd import Value, linear, nodes_of, squared_error
from autograd import sum as vsum
from nn import MLP


def shape(root: Value) -> list[tuple[object, ...]]:
    """The graph as plain data: per node (op, data, grad, label, args by position or value)."""
    nodes = nodes_of(root)
    position = {node: k for k, node in enumerate(nodes)}
    return [
        (
            n.op,
            n.data,
            n.grad,
            n.label,
            tuple(("node", position[a]) if isinstance(a, Value) else a for a in n.args),
        )
        for n in nodes
    ]


def example() -> tuple[Value, list[Value]]:
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(2.0, "c")
    h = (a * b + c).tanh()
    h.label = "h"
    k = linear([a, b], [h, 3.0], c).sigmoid()
    out = vsum([h * k, 2.0 / k, h**2.0, squared_error([k, h], [1.0, 0.0])]) - a.exp()
    out.label = "out"
    out.backward()
    return out, [a, b, c]


@pytest.mark.parametrize(
    "clone",
    [lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy],
    ids=["pickle", "deepcopy"],
)
def test_a_node_copies_with_its_graph(clone):
    out, leaves = example()
    twin = clone(out)
    assert shape(twin) == shape(out)
    assert not set(nodes_of(twin)) & set(nodes_of(out))  # new objects throughout
    # the copy is a working graph: a pass on it gives the same gradients
    for leaf in leaves:
        leaf.grad = 0.0
    for node in nodes_of(twin):
        if node.is_leaf:
            node.grad = 0.0
    out.backward()
    twin.backward()
    assert shape(twin) == shape(out)


def test_a_leaf_pickles_with_its_gradient_and_label():
    x = Value(1.25, "x")
    x.grad = -3.5
    y = pickle.loads(pickle.dumps(x))
    assert (y.data, y.grad, y.label, y.is_leaf) == (1.25, -3.5, "x", True)


def test_leaves_shared_by_pickled_values_stay_shared():
    x = Value(2.0, "x")
    y, z = x * 3.0, x.exp()
    y2, z2 = pickle.loads(pickle.dumps([y, z]))
    assert y2.args[0] is z2.args[0]
    assert y2.args[0] is not x


def test_deepcopy_keeps_every_shared_node_shared():
    x = Value(2.0, "x")
    h = x * 3.0
    y, z = h + 1.0, h * h
    y2, z2 = copy.deepcopy([y, z])
    assert y2.args[0] is z2.args[0] is z2.args[1]


def test_shallow_copy_is_a_new_node_over_the_same_arguments():
    x = Value(2.0)
    y = x * 3.0
    y2 = copy.copy(y)
    assert y2 is not y and y2.args == y.args and y2.args[0] is x and y2.op == "mul"


@pytest.mark.parametrize("clone", [pickle.loads, None], ids=["pickle", "deepcopy"])
def test_a_chain_of_100_000_nodes_copies_without_recursion(clone):
    x = Value(1.0, "x")
    y = x
    for _ in range(50_000):
        y = (y * 1.0) + 0.5
    twin = pickle.loads(pickle.dumps(y)) if clone else copy.deepcopy(y)
    assert twin.data == y.data == 25_001.0
    assert len(nodes_of(twin)) == len(nodes_of(y)) == 100_001
    twin.backward()
    assert next(n for n in nodes_of(twin) if n.is_leaf).grad == 1.0


def test_a_network_pickles_and_deep_copies():
    net = MLP(4, [5, 3], "sigmoid", seed=0)
    x = [5.1, 3.5, 1.4, 0.2]
    vsum(net(x)).backward()
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert [(p.data, p.grad) for p in twin.parameters()] == [
            (p.data, p.grad) for p in net.parameters()
        ]
        assert [o.data for o in twin(x)] == [o.data for o in net(x)]
        assert not set(twin.parameters()) & set(net.parameters())
    deep = copy.deepcopy(net)
    neuron = deep.layers[0].neurons[0]
    assert neuron.out.args[0] is neuron.z  # sharing kept by deepcopy


@pytest.mark.parametrize(
    "table, message",
    [
        ([("nosuchop", 1.0, 0.0, "", (1.0,))], "damaged"),
        ([("exp", "1.0", 0.0, "", (1.0,))], "damaged"),
        ([("mul", 1.0, 0.0, "", (1.0,))], "takes 2 arguments"),
        ([("exp", 1.0, 0.0, "", (0,))], "bad argument"),  # refers to itself
        ([], "empty"),
    ],
)
def test_a_damaged_pickled_graph_is_refused(table, message):
    from autograd.graphcopy import _graph

    with pytest.raises(ValueError, match=message):
        _graph(table)
