"""Check the engine's gradients against central finite differences.

For a scalar function ``f`` of inputs ``x_1 .. x_n`` the numeric derivative is

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h),    h = eps * max(1, |x_i|)

whose error is O(h^2) from truncation plus about ``1e-16 * |f| / h`` from
rounding; the default ``eps = 1e-6`` balances the two for functions of
moderate size and curvature. An input passes when

    |analytic - numeric| <= atol + rtol * |numeric|

(the rule of ``numpy.allclose`` and ``torch.autograd.gradcheck``). The defaults
``atol = 1e-5`` and ``rtol = 1e-3`` leave room for the difference error while
still catching any wrong derivative rule, which is off by O(1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .engine import Number, Value, _to_float, no_grad

__all__ = ["GradcheckError", "GradcheckReport", "InputCheck", "gradcheck", "gradgradcheck"]


@dataclass(frozen=True)
class InputCheck:
    """The comparison for one input."""

    index: int
    label: str
    value: float
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """What :func:`gradcheck` measured, input by input."""

    inputs: tuple[InputCheck, ...]
    eps: float
    atol: float
    rtol: float

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.inputs)

    @property
    def max_abs_error(self) -> float:
        return max((c.abs_error for c in self.inputs), default=0.0)

    @property
    def max_rel_error(self) -> float:
        return max((c.rel_error for c in self.inputs), default=0.0)

    @property
    def worst(self) -> InputCheck | None:
        """The input that misses its tolerance by the most (or comes closest to it)."""
        return max(self.inputs, key=self._excess, default=None)

    def _excess(self, c: InputCheck) -> float:
        allowed = self.atol + self.rtol * abs(c.numeric)
        return math.inf if not c.ok and not math.isfinite(c.abs_error) else c.abs_error / allowed

    def __str__(self) -> str:
        rows = [f"{'input':>10} {'value':>12} {'analytic':>14} {'numeric':>14} {'abs err':>10}  ok"]
        for c in self.inputs:
            rows.append(
                f"{c.label:>10} {c.value:>12.6g} {c.analytic:>14.8g} {c.numeric:>14.8g} "
                f"{c.abs_error:>10.2e}  {'yes' if c.ok else 'NO'}"
            )
        rows.append(
            f"max abs error {self.max_abs_error:.3e}, max rel error {self.max_rel_error:.3e} "
            f"(eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})"
        )
        return "\n".join(rows)


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when a gradient misses its tolerance.

    ``.report`` holds the full :class:`GradcheckReport`.
    """

    def __init__(self, message: str, report: GradcheckReport) -> None:
        super().__init__(message)
        self.report = report


def _labels(inputs: Sequence[Value | Number]) -> list[str]:
    """Each input's label, or ``x{i}`` where it has none."""
    return [x.label if isinstance(x, Value) and x.label else f"x{i}" for i, x in enumerate(inputs)]


def _check(
    index: int, label: str, value: float, analytic: float, numeric: float, atol: float, rtol: float
) -> InputCheck:
    """One comparison: it passes when both are finite and
    ``|analytic - numeric| <= atol + rtol * |numeric|``."""
    abs_error = abs(analytic - numeric)
    rel_error = abs_error / max(abs(numeric), 1e-300)
    finite = math.isfinite(analytic) and math.isfinite(numeric)
    ok = finite and abs_error <= atol + rtol * abs(numeric)
    return InputCheck(index, label, value, analytic, numeric, abs_error, rel_error, ok)


