"""autograd.compile: a compiled step is the eager step, bit for bit, or it is refused.

Exactness is checked on every bit of every float (``float.hex``), with one
exception stated where it is used: two NaNs count as equal, because which NaN
an addition of two NaNs returns depends on the operand order the C compiler
chose inside CPython, which no Python code controls.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, as_value, graph_order, no_grad
from autograd import linear as autograd_linear
from autograd.compile import TraceError, _pass_rules, compile_forward, compile_step
from autograd.testing import ExprGraph, expr_graphs
from nn import MLP, SGD, Adam, half_squared_error, mse
from nn.optim import Optimizer


def bits(x: object) -> object:
    if isinstance(x, float):
        return "nan" if math.isnan(x) else x.hex()
    if isinstance(x, list | tuple):
        return [bits(i) for i in x]
    return x


def state(net: MLP, opt: Optimizer) -> object:
    params = [(p.data, p.grad) for p in net.parameters()]
    extra = {k: v for k, v in vars(opt).items() if k != "params"}
    return bits([params, sorted((k, bits(v)) for k, v in extra.items())])


LOSSES: dict[str, Callable[[Sequence[Value], Sequence[Any]], Value]] = {
    "half_squared_error": half_squared_error,
    "mse": mse,
    "pow_and_log": lambda out, y: (
        sum(((o - t) ** 2.0 + 1.0).log() + (o * t).tanh() for o, t in zip(out, y)) * 0.5
    ),
    "div_exp": lambda out, y: sum((o / (1.0 + t * t)).exp() - o.relu() for o, t in zip(out, y)),
}


def make(spec: dict[str, Any]) -> tuple[MLP, Optimizer]:
    net = MLP(spec["nin"], spec["sizes"], spec["act"], spec["out_act"], seed=spec["seed"])
    params = net.parameters()
    if spec["opt"] == "adam":
        return net, Adam(params, lr=spec["lr"], weight_decay=spec["wd"])
    return net, SGD(params, lr=spec["lr"], momentum=spec["mu"], weight_decay=spec["wd"])


def step_of(net: MLP, opt: Optimizer, loss_name: str) -> Callable[..., Any]:
    loss_fn = LOSSES[loss_name]

    def step(x: Sequence[float], y: Sequence[float]) -> Any:
        out = net(x)
        loss = loss_fn(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss, out

    return step


def outcome(fn: Callable[..., Any], *args: Any) -> object:
    """The result as floats, or the error (type and message) it raised."""
    try:
        result = fn(*args)
    except Exception as e:
        return (type(e).__name__, str(e))
    return bits(as_floats(result))


def as_floats(x: object) -> object:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, list | tuple):
        return [as_floats(i) for i in x]
    return x


numbers = st.one_of(
    st.floats(-3.0, 3.0),
    st.sampled_from([0.0, -0.0, 1e-300, 40.0, -40.0, 800.0]),
)
specs = st.fixed_dictionaries(
    {
        "nin": st.integers(1, 3),
        "sizes": st.lists(st.integers(1, 3), min_size=1, max_size=3),
        "act": st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
        "out_act": st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
        "seed": st.integers(0, 1000),
        "opt": st.sampled_from(["sgd", "adam"]),
        "lr": st.sampled_from([0.01, 0.2, 1.5]),
        "mu": st.sampled_from([0.0, 0.9]),
        "wd": st.sampled_from([0.0, 0.01]),
        "loss": st.sampled_from(sorted(LOSSES)),
    }
)


@contextlib.contextmanager
def compiled_as_wide(wide: bool) -> Iterator[None]:
    """Steps compiled in here as a wide network's are, however small: the most used locals
    and constants numbered first. (In every step, wide or not, registers are reused, a
    running sum is one line, and updates and gradients are computed in the stores.)"""
    import autograd.compile as compiler

    saved = compiler._MANY_LOCALS
    compiler._MANY_LOCALS = -1 if wide else saved
    try:
        yield
    finally:
        compiler._MANY_LOCALS = saved


def compiled_or_the_eager_error(
    step: Callable[..., Any], eager: Callable[..., Any], example: Sequence[Any], opt: Optimizer
) -> Any:
    """``compile_step(step, *example)``; or, where the step raises on the example itself
    (tracing runs it: 800.0 overflows ``exp`` in some networks), None, after checking that
    the error is the eager step's own and that tracing changed nothing."""
    before = [(p.data, p.grad) for p in opt.params]
    try:
        return compile_step(step, *example, optimizer=opt)
    except TraceError:
        raise
    except Exception as e:
        assert outcome(eager, *example) == (type(e).__name__, str(e))
        assert bits([(p.data, p.grad) for p in opt.params]) == bits(before)
        return None


@contextlib.contextmanager
def zeros_tested_later(every_step: bool) -> Iterator[None]:
    """Steps compiled in here store their leaves' first gradients without ``or 0.0`` and
    test the factors instead wherever that is possible at all, not only where it pays."""
    import autograd.compile as compiler

    saved = compiler._ZEROS_LATER
    compiler._ZEROS_LATER = 0 if every_step else saved
    try:
        yield
    finally:
        compiler._ZEROS_LATER = saved


@given(specs, st.data())
@settings(max_examples=60, deadline=None)
def test_random_networks_losses_and_optimisers_match_every_bit(spec, data):
    eager_net, eager_opt = make(spec)
    net, opt = make(spec)
    nout = spec["sizes"][-1]
    samples = data.draw(
        st.lists(
            st.tuples(
                st.lists(numbers, min_size=spec["nin"], max_size=spec["nin"]),
                st.lists(st.floats(-1.0, 1.0), min_size=nout, max_size=nout),
            ),
            min_size=2,
            max_size=5,
        )
    )
    eager = step_of(eager_net, eager_opt, spec["loss"])
    wide = data.draw(st.booleans(), label="compiled as a wide network")
    later = data.draw(st.booleans(), label="zeros tested later in every step")
    with compiled_as_wide(wide), zeros_tested_later(later):
        compiled = compiled_or_the_eager_error(
            step_of(net, opt, spec["loss"]), eager, samples[0], opt
        )
    if compiled is None:
        return
    assert state(net, opt) == state(eager_net, eager_opt)  # tracing changed nothing
    for x, y in samples:
        before = compiled.fallbacks
        want = outcome(eager, x, y)
        assert outcome(compiled, x, y) == want
        assert state(net, opt) == state(eager_net, eager_opt)
        grads = [p.grad for p in eager_net.parameters()]
        if not isinstance(want, tuple) and all(map(math.isfinite, grads)):
            # no error, nothing infinite: the compiled code ran, not the eager step
            assert compiled.fallbacks == before


@given(expr_graphs(), st.sampled_from([1.0, -0.5, math.inf]), st.booleans())
@settings(max_examples=150, deadline=None)
def test_every_op_of_the_table_gives_the_engines_gradients(g: ExprGraph, seed: float, wide: bool):
    """Random graphs over every op (with constants and reuse), leaves as parameters."""
    with compiled_as_wide(wide):
        compiled_graph_is_eager(g, seed, (1.0, -2.0, 0.0))


def compiled_graph_is_eager(g: ExprGraph, seed: float, scales: Sequence[float]) -> None:
    """``g(*leaves) * scale``, its backward pass seeded with ``seed``: compiled once (scale
    1.0), then run at each scale beside the eager engine; results, values and gradients
    bit for bit."""
    eager_leaves = [Value(x) for x in g.leaves]
    leaves = [Value(x) for x in g.leaves]

    def run(params: list[Value]) -> Callable[[float], Value]:
        def fn(scale: float) -> Value:
            root = g(*params) * scale
            root.backward(seed)
            return root

        return fn

    compiled = compile_step(run(leaves), 1.0)
    for scale in scales:
        assert outcome(compiled, scale) == outcome(run(eager_leaves), scale)
        assert bits([(v.data, v.grad) for v in leaves]) == bits(
            [(v.data, v.grad) for v in eager_leaves]
        )


