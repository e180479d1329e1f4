"""The semantics of backward(): seeding, reuse, accumulation, intermediate grads, no_grad."""

import gc

import pytest

from autograd import Value, graph_order, no_grad, nodes_of
from autograd import sum as vsum
from autograd.engine import is_grad_enabled


def test_root_is_seeded_with_one_or_the_given_grad():
    x = Value(3.0)
    y = x * 2
    y.backward()
    assert y.grad == 1.0 and x.grad == 2.0
    x.grad = 0.0
    y.backward(grad=0.5)
    assert y.grad == 0.5 and x.grad == 1.0


def test_backward_on_a_leaf_accumulates_the_seed():
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_a_node_used_twice_gets_the_sum():
    a = Value(3.0)
    y = a * a
    assert y.parents == (a, a)
    y.backward()
    assert a.grad == 6.0


def test_diamond_sums_both_paths():
    x = Value(0.5)
    u = x.exp()
    y = u * u.tanh() + u  # u feeds three places
    y.backward()
    import math

    e = math.exp(0.5)
    expected = (math.tanh(e) + e * (1 - math.tanh(e) ** 2) + 1) * e
    assert x.grad == pytest.approx(expected, rel=1e-13)


def test_leaf_gradients_accumulate_and_double():
    a = Value(2.0)
    c = (a * a) * (a * a)
    c.backward()
    assert a.grad == 32.0
    c.backward()
    assert a.grad == 64.0


def test_every_leaf_doubles_however_deep():
    leaves = [Value(0.1 * k + 0.5) for k in range(5)]
    y = leaves[0]
    for i in range(200):
        y = (y * leaves[(i + 1) % 5]).tanh() + leaves[i % 5] * 0.5
    y.backward()
    first = [v.grad for v in leaves]
    y.backward()
    assert [v.grad for v in leaves] == [2 * g for g in first]  # exact: x + x == 2x in floats


def test_intermediate_grads_hold_this_pass_not_a_sum():
    a = Value(2.0)
    b = a * a
    c = b * b
    c.backward()
    assert b.grad == 2 * b.data
    c.backward()
    assert b.grad == 2 * b.data  # reset, not accumulated
    assert a.grad == 2 * 32.0


def test_intermediate_grads_are_the_true_partials():
    x, w, b = Value(1.0), Value(0.5), Value(-0.2)
    z = x * w + b
    out = z.tanh()
    out.backward()
    import math

    assert z.grad == pytest.approx(1 - math.tanh(0.3) ** 2, rel=1e-15)
    assert out.grad == 1.0


def test_second_root_in_the_same_graph():
    x = Value(1.5)
    h = x * 3
    y1 = h + 1
    y2 = h * h
    y1.backward()
    assert x.grad == 3.0
    y2.backward()
    assert h.grad == 2 * h.data  # h's grad now from the y2 pass
    assert x.grad == 3.0 + 2 * h.data * 3


def test_graph_order_puts_every_node_before_its_inputs():
    xs = [Value(float(k)) for k in range(4)]
    a = xs[0] * xs[1]
    b = a + xs[2]
    c = b * a
    d = vsum([c, b, xs[3]])
    order = graph_order(d)
    assert order[0] is d
    position = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            if not p.is_leaf:
                assert position[id(p)] > position[id(n)]
    assert {id(n) for n in order} == {id(a), id(b), id(c), id(d)}


def test_nodes_of_lists_each_node_once_oldest_first():
    a = Value(1.0)
    b = a * a
    c = b + a
    nodes = nodes_of(c)
    assert nodes == [a, b, c]


def test_no_grad_records_nothing_and_nests():
    x = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3
        with no_grad():
            z = y.exp()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert y.is_leaf and y.op == "" and y.parents == ()
    assert z.is_leaf
    assert y.data == 6.0
    w = y * x  # recording again
    w.backward()
    assert x.grad == 6.0 and y.grad == 2.0


def test_no_grad_restores_state_after_an_exception():
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()


def test_values_hash_and_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert a <= b and b >= a and not a < b and Value(2.0) > 1


def test_repr_and_data():
    v = Value(1.5, "w")
    assert repr(v) == "Value(data=1.5, grad=0, label='w')"
    assert (v * 2).data == 3.0  # float(v) is refused: see test_conversions.py


def test_million_node_chain_backpropagates_without_recursion():
    # 1,000,000 operations; the default recursion limit is 1,000.
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = (y * 1.0000001).relu()
    y.backward()
    assert x.grad == pytest.approx(1.0000001**500_000, rel=1e-9)
    del y
    gc.collect()


def test_backward_visits_nodes_in_graph_order():
    import dataclasses

    xs = [Value(0.5 + 0.1 * k) for k in range(3)]
    a = xs[0] * xs[1]
    b = (a + xs[2]).tanh()
    c = b * a - b.exp()
    d = (c * c + a).sigmoid() * b
    visited = []

    def recording(op):
        def partials(out, *args):
            visited.append(out)
            return op.partials(out, *args)

        return dataclasses.replace(op, partials=partials)

    order = graph_order(d)
    for node in order:
        node._op = recording(node._op)
    d.backward()
    assert visited == [n.data for n in order]
    assert len(set(visited)) == len(visited)  # the data really identify the nodes


def test_pow_derivative_too_large_for_a_float_is_infinite_not_an_error():
    x = Value(1e-200)
    y = x**-1  # 1e200 is a float; its derivative -1e400 is not
    y.backward()
    assert x.grad == float("-inf")