def _evaluate(f: Callable[..., object], xs: Sequence[float]) -> float:
    with no_grad():
        out = f(*[Value(x) for x in xs])
    if isinstance(out, Value):
        return out.data
    return _to_float(out, "gradcheck: f must return a Value or a number")


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | Number],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Compare ``backward()`` of ``f(*inputs)`` with central finite differences.

    Args:
        f: takes one Value per input and returns a scalar Value.
        inputs: the point, as numbers or Values (their ``data`` is used; their
            ``grad`` is left untouched: ``f`` runs on fresh copies).
        eps: relative step; input ``i`` moves by ``eps * max(1, |x_i|)``.
        atol, rtol: an input passes when
            ``|analytic - numeric| <= atol + rtol * |numeric|``.
        raise_exception: raise :class:`GradcheckError` on a failure (default)
            instead of only reporting it.

    Returns:
        A :class:`GradcheckReport` with both gradients and the errors per input.

    Non-finite gradients (NaN or infinite, on either side) always fail.
    """
    labels = _labels(inputs)
    point = [x.data if isinstance(x, Value) else _to_float(x, "gradcheck") for x in inputs]
    leaves = [Value(x, label) for x, label in zip(point, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()

    checks = []
    for i, (x, leaf) in enumerate(zip(point, leaves)):
        h = eps * max(1.0, abs(x))
        up, down = list(point), list(point)
        up[i], down[i] = x + h, x - h
        numeric = (_evaluate(f, up) - _evaluate(f, down)) / (up[i] - down[i])
        checks.append(_check(i, labels[i], x, leaf.grad, numeric, atol, rtol))

    report = GradcheckReport(tuple(checks), eps, atol, rtol)
    if raise_exception and not report.passed:
        w = report.worst
        assert w is not None
        raise GradcheckError(
            f"gradcheck: gradient of input {w.label} (index {w.index}, value {w.value!r}) "
            f"disagrees: backward() gives {w.analytic!r}, finite differences give {w.numeric!r} "
            f"(|difference| {w.abs_error:.3e} > atol {atol:g} + rtol {rtol:g} * |numeric|)\n"
            f"{report}",
            report,
        )
    return report


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | Number],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Compare second derivatives with central finite differences of the first ones.

    The analytic matrix is :func:`autograd.hessian` (a gradient differentiated
    again through ``grad(..., create_graph=True)``); the numeric one moves
    input ``j`` by ``h = eps * max(1, |x_j|)`` each way and differences the
    gradient that ``backward()`` gives:

        d2f/dx_i dx_j ~ (df/dx_i(x + h e_j) - df/dx_i(x - h e_j)) / (2 h)

    The first derivatives are exact to rounding, so the error is the
    difference's own, O(h^2) plus about ``1e-16 |df/dx_i| / h``; the same
    tolerances as :func:`gradcheck` apply to each entry
    (``|analytic - numeric| <= atol + rtol * |numeric|``). The report has one
    entry per pair ``(i, j)``, in row order, labelled ``"x_i,x_j"``.
    """
    from .functional import hessian  # functional imports the engine only

    labels = _labels(inputs)
    point = [x.data if isinstance(x, Value) else _to_float(x, "gradgradcheck") for x in inputs]
    analytic = hessian(f, point)

    def first(at: Sequence[float]) -> list[float]:
        leaves = [Value(x) for x in at]
        out = f(*leaves)
        if not isinstance(out, Value):
            raise TypeError(f"gradgradcheck: f must return a Value, got {type(out).__name__}")
        out.backward()
        return [leaf.grad for leaf in leaves]

    checks = []
    n = len(point)
    numeric = [[0.0] * n for _ in range(n)]
    for j, x in enumerate(point):
        h = eps * max(1.0, abs(x))
        up, down = list(point), list(point)
        up[j], down[j] = x + h, x - h
        g_up, g_down = first(up), first(down)
        for i in range(n):
            numeric[i][j] = (g_up[i] - g_down[i]) / (up[j] - down[j])
    for i in range(n):
        for j in range(n):
            label = f"{labels[i]},{labels[j]}"
            checks.append(
                _check(i * n + j, label, point[j], analytic[i][j], numeric[i][j], atol, rtol)
            )
    report = GradcheckReport(tuple(checks), eps, atol, rtol)
    if raise_exception and not report.passed:
        w = report.worst
        assert w is not None
        raise GradcheckError(
            f"gradgradcheck: second derivative d2f/d{w.label.replace(',', ' d')} disagrees: "
            f"the gradient's graph gives {w.analytic!r}, finite differences of backward() "
            f"give {w.numeric!r} (|difference| {w.abs_error:.3e} > atol {atol:g} + "
            f"rtol {rtol:g} * |numeric|)\n{report}",
            report,
        )
    return report
