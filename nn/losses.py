"""Loss functions: one sample's outputs and targets in, one Value out.

``outputs`` are what a network returned (Values, or plain numbers), ``targets``
plain numbers. Each loss is built from engine operations, so ``backward()``
on it reaches every parameter.

* :func:`half_squared_error`, ``L = 1/2 * sum_k (y_k - y_hat_k)^2``: the loss of
  articles 001, 003 and 004, whose ``dL/dy_hat_k = y_hat_k - y_k`` is Nielsen's
  ``grad_a C = a^L - y`` (BP1).
* :func:`mse`, ``1/n * sum_k (y_k - y_hat_k)^2``.
* :func:`binary_cross_entropy_with_logits` and :func:`softmax_cross_entropy`
  take *logits* (pre-activations, e.g. from ``output_activation="linear"``) and
  are written so that no step overflows or takes ``log(0)``: they stay finite
  however saturated the outputs are.

>>> from autograd import Value
>>> y_hat = [Value(0.8), Value(0.3)]
>>> L = half_squared_error(y_hat, [1.0, 0.0])
>>> round(L.data, 12), [round(v.grad, 12) for v in (L.backward() or y_hat)]
(0.065, [-0.2, 0.3])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from autograd import Value, as_value, squared_error
from autograd import sum as vsum

__all__ = [
    "binary_cross_entropy_with_logits",
    "half_squared_error",
    "mse",
    "softmax_cross_entropy",
]

Outputs = Sequence[Value | float]


def _targets(outputs: Outputs, targets: Sequence[float], where: str) -> list[float]:
    if len(outputs) != len(targets):
        raise ValueError(f"{where}: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError(f"{where}: no outputs")
    checked: list[float] = []
    for k, t in enumerate(targets):
        if isinstance(t, Value):  # a target traced by autograd.compile: checked where it is used
            checked.append(t)
            continue
        if type(t) is not float and (isinstance(t, bool) or not isinstance(t, numbers.Real)):
            raise ValueError(f"{where}: target {k} must be a finite real number, got {t!r:.40}")
        if not math.isfinite(t):
            raise ValueError(f"{where}: target {k} must be a finite real number, got {t!r:.40}")
        checked.append(float(t))
    return checked


def half_squared_error(outputs: Outputs, targets: Sequence[float]) -> Value:
    """``L = 1/2 * sum_k (y_k - y_hat_k)^2`` (articles 001, 003, 004).

    ``dL/dy_hat_k = y_hat_k - y_k``, Nielsen's ``grad_a C = a^L - y``. Recorded as one
    ``squared_error`` node (see :func:`autograd.squared_error`).
    """
    ys = _targets(outputs, targets, "half_squared_error")
    return squared_error(outputs, ys)  # one node of the op table: its partials are yhat_k - y_k


def mse(outputs: Outputs, targets: Sequence[float]) -> Value:
    """Mean squared error ``1/n * sum_k (y_k - y_hat_k)^2``."""
    ys = _targets(outputs, targets, "mse")
    diffs = [as_value(o) - y for o, y in zip(outputs, ys)]
    return vsum([d * d for d in diffs]) * (1.0 / len(ys))


def _softplus_neg_abs(z: Value) -> Value:
    """``log(1 + exp(-|z|))`` for the branch already chosen: ``exp`` only of a value <= 0."""
    return (1.0 + (-z if z.data >= 0.0 else z).exp()).log()


def binary_cross_entropy_with_logits(logits: Outputs, targets: Sequence[float]) -> Value:
    """Mean over k of ``-[y_k log p_k + (1 - y_k) log(1 - p_k)]`` with ``p_k = sigmoid(z_k)``.

    Written per sign of the logit ``z`` so that ``exp`` never sees a positive
    number and ``log`` never sees 0::

        z >= 0:  loss = (1 - y) z + log(1 + exp(-z))
        z <  0:  loss = -y z + log(1 + exp(z))

    Both are the same function, so the gradient is ``sigmoid(z) - y`` on either
    side, 0 included. Targets must lie in [0, 1].
    """
    ys = _targets(logits, targets, "binary_cross_entropy_with_logits")
    for k, y in enumerate(ys):
        if not 0.0 <= y <= 1.0:
            raise ValueError(
                f"binary_cross_entropy_with_logits: target {k} = {y!r} is not in [0, 1]"
            )
    terms = []
    for z_in, y in zip(logits, ys):
        z = as_value(z_in)
        linear_part = (1.0 - y) * z if z.data >= 0.0 else -y * z
        terms.append(linear_part + _softplus_neg_abs(z))
    return vsum(terms) * (1.0 / len(ys))


def softmax_cross_entropy(logits: Outputs, target: int | Sequence[float]) -> Value:
    """``-sum_k t_k log softmax(z)_k = logsumexp(z) - sum_k t_k z_k``.

    ``target`` is a class index or a probability vector (e.g. one-hot). The
    log-sum-exp is shifted by ``m = max_k z_k`` (a constant):
    ``logsumexp(z) = m + log sum_k exp(z_k - m)``, so every ``exp`` argument
    is <= 0 and the sum is >= 1. The gradient is ``softmax(z)_k - t_k``.
    """
    where = "softmax_cross_entropy"
    if not logits:
        raise ValueError(f"{where}: no logits")
    if isinstance(target, bool):
        raise TypeError(f"{where}: target must be a class index or probabilities, not a bool")
    if isinstance(target, int):
        index = target
        if not 0 <= index < len(logits):
            raise ValueError(f"{where}: class index {index} out of range for {len(logits)} logits")
        ts = [1.0 if k == index else 0.0 for k in range(len(logits))]
    else:
        ts = _targets(logits, target, where)
        if any(t < 0.0 for t in ts) or not math.isclose(math.fsum(ts), 1.0, abs_tol=1e-9):
            raise ValueError(f"{where}: target {ts!r:.60} is not a probability vector")
    zs = [as_value(z) for z in logits]
    m = max(z.data for z in zs)
    logsumexp = vsum([(z - m).exp() for z in zs]).log() + m
    picked = vsum([z * t for z, t in zip(zs, ts) if t != 0.0])
    return logsumexp - picked
