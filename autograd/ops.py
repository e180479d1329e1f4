"""The table of primitive operations: each op's forward rule and local derivatives.

Every operation the engine can record is one :class:`Op` in :data:`OPS`. An op
states, in one place:

* ``forward(*args) -> float``: the value ``out = f(args)`` computed from plain
  floats, with the checks that turn a bad operand into a clear error;
* ``partials(out, *args) -> tuple``: the local derivatives ``d out / d arg_i``
  for every argument, in argument order. They are written with arithmetic
  only (plus helpers such as :func:`log`, :func:`exp`, :func:`sin`, which
  call ``math`` on a float and the Value's own method on a Value), so they
  work on floats and on Values alike: differentiating a derivative
  (:func:`autograd.grad` with ``create_graph=True``) runs the same partials on
  Values and so records them in the graph;
* ``rules``: the text of each local derivative in the op's own argument names,
  e.g. ``d(a * b)/da = b``. The graph renderer and the step-through read it.

The backward pass (:mod:`autograd.engine`) never knows which op it is looking
at: it multiplies the incoming gradient by ``partials(...)[i]`` and adds the
product into argument ``i``. That is the chain rule, and this table is the only
place where a derivative is written down.
"""

from __future__ import annotations

import decimal
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce as _reduce
from operator import add as _add
from operator import mul as _mul
from operator import neg as _neg
from operator import sub as _sub
from typing import Any

__all__ = ["OPS", "Op", "cos", "exp", "log", "sigmoid", "sin"]


@dataclass(frozen=True, slots=True, eq=False)
class Op:
    """One primitive operation.

    Attributes:
        name: short identifier, e.g. ``"mul"``; also the key in :data:`OPS`.
        symbol: how a graph drawing labels the op node, e.g. ``"*"``.
        notation: the op written in its argument names, e.g. ``"a * b"``.
        params: argument names. A variadic op (``arity is None``) names its
            argument groups instead, e.g. ``("w_i", "x_i", "b")``.
        arity: number of arguments, or ``None`` for a variadic op.
        forward: ``forward(*args) -> out`` on floats.
        partials: ``partials(out, *args) -> (d out/d arg_0, d out/d arg_1, ...)``.
        rules: text of each partial derivative, one per entry of ``params``.
    """

    name: str
    symbol: str
    notation: str
    params: tuple[str, ...]
    arity: int | None
    forward: Callable[..., float]
    partials: Callable[..., tuple[Any, ...]]
    rules: tuple[str, ...]

    def param(self, position: int, nargs: int) -> str:
        """The name of argument ``position`` when the op was called with ``nargs`` arguments."""
        if self.arity is not None:
            return self.params[position]
        return _variadic_param(self, position, nargs)[0]

    def rule(self, position: int, nargs: int) -> str:
        """The local derivative of argument ``position``, e.g. ``"d(a * b)/da = b"``."""
        if self.arity is not None:
            name, text = self.params[position], self.rules[position]
        else:
            name, group = _variadic_param(self, position, nargs)
            text = _index_rule(self.rules[group], name)
        return f"d({self.notation})/d{name} = {text}"

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.notation})"


def _variadic_param(op: Op, position: int, nargs: int) -> tuple[str, int]:
    """Map an argument position of a variadic op to its display name and group.

    ``sum`` takes ``x_1 .. x_n``; ``linear`` takes ``w_1 .. w_n, x_1 .. x_n, b``.
    """
    if not 0 <= position < nargs:
        raise IndexError(f"{op.name}: argument {position} out of range for {nargs} arguments")
    if op.name == "squared_error":
        n = nargs // 2
        group = 0 if position < n else 1
        return f"{op.params[group].partition('_')[0]}_{position % n + 1}", group
    if op.name == "linear":
        n = (nargs - 1) // 2
        if position == nargs - 1:
            return "b", 2
        group = 0 if position < n else 1
        return f"{op.params[group][0]}_{position % n + 1}", group
    return f"{op.params[0][0]}_{position + 1}", 0


def _index_rule(rule: str, name: str) -> str:
    """Turn a group rule like ``x_i`` into the rule of one argument, ``x_3``."""
    index = name.partition("_")[2]
    if not index:
        return rule
    return rule.replace("_i", f"_{index}").replace("_k", f"_{index}")


# --- generic helpers: the partials below must work on floats and on Values ---


