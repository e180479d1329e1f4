"""The step-through: the same order and the very same numbers as backward(), step by step."""

import html
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from svg_helpers import parse

from autograd import Value, graph_order, linear, nodes_of, squared_error
from autograd.stepper import (
    CURRENT,
    RECEIVING,
    backward_steps,
    forward_steps,
    save_frames,
    step_slider,
)
from autograd.testing import expr_graphs


def bits(x):
    """The 8 bytes of a float: equal bits, not just ==, so -0.0 and NaN payloads count too."""
    return struct.pack("<d", x)


def build(g, priors):
    """The graph ``g`` on fresh leaves whose grads start at ``priors``."""
    leaves = [Value(v) for v in g.leaves]
    for leaf, p in zip(leaves, priors):
        leaf.grad = p
    return g(*leaves)


graphs_with_priors = expr_graphs().flatmap(
    lambda g: st.tuples(
        st.just(g),
        st.lists(st.floats(-10, 10), min_size=len(g.leaves), max_size=len(g.leaves)),
        st.floats(-3, 3).filter(lambda s: s != 0),
    )
)


@given(graphs_with_priors)
def test_driving_the_steps_to_the_end_leaves_exactly_the_gradients_of_backward(case):
    # a replay: whatever the leaves held before (priors, an earlier pass), the steps
    # leave exactly what one backward() from zero gradients leaves
    g, priors, seed = case
    expected, stepped = build(g, [0.0] * len(priors)), build(g, priors)
    expected.backward(seed)
    for _ in range(2):  # a second replay leaves the same gradients again
        steps = list(backward_steps(stepped, seed))
        assert [bits(v.grad) for v in nodes_of(stepped)] == [
            bits(v.grad) for v in nodes_of(expected)
        ]
        # same order as the engine: compare positions in nodes_of order
        position = {v: k for k, v in enumerate(nodes_of(stepped))}
        expected_position = {v: k for k, v in enumerate(nodes_of(expected))}
        assert [position[s.node] for s in steps] == [
            expected_position[v] for v in graph_order(expected)
        ]


@given(graphs_with_priors)
def test_each_gradient_is_the_sum_of_the_contributions_it_received(case):
    g, priors, seed = case
    root = build(g, priors)
    steps = list(backward_steps(root, seed))
    received = {v: 0.0 for v in nodes_of(root)}
    for step in steps:
        # a node's incoming gradient is complete when its step starts
        assert bits(step.grad) == bits(step.node.grad)
        for c in step.contributions:
            # zero means zero: a zero local derivative sends exactly +0.0, whatever g is
            expected = step.grad * c.local if c.local else 0.0
            assert bits(c.contribution) == bits(expected)
            assert c.target is step.node.args[c.position]
            received[c.target] += c.contribution
    for v in nodes_of(root):
        if v is root:
            assert v.grad == seed
        else:  # leaves too: set to this pass's sum (a replay), not added to
            assert bits(v.grad) == bits(received[v])


@given(graphs_with_priors)
def test_a_gradient_is_finished_once_every_user_has_sent_to_it(case):
    g, priors, seed = case
    root = build(g, priors)
    steps = list(backward_steps(root, seed))
    users = {v: [n for n in graph_order(root) if v in n.parents] for v in nodes_of(root)}
    done = set()
    for step in steps:
        done.add(step.node)
        finished = step.grads
        for v in nodes_of(root):
            assert (v in finished) == all(u in done for u in users[v])
        for v, grad in finished.items():
            assert bits(grad) == bits(v.grad)  # final values only


# --- hand examples ------------------------------------------------------------------


def test_product_rule_texts_numbers_and_contributions():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    c = a * b
    (step,) = backward_steps(c, 0.5)
    assert (step.index, step.count, step.node, step.name, step.grad) == (0, 1, c, "n1", 0.5)
    ca, cb = step.contributions
    assert (ca.target, ca.target_name, ca.param, ca.position) == (a, "a", "a", 0)
    assert ca.rule == "d(a * b)/da = b"
    assert (ca.substituted, dict(ca.values), ca.local, ca.contribution) == (
        "3",
        {"b": 3.0},
        3.0,
        1.5,
    )
    assert cb.rule == "d(a * b)/db = a"
    assert (cb.substituted, dict(cb.values), cb.local, cb.contribution) == (
        "2",
        {"a": 2.0},
        2.0,
        1.0,
    )
    assert (a.grad, b.grad) == (1.5, 1.0)
    assert step.describe() == (
        "step 1 of 1: n1 = a * b, dn1/dn1 = 0.5\n"
        "  to a: d(a * b)/da = b = 3; 0.5 * 3 = 1.5\n"
        "  to b: d(a * b)/db = a = 2; 0.5 * 2 = 1"
    )


