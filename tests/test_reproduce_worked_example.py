"""Reproduce article 003's worked example (2-3-2-1 sigmoid network) with the engine.

The article's numbers are read from the package's copy,
``nn/data/worked-example-3-layer.json``. Tolerance: ``|engine - printed| <=
1e-15`` (``nn.worked_example.TOLERANCE``), one unit in the 15th and last
printed decimal. The article prints float64 results rounded to 15 decimals;
where it sums in another order than the engine the last bit can differ, and
one ulp is 8.9e-16 near z4 and z6 (about 6). Nothing looser is needed.

The printed numbers disagree with each other (see ``nn/worked_example.py``
and the README): the printed W2 has W2[2][2] = 2 (1-based, row 2 = neuron 5,
column 2 = neuron 2) but the printed z5 needs 3. The tests below show exactly
which printed numbers each reading reproduces.
"""

import json
from decimal import Decimal, getcontext
from importlib import resources

import pytest

from nn import reference as ref
from nn import worked_example as we

TOL = we.TOLERANCE
assert TOL == 1e-15

PRINTED = we.printed_values()
A = we.engine_numbers(we.network("printed")).values  # network A: parameters as printed
B_NUMBERS = we.engine_numbers(we.network("forward"))  # network B: W2[2][2] = 3
B = B_NUMBERS.values

FORWARD = [f"{q}{i}" for i in range(1, 7) for q in ("z", "f")]
PRIMES = [f"f{i}_prime" for i in range(1, 7)]
BACKWARD = [
    "error_y_minus_yhat",
    "delta3[1]",
    "W3T_delta3[1]",
    "W3T_delta3[2]",
    "delta2[1]",
    "delta2[2]",
    "delta1[1]",
    "delta1[2]",
    "delta1[3]",
]
ALL = FORWARD + PRIMES + BACKWARD


def test_the_package_carries_the_articles_numbers():
    data = json.loads(
        resources.files("nn").joinpath("data", "worked-example-3-layer.json").read_text()
    )
    assert data["parameters_as_printed"]["W2"] == [[1, 1, 2], [3, 2, 2]]
    assert data["forward_as_printed"]["z5"] == 8.979460467761783
    assert set(PRINTED) == set(ALL)  # every printed number is compared below


# Network A (as printed) reproduces exactly these; everything downstream of z5 differs.
A_REPRODUCES = ["z1", "f1", "z2", "f2", "z3", "f3", "z4", "f4", "f1_prime", "f2_prime", "f4_prime"]
# Network B (W2[2][2] = 3) reproduces everything except these two.
B_MISSES = ["f3_prime", "delta1[2]"]


@pytest.mark.parametrize("name", ALL)
def test_network_a_parameters_as_printed(name):
    reproduced = abs(A[name] - PRINTED[name]) <= TOL
    assert reproduced == (name in A_REPRODUCES), (name, A[name], PRINTED[name])


def test_network_a_is_off_by_exactly_one_in_z5():
    # z5 = W2[2] . (f1, f2, f3) + b2[2]: with 2 instead of 3 it is smaller by f2.
    assert A["z5"] == pytest.approx(PRINTED["z5"] - PRINTED["f2"], abs=2 * TOL)


@pytest.mark.parametrize("name", ALL)
def test_network_b_forward_reading(name):
    reproduced = abs(B[name] - PRINTED[name]) <= TOL
    assert reproduced == (name not in B_MISSES), (name, B[name], PRINTED[name])


def test_printed_z5_expression_uses_3():
    expression = we.printed()["forward_as_printed"]["z5_expression_as_printed"]
    assert expression.startswith("3 * 0.993307149075715 + 3 * 0.999876605424014")


def test_printed_delta1_is_bp2_through_the_printed_w2_with_network_b_numbers():
    """The article's delta1 = (W2_printed^T delta2_B) (hadamard) f'(z1)_B, every entry."""
    mixed = we.article_delta1(B_NUMBERS)
    for j, value in enumerate(mixed, start=1):
        assert abs(value - PRINTED[f"delta1[{j}]"]) <= TOL, (j, value)
    # Only delta1[2] reads W2[2][2]; with 3 there, BP2 gives network B's value instead.
    assert abs(B["delta1[2]"] - PRINTED["delta1[2]"]) > 100 * TOL  # 2.9e-13 apart


