"""Every statement of the project that deltagrad behaves like PyTorch, checked against PyTorch.

``make torch-check`` (or ``python -m bench.torch_check``) runs each check and
prints one line per claim; the exit status is 1 if any fails. PyTorch is too
heavy for ``make test``, so these checks live here; ``make bench-setup``
installs it (``torch==2.13.0``, CPU). Each check computes the number with
deltagrad and with PyTorch (float64) and compares them exactly, or checks the
statement the project makes about PyTorch itself. Where a claim lives:

* README "Semantics", zero means zero: the three cases give 0.0 in both;
* README "Semantics", ``no_grad()`` is per thread, as in PyTorch;
* ``Value.backward`` docstring and notebook 01: leaves accumulate across
  passes (a second pass doubles a leaf's gradient), as in PyTorch;
* README edge-case table: PyTorch's relu has gradient 1 at NaN (deltagrad's 0);
* ``autograd.gradcheck`` docstring: the pass rule
  ``|analytic - numeric| <= atol + rtol * |numeric|`` is that of
  ``torch.autograd.gradcheck`` and ``numpy.allclose``.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
from autograd import Value


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def zero_means_zero(torch: Any) -> tuple[bool, str]:
    t64 = torch.float64

    def torch_grads(f: Callable[..., Any], *at: float) -> list[float]:
        xs = [torch.tensor(x, dtype=t64, requires_grad=True) for x in at]
        f(*xs).backward()
        return [x.grad.item() for x in xs]

    def our_grads(f: Callable[..., Value], *at: float) -> list[float]:
        xs = [Value(x) for x in at]
        f(*xs).backward()
        return [x.grad for x in xs]

    cases = [
        ("relu(x) ** 0.5 at x = -1", lambda x: x.relu() ** 0.5, (-1.0,)),
        ("relu(x) * y at x = -1, y = nan", lambda x, y: x.relu() * y, (-1.0, math.nan)),
        ("x ** 0 * 1e308 * 10 at x = 2", lambda x: x**0.0 * 1e308 * 10.0, (2.0,)),
    ]
    details = []
    ok = True
    for name, f, at in cases:
        ours, theirs = our_grads(f, *at), torch_grads(f, *at)
        agree = all(map(_same, ours, theirs)) and all(g == 0.0 for g in ours)
        ok = ok and agree
        details.append(f"{name}: deltagrad {ours}, PyTorch {theirs}")
    return ok, "; ".join(details)


def _interleave(no_grad: Callable[[], Any], enabled: Callable[[], bool]) -> list[bool]:
    """T1 enters, T2 enters, T1 exits, T2 exits; what each thread sees at each point."""
    t1_in, t2_in, t1_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def t1() -> None:
        with no_grad():
            t1_in.set()
            t2_in.wait(10)
        t1_out.set()
        seen.append(enabled())  # T1 after leaving: True

    def t2() -> None:
        t1_in.wait(10)
        seen.append(enabled())  # T2 before entering, while T1 is inside: True
        with no_grad():
            t2_in.set()
            t1_out.wait(10)
            seen.append(enabled())  # T2 inside after T1 left: False
        seen.append(enabled())  # T2 after leaving: True

    threads = [threading.Thread(target=t1), threading.Thread(target=t2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return [*sorted(seen), enabled()]  # order across threads varies; the main thread last


def no_grad_per_thread(torch: Any) -> tuple[bool, str]:
    ours = _interleave(autograd.no_grad, autograd.is_grad_enabled)
    theirs = _interleave(torch.no_grad, torch.is_grad_enabled)
    expected = [False, True, True, True, True]
    return ours == theirs == expected, f"deltagrad {ours}, PyTorch {theirs}"


def leaves_accumulate(torch: Any) -> tuple[bool, str]:
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    tx = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    ty = tx * tx
    ty.backward(retain_graph=True)
    ty.backward()
    theirs = tx.grad.item()
    return x.grad == theirs == 12.0, f"after two passes: deltagrad {x.grad}, PyTorch {theirs}"


def relu_at_nan(torch: Any) -> tuple[bool, str]:
    x = Value(math.nan)
    x.relu().backward()
    tx = torch.tensor(math.nan, dtype=torch.float64, requires_grad=True)
    torch.relu(tx).backward()
    theirs = tx.grad.item()
    # the README says: deltagrad gives 0 at NaN, PyTorch's relu gives 1
    return x.grad == 0.0 and theirs == 1.0, f"deltagrad {x.grad}, PyTorch {theirs}"


def gradcheck_rule(torch: Any) -> tuple[bool, str]:
    """PyTorch and NumPy pass ``|a - n| <= atol + rtol * |n|`` with ``n`` the numeric value.

    ``f(x) = 2x`` at ``x = 1``: the numeric derivative is 2 (to about 1e-10).
    With ``atol = rtol = 0.1`` the bound is 0.3 measured against ``|n| = 2``,
    but 0.331 if it were measured against ``|a| = 2.31``: an analytic value
    2.31 must fail and 2.29 must pass.
    """

    def verdict(analytic_extra: float) -> bool:
        class Twice(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                return 2.0 * x

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * (2.0 + analytic_extra)

        x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
        passed: bool = torch.autograd.gradcheck(
            Twice.apply, (x,), atol=0.1, rtol=0.1, raise_exception=False, fast_mode=False
        )
        return passed

    torch_inside, torch_outside = verdict(0.29), verdict(0.31)
    numpy_inside = bool(np.allclose(2.29, 2.0, rtol=0.1, atol=0.1))
    numpy_outside = bool(np.allclose(2.31, 2.0, rtol=0.1, atol=0.1))
    ours_inside = abs(2.29 - 2.0) <= 0.1 + 0.1 * abs(2.0)
    ours_outside = abs(2.31 - 2.0) <= 0.1 + 0.1 * abs(2.0)
    verdicts = (torch_inside, torch_outside, numpy_inside, numpy_outside)
    ok = verdicts == (True, False, True, False) and (ours_inside, ours_outside) == (True, False)
    torch_text = f"PyTorch pass/fail {torch_inside}/{torch_outside}"
    return ok, f"{torch_text}, NumPy {numpy_inside}/{numpy_outside}"


CHECKS: list[tuple[str, Callable[[Any], tuple[bool, str]]]] = [
    ("zero means zero (README Semantics)", zero_means_zero),
    ("no_grad() is per thread (README Semantics)", no_grad_per_thread),
    ("leaves accumulate across passes (backward docstring, notebook 01)", leaves_accumulate),
    ("PyTorch's relu has gradient 1 at NaN (README edge cases)", relu_at_nan),
    ("gradcheck's rule is torch.autograd.gradcheck's (gradcheck docstring)", gradcheck_rule),
]


def main() -> int:
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: run `make bench-setup` first", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    failed = 0
    print(f"PyTorch {torch.__version__}")
    for claim, check in CHECKS:
        ok, detail = check(torch)
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {claim}: {detail}")
    print(f"{len(CHECKS) - failed} of {len(CHECKS)} claims hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