def test_a_value_used_twice_receives_two_contributions():
    a = Value(3.0, "a")
    y = a * a
    (step,) = backward_steps(y)
    assert [(c.target, c.position, c.local, c.contribution) for c in step.contributions] == [
        (a, 0, 3.0, 3.0),
        (a, 1, 3.0, 3.0),
    ]
    assert a.grad == 6.0


def test_constants_receive_nothing_and_keep_their_argument_position():
    x = Value(5.0, "x")
    y = 2.0 - x
    (step,) = backward_steps(y)
    (c,) = step.contributions
    assert (c.position, c.param, c.rule, c.local) == (1, "b", "d(a - b)/db = -1", -1.0)
    assert step.formula() == "n1 = 2 - x"


def test_tanh_rule_uses_the_output_as_the_op_table_says():
    x = Value(0.5, "x")
    t = x.tanh()
    (step,) = backward_steps(t)
    (c,) = step.contributions
    assert c.rule == "d(tanh(x))/dx = 1 - tanh(x)**2 = 1 - out**2"
    assert dict(c.values) == {"x": 0.5, "out": t.data}
    assert c.substituted == f"1 - {t.data!r}**2"
    assert c.local == 1.0 - t.data * t.data
    # 4 digits: tanh(0.5) = 0.46211..., 1 - 0.46211**2 = 0.78644...
    assert c.describe() == (
        "to x: d(tanh(x))/dx = 1 - tanh(x)**2 = 1 - out**2 = 1 - 0.4621**2 = 0.7864; "
        "1 * 0.7864 = 0.7864"
    )


def test_negative_numbers_are_parenthesised_where_needed():
    a = Value(-1.5, "a")
    y = a**2
    (step,) = backward_steps(y)
    (c,) = step.contributions
    assert c.substituted == "2 * (-1.5)**(2-1)"
    assert (
        c.describe() == "to a: d(a ** b)/da = b * a**(b-1) = 2 * (-1.5)**(2-1) = -3; 1 * (-3) = -3"
    )
    (f,) = forward_steps(y)
    assert f.describe() == "step 1 of 1: n1 = a ** 2 = (-1.5) ** 2 = 2.25"
    (f,) = forward_steps(a.relu())
    assert f.describe() == "step 1 of 1: n1 = relu(a) = relu(-1.5) = 0"


def test_linear_names_every_weight_input_and_the_bias():
    w = [Value(0.1, "w1"), Value(-0.2, "w2")]
    x = [Value(1.0, "x1"), Value(2.0, "x2")]
    b = Value(0.5, "b")
    z = linear(w, x, b)
    z.label = "z"
    (step,) = backward_steps(z)
    rules = [c.rule.partition("/d")[2] for c in step.contributions]
    assert rules == ["w_1 = x_1", "w_2 = x_2", "x_1 = w_1", "x_2 = w_2", "b = 1"]
    assert [c.local for c in step.contributions] == [1.0, 2.0, 0.1, -0.2, 1.0]
    assert step.contributions[1].rule == "d(w_1*x_1 + ... + w_n*x_n + b)/dw_2 = x_2"
    assert step.formula() == "z = w1*x1 + w2*x2 + b"
    (f,) = forward_steps(z)
    assert f.describe() == "step 1 of 1: z = w1*x1 + w2*x2 + b = 0.1*1 + (-0.2)*2 + 0.5 = 0.2"


