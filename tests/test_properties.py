"""Property tests: backward() agrees with finite differences on random graphs.

Tolerances: gradcheck's defaults (atol 1e-5, rtol 1e-3, relative step 1e-6),
documented in autograd.gradcheck. The strategies keep every op inside its
domain with margins (see autograd.testing), so a failure means a wrong rule.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import OPS, Value, gradcheck
from autograd.testing import ExprGraph, expr_graphs


@given(expr_graphs())
def test_backward_matches_finite_differences(g: ExprGraph):
    report = gradcheck(g, g.leaves)
    assert report.passed


@given(expr_graphs(max_steps=30, max_leaves=2))
def test_deeper_graphs_with_heavy_reuse(g: ExprGraph):
    gradcheck(g, g.leaves)


@given(st.sampled_from(sorted(OPS)), st.data())
@settings(max_examples=200)
def test_each_op_alone(name, data):
    g = data.draw(expr_graphs(ops=[name], max_steps=3))
    assert g.steps[0].op in (name, "tanh")  # tanh replaces a step that left its domain
    gradcheck(g, g.leaves)


@given(expr_graphs())
def test_rebuilding_gives_the_same_value_and_accumulation_doubles(g: ExprGraph):
    leaves = [Value(x) for x in g.leaves]
    root = g(*leaves)
    root.backward()
    first = [v.grad for v in leaves]
    root.backward()
    assert [v.grad for v in leaves] == [2 * x for x in first]
    assert g(*[Value(x) for x in g.leaves]).data == root.data


def test_the_strategy_reaches_every_op_reuse_and_constants():
    seen: set[str] = set()
    reuse = constants = False

    @given(expr_graphs())
    @settings(max_examples=300, database=None)
    def collect(g: ExprGraph):
        nonlocal reuse, constants
        seen.update(g.ops_used())
        refs = [a.index for s in g.steps for a in s.args if not isinstance(a, float)]
        reuse = reuse or len(refs) != len(set(refs))
        constants = constants or any(isinstance(a, float) for s in g.steps for a in s.args)

    collect()
    assert seen == set(OPS)
    assert reuse and constants