def log(x: Any) -> Any:
    """Natural log of a float (``math.log``) or of a Value (``Value.log``)."""
    return math.log(x) if isinstance(x, float) else x.log()


def exp(x: Any) -> Any:
    """``e**x`` of a float (the op's own forward rule) or of a Value (``Value.exp``)."""
    return _exp(x) if isinstance(x, float) else x.exp()


def sin(x: Any) -> Any:
    """``sin(x)`` of a float or of a Value."""
    return _sin(x) if isinstance(x, float) else x.sin()


def cos(x: Any) -> Any:
    """``cos(x)`` of a float or of a Value."""
    return _cos(x) if isinstance(x, float) else x.cos()


def sigmoid(x: Any) -> Any:
    """The logistic sigmoid of a float or of a Value."""
    return _sigmoid(x) if isinstance(x, float) else x.sigmoid()


def _real(x: Any) -> float:
    """The float behind ``x``: a float itself, or a Value's ``data``."""
    return x if isinstance(x, float) else float(x.data)


# --- forward rules on floats, with the domain checks ---


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero in {a!r} / {b!r}")
    return a / b


def _pow(a: float, b: float) -> float:
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: {a!r} ** {b!r} divides by zero (zero to a negative power)")
    if a < 0.0 and math.isfinite(a) and math.isfinite(b) and not b.is_integer():
        raise ValueError(f"pow: {a!r} ** {b!r} is not real (negative base to a non-integer power)")
    try:
        out: float = a**b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} overflows a float") from None
    return out


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({a!r}) overflows a float (the largest argument is about 709.78)"
        ) from None


def _log(a: float) -> float:
    if a <= 0.0:
        raise ValueError(f"log: operand must be > 0, got {a!r}")
    return math.log(a)


def _sigmoid(a: float) -> float:
    # Two algebraically equal forms, each used where exp() cannot overflow:
    # 1/(1 + e^-a) for a >= 0, and e^a/(1 + e^a) for a < 0 (and for NaN).
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _relu(a: float) -> float:
    # Written so that NaN passes through (NaN <= 0 is False) and -0.0 becomes 0.0.
    return 0.0 if a <= 0.0 else a


def _sin(a: float) -> float:
    if math.isinf(a):
        raise ValueError(f"sin: sin({a!r}) is not defined (the operand must be finite)")
    return math.sin(a)


def _cos(a: float) -> float:
    if math.isinf(a):
        raise ValueError(f"cos: cos({a!r}) is not defined (the operand must be finite)")
    return math.cos(a)


def _sqrt(a: float) -> float:
    if a < 0.0:
        raise ValueError(f"sqrt: operand must be >= 0, got {a!r}")
    return math.sqrt(a)


def _log1p(a: float) -> float:
    if a <= -1.0:
        raise ValueError(f"log1p: operand must be > -1, got {a!r}")
    return math.log1p(a)


def _expm1(a: float) -> float:
    try:
        return math.expm1(a)
    except OverflowError:
        raise OverflowError(
            f"expm1: expm1({a!r}) overflows a float (the largest argument is about 709.78)"
        ) from None


def _softplus(a: float) -> float:
    # log(1 + e^a) in two forms, each taking exp() only of a number <= 0:
    # a + log1p(e^-a) for a > 0 and log1p(e^a) otherwise (NaN included).
    if a > 0.0:
        return a + math.log1p(math.exp(-a))
    return math.log1p(math.exp(a))


def _maximum(a: float, b: float) -> float:
    if a != a or b != b:  # NaN in, NaN out (Python's max() would depend on the order)
        return math.nan
    if a == b:  # a tie: +0.0 beats -0.0, as in IEEE 754's maximum
        return a + b if a == 0.0 else a
    return a if a > b else b


def _minimum(a: float, b: float) -> float:
    if a != a or b != b:
        return math.nan
    if a == b:  # a tie: -0.0 beats +0.0
        return -(-a - b) if a == 0.0 else a
    return a if a < b else b


def _difference_error(a: float, b: float) -> float:
    """The rounding error of ``a - b``: ``e`` with ``a - b == fl(a - b) + e`` exactly.

    Knuth's TwoSum on ``a`` and ``-b``; 0 when the difference is not finite.
    """
    d = a - b
    if not math.isfinite(d):
        return 0.0
    back = d - a
    return (a - (d - back)) + (-b - back)


