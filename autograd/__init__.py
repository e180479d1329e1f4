"""deltagrad's scalar autograd engine.

>>> from autograd import Value
>>> a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(1.0, "c")
>>> L = (a * b + c).tanh()
>>> L.backward()
>>> round(a.grad, 6)  # dL/da = (1 - L**2) * b
-1.410022

Modules: :mod:`autograd.engine` (``Value``, the backward pass, ``no_grad``),
:mod:`autograd.ops` (the table of primitives and their derivatives),
:mod:`autograd.functional` (``grad`` and ``hessian``: derivatives as values,
to any order), :mod:`autograd.graphcopy` (pickling and deep copies of graphs),
:mod:`autograd.gradcheck` (finite-difference checks),
:mod:`autograd.compile` (a training step traced once and run as straight-line
Python, bit for bit the same) and
:mod:`autograd.testing` (hypothesis strategies; needs ``hypothesis``).

The import name ``autograd`` is also that of the unrelated HIPS autograd
package on PyPI; the two cannot share one environment (see the README).
"""

from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from .engine import (
    Value,
    as_value,
    exp,
    graph_order,
    is_grad_enabled,
    linear,
    log,
    logsumexp,
    maximum,
    minimum,
    no_grad,
    nodes_of,
    relu,
    sigmoid,
    squared_error,
    sum,
    tanh,
)
from .functional import grad, hessian
from .gradcheck import GradcheckError, GradcheckReport, gradcheck, gradgradcheck
from .ops import OPS, Op

__deltagrad__ = True
"""Marks this package as deltagrad's engine: the name ``autograd`` is also that of
HIPS autograd on PyPI, and ``nn`` checks this marker to tell the two apart."""

__all__ = [
    "OPS",
    "AnomalyError",
    "GradcheckError",
    "GradcheckReport",
    "Op",
    "Value",
    "as_value",
    "detect_anomaly",
    "exp",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "graph_order",
    "hessian",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "linear",
    "log",
    "logsumexp",
    "maximum",
    "minimum",
    "no_grad",
    "nodes_of",
    "relu",
    "sigmoid",
    "squared_error",
    "sum",
    "tanh",
]