def test_squared_error_is_written_out_as_half_a_sum_of_squares():
    yhat = [Value(0.75, "p"), Value(-0.5, "q")]
    L = squared_error(yhat, [1.0, 0.0])
    L.label = "L"
    (f,) = forward_steps(L)
    assert f.formula() == "L = 1/2 * ((1 - p)**2 + (0 - q)**2)"
    # 1/2 * (0.25**2 + 0.5**2) = 0.15625, exact in binary
    assert f.describe() == (
        "step 1 of 1: L = 1/2 * ((1 - p)**2 + (0 - q)**2) = 1/2 * ((1 - 0.75)**2 + (0 - (-0.5))**2)"
        " = 0.1562"
    )
    (one,) = forward_steps(squared_error([Value(2.0, "p")], [1.0]))
    assert one.formula() == "n1 = 1/2 * (1 - p)**2"
    (step,) = backward_steps(L)
    assert step.formula() == "L = 1/2 * ((1 - p)**2 + (0 - q)**2)"
    assert [c.local for c in step.contributions] == [-0.25, -0.5]  # yhat_k - y_k


def test_the_module_example_step_by_step():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    c = a * b
    c.label = "c"
    L = c + a
    L.label = "L"
    a.grad, b.grad = 10.0, 20.0  # earlier gradients: they stay until a leaf is finished
    walk = backward_steps(L)
    assert L.grad == 0.0  # nothing happens before the first step is asked for
    first = next(walk)
    assert (first.node, first.grad) == (L, 1.0)
    assert first.grads == {L: 1.0, c: 1.0}  # a still waits for c's contribution
    assert (a.grad, b.grad, c.grad) == (10.0, 20.0, 1.0)
    second = next(walk)
    assert (second.node, second.grad) == (c, 1.0)
    # a replay: the picture, the text and the leaves all hold this pass's gradients
    assert second.grads == {L: 1.0, c: 1.0, a: 4.0, b: 2.0}
    assert (a.grad, b.grad) == (4.0, 2.0)
    assert list(walk) == []


def test_an_abandoned_walk_leaves_each_leaf_untouched_or_final():
    a, b = Value(2.0, "a"), Value(3.0, "b")
    L = (a * b).tanh() * b
    a.grad = b.grad = 7.0
    walk = backward_steps(L)
    next(walk)  # L = n2 * b: b received one of its two contributions
    walk.close()
    assert (a.grad, b.grad) == (7.0, 7.0)


def test_a_leaf_root_has_no_steps_but_gets_its_gradient():
    x = Value(3.0, "x")
    x.grad = 1.0
    assert list(backward_steps(x, 2.0)) == []
    assert x.grad == 2.0  # set to this pass's gradient, as every gradient in a replay


@pytest.mark.parametrize("bad", ["1", None, True, 1j])
def test_bad_seed_or_root_is_refused(bad):
    with pytest.raises(TypeError, match="backward_steps: expected a real number as the seed"):
        backward_steps(Value(1.0) * 2, bad)
    with pytest.raises(TypeError, match="backward_steps: expected a Value, got"):
        backward_steps(bad)
    with pytest.raises(TypeError, match="forward_steps: expected a Value, got"):
        forward_steps(bad)


def test_describe_checks_its_digits():
    (step,) = backward_steps(Value(1.0) * 2)
    with pytest.raises(ValueError, match="digits must be an int from 1 to 17"):
        step.describe(digits=0)


# --- the forward pass ------------------------------------------------------------------


def test_forward_steps_follow_creation_order_and_change_nothing():
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(1.0, "c")
    L = (a * b + c).tanh()
    L.label = "L"
    L.backward()
    state = [(v.data, v.grad) for v in nodes_of(L)]
    steps = list(forward_steps(L))
    assert [s.node for s in steps] == [v for v in nodes_of(L) if not v.is_leaf]
    assert [s.describe() for s in steps] == [
        "step 1 of 3: n1 = a * b = 0.5 * (-1.5) = -0.75",
        "step 2 of 3: n2 = n1 + c = -0.75 + 1 = 0.25",
        "step 3 of 3: L = tanh(n2) = tanh(0.25) = 0.2449",
    ]
    assert steps[1].inputs == (("a", -0.75), ("b", 1.0))
    assert steps[0].values == {a: 0.5, b: -1.5, c: 1.0, steps[0].node: -0.75}
    assert len(steps[2].values) == 6
    assert [(v.data, v.grad) for v in nodes_of(L)] == state


# --- drawing steps ------------------------------------------------------------------