@contextlib.contextmanager
def engine_skipping_zero_derivatives() -> Iterator[None]:
    """The engine with issue 10's rule: a local derivative of exactly 0 contributes nothing.

    A test double of ``engine._run_pass``: the same order (``graph_order``), the same
    sums, except that ``g * d`` is not added when ``d == 0``.
    """
    from autograd import engine

    def run_pass(root: Value) -> None:
        order = graph_order(root)
        try:
            for node in order:
                g, op, args = node.grad, node._op, node.args
                if op.arity is None:
                    local = node._b
                else:
                    local = op.partials(
                        node.data, *[a.data if type(a) is Value else a for a in args]
                    )
                for arg, d in zip(args, local):
                    if type(arg) is Value and d != 0.0:
                        arg.grad += g * d
        finally:
            for node in order:
                node._pending = 0

    plain = engine._run_pass
    engine._run_pass = run_pass
    try:
        yield
    finally:
        engine._run_pass = plain


@given(expr_graphs(), st.sampled_from([1.0, math.inf]))
@settings(max_examples=100, deadline=None)
def test_an_engine_that_skips_zero_derivatives_is_followed_too(g: ExprGraph, seed: float):
    with engine_skipping_zero_derivatives():
        compiled_graph_is_eager(g, seed, (1.0, 0.0, math.inf))


@pytest.mark.parametrize("skipping", [False, True])
def test_inf_times_a_zero_derivative_is_the_engines_answer(skipping: bool):
    # the engine decides whether g * 0 adds anything when g is infinite; the compiled code agrees
    def fn(param: Value) -> Callable[[float], Value]:
        def f(k: float) -> Value:
            out = (param * 0.0) * k + param.relu() * k
            out.backward()
            return out

        return f

    context = engine_skipping_zero_derivatives() if skipping else contextlib.nullcontext()
    with context:
        eager, traced = Value(-1.0), Value(-1.0)
        compiled = compile_step(fn(traced), math.inf)
        fn(eager)(math.inf)
        compiled(math.inf)
        assert bits(traced.grad) == bits(eager.grad)
        # the case is the one the rule is about: inf * 0 is NaN unless the engine skips it
        assert math.isnan(eager.grad) != (skipping or _pass_rules().skips_zero_derivative)


def test_a_gradient_that_reaches_no_tested_one_through_a_nonzero_derivative_is_tested():
    # n's gradient (k) flows into m1 only through a constant zero weight, a product the
    # engine never adds, so m1's finiteness test cannot stand in for n's; n must be tested.
    # Untested, an infinite k would reach p2 and p3 as NaN (inf * 0) where the engine adds
    # nothing, since p3 and m2 are 0.
    def fn(p1: Value, p2: Value, p3: Value) -> Callable[[float], Value]:
        def f(k: float) -> Value:
            m1 = p1.sigmoid()
            m2 = p2 + 0.0
            n = autograd_linear([0.0, p3], [m1, m2], 0.0)
            out = n * k
            out.backward()
            return out

        return f

    eager, traced = [Value(0.5), Value(0.0), Value(0.0)], [Value(0.5), Value(0.0), Value(0.0)]
    compiled = compile_step(fn(*traced), 2.0)
    for k in (2.0, math.inf, -3.0):
        assert outcome(compiled, k) == outcome(fn(*eager), k)
        assert bits([(v.data, v.grad) for v in traced]) == bits([(v.data, v.grad) for v in eager])
    assert eager[1].grad == 0.0 and eager[2].grad == 0.0  # (the case: inf * 0 never added)


def test_a_network_tests_only_the_gradients_nothing_else_flows_from():
    # a non-finite gradient is NaN or infinite in everything it flows into, so one test
    # where the pass ends in each first-layer unit covers every gradient above it
    net = MLP(4, [5, 3], "sigmoid", "sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=0.2)
    step = compile_step(
        step_of(net, opt, "half_squared_error"), [0.1] * 4, [0.0, 1.0, 0.0], optimizer=opt
    )
    source = step.source(readable=False)
    # the five tests are made one, at the end of the pass: a test of their sum (see below)
    assert source.count("# not finite") == 1
    (line,) = (x for x in source.splitlines() if x.endswith("# not finite"))
    assert line.count(" + ") == 4


def _two_saturated() -> tuple[Callable[..., Any], list[Value]]:
    # each unit saturated (sigmoid(40.0) is 1.0 exactly, a derivative of 0.0), so an
    # infinite k reaches its parameter as NaN (inf * 0) unless a finiteness test of the
    # unit's gradient sends the step to the engine, which adds nothing
    params = [Value(40.0), Value(40.0), Value(0.5)]

    def f(k1: float, k2: float) -> Value:
        p1, p2, p3 = params
        out = p1.sigmoid() * k1 + p2.sigmoid() * k2 + p3.sigmoid()
        out.backward()
        return out

    return f, params


@pytest.mark.parametrize(
    "k1, k2", [(math.inf, 1.0), (1.0, math.inf), (-math.inf, 2.0), (3.0, math.nan)]
)
def test_one_sum_tests_every_gradient_for_finiteness(k1: float, k2: float):
    fn, traced = _two_saturated()
    compiled = compile_step(fn, 1.0, 1.0)
    eager_fn, eager = _two_saturated()
    assert compiled.source(readable=False).count("# not finite") == 1  # (both in one test)
    assert outcome(compiled, k1, k2) == outcome(eager_fn, k1, k2)
    assert bits([(v.data, v.grad) for v in traced]) == bits([(v.data, v.grad) for v in eager])
    assert compiled.fallbacks == 1  # (the test, not luck: the engine ran this call)
    assert outcome(compiled, 1.0, 2.0) == outcome(eager_fn, 1.0, 2.0)
    assert compiled.fallbacks == 1  # (and finite gradients run compiled)


def _saturated_two_passes() -> tuple[Callable[..., Any], list[Value]]:
    # two backward passes through the same saturated unit: its gradient's name is
    # assigned once in each, so each pass needs its own test (an infinite k1 in the
    # first pass reaches p1 as NaN unless that pass's test sends the step to the engine)
    params = [Value(40.0), Value(0.5)]

    def f(k1: float, k2: float) -> Value:
        p1, p2 = params
        m, n = p1.sigmoid(), p2.sigmoid()
        (m * k1 + n).backward()
        out = m * k2 + n
        out.backward()
        return out

    return f, params


@pytest.mark.parametrize("k1, k2", [(math.inf, 1.0), (1.0, math.inf), (2.0, 3.0)])
def test_each_backward_pass_tests_its_own_gradients(k1: float, k2: float):
    fn, traced = _saturated_two_passes()
    compiled = compile_step(fn, 1.0, 1.0)
    eager_fn, eager = _saturated_two_passes()
    assert compiled.source(readable=False).count("# not finite") == 2  # (one per pass)
    assert outcome(compiled, k1, k2) == outcome(eager_fn, k1, k2)
    assert bits([(v.data, v.grad) for v in traced]) == bits([(v.data, v.grad) for v in eager])
    assert compiled.fallbacks == (0 if math.isfinite(k1 * k2) else 1)


def test_a_finite_sum_too_large_for_a_float_runs_eagerly_and_gives_the_same_numbers():
    # two finite gradients of 1e308: their sum is infinite, so the one test sends the
    # step to the engine, which is slower but gives the same numbers (the trade made
    # for one test instead of one per gradient)
    fn, traced = _two_saturated()
    compiled = compile_step(fn, 1.0, 1.0)
    eager_fn, eager = _two_saturated()
    assert outcome(compiled, 1e308, 1e308) == outcome(eager_fn, 1e308, 1e308)
    assert bits([(v.data, v.grad) for v in traced]) == bits([(v.data, v.grad) for v in eager])
    assert compiled.fallbacks == 1


class _SubtractionFails(float):
    """A parameter value the forward and backward passes accept (float's own * and +)
    but the update's subtraction does not: it raises where the step stores."""

    def __sub__(self, other: object) -> float:
        raise ArithmeticError("no subtraction here")


class _SubtractionInterrupted(float):
    def __sub__(self, other: object) -> float:
        raise KeyboardInterrupt


def _two_wide_steps() -> tuple[list[Any], list[Any], list[Any]]:
    # (a network this wide is where the one-call step computes updates in its stores)
    spec = {"act": "sigmoid", "out_act": "sigmoid", "seed": 3, "opt": "sgd", "lr": 0.2}
    spec.update({"mu": 0.0, "wd": 0.0})
    eager_net, eager_opt, net, opt, _, eager, compiled = wide_twins(spec, 1, 1)
    source = compiled.source(readable=False)
    assert "L20.data = L20.data - _o0lr * L20.grad" in source  # (updated where it is stored)
    assert "p20" not in source  # (its value read from the Value, never kept in a local)
    return [eager_net, net], [eager_opt, opt], [eager, compiled]


def test_an_update_that_raises_while_the_step_stores_leaves_what_the_eager_step_leaves():
    # The wide one-call step stores every gradient, then makes each update in place, after
    # every guard, as the eager step does: an update that raises (a value whose subtraction
    # fails) leaves the gradients stored and the parameters before it updated, which is
    # what the eager step leaves when its step() raises there; the error goes through.
    nets, opts, steps = _two_wide_steps()
    for net in nets:
        p = net.parameters()[20]  # one in the middle: some updates come before it
        p.data = _SubtractionFails(p.data)
    x, y = [0.5, -0.3], [1.0]
    before = bits([q.data for q in nets[1].parameters()])
    eager = outcome(steps[0], x, y)
    assert eager[0] == "ArithmeticError"  # type: ignore[index]
    assert outcome(steps[1], x, y) == eager
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])
    after = bits([q.data for q in nets[1].parameters()])
    assert after[:20] != before[:20] and after[20:] == before[20:]  # (the case: a partial step)
    assert steps[1].fallbacks == 0  # (no eager step run: it would update 0..19 again)


