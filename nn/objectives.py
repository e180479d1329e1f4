"""What a classifier is trained to minimise, and how its outputs become a class.

An :class:`Objective` ties a loss of :mod:`nn.losses` to a number of classes
``K``: how many outputs the network needs, the target of each class, the
loss of one sample, and the predicted class.

============================  =========  ==============================  =====================
``name``                      outputs    one sample's loss               predicted class
============================  =========  ==============================  =====================
``hinge``, K = 2              1 score    ``max(0, 1 - y s)``, y = -1/+1  1 if ``s > 0``
``hinge``, K > 2              K scores   ``sum_{k!=c} max(0, 1+s_k-s_c)`` argmax
``cross-entropy``, K = 2      1 logit    BCE with logits, y = 0/1        1 if ``z > 0``
``cross-entropy``, K > 2      K logits   softmax cross-entropy           argmax
``half-squared-error``        K          ``1/2 sum_k (y_k - out_k)^2``   argmax
``mse``                       K          ``1/K sum_k (y_k - out_k)^2``   argmax
============================  =========  ==============================  =====================

The squared errors compare the outputs with the one-hot vector of the class
(article 003's Iris training: sigmoid outputs, half squared error). Class 1 of
two is the positive one (``y = +1``), as in micrograd's demo, where the moons
are labelled ``2 * label - 1``.

>>> from autograd import Value
>>> obj = Objective("hinge", 2)
>>> obj.nout, obj.loss([Value(0.25)], 1).data, obj.predict([0.25])
(1, 0.75, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Value

from .losses import (
    binary_cross_entropy_with_logits,
    half_squared_error,
    hinge,
    mse,
    multiclass_hinge,
    softmax_cross_entropy,
)

__all__ = ["LOSSES", "Objective"]

LOSSES = ("hinge", "cross-entropy", "half-squared-error", "mse")
"""The loss names an :class:`Objective` accepts."""

Outputs = Sequence[Value | float]


def _value(v: Value | float) -> float:
    return v.data if isinstance(v, Value) else float(v)


@dataclass(frozen=True)
class Objective:
    """A loss for ``nclasses`` classes; see the module docstring for the table."""

    name: str
    nclasses: int

    def __post_init__(self) -> None:
        if self.name not in LOSSES:
            known = ", ".join(LOSSES)
            raise ValueError(f"unknown loss {self.name!r:.40}; known: {known}")
        if isinstance(self.nclasses, bool) or not isinstance(self.nclasses, int):
            raise TypeError(f"Objective: nclasses must be an integer, got {self.nclasses!r:.40}")
        if self.nclasses < 2:
            raise ValueError(f"Objective: needs at least 2 classes, got {self.nclasses}")

    @property
    def single_score(self) -> bool:
        """True when one output decides between two classes by its sign."""
        return self.nclasses == 2 and self.name in ("hinge", "cross-entropy")

    @property
    def nout(self) -> int:
        """How many outputs the network needs."""
        return 1 if self.single_score else self.nclasses

    def loss(self, outputs: Outputs, label: int) -> Value:
        """One sample's loss for the true class ``label``."""
        self._check(outputs)
        target = self.target(label)
        if target is not None:
            return self.loss_of_target(outputs, target)
        if self.name == "hinge":
            return multiclass_hinge(outputs, label)
        return softmax_cross_entropy(outputs, label)

    def _check(self, outputs: Outputs) -> None:
        if len(outputs) != self.nout:
            raise ValueError(
                f"{self.name} loss: {len(outputs)} outputs, but {self.nclasses} classes "
                f"need {self.nout}"
            )

    @property
    def numeric(self) -> bool:
        """True when the loss needs only a class's target numbers (:meth:`target`)."""
        return self.single_score or self.name in ("half-squared-error", "mse")

    def target(self, label: int) -> list[float] | None:
        """The target of class ``label`` as numbers, where the loss needs no more of the class.

        The one-hot vector for the squared errors, ``[-1.0]`` / ``[+1.0]`` for the
        hinge of one score, ``[0.0]`` / ``[1.0]`` for the cross-entropy of one
        logit; None where the class picks out one output (``hinge`` and
        ``cross-entropy`` with K > 2). A compiled step traces these numbers as
        inputs, so one trace serves every class.
        """
        if not 0 <= label < self.nclasses:
            raise ValueError(f"{self.name} loss: class {label} out of range")
        if not self.numeric:
            return None
        if self.single_score:
            return [(1.0 if label == 1 else -1.0) if self.name == "hinge" else float(label)]
        return [1.0 if k == label else 0.0 for k in range(self.nclasses)]

    def loss_of_target(self, outputs: Outputs, target: Sequence[float]) -> Value:
        """One sample's loss against a :meth:`target` (or those numbers traced as Values)."""
        self._check(outputs)
        if self.name == "hinge" and self.single_score:
            return hinge(outputs[0], target[0])
        if self.name == "cross-entropy" and self.single_score:
            return binary_cross_entropy_with_logits(outputs, target)
        if self.name == "half-squared-error":
            return half_squared_error(outputs, target)
        if self.name == "mse":
            return mse(outputs, target)
        raise ValueError(f"{self.name} loss of {self.nclasses} classes: needs the class itself")

    def predict(self, outputs: Outputs) -> int:
        """The predicted class: the sign of a single score, else the first largest output."""
        if self.single_score:
            return 1 if _value(outputs[0]) > 0.0 else 0
        values = [_value(v) for v in outputs]
        best = 0
        for k in range(1, len(values)):
            if values[k] > values[best]:
                best = k
        return best

    def formula(self) -> str:
        """The loss of one sample, in words and symbols (for reports)."""
        if self.name == "hinge":
            if self.single_score:
                return "hinge max(0, 1 - y*s), y = +-1"
            return "multi-class hinge sum_{k!=c} max(0, 1 + s_k - s_c)"
        if self.name == "cross-entropy":
            if self.single_score:
                return "binary cross-entropy on the logit"
            return "softmax cross-entropy on the logits"
        if self.name == "half-squared-error":
            return "1/2 sum_k (y_k - out_k)^2, one-hot y"
        return "1/K sum_k (y_k - out_k)^2, one-hot y"