def test_f3_prime_is_a_printing_slip():
    # sigma'(10) to 40 digits, computed independently of the engine and of floats.
    getcontext().prec = 40
    s = 1 / (1 + Decimal(-10).exp())
    exact = float(s * (1 - s))
    assert abs(B["f3_prime"] - exact) <= TOL
    assert abs(A["f3_prime"] - exact) <= TOL
    printed_f3 = Decimal(repr(PRINTED["f3"]))
    from_printed_f3 = float(printed_f3 * (1 - printed_f3))
    assert abs(from_printed_f3 - exact) <= TOL  # the printed f3 itself gives the right f3'
    assert abs(PRINTED["f3_prime"] - exact) > 3e-13  # but the printed f3' is off by 3.8e-13
    # ... and no other printed number depends on the slip: delta1[3] is printed to 4
    # significant digits, and rounds the same with either f3'.
    w2t_delta2 = ref.matmul(
        ref.transpose(we.printed()["parameters_as_printed"]["W2"]), ref.column(B_NUMBERS.delta2)
    )[2][0]
    assert f"{w2t_delta2 * exact:.15f}" == f"{w2t_delta2 * PRINTED['f3_prime']:.15f}"


def test_engine_deltas_equal_the_reference_derivation():
    """The engine's z.grad equals BP1-BP2 of nn.reference on the same network (both readings)."""
    for reading, numbers in (("printed", A), ("forward", B)):
        w, b = we.network(reading).weights_and_biases()
        grads = ref.backprop(w, b, [1.0, 2.0], [1.0], ["sigmoid"] * 3)
        flat = [*grads.deltas[2], *grads.deltas[1], *grads.deltas[0]]
        names = ["delta3[1]", "delta2[1]", "delta2[2]", "delta1[1]", "delta1[2]", "delta1[3]"]
        for name, value in zip(names, flat):
            # Same products in another order: 1e-12 relative to the delta.
            assert value == pytest.approx(numbers[name], rel=1e-12, abs=0)


@pytest.mark.parametrize("reading", ["printed", "forward"])
@pytest.mark.parametrize("weight_decay", [0.0, 1.0])
def test_update_rule_with_and_without_plus_w(reading, weight_decay):
    """alpha = 0.1: W <- W - alpha (delta a^T [+ W]), b <- b - alpha delta, by the engine's SGD."""
    before_w, before_b = we.network(reading).weights_and_biases()
    after_w, after_b = we.one_step(
        we.network(reading), weight_decay=weight_decay
    ).weights_and_biases()
    grads = ref.backprop(before_w, before_b, [1.0, 2.0], [1.0], ["sigmoid"] * 3)
    for k in range(3):
        delta_a_t = ref.matmul(
            ref.column(grads.deltas[k]), ref.transpose(ref.column(grads.activations[k]))
        )
        for j, row in enumerate(before_w[k]):
            for i, w in enumerate(row):
                expected = w - 0.1 * (delta_a_t[j][i] + weight_decay * w)
                # The gradients agree to ~1e-16 relative and are <= 1e-5 here,
                # so the updated weights agree to well within 1e-15.
                assert abs(after_w[k][j][i] - expected) <= TOL
        for j, b in enumerate(before_b[k]):
            assert abs(after_b[k][j] - (b - 0.1 * grads.deltas[k][j])) <= TOL
    if weight_decay:
        # The +W term shrinks every weight by 10%: visible beside updates of ~1e-6.
        assert after_w[2][0][1] == pytest.approx(0.9 * before_w[2][0][1], abs=1e-5)
    # Biases never get the +W term.
    assert after_b[2][0] == pytest.approx(before_b[2][0] - 0.1 * grads.deltas[2][0], abs=TOL)


def test_the_comparison_table_marks_each_reading():
    rows = {r.name: r for r in we.comparison_rows()}
    text = we.format_comparison(list(rows.values()))
    assert len(text.splitlines()) == len(ALL) + 1
    z5 = next(line for line in text.splitlines() if line.startswith("z5 "))
    assert "7.979583862337768 ✗" in z5 and "8.979460467761783 ✓" in z5
    d12 = next(line for line in text.splitlines() if line.startswith("delta1[2]"))
    assert d12.count("✗") == 2 and d12.rstrip().endswith("✓")