def test_a_ctrl_c_from_an_update_leaves_what_it_leaves_in_the_eager_step():
    nets, opts, steps = _two_wide_steps()
    for net in nets:
        p = net.parameters()[20]
        p.data = _SubtractionInterrupted(p.data)
    for step in steps:
        with pytest.raises(KeyboardInterrupt):
            step([0.5, -0.3], [1.0])
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])


def _step_returning_w(
    loss_of: Callable[[Value, Value, float, float], Value], *, both: bool
) -> tuple[Value, Value, Callable[..., Any], SGD]:
    """Leaves w and v, and a step that returns w's new value (so w's update stays a line of
    the body); SGD updates both, or w alone (then v only gets a gradient)."""
    w, v = Value(0.5), Value(0.7)
    opt = SGD([w, v] if both else [w], lr=0.1)

    def step(x: float, y: float) -> Any:
        loss = loss_of(w, v, x, y)
        opt.zero_grad()
        v.grad = 0.0
        loss.backward()
        opt.step()
        return loss, w

    return w, v, step, opt


def test_an_update_left_in_the_body_keeps_every_update_there():
    # w's new value is returned, so its update cannot move into the stores; then no update
    # moves. (Once v's moved and w's did not: w was stored first, v's store raised, and the
    # eager step that ran then updated w a second time.)
    def make() -> tuple[Value, Value, Callable[..., Any], SGD]:
        return _step_returning_w(lambda w, v, x, y: (w * x + v * y - 1.0) ** 2, both=True)

    w, v, step, opt = make()
    w_eager, v_eager, eager, _ = make()
    with compiled_as_wide(True):
        compiled = compile_step(step, 0.3, 1.0, optimizer=opt)
    source = compiled.source(readable=False)
    assert "L1.data = p1" in source and ".data - _o0lr" not in source
    for x in (0.3, -0.6):
        assert outcome(compiled, x, 1.0) == outcome(eager, x, 1.0)
    v.data = _SubtractionFails(v.data)
    v_eager.data = _SubtractionFails(v_eager.data)
    got = outcome(compiled, 0.2, 1.0)
    assert got == outcome(eager, 0.2, 1.0) and got[0] == "ArithmeticError"  # type: ignore[index]
    assert bits([w.data, v.data, w.grad, v.grad]) == bits(
        [w_eager.data, v_eager.data, w_eager.grad, v_eager.grad]
    )


def test_stores_run_when_only_gradients_move_into_them():
    # The result reads w's new value, so its update stays a line of the body; only s's
    # gradient moves into its store. The stores must still run after the body (they once
    # landed after the fallback's return, never ran, and left w and s.grad unchanged).
    def make() -> tuple[Value, Value, Callable[..., Any], SGD]:
        return _step_returning_w(lambda w, s, x, y: (w * x - y) ** 2 + s * 1.5, both=False)

    w, s, step, opt = make()
    w_eager, s_eager, eager, _ = make()
    with compiled_as_wide(True):
        compiled = compile_step(step, 0.3, 1.0, optimizer=opt)
        assert "L1.grad = " in compiled.source(readable=False)  # (s's gradient, moved)
        assert "L1.grad = q1" not in compiled.source(readable=False)
    for x in (0.3, 0.5, -2.0):
        assert bits(compiled(x, 1.0)) == bits(as_floats(list(eager(x, 1.0))))
        assert bits([w.data, w.grad, s.grad]) == bits([w_eager.data, w_eager.grad, s_eager.grad])