def _argmax(xs: tuple[float, ...]) -> int:
    best = 0
    for i in range(1, len(xs)):
        if xs[i] > xs[best]:
            best = i
    return best


def _logsumexp(*xs: float) -> float:
    # log sum_i e^{x_i} = m + log1p(sum_{i != k} e^{x_i - m}), m = x_k the maximum:
    # every exp() sees a number <= 0, the terms are summed exactly rounded (fsum),
    # and the rounding error e of each difference x_i - m is put back as
    # e^{d + e} ~ e^d + e^d e, so that a result near 0 keeps its relative precision.
    if not xs:
        raise ValueError("logsumexp: needs at least one value, got none")
    if any(x != x for x in xs):
        return math.nan
    k = _argmax(xs)
    m = xs[k]
    if math.isinf(m):
        return m  # +inf: some term is infinite; -inf: every term is e^-inf = 0
    terms = []
    for i, x in enumerate(xs):
        if i != k:
            t = math.exp(x - m)
            e = _difference_error(x, m)
            terms.append(t + t * e if e else t)
    out = m + math.log1p(math.fsum(terms))
    if m < 0.0 and out > 0.5 * m:
        # m and log1p(...) cancel (the result is nearer 0 than m/2): the float
        # form would keep only the absolute precision of m, so compute it anew
        # with 60 significant digits (decimal's exp and ln are correctly rounded).
        with decimal.localcontext() as context:
            context.prec = 60
            out = float(_decimal_lse(xs))
    return out


def _decimal_lse(xs: tuple[float, ...]) -> decimal.Decimal:
    total = decimal.Decimal(0)
    for x in xs:
        total += decimal.Decimal(x).exp()
    return total.ln()


# Sums are plain left-to-right additions, the same on every Python version.
# From Python 3.12 builtins.sum of floats is compensated, so there it would
# differ from a chain of +; before 3.12 it adds left to right exactly as the
# loop does (and faster), so it is used there. tests/test_sum_order.py checks
# _left_sum against functools.reduce bit for bit.
if sys.version_info >= (3, 12):

    def _left_sum(terms: Iterable[float], start: float) -> float:
        """``((start + t_1) + t_2) + ...``: a plain chain of ``+``."""
        total: float = _reduce(_add, terms, start)
        return total

else:
    _left_sum = sum


def _sum(*xs: float) -> float:
    # exactly x_1 + x_2 + ... + x_n, the value of a chain of + (0.0 for no terms):
    # -0.0 is the exact identity of +, so starting from it changes nothing
    return _left_sum(xs, -0.0) if xs else 0.0


def _linear(*args: float) -> float:
    # ((0.0 + w_1*x_1) + w_2*x_2) + ... + b, as a loop `z += w_i * x_i` computes it
    n = len(args) // 2
    return _left_sum(map(_mul, args[:n], args[n : 2 * n]), 0.0) + args[2 * n]


# --- local derivatives: partials(out, *args) ---


def _pow_partials(out: Any, a: Any, b: Any) -> tuple[Any, Any]:
    # d/da = b * a**(b-1), d/db = out * log(a).  Where the formula breaks down
    # on the boundary of the domain the limit or convention is given instead:
    #   b == 0        -> d/da = 0   (a**0 is the constant 1); but when b is a
    #                    Value (a derivative being differentiated again) the formula
    #                    itself is kept, as its derivative in b, a**(b-1), is not 0
    #   a == 0, b < 1 -> d/da = inf (the slope of a**b at 0 for 0 < b < 1)
    #   a == 0        -> d/db = 0   (0**b is 0 for every b > 0)
    #   a < 0         -> d/db = nan (a**b is not real near a non-integer b)
    #   a**(b-1) too large for a float -> d/da = +-inf, as IEEE 754 rounds it
    ar, br = _real(a), _real(b)
    if br == 0.0 and (isinstance(b, float) or ar == 0.0):
        da: Any = 0.0
    elif ar == 0.0 and br < 1.0:
        da = math.inf
    elif isinstance(a, float) and isinstance(b, float):
        da = b * _rounded_pow(a, b - 1.0)
    else:
        da = b * a ** (b - 1.0)
    if ar > 0.0:
        db: Any = out * log(a)
    else:
        db = 0.0 if ar == 0.0 else math.nan
    return da, db


_SLOPE_ONE, _SLOPE_ZERO = (1.0,), (0.0,)


