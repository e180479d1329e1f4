"""Neural networks built from :class:`autograd.Value` nodes.

>>> from nn import MLP, SGD, half_squared_error
>>> net = MLP(2, [3, 1], "sigmoid", "sigmoid", seed=0)
>>> opt = SGD(net.parameters(), lr=0.5)
>>> for _ in range(50):
...     opt.zero_grad()
...     loss = half_squared_error(net([1.0, 2.0]), [1.0])
...     loss.backward()
...     opt.step()
>>> loss.data < 0.01
True

Modules: :mod:`nn.module` (``Module``: parameters, state, model files),
:mod:`nn.layers` (``Neuron``, ``Layer``, ``MLP``), :mod:`nn.init`,
:mod:`nn.losses`, :mod:`nn.objectives` (a loss for a number of classes),
:mod:`nn.optim` (``SGD``, ``Adam``), :mod:`nn.reference` (the articles'
equations on plain lists), :mod:`nn.datasets` (moons, circles, xor, spiral,
Iris and your own CSV, one interface), :mod:`nn.train` (mini-batch training,
article 003's training), :mod:`nn.worked_example` (article 003's 2-3-2-1
example), :mod:`nn.micrograd_demo` (micrograd's demo), :mod:`nn.modelfile`
(the JSON model file and its errors) and :mod:`nn.safetensors` (the export to
PyTorch). The ``deltagrad`` command line is the package
:mod:`deltagrad`; drawings of networks and training runs are in :mod:`viewers`.
"""

import autograd as _autograd

if getattr(_autograd, "__deltagrad__", None) is not True:  # e.g. HIPS autograd from PyPI
    raise ImportError(
        "nn needs deltagrad's engine, but `import autograd` found another package named "
        f"autograd at {getattr(_autograd, '__file__', None)!r:.200} (HIPS autograd from PyPI "
        "has the same name). Use a separate environment for deltagrad (`make setup` creates "
        ".venv) or uninstall the other one (pip uninstall autograd)."
    )

from .init import INITIALIZERS
from .layers import ACTIVATIONS, MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy_with_logits,
    half_squared_error,
    hinge,
    mse,
    multiclass_hinge,
    softmax_cross_entropy,
)
from .modelfile import (
    EmptyModelFileError,
    ModelFileChecksumError,
    ModelFileError,
    ModelFileShapeError,
    ModelFileTypeError,
    NotAModelFileError,
    NotJSONModelFileError,
    TruncatedModelFileError,
)
from .module import Module, StateDictError
from .optim import SGD, Adam, Optimizer

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "MLP",
    "SGD",
    "Adam",
    "EmptyModelFileError",
    "Layer",
    "ModelFileChecksumError",
    "ModelFileError",
    "ModelFileShapeError",
    "ModelFileTypeError",
    "Module",
    "Neuron",
    "NotAModelFileError",
    "NotJSONModelFileError",
    "Optimizer",
    "StateDictError",
    "TruncatedModelFileError",
    "binary_cross_entropy_with_logits",
    "half_squared_error",
    "hinge",
    "mse",
    "multiclass_hinge",
    "softmax_cross_entropy",
]