def _iris_shaped(
    act: str = "sigmoid", nin: int = 4, sizes: Sequence[int] = (5, 3)
) -> tuple[MLP, SGD, Callable[..., Any]]:
    """A per-sample SGD step of the articles' loss on a sigmoid (or ``act``) network."""
    net = MLP(nin, list(sizes), act, act, seed=0)
    opt = SGD(net.parameters(), lr=0.5)

    def step(x: Sequence[float], y: Sequence[float]) -> Value:
        loss = half_squared_error(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return net, opt, step


ZERO_ROWS = [
    # inputs at 0.0 and -0.0 (features scaled to [0, 1] are 0.0 at their minimum)
    ([0.0, 0.5, -0.0, 0.25], [1.0, 0.0, 0.0]),
    ([0.3, -0.0, 0.0, 0.0], [0.0, 0.0, 1.0]),
    # the smallest subnormal: each product with it underflows to a zero of its sign
    ([5e-324, 0.5, -5e-324, 0.25], [0.0, 1.0, 0.0]),
]
SATURATED_ROWS = [  # (inputs of both signs: the saturated neuron's 0.0 slope times each)
    ([0.3, -0.5, 0.2, -0.1], [1.0, 0.0, 0.0]),
    ([-0.6, 0.1, -0.9, 0.4], [0.0, 1.0, 0.0]),
]


@pytest.mark.parametrize("saturated", [False, True], ids=["zero inputs", "saturated sigmoid"])
def test_gradients_stored_without_or_0_keep_the_engines_signed_zeros(saturated, monkeypatch):
    """``L3.grad = b0 * c0_3`` is stored without ``or 0.0`` where its factors are tested
    instead; where a factor is small (a zero input, or a sigmoid saturated at 1.0, whose
    slope 1.0 * (1.0 - 1.0) is 0.0), the zeros are set to 0.0 as the engine's 0.0 + g
    makes them. The same step with that setting left out gives a -0.0 somewhere: so the
    rows do reach it."""
    import autograd.compile as compiler

    def run(helper: Callable[..., None] | None) -> tuple[object, object, str]:
        net, opt, step = _iris_shaped()
        eager_net, _, eager = _iris_shaped()
        if saturated:  # one hidden neuron's bias so large that its sigmoid is 1.0 exactly
            for n in (net, eager_net):
                n.layers[0].neurons[2].b.data = 800.0
        if helper is not None:
            monkeypatch.setitem(compiler._RUNTIME, "_unsign_zeros", helper)
        with zeros_tested_later(True):  # (an Iris step does not, by default: see _zeros_later)
            compiled = compile_step(step, *SATURATED_ROWS[0], optimizer=opt)
            source = compiled.source(readable=False)
        monkeypatch.undo()
        got, want = [], []
        for x, y in SATURATED_ROWS if saturated else ZERO_ROWS:
            got += [outcome(compiled, x, y), bits([(p.grad, p.data) for p in net.parameters()])]
            want += [outcome(eager, x, y), bits([(p.grad, p.data) for p in eager_net.parameters()])]
        assert compiled.fallbacks == 0
        return got, want, source

    got, want, source = run(None)
    assert "_small = " in source and "_unsign_zeros(_Z)" in source
    assert "_unsign_zeros(_Zc)" in source  # (the inputs, tested in the stores)
    assert ".grad = " in source and " or 0.0\n" not in source
    assert got == want
    broken, want, _ = run(lambda leaves: None)  # (the zeros left as the products made them)
    assert broken != want


def test_the_factors_are_tested_where_the_stores_outnumber_them_four_times():
    # 2-16-16-1: 337 gradient stores, 67 factors (3-6% faster per call); Iris 4-5-3: 43
    # stores, 17 factors, where the test saved nothing measurable and cost compile time
    _, opt, step = _iris_shaped(nin=2, sizes=(16, 16, 1))
    wide_source = compile_step(step, [0.3, -0.2], [1.0], optimizer=opt).source(readable=False)
    assert "_small = True" in wide_source and wide_source.count(" or 0.0\n") == 0
    _, iris_opt, iris_step = _iris_shaped()
    iris = compile_step(iris_step, *ZERO_ROWS[0], optimizer=iris_opt).source(readable=False)
    assert "_small" not in iris and iris.count(" or 0.0\n") == 43


def test_the_ops_whose_derivative_is_0_over_a_range_are_found_in_the_op_table():
    # read from each op's own partials at ordinary arguments, not from a list of names
    from autograd import OPS
    from autograd.compile import _flat

    found = {
        name
        for name, op in OPS.items()
        for n in ([op.arity] if op.arity else [3, 6])
        if _flat(op, [None] * n)
    }
    assert found == {"relu", "maximum", "minimum"}
    assert _flat(OPS["mul"], [None, 0.0])  # (times a constant 0.0: 0 everywhere)


def test_a_relu_network_keeps_or_0_in_its_gradient_stores():
    # relu's slope is 0.0 for every negative input: the factors' test would hold on most
    # calls, so the stores keep their ``or 0.0`` and nothing is tested
    _, opt, step = _iris_shaped("relu")
    with zeros_tested_later(True):
        compiled = compile_step(step, [0.3, 0.5, 0.2, 0.1], [1.0, 0.0, 0.0], optimizer=opt)
        source = compiled.source(readable=False)
    assert "_small" not in source and "_unsign_zeros" not in source
    assert source.count(".grad = ") == source.count(" or 0.0\n") > 0


def test_a_wide_network_holds_its_values_as_constants_and_numbers_few_locals():
    # every use of a local numbered above 255 costs an extra instruction: the Values are
    # constants of the code (not 337 closure cells after the locals), gradients only the
    # stores read are computed there, and most of the 337 parameter values fit below 256
    net = MLP(2, [16, 16, 1], "sigmoid", "sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=0.01)
    step = compile_step(step_of(net, opt, "half_squared_error"), [0.1, 0.2], [1.0], optimizer=opt)
    code = type(step).__call__.__code__
    params = net.parameters()
    assert all(any(c is p for c in code.co_consts) for p in params)
    assert not any(type(c.cell_contents) is Value for c in type(step).__call__.__closure__ or ())
    assert len(code.co_varnames) + len(code.co_freevars) < 2 * len(params) - 200
    assert "L0.data" in step.source(readable=False)  # shown as names, as _make binds them


def _fan_out(n: int) -> tuple[list[Value], Callable[..., Any], SGD]:
    """A node ``h`` read by ``n`` products (its gradient a sum of ``n`` terms), and a step."""
    rng = random.Random(n)
    ws = [Value(rng.uniform(-1, 1)) for _ in range(n + 1)]
    opt = SGD(ws, lr=0.1)

    def step(x: float) -> Value:
        h = (ws[0] * x).tanh()
        loss = h * ws[1]
        for w in ws[2:]:
            loss = loss + h * w
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return ws, step, opt


@pytest.mark.parametrize("n", [3, 149])
def test_a_node_gradient_is_one_sum_per_line_adding_in_the_engine_order(n: int) -> None:
    # BP2 as one line (b = t1 + t2 + ...), split every 64 terms: CPython compiles a long sum
    # recursively. The same additions in the same order as the eager engine's: every bit.
    ws, step, opt = _fan_out(n)
    twins, eager_step, _ = _fan_out(n)
    compiled = compile_step(step, 0.3, optimizer=opt)
    runnable = compiled.source(readable=False)
    sums = [line for line in runnable.splitlines() if line.count(" + ") >= 2]  # (h's gradient)
    assert len(sums) == 1 + (n - 1) // 63
    assert all(line.count(" + ") < 64 for line in sums)
    assert sum(line.count(" + ") for line in sums) == n - 1  # (a line goes on from the last)
    # the readable source keeps one line per term (set beside BP2 in notebook 03)
    readable = compiled.source().splitlines()
    assert sum(line.startswith("b1 = ") for line in readable) == n
    for x in (0.3, -1.25, 2.0, 0.0):
        assert bits(compiled(x)) == bits(eager_step(x).data)
        assert bits([(w.data, w.grad) for w in ws]) == bits([(w.data, w.grad) for w in twins])


def test_iris_training_is_bit_identical_and_tracing_changes_nothing():
    from nn.datasets import load_iris

    rows = list(zip(*[getattr(load_iris(seed=0).train, a) for a in ("x", "y")]))
    nets = [MLP(4, [5, 3], "sigmoid", seed=3) for _ in range(2)]
    opts = [SGD(n.parameters(), lr=0.2) for n in nets]
    eager = step_of(nets[0], opts[0], "half_squared_error")
    compiled = compile_step(
        step_of(nets[1], opts[1], "half_squared_error"), *rows[0], optimizer=opts[1]
    )
    for _ in range(3):
        for x, y in rows:
            assert outcome(compiled, x, y) == outcome(eager, x, y)
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])
    assert compiled.fallbacks == 0


def test_a_small_step_reuses_registers_too():
    """Iris 4-5-3 (43 parameters, far from 256 locals) still shares a few registers
    among its nodes' values and gradients: fewer floats live at once, which measured
    about 3% faster per call (README, Speed). No node keeps a name of its own."""
    net = MLP(4, [5, 3], "sigmoid", seed=3)
    opt = SGD(net.parameters(), lr=0.2)
    example = ([5.1, 3.5, 1.4, 0.2], [1.0, 0.0, 0.0])
    compiled = compile_step(step_of(net, opt, "half_squared_error"), *example, optimizer=opt)
    names = type(compiled).__call__.__code__.co_varnames
    registers = [n for n in names if n[0] == "r" and n[1:].isdigit()]
    own = [n for n in names if (n[0] in "abt" and n[1:].isdigit()) or n.startswith("_d")]
    assert own == [], own
    # 8 neurons and the loss: their values and gradients (over 30 names) in a dozen or so
    assert 5 <= len(registers) <= 20, registers


# Ops whose value and partials are the same, bit for bit, at +0.0 and at -0.0:
# sigmoid 0.5 and 0.25, relu 0.0 and slope 0.0, exp 1.0 and 1.0, abs 0.0 and
# slope 0.0, softplus log 2 and 0.5. The others tell the zeros apart: tanh, sin,
# neg, sqrt, expm1 and log1p give -0.0 for -0.0; cos gives 1.0 both ways but its
# slope -sin(x) is 0.0 or -0.0; log raises.
EVEN_AT_ZERO = {"sigmoid", "relu", "exp", "abs", "softplus"}