def _rounded_pow(a: float, e: float) -> float:
    """``a ** e`` for a power that the forward pass allowed, rounded to +-inf on overflow."""
    try:
        out: float = a**e
    except OverflowError:
        negative = a < 0.0 and e.is_integer() and e % 2.0 == 1.0
        return -math.inf if negative else math.inf
    return out


def _relu_partials(out: Any, a: Any) -> tuple[float]:
    # The subgradient at exactly 0 is taken to be 0.
    return _SLOPE_ONE if a > 0.0 else _SLOPE_ZERO


def _sqrt_partials(out: Any, x: Any) -> tuple[Any]:
    # 1/(2 sqrt(x)) = 0.5/out; at x = 0 (either sign) the slope is taken to be +inf,
    # the one-sided limit, as for x ** 0.5 at 0.
    return (math.inf,) if _real(out) == 0.0 else (0.5 / out,)


def _abs_partials(out: Any, x: Any) -> tuple[float]:
    # sign(x); at x = 0 the subgradient is taken to be 0 (the middle of [-1, 1]).
    r = _real(x)
    if r > 0.0:
        return _SLOPE_ONE
    if r < 0.0:
        return (-1.0,)
    return _SLOPE_ZERO if r == 0.0 else (math.nan,)


def _softplus_partials(out: Any, x: Any) -> tuple[Any]:
    return (sigmoid(x),)


def _maximum_partials(out: Any, a: Any, b: Any) -> tuple[float, float]:
    # 1 to the larger argument, 0 to the other; at a tie half to each, so that
    # the two add up to 1 (maximum(x, x) = x has slope 1).
    ar, br = _real(a), _real(b)
    if ar > br:
        return (1.0, 0.0)
    if ar < br:
        return (0.0, 1.0)
    return (0.5, 0.5) if ar == br else (math.nan, math.nan)


def _minimum_partials(out: Any, a: Any, b: Any) -> tuple[float, float]:
    ar, br = _real(a), _real(b)
    if ar < br:
        return (1.0, 0.0)
    if ar > br:
        return (0.0, 1.0)
    return (0.5, 0.5) if ar == br else (math.nan, math.nan)


def _logsumexp_partials(out: Any, *xs: Any) -> tuple[Any, ...]:
    # The softmax p_i = e^{x_i - out}, computed max-shifted as the forward rule is:
    # p_i = E_i / (1 + sum_{j != k} E_j) with E_i = e^{x_i - x_k}, x_k the maximum
    # (E_k = 1), each E_i corrected for the rounding of x_i - x_k. The same
    # arithmetic on Values records a graph whose derivatives are those of softmax.
    reals = tuple(_real(x) for x in xs)
    n = len(xs)
    if any(r != r for r in reals):
        return (math.nan,) * n
    k = _argmax(reals)
    m = reals[k]
    if m == math.inf:  # the infinite terms share the whole weight
        top = [r == m for r in reals]
        return tuple((1.0 / top.count(True)) if t else 0.0 for t in top)
    if m == -math.inf:
        return (math.nan,) * n
    top = xs[k]
    shifted: list[Any] = []
    total: Any = 1.0
    for i, x in enumerate(xs):
        if i == k:
            shifted.append(1.0)
            continue
        t = exp(x - top)
        e = _difference_error(reals[i], m)
        t = t + t * e if e else t
        shifted.append(t)
        total = total + t
    # The sum was rounded at each +; replace its value by the exactly rounded one
    # (fsum) with a constant correction, which changes no derivative.
    correction = math.fsum([_real(t) for t in shifted]) - _real(total)
    if correction:
        total = total + correction
    return tuple(t / total for t in shifted)


def _linear_partials(out: Any, *args: Any) -> tuple[Any, ...]:
    n = len(args) // 2
    return (*args[n : 2 * n], *args[:n], 1.0)


def _half_squared_error(*args: float) -> float:
    n = len(args) // 2
    total = 0.0
    for yhat, y in zip(args[:n], args[n:]):
        d = y - yhat
        total += d * d
    return 0.5 * total


def _half_squared_error_partials(out: Any, *args: Any) -> tuple[Any, ...]:
    n = len(args) // 2
    yhat, y = args[:n], args[n:]
    return (*map(_sub, yhat, y), *map(_sub, y, yhat))


