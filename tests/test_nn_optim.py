"""Optimisers against their update formulas, written out by hand."""

import math

import pytest

from autograd import Value
from nn import SGD, Adam


def params_with_grads(values, grads):
    ps = [Value(v) for v in values]
    for p, g in zip(ps, grads):
        p.grad = g
    return ps


# The optimisers and the formulas below do the same float operations in the
# same order, so the results are compared exactly.


def test_sgd_plain():
    ps = params_with_grads([1.0, -2.0], [0.5, -0.25])
    SGD(ps, lr=0.1).step()
    assert [p.data for p in ps] == [1.0 - 0.1 * 0.5, -2.0 - 0.1 * -0.25]


def test_sgd_weight_decay_is_articles_plus_w_term():
    ps = params_with_grads([1.5], [0.2])
    SGD(ps, lr=0.1, weight_decay=1.0).step()
    assert ps[0].data == 1.5 - 0.1 * (0.2 + 1.0 * 1.5)


def test_sgd_momentum_over_two_steps():
    ps = params_with_grads([1.0], [0.5])
    opt = SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01)
    opt.step()
    g1 = 0.5 + 0.01 * 1.0
    v = g1
    x = 1.0 - 0.1 * v
    assert ps[0].data == x
    ps[0].grad = -0.3
    opt.step()
    g2 = -0.3 + 0.01 * x
    v = 0.9 * v + g2
    assert ps[0].data == x - 0.1 * v


def test_adam_over_two_steps():
    ps = params_with_grads([1.0], [0.5])
    opt = Adam(ps, lr=0.01)
    m = v = 0.0
    x = 1.0
    for t, g in ((1, 0.5), (2, -0.2)):
        ps[0].grad = g
        opt.step()
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.999 * v + (1 - 0.999) * g * g
        x -= 0.01 * (m * (1 / (1 - 0.9**t))) / (math.sqrt(v * (1 / (1 - 0.999**t))) + 1e-8)
        assert ps[0].data == x


def test_adam_first_step_moves_by_lr():
    # With bias correction the first step is lr * g / (|g| + eps): almost exactly lr.
    ps = params_with_grads([0.0], [123.0])
    Adam(ps, lr=0.05).step()
    assert ps[0].data == pytest.approx(-0.05, rel=1e-9)


def test_zero_grad():
    ps = params_with_grads([1.0, 2.0], [3.0, 4.0])
    SGD(ps, lr=1.0).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: SGD(ps, lr=0.0), "lr must be > 0"),
        (lambda ps: SGD(ps, lr=-1.0), "lr must be > 0"),
        (lambda ps: SGD(ps, lr=math.nan), "lr must be a finite number"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "momentum must be >= 0"),
        (lambda ps: Adam(ps, betas=(0.9, 1.0)), "beta2 must be < 1"),
        (lambda ps: Adam(ps, eps=0.0), "eps must be > 0"),
        (lambda ps: SGD([*ps, 1.0], lr=0.1), "parameter 1 is float, not a Value"),
    ],
)
def test_bad_settings(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make([Value(1.0)])