@pytest.mark.parametrize(
    "act", sorted(EVEN_AT_ZERO | {"tanh", "sin", "neg", "sqrt", "expm1", "log1p", "cos"})
)
@pytest.mark.parametrize("returned", [False, True])
def test_a_sum_skips_its_zero_plus_only_where_nothing_reads_the_sign_of_its_zero(act, returned):
    """The engine's neuron sum is 0.0 + w1*x1 + w2*x2 + b: here every term is -0.0, so the
    engine's sum is 0.0 where the sum without its 0.0 is -0.0. The compiled step leaves
    out the ``or 0.0`` (its 0.0 +) only where an op even at zero alone reads the sum, and
    it is not returned; every result, value and gradient stays the engine's."""
    from autograd.testing import apply_op

    def make_step(params: list[Value]) -> Callable[[list[float]], Any]:
        w1, w2, b = params

        def step(x: list[float]) -> Any:
            z = autograd_linear([w1, w2], x, b)
            out = apply_op(act, [z])
            out.backward()
            return (out, z) if returned else out

        return step

    start = [0.0, 0.0, -0.0]  # w * x is -0.0 for every x < 0, and so is b
    eager_params, params = [Value(v) for v in start], [Value(v) for v in start]
    compiled = compile_step(make_step(params), [-1.0, -2.0])
    eager = make_step(eager_params)
    for x in ([-1.0, -2.0], [-3.0, -0.5], [2.0, -1.0]):
        for p, q in zip(params, eager_params):
            p.grad = q.grad = 0.0
        assert outcome(compiled, x) == outcome(eager, x)
        assert bits([(p.data, p.grad) for p in params]) == bits(
            [(p.data, p.grad) for p in eager_params]
        )
    # (sqrt's slope at a zero is inf: such a step is the eager engine's, and says so)
    assert compiled.fallbacks == (3 if act == "sqrt" else 0)
    sums = [line for line in compiled.source(readable=False).splitlines() if "p0 * c0_0" in line]
    assert len(sums) == 1, sums  # the neuron's sum: w1 * x1 is in no other line
    skipped = act in EVEN_AT_ZERO and not returned
    assert ("or 0.0" not in sums[0]) == skipped, sums[0]


def test_a_forward_only_function_matches_evaluation_under_no_grad():
    net = MLP(3, [4, 2], "tanh", seed=1)
    forward = compile_forward(lambda x: net(x), [0.1, 0.2, 0.3])
    rng = random.Random(0)
    for _ in range(20):
        x = [rng.uniform(-2, 2) for _ in range(3)]
        with no_grad():
            want = [o.data for o in net(x)]
            got = forward(x)
        assert bits(got) == bits(want)
    assert forward.fallbacks == 0


# --- what a trace cannot follow is refused, naming the place -------------------------


def test_reading_data_in_the_traced_function_is_refused_with_its_line():
    net = MLP(2, [1], "linear", seed=0)

    def fn(x: list[float]) -> Value:
        out = net(x)[0]
        return out * 2.0 if out.data > 0 else out  # a decision from the data

    with pytest.raises(TraceError, match=r"reading \.data.*test_compile\.py:\d+ \(in fn\)"):
        compile_forward(fn, [1.0, 2.0])


def test_float_of_a_value_is_refused():
    w = Value(2.0)
    with pytest.raises(TraceError, match=r"float\(\) of a Value"):
        compile_forward(lambda x: w * math.exp(float(w * x)), 1.0)


def test_assigning_data_or_reading_grad_is_refused():
    w = Value(2.0)

    def manual_update(x: float) -> Value:
        loss = w * x
        loss.backward()
        w.data -= 0.1 * w.grad
        return loss

    with pytest.raises(TraceError, match=r"\.grad|\.data"):
        compile_step(manual_update, 1.0)


def test_backward_through_a_graph_made_before_tracing_is_refused():
    # (it once ended in a bare KeyError)
    w = Value(0.5)
    made_before = (w * 2.0).tanh()

    def step(x: float) -> Value:
        loss = made_before * x
        loss.backward()
        return loss

    def only_backward(x: float) -> float:
        made_before.backward()
        return x

    with pytest.raises(TraceError, match=r"before tracing"):
        compile_step(step, 1.0)
    with pytest.raises(TraceError, match=r"backward\(\) through .*computed before tracing"):
        compile_step(only_backward, 1.0)


def test_an_optimiser_not_given_to_compile_is_refused():
    _, _, step = _iris_shaped("linear", nin=2, sizes=(1,))
    with pytest.raises(TraceError, match=r"optim\.py"):
        compile_step(step, [1.0, 2.0], [0.5])


def test_a_comparison_becomes_a_guard_and_the_other_side_runs_eagerly():
    w = Value(1.5)

    def fn(x: float) -> Value:
        z = w * x
        return z.exp() if z < 0.0 else z * z

    f = compile_forward(fn, 2.0)
    assert f(3.0) == 4.5 * 4.5 and f.fallbacks == 0
    assert f(-1.0) == math.exp(-1.5) and f.fallbacks == 1


def test_another_shape_or_an_integer_argument_is_traced_again():
    net = MLP(2, [3], "sigmoid", seed=0)
    f = compile_forward(lambda x, k: net(x)[k], [0.5, 0.25], 0)
    with no_grad():
        for k in (0, 1, 2, 1):
            assert f([0.5, 0.25], k) == net([0.5, 0.25])[k].data
    assert f.traces == 3 and f.fallbacks == 0
    with pytest.raises(ValueError, match="expected 2 inputs"):
        f([1.0, 2.0, 3.0], 0)


def test_calls_go_down_the_chain_of_traces_and_a_shape_that_cannot_be_traced_stays_eager():
    net = MLP(2, [3], "sigmoid", seed=0)

    calls_with_2 = []

    def pick(x: list[float], k: int) -> Value:
        if k == 2:
            calls_with_2.append(k)
            return as_value(net(x)[k].data)  # reads .data: cannot be traced
        return net(x)[k]

    f = compile_forward(pick, [0.5, 0.25], 0)
    with no_grad():
        for k in (1, 0, 1, 2, 0, 2, 1):
            assert f([0.5, 0.25], k) == net([0.5, 0.25])[k].data
    assert f.traces == 2  # k = 0 and k = 1
    assert f.fallbacks == 2
    assert len(calls_with_2) == 3  # traced once (refused), then run eagerly twice


# --- errors and state --------------------------------------------------------------------


def log_nets() -> tuple[list[MLP], list[SGD]]:
    """Two equal one-weight networks with SGD and momentum, for :func:`step_of_log`."""
    nets = [MLP(1, [1], "linear", seed=0) for _ in range(2)]
    return nets, [SGD(n.parameters(), lr=0.1, momentum=0.9) for n in nets]


def step_of_log(net: MLP, opt: SGD) -> Callable[[list[float]], Value]:
    """A step whose loss is ``log`` of the output: an error where the output is <= 0."""

    def step(x: list[float]) -> Value:
        loss = net(x)[0].log()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def test_an_error_inside_a_compiled_step_is_the_engines_error_and_changes_nothing():
    nets, opts = log_nets()

    w = nets[0].parameters()[0].data
    x_good = [1.0 / w + 5.0] if w > 0 else [-1.0 / w - 5.0]
    x_bad = [-x_good[0]]
    compiled = compile_step(step_of_log(nets[1], opts[1]), x_good, optimizer=opts[1])
    eager = step_of_log(nets[0], opts[0])
    assert outcome(compiled, x_good) == outcome(eager, x_good)
    err = outcome(compiled, x_bad)
    assert err == outcome(eager, x_bad)
    assert isinstance(err, tuple) and err[0] == "ValueError" and "log" in err[1]
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])


def test_under_no_grad_a_compiled_step_does_what_the_eager_step_does():
    nets = [MLP(2, [1], "linear", seed=0) for _ in range(2)]
    opts = [SGD(n.parameters(), lr=0.1) for n in nets]
    eager = step_of(nets[0], opts[0], "half_squared_error")
    compiled = compile_step(
        step_of(nets[1], opts[1], "half_squared_error"), [1.0, 2.0], [0.5], optimizer=opts[1]
    )
    with no_grad():
        assert outcome(compiled, [1.0, 2.0], [0.5]) == outcome(eager, [1.0, 2.0], [0.5])
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])
    assert compiled.fallbacks == 1


# --- the source ----------------------------------------------------------------------------


def test_the_source_names_parameters_by_their_attribute_path():
    net = MLP(2, [2, 1], "sigmoid", seed=0)
    opt = SGD(net.parameters(), lr=0.1)
    compiled = compile_step(
        step_of(net, opt, "half_squared_error"), [1.0, 2.0], [1.0], optimizer=opt
    )
    text = compiled.source(net)  # the model's own names: its attribute paths
    assert "layers.1.neurons.0.w.1" in text
    assert "dL/dlayers.0.neurons.1.b" in text
    runnable = compiled.source(readable=False)
    assert "layers.1" not in runnable
    compile(runnable, "<test>", "exec")


# --- nn training -----------------------------------------------------------------------------


