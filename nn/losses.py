"""Loss functions: one sample's outputs and targets in, one Value out.

``outputs`` are what a network returned (Values, or plain numbers), ``targets``
plain numbers. Each loss is built from engine operations, so ``backward()``
on it reaches every parameter; the loss node is labelled ``L``.

* :func:`half_squared_error`, ``L = 1/2 * sum_k (y_k - y_hat_k)^2``: the loss of
  articles 001, 003 and 004, whose ``dL/dy_hat_k = y_hat_k - y_k`` is Nielsen's
  ``grad_a C = a^L - y`` (BP1).
* :func:`mse`, ``1/n * sum_k (y_k - y_hat_k)^2``.
* :func:`binary_cross_entropy_with_logits` and :func:`softmax_cross_entropy`
  take *logits* (pre-activations, e.g. from ``output_activation="linear"``) and
  are built on the engine's ``softplus`` and ``logsumexp``, which never
  overflow or take ``log(0)``: they stay finite however saturated the outputs
  are, a small loss keeps its full relative precision, and the graph is the
  same whatever the numbers (no branch is chosen in Python from ``.data``).
* :func:`hinge` ``max(0, 1 - y s)`` (micrograd's max-margin loss, ``y`` in
  {-1, +1}) and :func:`multiclass_hinge` ``sum_{k != c} max(0, 1 + s_k - s_c)``.

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

from autograd import Value, as_value, logsumexp, squared_error
from autograd import sum as vsum

__all__ = [
    "binary_cross_entropy_with_logits",
    "half_squared_error",
    "hinge",
    "mse",
    "multiclass_hinge",
    "softmax_cross_entropy",
]

Outputs = Sequence[Value | float]


def _named(loss: Value) -> Value:
    """``loss`` labelled ``L``, the name drawings and step-throughs give it."""
    loss.label = "L"
    return loss


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
    return _named(
        squared_error(outputs, ys)
    )  # one node of the op table: its partials are yhat_k - y_k


def mse(outputs: Outputs, targets: Sequence[float]) -> Value:
    """Mean squared error ``1/n * sum_k (y_k - y_hat_k)^2``."""
    ys = _targets(outputs, targets, "mse")
    diffs = [as_value(o) - y for o, y in zip(outputs, ys)]
    return _named(vsum([d * d for d in diffs]) * (1.0 / len(ys)))


def binary_cross_entropy_with_logits(logits: Outputs, targets: Sequence[float]) -> Value:
    """Mean over k of ``-[y_k log p_k + (1 - y_k) log(1 - p_k)]`` with ``p_k = sigmoid(z_k)``.

    With ``-log p = softplus(-z)`` and ``-log(1 - p) = softplus(z)``
    (``softplus(x) = log(1 + e^x)``, an op that never overflows) each term is

        loss_k = y_k softplus(-z_k) + (1 - y_k) softplus(z_k),

    a sum of two terms >= 0, so nothing cancels and a small loss keeps its
    relative precision. The gradient is ``sigmoid(z) - y``. Targets must lie
    in [0, 1].
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
        terms.append(y * (-z).softplus() + (1.0 - y) * z.softplus())
    return _named(vsum(terms) * (1.0 / len(ys)))


def softmax_cross_entropy(logits: Outputs, target: int | Sequence[float]) -> Value:
    """``-sum_k t_k log softmax(z)_k``, for a class index or a probability vector ``t``.

    The loss of class ``k`` is ``-log softmax(z)_k = logsumexp([z_j - z_k for j])``,
    one :func:`autograd.logsumexp` node: it never overflows, and a small loss
    (a confident right answer) keeps its full relative precision, which
    ``logsumexp(z) - z_k`` would lose to cancellation. A probability vector
    gives ``sum_k t_k * logsumexp([z_j - z_k for j])`` over every class, zeros
    included, so the graph depends only on the number of classes. The
    gradient is ``softmax(z)_k - t_k``.
    """
    where = "softmax_cross_entropy"
    if not logits:
        raise ValueError(f"{where}: no logits")
    if isinstance(target, bool):
        raise TypeError(f"{where}: target must be a class index or probabilities, not a bool")
    zs = [as_value(z) for z in logits]
    if isinstance(target, int):
        index = target
        if not 0 <= index < len(logits):
            raise ValueError(f"{where}: class index {index} out of range for {len(logits)} logits")
        return _named(_class_loss(zs, index))
    ts = _targets(logits, target, where)
    if any(t < 0.0 for t in ts) or not math.isclose(math.fsum(ts), 1.0, abs_tol=1e-9):
        raise ValueError(f"{where}: target {ts!r:.60} is not a probability vector")
    return _named(vsum([t * _class_loss(zs, k) for k, t in enumerate(ts)]))


def _class_loss(zs: list[Value], k: int) -> Value:
    """``-log softmax(z)_k = logsumexp([z_j - z_k for j])``."""
    return logsumexp([z - zs[k] for z in zs])


# --- margin losses (added with the moons/CSV training) ---------------------------------


def hinge(score: Value | float, y: float) -> Value:
    """``max(0, 1 - y * s)`` for one score ``s`` and a label ``y`` in {-1, +1}.

    micrograd's demo averages this "max-margin" loss over the batch:
    ``mean(relu(1 - y * score))``. Its derivative is ``-y`` while the margin
    ``y * s`` is below 1, else 0 (ReLU's derivative at 0 is taken to be 0).
    """
    if isinstance(y, Value):  # traced by autograd.compile from Objective.target: -1.0 or +1.0
        return (1.0 - y * as_value(score)).relu()
    if type(y) is not float and (isinstance(y, bool) or not isinstance(y, int | float)):
        raise ValueError(f"hinge: the label must be -1 or +1, got {y!r:.40}")
    if y not in (-1.0, 1.0):
        raise ValueError(f"hinge: the label must be -1 or +1, got {y!r:.40}")
    return (1.0 - float(y) * as_value(score)).relu()


def multiclass_hinge(scores: Outputs, label: int) -> Value:
    """``sum_{k != c} max(0, 1 + s_k - s_c)`` for the true class ``c`` (Weston and Watkins).

    Zero once the true class's score beats every other by a margin of 1. For
    two classes this is :func:`hinge` of the score difference.
    """
    if isinstance(label, bool) or not isinstance(label, int):
        raise TypeError(f"multiclass_hinge: label must be a class index, got {label!r:.40}")
    if len(scores) < 2:
        raise ValueError("multiclass_hinge: needs at least two scores")
    if not 0 <= label < len(scores):
        raise ValueError(
            f"multiclass_hinge: class index {label} out of range for {len(scores)} scores"
        )
    s = [as_value(v) for v in scores]
    return vsum([(1.0 + s[k] - s[label]).relu() for k in range(len(s)) if k != label])