def example():
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(1.0, "c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d.tanh()
    L.label = "L"
    return a, b, c, e, d, L


def test_a_backward_step_is_drawn_with_the_node_highlighted_and_unknown_grads_blank():
    a, b, c, e, d, L = example()
    ids = {v: f"v{k}" for k, v in enumerate(nodes_of(L))}
    steps = list(backward_steps(L))
    drawing = parse(steps[1].to_svg())  # d = e + c sends to e and c
    assert {n.id for n in drawing.by_class("highlight")} == {ids[d], ids[d] + "_op"}
    assert CURRENT in drawing.nodes[ids[d]].fills
    assert {n.id for n in drawing.by_class("tint")} == {ids[e], ids[c]}
    assert RECEIVING in drawing.nodes[ids[e]].fills
    grads = {v: drawing.nodes[ids[v]].texts[2] for v in ids}
    # 1 - tanh(0.25)**2 = 0.93997...; a and b are still waiting for e's step
    assert grads == {
        a: "grad",
        b: "grad",
        c: "grad 0.94",
        e: "grad 0.94",
        d: "grad 0.94",
        L: "grad 1",
    }
    last = parse(steps[-1].to_svg())
    assert all(n.texts[2] != "grad" for n in last.by_class("value"))


def test_a_forward_step_is_drawn_with_later_values_blank_and_no_grads():
    a, b, _, e, d, L = example()
    ids = {v: f"v{k}" for k, v in enumerate(nodes_of(L))}
    step = next(forward_steps(L))
    drawing = parse(step.to_svg())
    texts = {v: drawing.nodes[ids[v]].texts for v in ids}
    assert texts[e] == ["e", "data -0.75"]
    assert texts[d] == ["d", "data"] and texts[L] == ["L", "data"]
    assert {n.id for n in drawing.by_class("tint")} == {ids[a], ids[b]}
    html_view = step._repr_html_()
    assert html.escape(step.describe()) in html_view and "<svg" in html_view


def test_save_frames_writes_one_drawing_per_step(tmp_path):
    *_, L = example()
    steps = list(backward_steps(L))
    paths = save_frames(steps, tmp_path / "frames")
    assert [p.name for p in paths] == ["step_001.svg", "step_002.svg", "step_003.svg"]
    ids = {v: f"v{k}" for k, v in enumerate(nodes_of(L))}
    for step, path in zip(steps, paths):
        highlighted = {n.id for n in parse(path.read_text()).by_class("highlight")}
        assert highlighted == {ids[step.node], ids[step.node] + "_op"}
    with pytest.raises(ValueError, match=r"save_frames: unknown file type '\.gif'"):
        save_frames(steps, tmp_path, suffix=".gif")


def test_the_slider_shows_the_chosen_step():
    *_, L = example()
    steps = list(backward_steps(L))
    box = step_slider(steps)
    slider, view = box.children
    assert (slider.min, slider.max, slider.value) == (0, 2, 0)
    assert html.escape(steps[0].describe()) in view.value
    slider.value = 2
    assert html.escape(steps[2].describe()) in view.value and "<svg" in view.value
    with pytest.raises(ValueError, match="step_slider: no steps to show"):
        step_slider([])


def _forward_steps_bytes(n):
    """Bytes allocated while making every forward step of an n-node chain (tracemalloc)."""
    import tracemalloc

    x = Value(0.5, "x")
    y = x
    for _ in range(n):
        y = y * 1.0
    tracemalloc.start()
    try:
        steps = list(forward_steps(y))
        size, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(steps) == n
    return size


def test_forward_steps_hold_memory_linear_in_the_graph():
    # Counted, not timed: the steps of a graph twice as large must hold about twice
    # the bytes (quadratic storage would give 4x; the margin allows allocator slack).
    small, large = _forward_steps_bytes(2000), _forward_steps_bytes(4000)
    assert large / small < 2.5, (small, large)


def test_a_forward_step_still_knows_exactly_the_values_before_it():
    x = Value(3.0, "x")
    n1 = x * 0.5
    n2 = n1.tanh()
    steps = list(forward_steps(n2))
    assert steps[0].values == {x: 3.0, n1: 1.5}
    assert steps[1].values == {x: 3.0, n1: 1.5, n2: n2.data}
