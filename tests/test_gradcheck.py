"""gradcheck itself: it passes right gradients, reports errors, and catches wrong ones."""

import math

import pytest

from autograd import GradcheckError, Value, gradcheck


def test_report_has_both_gradients_per_input():
    report = gradcheck(lambda x, y: (x * y).sigmoid() + x.log(), [0.7, -1.2])
    assert report.passed
    assert [c.label for c in report.inputs] == ["x0", "x1"]
    s = 1 / (1 + math.exp(0.84))
    assert report.inputs[1].analytic == pytest.approx(0.7 * s * (1 - s), rel=1e-12)
    assert report.max_abs_error < 1e-8
    assert "max abs error" in str(report)


def test_labels_of_value_inputs_are_used_and_their_grads_untouched():
    w = Value(0.5, "w")
    w.grad = 7.0
    report = gradcheck(lambda w: w * w, [w])
    assert report.inputs[0].label == "w"
    assert w.grad == 7.0


def test_a_wrong_rule_is_caught():
    def bad_square(x):
        return x * Value(x.data)  # backward sees x * const: d/dx = x instead of 2x

    with pytest.raises(GradcheckError) as info:
        gradcheck(bad_square, [3.0])
    assert info.value.report.inputs[0].analytic == 3.0
    assert info.value.report.inputs[0].numeric == pytest.approx(6.0, rel=1e-6)
    report = gradcheck(bad_square, [3.0], raise_exception=False)
    assert not report.passed


def test_non_finite_gradients_fail():
    report = gradcheck(lambda x: x * float("nan"), [1.0], raise_exception=False)
    assert not report.passed
    assert math.isnan(report.inputs[0].analytic)


def test_f_must_return_a_value():
    with pytest.raises(TypeError, match="gradcheck: f must return a Value"):
        gradcheck(lambda x: 1.0, [1.0])