def test_train_iris_compiled_is_the_eager_run_bit_for_bit():
    from nn.train import train_iris

    eager, compiled = train_iris(epochs=4), train_iris(epochs=4, compile=True)
    assert bits([p.data for p in compiled.model.parameters()]) == bits(
        [p.data for p in eager.model.parameters()]
    )
    fields = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
    assert [bits([getattr(h, f) for f in fields]) for h in compiled.history] == [
        bits([getattr(h, f) for f in fields]) for h in eager.history
    ]
    assert bits(compiled.final_loss) == bits(eager.final_loss)


def test_the_command_line_compiles_and_saves_the_same_model(tmp_path, capsys):
    from deltagrad.cli import main

    paths = [tmp_path / "eager.json", tmp_path / "compiled.json"]
    for path, extra in zip(paths, ([], ["--compile"])):
        args = ["train", "iris", "--epochs", "3", "--no-progress", "--json", "--save", str(path)]
        assert main([*args, *extra]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert '"compiled": "step and evaluation"' in capsys.readouterr().out


def test_two_backward_passes_and_a_zero_grad_after_the_step():
    nets = [MLP(2, [3, 2], "tanh", seed=5) for _ in range(2)]
    opts = [Adam(n.parameters(), lr=0.05, weight_decay=0.01) for n in nets]

    def step_of_two(net: MLP, opt: Adam) -> Callable[..., Any]:
        def step(x: list[float], y: list[float]) -> Any:
            out = net(x)
            half_squared_error(out, y).backward()  # accumulates onto what the last call left
            (out[0] * out[1]).backward()
            opt.step()
            first = net.parameters()[0].grad * 0.0  # a float: refused? no, .grad is read
            return first

        return step

    with pytest.raises(TraceError, match=r"\.grad"):
        compile_step(step_of_two(nets[1], opts[1]), [0.5, -1.0], [0.0, 1.0], optimizer=opts[1])

    def step_of(net: MLP, opt: Adam) -> Callable[..., Any]:
        def step(x: list[float], y: list[float]) -> Any:
            out = net(x)
            half_squared_error(out, y).backward()
            (out[0] * out[1]).backward()
            opt.step()
            net.zero_grad()
            return out

        return step

    compiled = compile_step(step_of(nets[1], opts[1]), [0.5, -1.0], [0.0, 1.0], optimizer=opts[1])
    eager = step_of(nets[0], opts[0])
    for p0, p1 in zip(nets[0].parameters(), nets[1].parameters()):
        p0.grad = p1.grad = 0.25  # a gradient already held: the first pass adds onto it
    rng = random.Random(4)
    for _ in range(5):
        x, y = [rng.uniform(-2, 2), rng.uniform(-2, 2)], [rng.random(), rng.random()]
        assert outcome(compiled, x, y) == outcome(eager, x, y)
        assert state(nets[1], opts[1]) == state(nets[0], opts[0])
    assert compiled.fallbacks == 0


AWKWARD = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e308, -1e308, 5e-324, 710.0, -710.0, 1e16]
AWKWARD += [math.inf, -math.inf, math.nan]


def argument_count(name: str, n: int) -> int:
    from autograd import OPS

    arity = OPS[name].arity
    if arity is not None:
        return arity
    return {"linear": 2 * n + 1, "squared_error": 2 * n}.get(name, n)


def test_a_rule_check_tells_apart_what_repr_tells_apart_and_nothing_else():
    """The check that accepts an inline rule compares outcomes as their ``repr`` would."""
    from autograd.compile import _same_outcomes

    nan, other_nan = math.nan, -math.nan  # (another NaN: its sign bit set)
    assert _same_outcomes([1.0, (0.5, -0.0), None], [1.0, (0.5, -0.0), None])
    assert _same_outcomes([nan, (nan,)], [other_nan, (nan,)])  # which NaN is not chosen
    for a, b in (
        ([0.0], [-0.0]),  # the sign of a zero
        ([1.0], [1]),  # an int is not its float
        ([True], [1]),
        ([None], [0.0]),  # a raise is not a number
        ([(1.0, 2.0)], [(1.0,)]),
        ([(1.0, 2.0)], [[1.0, 2.0]]),  # a list is not a tuple
        ([5e-324], [0.0]),
    ):
        assert not _same_outcomes(a, b), (a, b)

    class Float(float):  # (marshal cannot write it: repr decides)
        pass

    assert _same_outcomes([Float(0.5)], [0.5])
    assert not _same_outcomes([Float(-0.0)], [0.0])


@given(st.sampled_from(sorted(__import__("autograd").OPS)), st.integers(1, 3), st.data())
@settings(max_examples=300, deadline=None)
def test_every_op_on_awkward_numbers_forward_and_backward(name, n, data):
    """Signed zeros, infinities, NaN, overflow, sums that cancel: the compiled op is the op."""
    from autograd.testing import apply_op

    count = argument_count(name, n)
    xs = data.draw(st.lists(st.sampled_from(AWKWARD), min_size=count, max_size=count))
    seed = data.draw(st.sampled_from([1.0, -0.0, math.inf]))

    def op_of(*vs: float) -> Value:  # (called with Values when traced, with floats when eager)
        return apply_op(name, [as_value(v) for v in vs])

    forward = compile_forward(op_of, *[0.5] * count)
    assert outcome(forward, *xs) == outcome(op_of, *xs)

    def step_of(params: list[Value]) -> Callable[[], Value]:
        def step() -> Value:
            root = apply_op(name, params)
            root.backward(seed)
            return root

        return step

    eager_params, params = [Value(x) for x in xs], [Value(x) for x in xs]
    want = outcome(step_of(eager_params))
    try:
        compiled = compile_step(step_of(params))
    except TraceError:
        raise
    except Exception as e:  # the example itself fails: the same error as the eager step
        assert (type(e).__name__, str(e)) == want
        return
    assert outcome(compiled) == want
    assert bits([(p.data, p.grad) for p in params]) == bits(
        [(p.data, p.grad) for p in eager_params]
    )


def test_changing_the_learning_rate_or_the_momentum_after_compiling():
    nets = [MLP(2, [2, 1], "sigmoid", seed=8) for _ in range(2)]
    opts = [SGD(n.parameters(), lr=0.1) for n in nets]
    eager = step_of(nets[0], opts[0], "mse")
    compiled = compile_step(step_of(nets[1], opts[1], "mse"), [0.5, 0.5], [1.0], optimizer=opts[1])
    rng = random.Random(2)
    for i in range(12):
        if i == 4:  # read at every call: still compiled
            opts[0].lr = opts[1].lr = 0.05
        if i == 8:  # another branch of step(): the guard sends it to the eager step
            opts[0].momentum = opts[1].momentum = 0.9
        x, y = [rng.uniform(-1, 1), rng.uniform(-1, 1)], [rng.random()]
        assert outcome(compiled, x, y) == outcome(eager, x, y)
        assert state(nets[1], opts[1]) == state(nets[0], opts[0])
    assert compiled.fallbacks == 4


class _NoDictSGD(SGD):
    """An SGD whose ``__dict__`` may not be asked for (see the test below)."""

    @property  # type: ignore[misc]
    def __dict__(self) -> dict[str, Any]:
        raise AssertionError("the optimiser's __dict__ was asked for")


def test_compiling_reads_the_optimisers_own_attributes_without_its_dict():
    """Tracing swaps the optimiser's step() for a recorder and puts it back without
    ``vars(opt)``: on CPython 3.11 an instance whose ``__dict__`` was asked for once makes
    every later ``opt.lr`` of the compiled step miss its specialised read (1-2% of an
    Iris step). Eager and compiled stay the same step, bit for bit, before and after."""
    nets = [MLP(2, [3, 1], "sigmoid", seed=4) for _ in range(2)]
    eager_opt = SGD(nets[0].parameters(), lr=0.1)
    opt = _NoDictSGD(nets[1].parameters(), lr=0.1)
    eager = step_of(nets[0], eager_opt, "mse")
    compiled = compile_step(step_of(nets[1], opt, "mse"), [0.5, -0.5], [1.0], optimizer=opt)
    bound = opt.step
    assert type(bound).__name__ == "method" and bound.__func__ is SGD.step
    rng = random.Random(5)
    for _ in range(6):
        x, y = [rng.uniform(-1, 1), rng.uniform(-1, 1)], [rng.random()]
        assert outcome(compiled, x, y) == outcome(eager, x, y)
    assert bits([(p.data, p.grad) for p in nets[1].parameters()]) == bits(
        [(p.data, p.grad) for p in nets[0].parameters()]
    )
    assert compiled.fallbacks == 0


