"""Optimisers: change each parameter's ``data`` in place from its ``grad``.

The usual loop, for one sample or one batch::

    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()

Plain SGD with learning rate ``eta`` is article 004's gradient descent,
``w <- w - eta * dC/dw``; for one sample at a time it is the online update of
article 001 and of article 003's Iris code (``w += eta * delta * input``, whose
``delta`` is ``-dC/dz``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value

__all__ = ["SGD", "Adam", "Optimizer"]


def _check_rate(value: float, name: str, where: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r:.40}")
    if value < 0.0 or (value == 0.0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{where}: {name} must be {bound}, got {value!r}")
    return float(value)


class Optimizer:
    """Holds the parameters it updates (a list taken once) and can zero their gradients."""

    lr: float
    """The learning rate (a schedule may change it between steps)."""

    def __init__(self, params: Iterable[Value]) -> None:
        self.params = list(params)
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} is {type(p).__name__}, not a Value"
                )

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    With ``g = p.grad + weight_decay * p.data``::

        momentum == 0:  p <- p - lr * g
        momentum  > 0:  v <- momentum * v + g;  p <- p - lr * v

    ``weight_decay = 1`` gives article 003's rule
    ``W <- W - alpha * (delta a^T + W)``; the article applies it to weights
    only, so give the biases their own optimiser without weight decay.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        *,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params)
        self.lr = _check_rate(lr, "lr", "SGD")
        self.momentum = _check_rate(momentum, "momentum", "SGD", allow_zero=True)
        self.weight_decay = _check_rate(weight_decay, "weight_decay", "SGD", allow_zero=True)
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0.0 and wd == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
            return
        velocity = self.velocity
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data
            if mu != 0.0:
                g = velocity[i] = mu * velocity[i] + g
            p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), with optional L2 weight decay added to the gradient.

    With ``g = p.grad + weight_decay * p.data`` and step count ``t``::

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2
        p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params)
        self.lr = _check_rate(lr, "lr", "Adam")
        for name, beta in zip(("beta1", "beta2"), betas):
            _check_rate(beta, name, "Adam", allow_zero=True)
            if beta >= 1.0:
                raise ValueError(f"Adam: {name} must be < 1, got {beta!r}")
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.eps = _check_rate(eps, "eps", "Adam")
        self.weight_decay = _check_rate(weight_decay, "weight_decay", "Adam", allow_zero=True)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2, wd = self.beta1, self.beta2, self.weight_decay
        m_scale = 1.0 / (1.0 - b1**self.t)
        v_scale = 1.0 / (1.0 - b2**self.t)
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data
            m[i] = b1 * m[i] + (1.0 - b1) * g
            v[i] = b2 * v[i] + (1.0 - b2) * g * g
            p.data -= self.lr * (m[i] * m_scale) / (math.sqrt(v[i] * v_scale) + self.eps)