def _make_table(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


OPS: dict[str, Op] = _make_table(
    Op("add", "+", "a + b", ("a", "b"), 2, _add,
       lambda out, a, b: (1.0, 1.0), ("1", "1")),
    Op("sub", "-", "a - b", ("a", "b"), 2, _sub,
       lambda out, a, b: (1.0, -1.0), ("1", "-1")),
    Op("mul", "*", "a * b", ("a", "b"), 2, _mul,
       lambda out, a, b: (b, a), ("b", "a")),
    Op("div", "/", "a / b", ("a", "b"), 2, _div,
       lambda out, a, b: (1.0 / b, -out / b), ("1/b", "-a/b**2 = -out/b")),
    Op("pow", "**", "a ** b", ("a", "b"), 2, _pow,
       _pow_partials, ("b * a**(b-1)", "out * log(a)")),
    Op("neg", "-", "-x", ("x",), 1, _neg,
       lambda out, x: (-1.0,), ("-1",)),
    Op("exp", "exp", "exp(x)", ("x",), 1, _exp,
       lambda out, x: (out,), ("exp(x) = out",)),
    Op("log", "log", "log(x)", ("x",), 1, _log,
       lambda out, x: (1.0 / x,), ("1/x",)),
    Op("tanh", "tanh", "tanh(x)", ("x",), 1, math.tanh,
       lambda out, x: (1.0 - out * out,), ("1 - tanh(x)**2 = 1 - out**2",)),
    Op("sigmoid", "σ", "sigmoid(x)", ("x",), 1, _sigmoid,
       lambda out, x: (out * (1.0 - out),), ("sigmoid(x) * (1 - sigmoid(x)) = out * (1 - out)",)),
    Op("relu", "relu", "relu(x)", ("x",), 1, _relu,
       _relu_partials, ("1 if x > 0 else 0",)),
    Op("sin", "sin", "sin(x)", ("x",), 1, _sin,
       lambda out, x: (cos(x),), ("cos(x)",)),
    Op("cos", "cos", "cos(x)", ("x",), 1, _cos,
       lambda out, x: (-sin(x),), ("-sin(x)",)),
    Op("sqrt", "√", "sqrt(x)", ("x",), 1, _sqrt,
       _sqrt_partials, ("1/(2 sqrt(x)) = 0.5/out",)),
    Op("abs", "|x|", "abs(x)", ("x",), 1, abs,
       _abs_partials, ("1 if x > 0, -1 if x < 0, 0 if x == 0",)),
    Op("log1p", "log1p", "log1p(x)", ("x",), 1, _log1p,
       lambda out, x: (1.0 / (1.0 + x),), ("1/(1 + x)",)),
    Op("expm1", "expm1", "expm1(x)", ("x",), 1, _expm1,
       lambda out, x: (exp(x),), ("exp(x)",)),
    Op("softplus", "softplus", "softplus(x)", ("x",), 1, _softplus,
       _softplus_partials, ("sigmoid(x)",)),
    Op("maximum", "max", "maximum(a, b)", ("a", "b"), 2, _maximum,
       _maximum_partials, ("1 if a > b, 0 if a < b, 1/2 if a == b",
                           "1 if b > a, 0 if b < a, 1/2 if a == b")),
    Op("minimum", "min", "minimum(a, b)", ("a", "b"), 2, _minimum,
       _minimum_partials, ("1 if a < b, 0 if a > b, 1/2 if a == b",
                           "1 if b < a, 0 if b > a, 1/2 if a == b")),
    Op("logsumexp", "logΣexp", "log(exp(x_1) + ... + exp(x_n))", ("x_i",), None, _logsumexp,
       _logsumexp_partials, ("exp(x_i - out)",)),
    Op("sum", "Σ", "x_1 + ... + x_n", ("x_i",), None, _sum,
       lambda out, *xs: (1.0,) * len(xs), ("1",)),
    Op("linear", "Σ w·x + b", "w_1*x_1 + ... + w_n*x_n + b", ("w_i", "x_i", "b"), None, _linear,
       _linear_partials, ("x_i", "w_i", "1")),
    Op("squared_error", "½Σ(y-ŷ)²", "1/2 * sum_k (y_k - yhat_k)**2", ("yhat_k", "y_k"), None,
       _half_squared_error, _half_squared_error_partials, ("yhat_k - y_k", "y_k - yhat_k")),
)  # fmt: skip