class _ClippedSGD(SGD):
    def step(self) -> None:  # a step the inherited compiled_update knows nothing of
        for p in self.params:
            p.data -= self.lr * max(-0.01, min(0.01, p.grad))


class _ClippedSGDWithItsUpdate(_ClippedSGD):
    def compiled_update(self, data, grad, me, tmp):  # type: ignore[no-untyped-def]
        clip = [f"max(-0.01, min(0.01, {g}))" for g in grad]
        return super().compiled_update(data, clip, me, tmp)


def test_an_optimiser_whose_step_its_compiled_update_does_not_write_is_refused():
    """A step() of the object's own, or a subclass's step() without its own
    compiled_update: the compiled update would be another step's. Refused, with the
    reason; the optimiser is left as it was."""
    net = MLP(2, [1], "sigmoid", seed=1)
    args = ([0.5, 0.5], [1.0])

    own = SGD(net.parameters(), lr=0.1)
    logged: list[int] = []
    plain_step = own.step

    def logging_step() -> None:
        logged.append(1)
        plain_step()

    own.step = logging_step  # type: ignore[method-assign]
    with pytest.raises(TypeError, match=r"this SGD has a step of its own .*logging_step"):
        compile_step(step_of(net, own, "mse"), *args, optimizer=own)
    assert own.step is logging_step and not logged

    clipped = _ClippedSGD(net.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"_ClippedSGD overrides step\(\) but not compiled_upd"):
        compile_step(step_of(net, clipped, "mse"), *args, optimizer=clipped)

    # overriding both compiles, and is the eager step bit for bit
    nets = [MLP(2, [2, 1], "sigmoid", seed=2) for _ in range(2)]
    opts = [_ClippedSGDWithItsUpdate(n.parameters(), lr=0.5) for n in nets]
    eager = step_of(nets[0], opts[0], "mse")
    compiled = compile_step(step_of(nets[1], opts[1], "mse"), *args, optimizer=opts[1])
    rng = random.Random(3)
    for _ in range(5):
        x, y = [rng.uniform(-3, 3), rng.uniform(-3, 3)], [rng.random()]
        assert outcome(compiled, x, y) == outcome(eager, x, y)
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])
    assert compiled.fallbacks == 0


def wide_twins(spec: dict[str, Any], seed: int, n: int) -> tuple[Any, ...]:
    """A 2-16-16-1 network of ``spec`` twice, ``n`` random rows, and its step eager and
    compiled on the first row: (eager net, eager opt, net, opt, rows, eager, compiled)."""
    spec = {"nin": 2, "sizes": [16, 16, 1], "out_act": "linear", **spec}
    eager_net, eager_opt = make(spec)
    net, opt = make(spec)
    rng = random.Random(seed)
    rows = [([rng.uniform(-2, 2), rng.uniform(-2, 2)], [rng.uniform(-1, 1)]) for _ in range(n)]
    eager = step_of(eager_net, eager_opt, "half_squared_error")
    compiled = compile_step(step_of(net, opt, "half_squared_error"), *rows[0], optimizer=opt)
    return eager_net, eager_opt, net, opt, rows, eager, compiled


@pytest.mark.parametrize(
    ("act", "opt_name"), [("sigmoid", "sgd"), ("relu", "adam"), ("tanh", "sgd")]
)
def test_a_wide_network_reuses_registers_and_keeps_every_bit(act, opt_name):
    """2-16-16-1: over 300 parameters, so the generated function reuses names (_allocate).

    Its nodes' values and gradients share a few dozen registers, numbered below 256
    with the other most used locals (a local numbered above 255 needs EXTENDED_ARG at
    every use); and the step stays the eager step, bit for bit, step after step.
    """
    import dis

    spec = {"act": act, "seed": 3, "opt": opt_name, "lr": 0.05, "mu": 0.9, "wd": 0.01}
    eager_net, eager_opt, net, opt, rows, eager, compiled = wide_twins(spec, 5, 6)
    for x, y in rows:
        assert outcome(compiled, x, y) == outcome(eager, x, y)
        assert state(net, opt) == state(eager_net, eager_opt)
    assert compiled.fallbacks == 0
    code = type(compiled).__call__.__code__
    registers = [n for n in code.co_varnames if n[0] == "r" and n[1:].isdigit()]
    assert 16 <= len(registers) <= 128, len(registers)  # 2 * 16 + 16 + 1 nodes at least
    uses = dict.fromkeys(code.co_varnames, 0)
    extended = 0
    instructions = list(dis.get_instructions(code))
    for before, ins in itertools.pairwise(instructions):
        if ins.opname in ("LOAD_FAST", "STORE_FAST"):
            uses[ins.argval] += 1
            extended += before.opname == "EXTENDED_ARG"
    # every local used more than a parameter's value or gradient is numbered below 256
    heavy = [n for n, u in uses.items() if u > 10]
    assert len(heavy) > 16
    assert [n for n in heavy if code.co_varnames.index(n) > 255] == [], "X"
    assert extended < sum(uses.values()) / 2


# --- run(): many steps in one call ------------------------------------------------------------


def eager_rows(step: Callable[..., Any], rows: Sequence[tuple[Any, ...]]) -> object:
    """What ``[step(*row) for row in rows]`` gives: every result, or the error at the first
    row that raises (the rows before it have run)."""
    out = []
    for row in rows:
        got = outcome(step, *row)
        if isinstance(got, tuple):
            return [out, got]
        out.append(got)
    return [out, None]


def run_rows(compiled: Any, rows: Sequence[tuple[Any, ...]]) -> object:
    try:
        return [bits(as_floats(compiled.run(rows))), None]
    except Exception as e:
        done = []  # the rows that ran before the error, as the one-call-at-a-time path ran them
        return [done, (type(e).__name__, str(e))]


@given(specs, st.data())
@settings(max_examples=40, deadline=None)
def test_run_is_the_eager_steps_one_after_another(spec, data):
    eager_net, eager_opt = make(spec)
    net, opt = make(spec)
    nin, nout = spec["nin"], spec["sizes"][-1]
    rows = data.draw(
        st.lists(
            st.tuples(
                st.lists(numbers, min_size=nin, max_size=nin),
                st.lists(st.floats(-1.0, 1.0), min_size=nout, max_size=nout),
            ),
            min_size=1,
            max_size=6,
        )
    )
    eager = step_of(eager_net, eager_opt, spec["loss"])
    compiled = compiled_or_the_eager_error(step_of(net, opt, spec["loss"]), eager, rows[0], opt)
    if compiled is None:
        return
    want = eager_rows(eager, rows)
    got = run_rows(compiled, rows)
    if want[1] is None:
        assert got == want
    else:  # an error: the same error, and the same state (the rows before it have run)
        assert got[1] == want[1]
    assert state(net, opt) == state(eager_net, eager_opt)


def test_run_keeps_every_bit_for_sgd_with_momentum_and_adam_over_many_rows():
    rng = random.Random(4)
    rows = [([rng.uniform(-2, 2) for _ in range(3)], [rng.uniform(-1, 1)]) for _ in range(40)]
    for opt_name, mu in (("sgd", 0.9), ("adam", 0.0)):
        spec = {"nin": 3, "sizes": [4, 1], "act": "tanh", "out_act": "linear", "seed": 2}
        spec.update({"opt": opt_name, "lr": 0.05, "mu": mu, "wd": 0.01})
        eager_net, eager_opt = make(spec)
        net, opt = make(spec)
        eager = step_of(eager_net, eager_opt, "mse")
        compiled = compile_step(step_of(net, opt, "mse"), *rows[0], optimizer=opt)
        assert run_rows(compiled, rows[:25]) == eager_rows(eager, rows[:25])
        assert outcome(compiled, *rows[25]) == outcome(eager, *rows[25])  # then one call
        assert run_rows(compiled, rows[26:]) == eager_rows(eager, rows[26:])
        assert state(net, opt) == state(eager_net, eager_opt)
        assert compiled.run([]) == [] and compiled.run(iter([])) == []  # no rows: no change
        assert state(net, opt) == state(eager_net, eager_opt)
        assert compiled.fallbacks == 0
        assert compiled._runner is not None and compiled._runner.__name__ == "run"  # a loop


