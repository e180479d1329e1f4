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
from collections.abc import Iterable, Sequence

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

    def compiled_update(
        self, data: Sequence[str], grad: Sequence[str], me: str, tmp: str
    ) -> tuple[list[str], list[str], list[str]]:
        """``step()`` as Python source for :func:`autograd.compile.compile_step`.

        Returns ``(load, compute, commit)``: lines that read the settings and
        the state from ``me`` into temporaries, lines that compute the new
        parameter values into the local names ``data[i]`` (from the gradients
        ``grad[i]``) and the new state into those temporaries, and lines that
        store the state on ``me``. Hyperparameters are read at run time (once
        per call of the compiled step, or of its ``run``), so changing them
        between steps works as it does for ``step()``. ``load``, ``compute``
        once or n times, then ``commit`` must do exactly what ``step()`` does
        once or n times, operation for operation (the property tests compare
        every bit).
        """
        raise NotImplementedError(f"{type(self).__name__} cannot be compiled")


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

    def compiled_update(
        self, data: Sequence[str], grad: Sequence[str], me: str, tmp: str
    ) -> tuple[list[str], list[str], list[str]]:
        # step() above, one line per parameter, for the branch the current momentum and weight
        # decay take (a guard sends the other branch to the eager step); the settings and the
        # velocity are read first, and the new velocity is stored at the end.
        lr, mu, wd, vel = f"{tmp}lr", f"{tmp}mu", f"{tmp}wd", f"{tmp}vel"
        # (each test is step()'s own, taken for its truth as step() takes it; a comparison
        # followed by a jump is the form CPython specialises for floats)
        if self.momentum == 0.0 and self.weight_decay == 0.0:
            # (the two settings tested where they are read, not kept in locals: 0.6% of an
            # Iris step in an A/B run, 1.4-3% with the one finiteness test of compile.py)
            plain = f"{me}.momentum == 0.0 and {me}.weight_decay == 0.0"
            load = [f"{lr} = {me}.lr", f"if not ({plain}):", "    raise _Guard"]
            return load, [f"{d} = {d} - {lr} * {g}" for d, g in zip(data, grad)], []
        load = [
            f"{lr}, {mu}, {wd} = {me}.lr, {me}.momentum, {me}.weight_decay",
            f"if {mu} == 0.0 and {wd} == 0.0:",
            "    raise _Guard",
        ]
        moving = self.momentum != 0.0
        load += [f"if not ({mu} != 0.0):" if moving else f"if {mu} != 0.0:", "    raise _Guard"]
        if moving:
            load.append(f"{vel} = {me}.velocity[:]")
        lines = []
        for i, (d, g) in enumerate(zip(data, grad)):
            lines.append(f"{tmp}g = {g} + {wd} * {d}")
            if moving:
                lines.append(f"{tmp}g = {vel}[{i}] = {mu} * {vel}[{i}] + {tmp}g")
            lines.append(f"{d} = {d} - {lr} * {tmp}g")
        return load, lines, [f"{me}.velocity[:] = {vel}"] if moving else []


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

    def compiled_update(
        self, data: Sequence[str], grad: Sequence[str], me: str, tmp: str
    ) -> tuple[list[str], list[str], list[str]]:
        # step() above, one line per parameter; t, m and v are read first and stored back at
        # the end
        t, b1, b2, wd, lr, eps = (f"{tmp}{n}" for n in ("t", "b1", "b2", "wd", "lr", "eps"))
        ms, vs, m, v, g = f"{tmp}ms", f"{tmp}vs", f"{tmp}m", f"{tmp}v", f"{tmp}g"
        load = [
            f"{t} = {me}.t",
            f"{b1}, {b2}, {wd} = {me}.beta1, {me}.beta2, {me}.weight_decay",
            f"{m}, {v}, {lr}, {eps} = {me}.m[:], {me}.v[:], {me}.lr, {me}.eps",
        ]
        lines = [
            f"{t} = {t} + 1",
            f"{ms} = 1.0 / (1.0 - {b1}**{t})",
            f"{vs} = 1.0 / (1.0 - {b2}**{t})",
        ]
        for i, (d, gi) in enumerate(zip(data, grad)):
            lines += [
                f"{g} = {gi} + {wd} * {d}",
                f"{m}[{i}] = {b1} * {m}[{i}] + (1.0 - {b1}) * {g}",
                f"{v}[{i}] = {b2} * {v}[{i}] + (1.0 - {b2}) * {g} * {g}",
                f"{d} = {d} - {lr} * ({m}[{i}] * {ms}) / (math.sqrt({v}[{i}] * {vs}) + {eps})",
            ]
        return load, lines, [f"{me}.t = {t}", f"{me}.m[:] = {m}", f"{me}.v[:] = {v}"]