@pytest.mark.parametrize("update", [False, True])
def test_run_carries_gradients_the_step_adds_to_from_row_to_row(update):
    """A step that adds its gradient to the one held (no zero_grad): the loop reads each
    gradient once before it and carries it on in its local, as it does a parameter."""
    rng = random.Random(11)
    rows = [([rng.uniform(-2, 2) for _ in range(3)], [rng.uniform(-1, 1)]) for _ in range(9)]
    runs = []
    for _ in range(2):
        net = MLP(3, [4, 1], "tanh", seed=5)
        held = random.Random(3)  # the same held gradients for both, a -0.0 among them
        for p in net.parameters():
            p.grad = held.choice([0.0, -0.0, 0.5])
        runs.append((net, SGD(net.parameters(), lr=0.01, momentum=0.5)))

    def make_step(net: MLP, opt: SGD) -> Callable[..., Any]:
        def step(x: Sequence[float], y: Sequence[float]) -> Value:
            loss = half_squared_error(net(x), y) * 0.25
            loss.backward()
            if update:
                opt.step()
            return loss

        return step

    eager = make_step(*runs[0])
    compiled = compile_step(make_step(*runs[1]), *rows[0], optimizer=runs[1][1] if update else None)
    assert run_rows(compiled, rows) == eager_rows(eager, rows)
    assert state(*runs[1]) == state(*runs[0])
    assert compiled.fallbacks == 0
    assert compiled._runner is not None and compiled._runner.__name__ == "run"  # a loop


def test_run_with_an_error_at_its_last_row_leaves_the_previous_rows_gradients():
    """The rows before the error have run, gradients included, as one step after another
    leaves them: run() fuses the gradients of all rows but the last into their updates,
    so it must not store the rest and leave the error to a last call (found by hypothesis:
    the last row's forward pass overflows in exp, before its zero_grad)."""
    spec = {"nin": 2, "sizes": [3], "act": "sigmoid", "out_act": "relu", "seed": 0}
    spec.update({"opt": "sgd", "lr": 0.01, "mu": 0.0, "wd": 0.0})
    rows = [([0.0, 0.0], [0.0] * 3), ([40.0, 0.0], [0.0] * 3), ([-1.0, 0.0], [0.0] * 3)]
    eager_net, eager_opt = make(spec)
    net, opt = make(spec)
    eager = step_of(eager_net, eager_opt, "div_exp")
    compiled = compile_step(step_of(net, opt, "div_exp"), *rows[0], optimizer=opt)
    want = eager_rows(eager, rows)
    assert isinstance(want[1], tuple) and want[1][0] == "OverflowError" and len(want[0]) == 2
    assert run_rows(compiled, rows)[1] == want[1]
    assert state(net, opt) == state(eager_net, eager_opt)


def test_run_with_a_bad_row_gives_the_eager_error_at_that_row():
    nets, opts = log_nets()

    w = nets[0].parameters()[0].data
    good = [1.0 / w + 5.0] if w > 0 else [-1.0 / w - 5.0]
    rows = [(good,), ([good[0] + 1.0],), ([-good[0]],), (good,)]
    compiled = compile_step(step_of_log(nets[1], opts[1]), good, optimizer=opts[1])
    want = eager_rows(step_of_log(nets[0], opts[0]), rows)
    got = run_rows(compiled, rows)
    assert isinstance(want[1], tuple) and want[1][0] == "ValueError" and "log" in want[1][1]
    assert got[1] == want[1]
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])  # two rows ran, then the error


def test_run_under_no_grad_and_with_other_shapes_runs_each_row():
    nets = [MLP(2, [2, 1], "relu", seed=1) for _ in range(2)]
    opts = [SGD(n.parameters(), lr=0.1) for n in nets]
    eager = step_of(nets[0], opts[0], "half_squared_error")
    compiled = compile_step(
        step_of(nets[1], opts[1], "half_squared_error"), [1.0, 2.0], [0.5], optimizer=opts[1]
    )
    rows = [([1.0, 2.0], [0.5]), ([0.5, -1.0], [1]), ([3.0, 1.0], [0.25])]  # an int target
    assert run_rows(compiled, rows) == eager_rows(eager, rows)
    with no_grad():
        assert run_rows(compiled, rows) == eager_rows(eager, rows)
    assert state(nets[1], opts[1]) == state(nets[0], opts[0])


def test_run_of_a_forward_only_function_is_the_evaluation():
    net = MLP(3, [5, 2], "sigmoid", seed=3)
    forward = compile_forward(lambda x: net(x), [0.1, 0.2, 0.3])
    rng = random.Random(0)
    rows = [([rng.uniform(-3, 3) for _ in range(3)],) for _ in range(30)]
    with no_grad():
        want = [[v.data for v in net(x)] for (x,) in rows]
    assert bits(forward.run(rows)) == bits(want)
    assert forward.fallbacks == 0


def test_run_checks_every_rows_types_before_its_loop():
    """A bool or a float subclass anywhere in the rows: every row runs one call at a time."""

    class Fl(float):
        pass

    nets = [MLP(2, [2, 1], "tanh", seed=4) for _ in range(2)]
    opts = [SGD(n.parameters(), lr=0.1) for n in nets]
    eager = step_of(nets[0], opts[0], "mse")
    compiled = compile_step(step_of(nets[1], opts[1], "mse"), [1.0, 2.0], [0.5], optimizer=opts[1])
    for odd in ([Fl(0.25), 1.0], [0.25, True]):
        rows = [([1.0, 2.0], [0.5]), (odd, [0.75]), ([3.0, -1.0], [0.25])]
        want, got = eager_rows(eager, rows), run_rows(compiled, rows)
        assert got[1] == want[1]  # None, or the same error (a bool: at the second row)
        if want[1] is None:
            assert got == want
        assert state(nets[1], opts[1]) == state(nets[0], opts[0])


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_run_fuses_gradients_into_updates_and_keeps_every_bit_on_a_wide_network(opt_name):
    """run(): every row but the last computes each gradient inside its update (not stored),
    the last row stores them; with registers reused (2-16-16-1), the same numbers as eager."""
    import dis

    spec = {"act": "sigmoid", "seed": 6, "opt": opt_name, "lr": 0.05, "mu": 0.9, "wd": 0.01}
    eager_net, eager_opt, net, opt, rows, eager, compiled = wide_twins(spec, 9, 8)
    assert run_rows(compiled, rows) == eager_rows(eager, rows)
    assert state(net, opt) == state(eager_net, eager_opt)
    assert compiled.fallbacks == 0
    loops = [i for i in dis.get_instructions(compiled._runner) if i.opname == "FOR_ITER"]
    assert len(loops) == 2  # the fused rows, then the last row


def test_run_does_not_fuse_a_gradient_that_reads_a_parameter_updated_before_its_use():
    """d(w1*w2*x)/dw2 reads w1, which SGD updates first: that gradient stays a stored name."""

    def make_step(ws: list[Value], opt: SGD) -> Callable[..., Any]:
        def step(x: float, y: float) -> Value:
            loss = (ws[0] * ws[1] * x - y) ** 2.0
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return step

    runs = []
    for _ in range(2):
        ws = [Value(0.8), Value(-1.3)]
        runs.append((ws, SGD(ws, lr=0.05)))
    rows = [(0.5 + 0.1 * i, 1.0 - 0.2 * i) for i in range(6)]
    eager = make_step(*runs[0])
    compiled = compile_step(make_step(*runs[1]), *rows[0], optimizer=runs[1][1])
    assert run_rows(compiled, rows) == eager_rows(eager, rows)
    assert bits([(w.data, w.grad) for w in runs[1][0]]) == bits(
        [(w.data, w.grad) for w in runs[0][0]]
    )
