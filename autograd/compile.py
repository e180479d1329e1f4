"""Compiled steps: trace a step once, run it as straight-line Python, bit for bit the same.

:func:`compile_step` runs a user's step function (forward pass, loss,
``backward()``, optimiser update) once on example inputs, with every input
number replaced by a leaf :class:`~autograd.engine.Value`, and records what
it did. From that record it writes Python source with one statement per
node: the forward pass, the backward pass in the very order
:meth:`Value.backward` visits the nodes (:func:`~autograd.engine.graph_order`),
and the optimiser's update. ``compile()`` turns the source into a function
that takes new inputs and updates the parameters in place.

Nothing here knows a derivative. Each local derivative is the op table's own
``partials`` (:mod:`autograd.ops`) evaluated on *symbols*: objects whose
arithmetic writes an expression string instead of computing a number. Where a
``partials`` function compares its arguments (``relu``), every branch is
followed and the generated code branches at run time; where symbols cannot
go through it at all (``pow`` reads the float behind its argument), the
generated code calls ``partials`` itself at run time. The same holds for the
forward rules: an op whose rule can be written inline (``a * b``) is written
inline, any other is called. Every inline expression is first checked
against the op's own function on a set of awkward numbers (signed zeros,
infinities, NaN, overflow, sums that cancel), bit for bit, and not used if
any differs; so the generated code adds in the engine's own order with plain
``+``, and a ``sum`` whose order cannot be reproduced is called, not guessed.

A trace is valid only for a graph that does not depend on the data. While
tracing, a comparison of a Value (``x < 0``) is recorded as a *guard*: the
compiled function re-checks it and, if it comes out the other way, runs the
step eagerly instead. Anything else that lets a number escape into Python
(``float(v)``, reading or writing ``v.data`` or ``v.grad`` outside the
engine, a ``no_grad`` block) is refused with :class:`TraceError`, naming the
file and line. Inputs of another shape or type, ``no_grad`` or
``detect_anomaly`` at call time, and any exception inside the compiled code
also run the step eagerly: an error is then the engine's own error, and the
parameters are left as the eager step leaves them (the compiled code writes
nothing back until every guard and every line that can fail has run). The
stores themselves make the plain updates, after every gradient is stored, in
the optimisers' order: an update that raises there (a setting or a parameter
value that is not a float) leaves what the eager step leaves when its
``step()`` raises at that parameter, and its error goes through as it is.

:meth:`CompiledStep.run` runs the step once per row of a list in one call:
the parameters are read before the first row and stored after the last, and
in between they stay in the generated code's local variables, which gives the
same numbers as storing and reading them back. For a network with hundreds of
parameters that storing and reading is a third of a step.
"""

from __future__ import annotations

import bisect
import collections
import functools
import gc
import itertools
import keyword
import marshal
import math
import operator
import os
import random
import re
import struct
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import engine
from .engine import Value, graph_order, is_grad_enabled
from .ops import OPS, Op

__all__ = [
    "CompilableOptimizer",
    "CompiledStep",
    "TraceError",
    "compile_forward",
    "compile_step",
]

MAX_VARIANTS = 16
"""Traces kept per compiled step (one per shape of input, or value of a non-float argument)."""


class TraceError(RuntimeError):
    """The traced function made a Python decision from a Value, or did something not compilable."""


class CompilableOptimizer(Protocol):
    """What an optimiser offers to be compiled (``nn.SGD`` and ``nn.Adam`` do).

    ``params`` is the list it updates. ``compiled_update(data, grad, me, tmp)``
    returns ``(load, compute, commit)``: lines of Python that read the
    optimiser's settings and state into local variables, lines that compute
    one update (and the new state) in local variables, and lines that store
    the state back. ``data[i]`` and ``grad[i]`` are the local names (or
    literals) of parameter ``i``'s value and gradient; ``compute`` assigns the
    new values to the ``data`` names. ``me`` names the optimiser object,
    ``tmp`` is a prefix for temporaries; ``math`` is available, and ``raise
    _Guard`` sends the call to the eager step (for a setting the lines were
    not written for). ``load`` then ``compute`` then ``commit`` must do
    exactly what ``step()`` does, and so must ``load``, then ``compute`` n
    times, then ``commit`` for n steps (:meth:`CompiledStep.run`). An
    optimiser may return ``(compute, commit)`` instead, with its reads in
    ``compute``; its steps then run one call at a time.
    """

    params: list[Value]

    def step(self) -> None: ...

    def compiled_update(
        self, data: Sequence[str], grad: Sequence[str], me: str, tmp: str
    ) -> tuple[list[str], list[str], list[str]] | tuple[list[str], list[str]]: ...


# --------------------------------------------------------------------------------------
# symbols: numbers that write the expression computing them


class _NotSymbolic(Exception):
    """Symbolic evaluation cannot follow this function; call it at run time instead."""


class _Decider:
    """Chooses the outcome of each comparison met while exploring a function's branches."""

    def __init__(self) -> None:
        self.prefix: list[bool] = []
        self.taken: list[tuple[str, bool]] = []
        self.pending: list[list[bool]] = []

    def decide(self, expr: str) -> bool:
        i = len(self.taken)
        if i < len(self.prefix):
            value = self.prefix[i]
        else:
            value = True
            self.pending.append([v for _, v in self.taken] + [False])
        self.taken.append((expr, value))
        return value


_decider: _Decider | None = None


class _Pool:
    """Constants that have no exact literal (NaN, infinities), bound to names ``K0, K1, ..``."""

    def __init__(self) -> None:
        self.names: dict[bytes, str] = {}
        self.values: dict[str, float] = {}

    def literal(self, x: object) -> str:
        if type(x) is int:
            return f"({x!r})"
        if type(x) is not float:
            raise _NotSymbolic(f"a {type(x).__name__} constant")
        if math.isfinite(x):
            return f"({x!r})" if math.copysign(1.0, x) < 0 else repr(x)
        key = struct.pack("<d", x)
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = f"K{len(self.names)}"
            self.values[name] = x
        return name


_POOL = _Pool()
"""One pool for every generated source (append-only, used under the trace lock)."""


def _lit(x: object) -> str:
    if isinstance(x, _Sym):
        return x.e
    return _POOL.literal(x)


def _sym_binary(fmt: str) -> tuple[Callable[..., _Sym], Callable[..., _Sym]]:
    def forward(self: _Sym, other: object) -> _Sym:
        return _Sym(fmt.format(self.e, _lit(other)))

    def reflected(self: _Sym, other: object) -> _Sym:
        return _Sym(fmt.format(_lit(other), self.e))

    return forward, reflected


def _sym_compare(fmt: str) -> Callable[..., _SymBool]:
    def compare(self: _Sym, other: object) -> _SymBool:
        return _SymBool(fmt.format(self.e, _lit(other)))

    return compare


class _SymBool:
    __slots__ = ("e",)

    def __init__(self, e: str) -> None:
        self.e = e

    def __bool__(self) -> bool:
        if _decider is None:
            raise _NotSymbolic("a comparison outside exploration")
        return _decider.decide(self.e)


class _Sym:
    """A float-to-be: arithmetic on it builds the source of the computation."""

    __slots__ = ("e",)

    def __init__(self, e: str) -> None:
        self.e = e

    __add__, __radd__ = _sym_binary("({} + {})")
    __sub__, __rsub__ = _sym_binary("({} - {})")
    __mul__, __rmul__ = _sym_binary("({} * {})")
    __truediv__, __rtruediv__ = _sym_binary("({} / {})")
    __pow__, __rpow__ = _sym_binary("({} ** {})")
    __lt__ = _sym_compare("({} < {})")
    __le__ = _sym_compare("({} <= {})")
    __gt__ = _sym_compare("({} > {})")
    __ge__ = _sym_compare("({} >= {})")
    __eq__ = _sym_compare("({} == {})")  # type: ignore[assignment]
    __ne__ = _sym_compare("({} != {})")  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def __neg__(self) -> _Sym:
        return _Sym(f"(-{self.e})")

    def __pos__(self) -> _Sym:
        return self

    def __getattr__(self, name: str) -> Callable[[], _Sym]:
        # x.exp(), x.log() ...: what a Value would do, i.e. the op's forward rule on the float
        op = OPS.get(name)
        if op is None or op.arity != 1:
            raise _NotSymbolic(f"attribute {name!r}")
        return lambda: _Sym(f"F_{op.name}({self.e})")

    def __float__(self) -> float:
        raise _NotSymbolic("float() of a symbol")

    def __bool__(self) -> bool:
        raise _NotSymbolic("truth value of a symbol")

    def __index__(self) -> int:
        raise _NotSymbolic("a symbol used as an index")


def _explore(fn: Callable[..., Any], args: Sequence[object], limit: int = 32) -> list[str]:
    """The expressions of ``fn(*args)``'s results, following every branch on a symbol."""
    global _decider
    paths: list[tuple[list[tuple[str, bool]], tuple[str, ...]]] = []
    decider = _Decider()
    decider.pending = [[]]
    previous, _decider = _decider, decider
    try:
        while decider.pending:
            if len(paths) >= limit:
                raise _NotSymbolic("too many branches")
            decider.prefix, decider.taken = decider.pending.pop(), []
            try:
                result = tuple(fn(*args))
            except _NotSymbolic:
                raise
            except Exception as e:  # a type the symbols cannot stand in for
                raise _NotSymbolic(f"{type(e).__name__}: {e}") from None
            paths.append((decider.taken, tuple(_lit(r) for r in result)))
    finally:
        _decider = previous
    if len({len(r) for _, r in paths}) != 1:
        raise _NotSymbolic("branches return different numbers of results")
    return [_merge(paths, 0, k) for k in range(len(paths[0][1]))]


def _merge(paths: list[tuple[list[tuple[str, bool]], tuple[str, ...]]], depth: int, k: int) -> str:
    if len(paths) == 1 and len(paths[0][0]) == depth:
        return paths[0][1][k]
    cond = paths[0][0][depth][0]
    yes = [p for p in paths if p[0][depth][1]]
    no = [p for p in paths if not p[0][depth][1]]
    if not yes or not no:  # the same condition met again on a path already decided
        return _merge(yes or no, depth + 1, k)
    return f"({_merge(yes, depth + 1, k)} if {cond} else {_merge(no, depth + 1, k)})"


# --------------------------------------------------------------------------------------
# inline forward rules, each checked against the op's own forward before use


def _chain(terms: Sequence[str], zero_plus: bool = True) -> str:
    """``0.0 + t1 + t2 + ...`` added left to right, with ``t1 or 0.0`` for ``0.0 + t1``.

    ``0.0 + t`` is ``t`` except that it turns ``-0.0`` into ``0.0``; so is ``t or 0.0``,
    which costs a truth test instead of a float addition. Each term must bind at least as
    tightly as ``*`` (a name, a literal, a product of them, or something in brackets).
    Without ``zero_plus``: ``t1 + t2 + ...``, the same but for the sign of a zero result
    (see _INLINE_SIGNLESS).
    """
    if not terms:
        return "0.0"
    first = f"({terms[0]} or 0.0)" if zero_plus else terms[0]
    return "(" + " + ".join([first, *terms[1:]]) + ")"


def _inline_linear(a: Sequence[str], zero_plus: bool = True) -> str:
    n = len(a) // 2
    return f"({_chain([f'{a[i]} * {a[n + i]}' for i in range(n)], zero_plus)} + {a[2 * n]})"


def _inline_squared_error(a: Sequence[str]) -> str:
    n = len(a) // 2
    # d * d with d = y_k - yhat_k taken once (``_e``, the scratch name the sigmoid uses
    # too: each term is done with it before the next starts); no ``or 0.0``: a square
    # d * d is never -0.0, so 0.0 + d * d is d * d
    d = [f"(_e := ({a[n + k]} - {a[k]})) * _e" for k in range(n)]
    return f"(0.5 * {_chain(d, zero_plus=False)})"


_INLINE: dict[str, Callable[[Sequence[str]], str]] = {
    "add": lambda a: f"({a[0]} + {a[1]})",
    "sub": lambda a: f"({a[0]} - {a[1]})",
    "mul": lambda a: f"({a[0]} * {a[1]})",
    "div": lambda a: f"({a[0]} / {a[1]})",
    "neg": lambda a: f"(-{a[0]})",
    "exp": lambda a: f"_exp({a[0]})",
    "log": lambda a: f"_log({a[0]})",
    "tanh": lambda a: f"_tanh({a[0]})",
    "sigmoid": lambda a: (
        f"((1.0 / (1.0 + _exp(-{a[0]}))) if {a[0]} >= 0.0 else ((_e := _exp({a[0]})) / (1.0 + _e)))"
    ),
    "relu": lambda a: f"(0.0 if {a[0]} <= 0.0 else {a[0]})",
    "sum": _chain,
    "linear": _inline_linear,
    "squared_error": _inline_squared_error,
}
"""Candidate inline forms of the forward rules, by op name; used only where they pass the check."""

_INLINE_OTHER: dict[str, Callable[[Sequence[str]], str]] = {
    "sum": lambda a: "(" + " + ".join(a) + ")" if a else "0.0",  # x_1 + x_2 + ..., no 0.0
}
"""Second candidates, tried when the first is not exact for this engine."""

_INLINE_SIGNLESS: dict[str, Callable[[Sequence[str]], str]] = {
    "sum": lambda a: _chain(a, zero_plus=False),
    "linear": lambda a: _inline_linear(a, zero_plus=False),
}
"""Forward rules exact but for the sign of a zero result, for a node whose zero's sign
nothing reads (see _signless): each is its op's ``_INLINE`` form without the first
term's ``or 0.0``, and is used only where that form passed its check (see _rules).

Why no check of its own is needed: ``t1 or 0.0`` and ``t1`` differ only where ``t1``
is -0.0, and then the two sums start from 0.0 and -0.0. For any ``t``, ``0.0 + t``
and ``-0.0 + t`` are ``t`` itself unless ``t`` is a zero (NaN and infinities
included), so each running sum of the two is the same float or two zeros of
opposite signs, term after term: the results can differ only in the sign of a zero.
"""


def _unsign_zeros(leaves: tuple[Value, ...]) -> None:
    """Set each of ``leaves``' gradients that is a zero to ``0.0``: what ``g or 0.0`` stores
    (see _zeros_later)."""
    for v in leaves:
        if not v.grad:
            v.grad = 0.0


_RUNTIME: dict[str, object] = {
    "_unsign_zeros": _unsign_zeros,
    "_exp": math.exp,
    "_log": math.log,
    "_tanh": math.tanh,
    "_copysign": math.copysign,
    "math": math,
}

_AWKWARD = (
    0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e16, -1e16, 1e100, -1e100, 1e-300, -5e-324,
    709.0, 710.0, -710.0, 1e308, -1e308, math.inf, -math.inf, math.nan, 0.1, 7.0,
)  # fmt: skip
_CANCEL = (1.0, -1.0, 1e16, -1e16, 3.0, 1e-16)


def _bits(x: object) -> object:
    return struct.pack("<d", x) if type(x) is float else x


_probe_cache: dict[tuple[object, ...], list[Sequence[Any]]] = {}


def _probes(nargs: int, consts: Sequence[object], traced: Sequence[float]) -> list[Sequence[Any]]:
    """Argument lists to check an inline expression on: awkward numbers, and sums that cancel."""
    key = (nargs, *(_bits(c) for c in consts), *(_bits(t) for t in traced))
    found = _probe_cache.get(key)
    if found is None:
        found = _probe_cache[key] = _make_probes(nargs, consts, traced)
        if len(_probe_cache) > 256:
            _probe_cache.clear()
    return found


_mixed_cache: dict[int, list[tuple[float, ...]]] = {}


def _mixed(nargs: int) -> list[tuple[float, ...]]:
    """Rows of ``nargs`` awkward numbers, and of numbers whose sums cancel (the same for each n)."""
    found = _mixed_cache.get(nargs)
    if found is None:
        found = []
        rng = random.Random(nargs * 7919 + 17)  # a fixed sequence for each n
        for pool, count, table in ((_AWKWARD, 16, _TO_AWKWARD), (_CANCEL, 12, _TO_CANCEL)):
            if nargs > 1:  # (each random byte made an index into the pool, all in C)
                drawn = operator.itemgetter(*rng.randbytes(count * nargs).translate(table))(pool)
                found += zip(*[iter(drawn)] * nargs)
        found += [(x,) * nargs for x in _AWKWARD]  # every argument the same awkward number
        _mixed_cache[nargs] = found
    return found


_TO_AWKWARD = bytes(b % len(_AWKWARD) for b in range(256))
_TO_CANCEL = bytes(b % len(_CANCEL) for b in range(256))


def _make_probes(
    nargs: int, consts: Sequence[object], traced: Sequence[float]
) -> list[Sequence[Any]]:
    fixed = [(i, c) for i, c in enumerate(consts) if c is not None]
    if not fixed:  # (the rows are tuples: shared, never changed)
        return [tuple(traced), *_mixed(nargs)]
    out: list[Sequence[Any]] = []
    for row in [traced, *_mixed(nargs)]:
        args: list[Any] = list(row)
        for i, c in fixed:
            args[i] = c
        out.append(args)
    return out


def _outcomes(f: Callable[..., Any], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """``f(*row)`` for each row, None where it raises: two such lists are compared by ``repr``.

    ``repr`` of a float names its bits exactly (the sign of a zero included) but
    for which NaN: when two NaNs meet, the one an addition returns depends on the
    order the C compiler put the operands in, which Python code cannot choose. It
    tells ``1`` from ``1.0`` too, and a raise from any number.
    """
    try:
        return [f(*args) for args in rows]  # (most rules raise on no row: all in one go)
    except Exception:
        pass
    out: list[Any] = []
    for args in rows:
        try:
            out.append(f(*args))
        except Exception:
            out.append(None)
    return out


def _same_outcomes(a: list[Any], b: list[Any]) -> bool:
    """Whether two lists of :func:`_outcomes` are the same (their ``repr``, faster).

    ``marshal`` format 2 writes every float as its 8 bytes and every object with
    its exact type, and shares nothing (format 3 would write a reference where an
    object repeats): equal bytes mean equal ``repr``. Where the bytes differ (or an
    object has no such form) ``repr`` decides: it writes every NaN as ``nan``.
    """
    try:
        if marshal.dumps(a, 2) == marshal.dumps(b, 2):
            return True
    except ValueError:
        pass
    return repr(a) == repr(b)


def _lambda(params: Sequence[str], body: str, namespace: Mapping[str, object]) -> Any:
    return eval(f"lambda {', '.join(params)}: {body}", dict(namespace))


@dataclass
class _Rules:
    """How one (op, number of arguments, constants) signature is written: forward and partials."""

    forward: str | None  # a format string over {a0}.., or None: call F_<op>
    partials: list[str | None] | None  # per argument, a format string over {o}, {a0}..; None: call
    signless: str | None = None  # forward, exact but for the sign of a zero (see _signless)
    flat: bool = False  # a partial is exactly 0 at ordinary arguments (see _flat)


_rules_cache: dict[tuple[object, ...], _Rules] = {}


def _rules(op: Op, consts: Sequence[object], traced: Sequence[float]) -> _Rules:
    """Inline forms of ``op``'s forward rule and partials for this signature, where exact."""
    key = (op, len(consts), *(_bits(c) for c in consts))
    found = _rules_cache.get(key)
    if found is None:
        probes = _probes(len(consts), consts, traced)
        forward = _outcomes(op.forward, probes)  # what both checks compare against
        namespace = _namespace()
        rule = _forward_rule(op, consts, probes, forward, namespace)
        partials = _partials_rule(op, consts, probes, forward, namespace)
        signless = None
        if (
            op.name in _INLINE_SIGNLESS
            and partials
            and all(p is not None and "{o}" not in p for p, c in zip(partials, consts) if c is None)
        ):  # (a node whose partials read its own value is never taken as signless)
            slots = _slots(consts)
            if rule == _INLINE[op.name](slots):  # the checked form is the one it drops 0.0 + from
                signless = _INLINE_SIGNLESS[op.name](slots)
        found = _rules_cache[key] = _Rules(rule, partials, signless, _flat(op, consts))
    return found


def _flat(op: Op, consts: Sequence[object]) -> bool:
    """Whether ``op``'s own partials give exactly 0.0 for some argument at ordinary numbers:
    distinct, nonzero, of both signs (relu's slope below 0, maximum's for the smaller
    argument). A derivative 0 over a whole range makes the factors' test of _zeros_later
    hold on most calls; one that is 0 at a single point (a squared error where the output
    equals its target) does not. Asked of the op table, so no op is named here."""
    n = len(consts)
    rows = [
        [
            ((j + 1) * 0.37 + 0.11 * i) * (-1.0) ** (i + j) if c is None else c
            for j, c in enumerate(consts)
        ]
        for i in range(4)
    ]
    outs = _outcomes(op.forward, rows)
    slopes = _outcomes(op.partials, [[o, *row] for o, row in zip(outs, rows) if o is not None])
    return any(
        type(d) is float and d == 0.0
        for found in slopes
        if isinstance(found, tuple) and len(found) == n
        for d, c in zip(found, consts)
        if c is None
    )


def _slots(consts: Sequence[object]) -> list[str]:
    """A rule's arguments: ``{a0}``.. for a Value, a literal for a constant."""
    return [f"{{a{i}}}" if c is None else _POOL.literal(c) for i, c in enumerate(consts)]


def _namespace() -> dict[str, object]:
    ns: dict[str, object] = dict(_RUNTIME)
    ns.update(_POOL.values)
    ns.update({f"F_{name}": op.forward for name, op in OPS.items()})
    return ns


def _forward_rule(
    op: Op,
    consts: Sequence[object],
    probes: Sequence[Sequence[Any]],
    want: list[Any],
    namespace: Mapping[str, object],
) -> str | None:
    """An inline form of the forward rule that gives ``want`` (its outcomes) on ``probes``."""
    names = [f"_a{i}" for i in range(len(consts))]
    args = [n if c is None else _POOL.literal(c) for n, c in zip(names, consts)]
    for make in (_INLINE.get(op.name), _INLINE_OTHER.get(op.name)):
        if make is None:
            continue
        try:
            f = _lambda(names, make(args), namespace)
        except Exception:
            continue
        if _same_outcomes(_outcomes(f, probes), want):
            return make(_slots(consts))
    return None


def _partials_rule(
    op: Op,
    consts: Sequence[object],
    probes: Sequence[Sequence[Any]],
    forward: list[Any],
    namespace: Mapping[str, object],
) -> list[str | None] | None:
    """The partials as inline expressions, found on symbols and checked on ``probes``
    where the forward rule gives a value (``forward``: its outcomes there)."""
    syms = [_Sym(f"{{a{i}}}") if c is None else c for i, c in enumerate(consts)]
    try:
        exprs = _explore(op.partials, [_Sym("{o}"), *syms])
    except _NotSymbolic:
        return None
    if len(exprs) != len(consts):
        return None
    names = [f"_a{i}" for i in range(len(consts))]
    fill = {f"a{i}": name for i, name in enumerate(names)}
    plain = [e.format(o="_o", **fill) for e in exprs]
    try:
        f = _lambda(["_o", *names], f"({', '.join(plain)},)", namespace)
    except Exception:
        return None

    # (where the forward pass raises it stops there: no derivative is ever taken)
    rows = [[out, *args] for out, args in zip(forward, probes) if out is not None]
    # both give tuples (f by its source; every op's partials in the table do, and one that
    # gave a list would only have its inline form refused: a list is not a tuple here)
    if not _same_outcomes(_outcomes(f, rows), _outcomes(op.partials, rows)):
        return None
    return [e if c is None else None for e, c in zip(exprs, consts)]


# --------------------------------------------------------------------------------------
# the engine's own rules of the backward pass, found by running it on tiny graphs


@dataclass(frozen=True)
class _PassRules:
    """Two rules of the engine's backward pass that an engine may take either way."""

    skips_zero_derivative: bool  # g * d is not added when d == 0 (so inf * 0 adds nothing)
    keeps_negative_zero: bool  # a leaf holding -0.0 is set aside like any held gradient


def _pass_rules() -> _PassRules:
    """The rules of this engine's backward pass, found by running it on two tiny graphs."""
    a = Value(0.0)
    (a * 0.0 * math.inf).backward()
    skips = not math.isnan(a.grad)
    b = Value(1.0)
    b.grad = -0.0
    (b * 1.0).backward(-0.0)  # kept aside: -0.0 + (0.0 + -0.0) = 0.0; else -0.0 + -0.0
    return _PassRules(skips, math.copysign(1.0, b.grad) > 0.0)


# --------------------------------------------------------------------------------------
# tracing

_LEGIT = frozenset(
    os.path.normcase(os.path.abspath(m.__file__ or ""))
    for m in (engine, sys.modules[OPS["add"].partials.__module__], sys.modules[__name__])
) | frozenset(
    os.path.normcase(os.path.join(os.path.dirname(os.path.abspath(engine.__file__)), name))
    for name in ("anomaly.py", "ops.py")
)
_lock = threading.RLock()
_SLOT_DATA = Value.__dict__["data"]
_SLOT_GRAD = Value.__dict__["grad"]


def _place(depth: int) -> str:
    frame: Any = sys._getframe(depth + 1)
    while frame is not None and _legit(frame):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} (in {frame.f_code.co_name})"


_legit_cache: dict[str, bool] = {}


def _legit(frame: Any) -> bool:
    name = frame.f_code.co_filename
    found = _legit_cache.get(name)
    if found is None:
        found = _legit_cache[name] = os.path.normcase(os.path.abspath(name)) in _LEGIT
    return found


@dataclass
class _Trace:
    """What one run of the traced function did, in order."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    made: dict[int, Value] = field(default_factory=dict)  # every Value made while tracing
    inputs: dict[int, str] = field(default_factory=dict)  # input leaf -> its local name
    problems: list[str] = field(default_factory=list)
    steps: dict[int, Any] = field(default_factory=dict)
    depends: dict[int, bool] = field(default_factory=dict)
    rules: _PassRules = field(default_factory=lambda: _PassRules(False, False))

    def problem(self, what: str, depth: int = 1) -> None:
        if len(self.problems) < 5:
            self.problems.append(f"{what} at {_place(depth + 1)}")

    def dependent(self, v: Value) -> bool:
        """True if ``v``'s value may change from call to call (an input, a parameter, ...)."""
        key = id(v)
        known = self.depends.get(key)
        if known is not None:
            return known
        stack, order = [v], []
        while stack:
            node = stack.pop()
            if id(node) in self.depends:
                continue
            order.append(node)
            if node._op is not None:
                stack += [a for a in node.args if type(a) is Value]
        for node in reversed(order):
            if node._op is None:
                self.depends[id(node)] = id(node) not in self.made or id(node) in self.inputs
            else:
                self.depends[id(node)] = any(
                    self.depends.get(id(a), True) for a in node.args if type(a) is Value
                )
        return self.depends[key]


_active: _Trace | None = None


def _patches(trace: _Trace, optimizers: Sequence[CompilableOptimizer]) -> list[tuple[Any, str]]:
    """Install the recording versions of Value's hooks; return what to restore."""
    saved: list[tuple[Any, str, Any, bool]] = []

    def patch(obj: Any, name: str, new: Any) -> None:
        if isinstance(obj, type | types.ModuleType):
            saved.append((obj, name, vars(obj).get(name), name in vars(obj)))
        else:  # an optimiser
            saved.append((obj, name, *_own_attribute(obj, name)))
        setattr(obj, name, new)

    plain_new, plain_init, plain_backward = engine._new_value, Value.__init__, Value.backward
    tracing = threading.get_ident()  # other threads see Value as it always is
    ident = threading.get_ident

    def new_value(cls: type) -> Any:
        v: Any = plain_new(cls)
        if ident() != tracing:
            return v
        trace.made[id(v)] = v
        trace.events.append(("node", v))
        if not is_grad_enabled():
            trace.problem("an operation inside no_grad()")
        return v

    def init(self: Value, data: Any, label: str = "") -> None:
        plain_init(self, data, label)
        if ident() == tracing:
            trace.made[id(self)] = self

    def get_data(self: Value) -> float:
        f: Any = sys._getframe(1)
        if not _legit(f) and ident() == tracing and trace.dependent(self):
            trace.problem(f"reading .data of a Value that depends on the inputs ({self!r:.50})")
        return _SLOT_DATA.__get__(self)  # type: ignore[no-any-return]

    def set_data(self: Value, value: float) -> None:
        if (
            not _legit(sys._getframe(1))
            and ident() == tracing
            and (id(self) not in trace.made or trace.dependent(self))
        ):
            trace.problem("assigning .data inside the traced function (use an optimiser)")
        _SLOT_DATA.__set__(self, value)

    def get_grad(self: Value) -> float:
        if (
            not _legit(sys._getframe(1))
            and ident() == tracing
            and (id(self) not in trace.made or self._op is not None)
        ):
            trace.problem("reading .grad inside the traced function")
        return _SLOT_GRAD.__get__(self)  # type: ignore[no-any-return]

    def set_grad(self: Value, value: float) -> None:
        if not _legit(sys._getframe(1)) and ident() == tracing and id(self) not in trace.made:
            if type(value) is float and value == 0.0 and math.copysign(1.0, value) > 0:
                trace.events.append(("zero", self))
            else:
                trace.problem(f"assigning .grad = {value!r:.30} inside the traced function")
            return
        _SLOT_GRAD.__set__(self, value)

    def comparison(name: str, symbol: str) -> Callable[[Value, Any], bool]:
        plain = getattr(Value, name)

        def compare(self: Value, other: Any) -> bool:
            outcome: bool = plain(self, other)
            if ident() != tracing:
                return outcome
            dependent = trace.dependent(self) or (type(other) is Value and trace.dependent(other))
            if dependent:
                if type(other) is not Value and type(other) is not float:
                    trace.problem(f"comparing a Value with {type(other).__name__} {other!r:.30}")
                trace.events.append(("guard", self, symbol, other, outcome, _place(1)))
            return outcome

        return compare

    def to_float(self: Value) -> float:
        if ident() == tracing and trace.dependent(self):
            trace.problem(f"float() of a Value that depends on the inputs ({self!r:.50})")
        return _SLOT_DATA.__get__(self)  # type: ignore[no-any-return]

    def backward(self: Value, grad: Any = 1.0) -> None:
        if ident() != tracing:
            return plain_backward(self, grad)
        seed = engine._to_float(grad, "backward")
        trace.events.append(("backward", self, seed))

    patch(engine, "_new_value", new_value)
    patch(Value, "__init__", init)
    patch(Value, "data", property(get_data, set_data))
    patch(Value, "grad", property(get_grad, set_grad))
    for name, symbol in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")):
        patch(Value, name, comparison(name, symbol))
    patch(Value, "__float__", to_float)
    patch(Value, "backward", backward)
    for opt in optimizers:

        def step(opt: Any = opt) -> None:
            if id(opt) in trace.steps:
                trace.problem("a second step() of the same optimiser in one traced call")
            trace.steps[id(opt)] = opt
            trace.events.append(("step", opt))

        patch(opt, "step", step)
    return saved  # type: ignore[return-value]


def _own_attribute(obj: object, name: str) -> tuple[object, bool]:
    """``obj``'s own attribute ``name`` (one its instance dict holds), and whether it has one.

    Found without ``vars(obj)``: on CPython 3.11, an instance whose ``__dict__`` has
    been asked for keeps its attributes in a dict that ``obj.lr`` cannot read at its
    specialised speed (each read misses and is looked up again). The compiled step
    reads its optimiser's settings at every call; on Iris that cost 1-2% of a step.
    Without an own attribute, ``obj.name`` is the class's method bound to ``obj``.
    """
    try:
        found = object.__getattribute__(obj, name)
    except AttributeError:
        return None, False
    inherited = (
        type(found) is types.MethodType
        and found.__self__ is obj
        and found.__func__ is getattr(type(obj), name, None)
    )
    return (None, False) if inherited else (found, True)


def _unpatch(saved: list[Any]) -> None:
    for obj, name, old, had in reversed(saved):
        if had:
            setattr(obj, name, old)
        else:
            delattr(obj, name)


def _as_inputs(example: object, name: str, trace: _Trace) -> tuple[object, object]:
    """``example`` with every float replaced by an input leaf; and its shape for unpacking."""
    if type(example) is float:
        v = Value(example)
        trace.inputs[id(v)] = name
        return v, name
    if isinstance(example, list | tuple) and example:
        parts = [_as_inputs(x, f"{name}_{i}", trace) for i, x in enumerate(example)]
        values = [p[0] for p in parts]
        return (values if isinstance(example, list) else tuple(values)), [p[1] for p in parts]
    return example, None  # a static argument: compiled in as it is, checked at every call


@contextmanager
def _recording() -> Iterator[None]:
    """Record graphs inside this block, even if it is entered inside ``no_grad()``."""
    if is_grad_enabled():
        yield
        return
    enable = getattr(engine, "enable_grad", None)
    if enable is not None:
        with enable():
            yield
        return
    state: Any = engine
    name = "_recording"  # a process-wide switch
    if not hasattr(engine, name):
        state, name = getattr(engine, "_thread", None), "recording"  # a switch per thread
        if state is None or not hasattr(state, name):
            raise TraceError("compile: cannot trace inside no_grad()")
    previous = getattr(state, name)
    setattr(state, name, True)
    try:
        yield
    finally:
        setattr(state, name, previous)


def _trace(
    fn: Callable[..., Any], args: Sequence[object], optimizers: Sequence[CompilableOptimizer]
) -> tuple[_Trace, Any, list[object], list[object]]:
    global _active
    from .anomaly import is_anomaly_enabled

    if is_anomaly_enabled():
        raise TraceError("compile: cannot trace inside detect_anomaly()")
    trace = _Trace()
    with _lock, _recording():
        if _active is not None:
            raise TraceError("compile: a traced function cannot compile another one")
        trace.rules = _pass_rules()
        saved = _patches(trace, optimizers)
        _active = trace
        try:
            traced_args, shapes = [], []
            for i, a in enumerate(args):
                v, shape = _as_inputs(a, f"c{i}", trace)
                traced_args.append(v)
                shapes.append(shape)
            result = fn(*traced_args)
        finally:
            _active = None
            _unpatch(saved)
    if trace.problems:
        raise TraceError(
            "compile: the traced function depends on the data in a way a trace cannot follow: "
            + "; ".join(trace.problems)
        )
    return trace, result, traced_args, shapes


# --------------------------------------------------------------------------------------
# code generation


class _Names:
    """Local names in the executable source, or readable names for :meth:`CompiledStep.source`.

    In the executable source a node's value is ``a..`` and its gradient ``b..``, a
    table of partials ``t..``, a derivative kept aside ``_d..``, an input ``c..``, a
    parameter's value ``p..`` and its gradient ``q..``; :func:`_allocate` then gives
    the nodes' names back to registers once they are dead.
    """

    def __init__(self, readable: Mapping[Value, str] | None) -> None:
        self.readable = readable

    def data(self, v: Value, local: str) -> str:
        if self.readable is None:
            return local
        name = self.readable.get(v) or v.label
        return name or local

    def grad(self, v: Value, local: str) -> str:
        if self.readable is None:
            return local
        name = self.readable.get(v) or v.label
        return f"dL/d{name}" if name else local


_Edges = tuple[list[int], list[str | None], dict[str, str]]  # see _Gen.edges


@dataclass
class _Gen:
    trace: _Trace
    names: _Names
    rules: _PassRules
    optimizers: Sequence[CompilableOptimizer]
    lines: list[str] = field(default_factory=list)
    pre: list[str] = field(default_factory=list)
    commit: list[str] = field(default_factory=list)
    local: dict[int, str] = field(default_factory=dict)  # Value -> its data local
    leaves: dict[int, int] = field(default_factory=dict)  # pre-existing leaf -> index k
    leaf_list: list[Value] = field(default_factory=list)
    gstate: dict[int, str] = field(default_factory=dict)  # leaf k -> "unknown" | "zero" | "local"
    grad_dirty: set[int] = field(default_factory=set)
    data_dirty: set[int] = field(default_factory=set)
    counter: itertools.count[int] = field(default_factory=itertools.count)
    exact_nodes: bool = False  # True: node gradients start at 0.0 too (see add)
    hoisted: set[int] = field(default_factory=set)  # lines that read an optimiser's state
    updates: set[int] = field(default_factory=set)  # every line of the optimisers
    loops: bool = True  # False: the step cannot be repeated in a loop (see _loop)
    merge: bool = False  # True: a node gradient's running sum is one line (see add)
    made: dict[int, tuple[_Rules, dict[str, str]]] = field(default_factory=dict)  # see node
    firsts: dict[str, int] = field(default_factory=dict)  # a leaf's gradient -> its first line
    passes: int = 0  # backward passes
    sums: dict[str, list[str]] = field(default_factory=dict)  # node gradient -> its terms
    signless: set[int] = field(default_factory=set)  # nodes whose zero's sign is unread
    flat: bool = False  # an op whose derivative is 0 over a whole range (see _flat)
    finite_once: bool = False  # one finiteness test per pass (see finite_test), not per gradient
    tested: list[str] = field(default_factory=list)  # this pass's gradients to test (finite_once)

    def emit(self, line: str, indent: int = 3) -> None:
        self.lines.append("    " * indent + line)

    def leaf(self, v: Value) -> int:
        k = self.leaves.get(id(v))
        if k is None:
            k = self.leaves[id(v)] = len(self.leaf_list)
            self.leaf_list.append(v)
            self.local[id(v)] = self.names.data(v, f"p{k}")
            self.pre.append(f"{self.local[id(v)]} = {self.value(k)}.data")
            self.gstate[k] = "unknown"
        return k

    def value(self, k: int) -> str:
        """Leaf ``k``'s Value in the source: ``L3``, written ``'@L3'`` where it runs (_bound)."""
        return f"L{k}" if self.names.readable is not None else f"'@L{k}'"

    def expr(self, x: object) -> str:
        """The source of an argument: a Value's local, or a constant's literal."""
        if type(x) is Value:
            found = self.local.get(id(x))
            if found is not None:
                return found
            if id(x) in self.trace.made:
                if x._op is not None:
                    raise TraceError("compile: internal error: a node used before it was made")
                return _POOL.literal(x.data)  # a constant leaf made inside the traced call
            if x._op is not None:
                raise TraceError(
                    f"compile: the traced function uses {x!r:.60}, computed before tracing "
                    "from other Values; compute it inside the function or make it a leaf"
                )
            self.leaf(x)
            return self.local[id(x)]
        return _POOL.literal(x)

    def kept_test(self, k: int) -> str:
        """When the engine sets leaf ``k``'s gradient aside before a pass (see _prepare_pass).

        Where it sets aside any gradient but +0.0, a leaf reached by a pass (not
        the root) may be taken as set aside whatever it holds: the pass sums its
        contributions from +0.0 (S = 0.0 + c1 + c2 ..), and such a sum is never
        -0.0, so +0.0 set aside and added back gives 0.0 + S = S, the very
        number the engine's sum from the +0.0 it holds gives. No test is made.
        """
        if self.rules.keeps_negative_zero:  # any gradient but +0.0
            return f"k{k} or _copysign(1.0, k{k}) < 0.0"
        return f"k{k}"  # a true one: not 0.0, not -0.0

    def when_kept(self, k: int, line: str) -> None:
        """``line``, run where leaf ``k``'s gradient is set aside in a pass it is reached by
        (always where that is as good: see kept_test)."""
        if self.rules.keeps_negative_zero:
            self.emit(line)
        else:
            self.emit(f"if {self.kept_test(k)}:")
            self.emit(line, 4)

    def gname(self, v: Value) -> str:
        k = self.leaves.get(id(v))
        local = f"q{k}" if k is not None else f"b{self.local[id(v)][1:]}"
        return local if self.names.readable is None else self.names.grad(v, local)

    # --- forward -------------------------------------------------------------

    def node(self, v: Value) -> None:
        op: Op | None = v._op
        if op is None:
            return  # a leaf made inside the call (a constant): its literal is used
        args = v.args
        srcs = [self.expr(a) for a in args]
        consts = [None if type(a) is Value else a for a in args]
        traced = [a.data if type(a) is Value else a for a in args]
        rules = _rules(op, consts, traced)
        self.flat = self.flat or rules.flat
        name = self.names.data(v, f"a{next(self.counter)}")
        self.local[id(v)] = name
        fill = {f"a{i}": s for i, s in enumerate(srcs)}
        self.made[id(v)] = (rules, fill)  # (what edges needs again)
        if rules.signless is not None and id(v) in self.signless:
            body = rules.signless.format(**fill)
        elif rules.forward is not None:
            body = rules.forward.format(**fill)
        else:
            body = f"F_{op.name}({', '.join(srcs)})"
        self.emit(f"{name} = {body}")

    def guard(self, left: Value, symbol: str, right: object, outcome: bool, where: str) -> None:
        test = f"{self.expr(left)} {symbol} {self.expr(right)}"
        self.emit(f"if {'not ' if outcome else ''}({test}):  # guard from {where}")
        self.emit("raise _Guard", 4)

    # --- backward ------------------------------------------------------------

    def backward(self, root: Value, seed: float) -> None:
        self.passes += 1
        init: dict[int, bool] = {}  # accumulator initialised?
        kept: list[int] = []

        def start_leaf(v: Value) -> None:
            if id(v) in self.trace.made:
                return
            k = self.leaf(v)
            if k in kept or id(v) in init:
                return
            g = self.gname(v)
            state = self.gstate[k]
            if state == "zero":
                init[id(v)] = False
                return
            if state == "unknown":
                self.emit(f"{g} = {self.value(k)}.grad")
            self.emit(f"k{k} = {g}")
            self.when_kept(k, f"{g} = 0.0")
            init[id(v)] = True
            kept.append(k)

        if root._op is None:
            start_leaf(root)
            if id(root) not in self.trace.made:
                k = self.leaves[id(root)]
                g = self.gname(root)
                self.emit(f"{g} = {_POOL.literal(seed)}")
                if k in kept:
                    self.emit(f"if {self.kept_test(k)}:")
                    self.emit(f"{g} = k{k} + {g}", 4)
                self.gstate[k] = "local"
                self.grad_dirty.add(k)
            return
        order = graph_order(root)
        for node in order:  # the leaves the pass reaches, as _prepare_pass finds them
            if id(node) not in self.made:
                raise TraceError(
                    f"compile: the traced function calls backward() through {node!r:.60}, "
                    "computed before tracing; compute it inside the function"
                )
            for a in node.args:
                if type(a) is Value and a._op is None:
                    start_leaf(a)
        # (with -0.0 kept aside too, every leaf's sum starts at +0.0: see add())
        self.exact_nodes = not self.rules.keeps_negative_zero and (bool(kept) or any(init.values()))
        if seed != 1.0:  # (a seed of 1.0 is multiplied in as nothing: see add())
            self.emit(f"{self.gname(root)} = {_POOL.literal(seed)}")
        init[id(root)] = True
        edges = {id(node): self.edges(node) for node in order}
        checked = self.checked(order, edges, root if seed == 1.0 else None)
        for node in order:
            g = self.gname(node) if node is not root or seed != 1.0 else "1.0"
            if not init.get(id(node), False):
                self.emit(f"{g} = 0.0")
                init[id(node)] = True
            self.total(g)  # (its last contribution came from a node before it in the order)
            self.contributions(node, g, init, edges[id(node)], checked.get(id(node)))
        for name in list(self.sums):
            self.total(name)
        self.finite_test()
        for v in self.leaf_list:
            k = self.leaves[id(v)]
            if id(v) not in init:
                continue
            if k in kept:
                g = self.gname(v)
                self.when_kept(k, f"{g} = k{k} + {g}")
            elif not init[id(v)]:
                continue  # still exactly 0.0: no contribution reached it
            self.gstate[k] = "local"
            self.grad_dirty.add(k)

    def edges(self, node: Value) -> _Edges:
        """Where ``node``'s gradient goes: the arguments, and each one's local derivative.

        A derivative is inline source, or None where it is taken from a call of
        the op's partials; ``fill`` is what the rules' ``{o}``, ``{a0}``.. stand for.
        """
        args = node.args
        targets = [
            i
            for i, a in enumerate(args)
            if type(a) is Value
            and (id(a) not in self.trace.made or a._op is not None)
            and id(a) not in self.trace.inputs
        ]
        if not targets:
            return [], [], {}
        rules, fill = self.made[id(node)]  # (as node() made it: the same rules and arguments)
        fill = {"o": self.local[id(node)], **fill}
        partials = rules.partials
        inline = [
            None if partials is None or partials[i] is None else partials[i].format(**fill)  # type: ignore[union-attr]
            for i in targets
        ]
        return targets, inline, fill

    def checked(
        self, order: Sequence[Value], edges: Mapping[int, _Edges], seeded: Value | None
    ) -> dict[int, bool]:
        """Which gradients of a pass must be finite, and which of them are tested where.

        With the rule "a zero derivative adds nothing", g * d with d == 0 must
        not be added. When g is finite, g * 0 is a zero, and adding a zero
        changes no sum that starts at +0.0 (a leaf's) and no value that matters
        in a node's (see add): so where g is known to be finite its products go
        in without a test of each d, and an infinite or NaN g has to send the
        step to the eager engine. That needs no test of every such g: a sum or
        a product with an infinite or NaN term is infinite or NaN, so such a g
        makes every gradient it flows into untested infinite or NaN as well. A
        g is tested (True) only where it flows into no other gradient of this
        kind; the others (False) reach one that is tested, further down the
        pass (a node's gradient is complete before its own products go out).
        The keys are the nodes whose products go in untested; ``seeded`` is the
        root when its gradient is the literal 1.0, finite and never tested.
        """
        if not self.rules.skips_zero_derivative or self.exact_nodes:
            return {}
        found = {
            id(node): True
            for node in order
            if node is not seeded
            and any(d is None or not _is_literal(d) for d in edges[id(node)][1])
        }
        for node in order:
            targets, inline, _ = edges[id(node)]
            if id(node) in found and any(
                id(node.args[i]) in found and d not in ("0.0", "(-0.0)")
                for i, d in zip(targets, inline)
            ):
                found[id(node)] = False
        return found

    def contributions(
        self, node: Value, g: str, init: dict[int, bool], edges: _Edges, check: bool | None
    ) -> None:
        """``node``'s gradient ``g`` times each local derivative, added into its arguments'.

        ``check``: None, each product is added only where its derivative is not
        zero (see checked); else they are added untested, after a test that g is
        finite (True) or with such a test further down (False).
        """
        op: Op = node._op  # type: ignore[assignment]
        targets, inline, fill = edges
        if not targets:
            return
        table: str | None = None
        local: list[str] = []
        args = node.args
        for i, rule in zip(targets, inline):
            if rule is None:
                if table is None:
                    table = f"t{next(self.counter)}"
                    srcs = ", ".join(fill[f"a{j}"] for j in range(len(args)))
                    self.emit(f"{table} = P_{op.name}({fill['o']}, {srcs})")
                local.append(f"{table}[{i}]")
            else:
                local.append(rule)
        if check and self.finite_once:
            self.tested.append(g)
        elif check:  # (a float comparison followed by a jump: CPython 3.11 specialises it,
            # and it is about 8 ns faster than taking a float's truth)
            self.emit(f"if {g} - {g} != 0.0:  # not finite")
            self.emit("raise _Guard", 4)
        finite = check is not None or (
            g == "1.0" and bool(self.rules.skips_zero_derivative) and not self.exact_nodes
        )
        for i, d in zip(targets, local):
            self.add(args[i], g, d, init, finite)  # type: ignore[arg-type]  # a Value: see targets

    def finite_test(self) -> None:
        """The one-call step's tests that this pass's gradients are finite (see checked),
        made one at the end of the pass: ``if (_e := g1 + g2 + ...) - _e != 0.0``.

        A sum with an infinite or NaN term is infinite or NaN, so no such gradient gets
        past it; a sum of finite terms is infinite only past about 1e308, and then the
        step runs eagerly, as an infinite gradient would send it (slower, the same
        numbers). The test may wait until the pass ends: a pass assigns each node's
        gradient once (see total), the body only assigns locals (the stores come after
        it, see _sink), and any exception on the way sends the step to the eager engine
        too. It may not wait longer: a later pass assigns the same names again. Five
        tests become one for Iris (0-2% of a call in three A/B runs). ``run()`` and the
        readable source test each gradient where its products go out.
        """
        tested, self.tested = self.tested, []
        for i in range(0, len(tested), _LONGEST_SUM):
            part = tested[i : i + _LONGEST_SUM]
            test = (
                f"{part[0]} - {part[0]}" if len(part) == 1 else f"(_e := {' + '.join(part)}) - _e"
            )
            self.emit(f"if {test} != 0.0:  # not finite")
            self.emit("raise _Guard", 4)

    def add(
        self, target: Value, g: str, d: str, init: dict[int, bool], finite: bool = False
    ) -> None:
        acc = self.gname(target)
        if (d == "0.0" or d == "(-0.0)") and self.rules.skips_zero_derivative:
            return
        conditional = self.rules.skips_zero_derivative and not _is_literal(d) and not finite
        if conditional and not _is_name(d):
            tmp = f"_d{next(self.counter)}"
            self.emit(f"{tmp} = {d}")
            d = tmp
        term = g if d == "1.0" else d if g == "1.0" else f"{g} * {d}"
        ready = init.get(id(target), False)
        # The engine adds into a gradient that starts at 0.0, and 0.0 + c differs from c only
        # for c = -0.0; ``c or 0.0`` is ``0.0 + c`` without a float addition (see _chain). A
        # leaf's gradient is seen, so a leaf's sum starts at 0.0 here too. A node's gradient
        # only multiplies local derivatives, and every product ends in some leaf's sum
        # 0.0 + c1 + c2 + ..., whose value never depends on the sign of a zero term; so a
        # node's first contribution is taken as it is (unless a leaf's sum starts from a
        # gradient it already holds, which may be -0.0: then nodes start at 0.0 as well).
        first = f"{term} or 0.0" if target._op is None or self.exact_nodes else term
        if self.merge and target._op is not None and not (ready and conditional):
            if not ready:
                self.sums[acc] = [f"({first}) if {d} else 0.0" if conditional else first]
            else:
                self.sums.setdefault(acc, [acc]).append(term)
            init[id(target)] = True
            return
        self.total(acc)
        if ready and conditional:
            self.emit(f"if {d}:")
            self.emit(f"{acc} = {acc} + {term}", 4)
        elif ready:
            self.emit(f"{acc} = {acc} + {term}")
        elif conditional:
            self.emit(f"{acc} = ({first}) if {d} else 0.0")
        else:
            self.firsts.setdefault(acc, len(self.lines))  # (see _sink)
            self.emit(f"{acc} = {first}")
        if ready:
            self.firsts.pop(acc, None)  # (no longer its only line: see _sink)
        init[id(target)] = True

    def total(self, acc: str) -> None:
        """Write node gradient ``acc``'s running sum (see add) as one line: BP2's sum
        ``b1 = b14 * p37 + b12 * p31 + b10 * p25``, the same additions in the same order
        (left to right) as one line per term. It is written when the sum is complete or
        about to be read; meanwhile nothing its terms read is assigned (a pass assigns
        each node's gradient, and only its own). A line adds at most _LONGEST_SUM terms:
        CPython compiles a long sum recursively."""
        terms = self.sums.pop(acc, None)
        if terms is None:
            return
        if len(terms) == 1:
            self.emit(f"{acc} = {terms[0]}")
            return
        terms = [t if _tight(t) else f"({t})" for t in terms]
        for i in range(0, len(terms), _LONGEST_SUM - 1):
            part = terms[i : i + _LONGEST_SUM - 1]
            self.emit(f"{acc} = {' + '.join(part if i == 0 else [acc, *part])}")

    # --- optimiser -------------------------------------------------------------

    def step(self, opt: CompilableOptimizer) -> None:
        j = next(i for i, o in enumerate(self.optimizers) if o is opt)
        data, grad = [], []
        for p in opt.params:
            if id(p) in self.trace.made:
                raise TraceError("compile: an optimiser updates a Value made inside the call")
            k = self.leaf(p)
            data.append(self.local[id(p)])
            state = self.gstate[k]
            if state == "zero":
                grad.append("0.0")
            else:
                if state == "unknown":
                    self.emit(f"{self.gname(p)} = {self.value(k)}.grad")
                    self.gstate[k] = "local"
                grad.append(self.gname(p))
            self.data_dirty.add(k)
        lines = opt.compiled_update(data, grad, f"O{j}", f"_o{j}")
        load, compute, commit = lines if len(lines) == 3 else ([], *lines)
        if len(lines) != 3:
            self.loops = False  # its state is read inside the step: no loop of steps
        for line in load:
            self.hoisted.add(len(self.lines))
            self.updates.add(len(self.lines))
            self.emit(line)
        for line in compute:
            self.updates.add(len(self.lines))
            self.emit(line)
        self.commit += commit

    def zero(self, v: Value) -> None:
        if id(v) in self.trace.made:
            return
        k = self.leaf(v)
        self.gstate[k] = "zero"
        self.grad_dirty.add(k)


# split() keeps the names (found without a \b in front, which is slower to scan for)
_TEMPORARY = re.compile(r"([abt_](?<!\w[abt_])(?:(?<=_)d|(?<!_))[0-9]++)(?!\w)")
_ASSIGNED = re.compile(
    r"^ *\(?([A-Za-z_][A-Za-z_0-9]*(?:, *[A-Za-z_][A-Za-z_0-9]*)*),?\)? =(?!=)", re.M
)


def _allocate(lines: list[str], top: int) -> tuple[list[str], list[str]]:
    """Fewer locals for the generated function: dead node names become registers.

    CPython numbers a function's locals in the order its code first names them, and
    every use of a local numbered above 255 costs an extra instruction (``EXTENDED_ARG``;
    float statements on such locals measured 20-25% slower on 3.11): a 2-16-16-1 step
    has over 800 locals. A small step gains too: with fewer floats alive at once an
    Iris 4-5-3 step measured about 3% faster per call (for about 0.15 ms more to compile).
    So, on the function's straight-line body (``lines``, in the order they run, with
    their indentation; ``top`` is the body's own): each node's value, gradient, table
    and kept derivative (``a..``, ``b..``, ``t..``, ``_d..``) whose first line assigns
    it at the body's own indentation (not inside an ``if``) is renamed to a register
    ``r..``, and a register is reused from the line after the last use of the name it
    held. (The body has no loops and no jumps back, so such a name is live exactly
    from its first line to its last.) The second result lists the registers, which
    :func:`_hot` numbers first.
    """
    parts = _TEMPORARY.split("\n".join(lines))  # text, name, text, name, ..., text
    names = parts[1::2]
    at = list(itertools.accumulate(t.count("\n") for t in parts[0:-1:2]))  # line of each
    last = dict(zip(names, at))
    first = dict(zip(reversed(names), reversed(at)))
    indent = " " * top
    starts = {
        i: name
        for name, i in first.items()
        if lines[i].startswith(indent) and lines[i].startswith(name + " = ", top)
    }
    ends: dict[int, list[str]] = {}
    for name in starts.values():
        ends.setdefault(last[name], []).append(name)
    free: list[str] = []
    register: dict[str, str] = {}
    count = itertools.count()
    for i in sorted(starts.keys() | ends.keys()):
        name = starts.get(i)
        if name is not None:
            register[name] = free.pop() if free else f"r{next(count)}"
        for gone in ends.get(i, ()):
            free.append(register[gone])
    parts[1::2] = [register.get(n, n) for n in names]
    text = "".join(parts)
    return text.split("\n"), [f"r{i}" for i in range(next(count))]


_MANY_LOCALS = 200  # (the tests set it to -1: every step compiled as a wide one)


def _many_locals(gen: _Gen) -> bool:
    """Whether the generated function may have over 256 locals (a generous estimate)."""
    return 2 * len(gen.leaf_list) + len(gen.lines) // 4 > _MANY_LOCALS


def _hot(registers: Sequence[str], lines: Sequence[str]) -> list[str]:
    """The locals to number first: the registers, ``_e``, then what ``lines`` assign.

    ``lines`` are the inputs' unpacking and the optimisers' lines: the inputs are
    used by every neuron of the first layer, and the optimisers' settings and
    temporaries by every parameter's update. The parameters' own values and
    gradients (``p..``, ``q..``), used a few times each, are numbered after these.
    """
    assigned = _assigned(lines)
    rest = (n for n in assigned if not _STORED_NAME.fullmatch(n))
    return list(dict.fromkeys([*registers, "_e", *rest]))


def _assigned(lines: Sequence[str]) -> dict[str, None]:
    """The plain names generated ``lines`` assign (``x = ..``, ``x, y = ..``, ``(x := ..)``),
    in order: the generated code assigns names no other way."""
    text = "\n".join(lines)
    names = dict.fromkeys(n.strip() for t in _ASSIGNED.findall(text) for n in t.split(","))
    names.update(dict.fromkeys(re.findall(r"\(([A-Za-z_][A-Za-z_0-9]*) :=", text)))
    names.pop("", None)
    return names


def _declare(names: Sequence[str], consts: Sequence[str] = ()) -> list[str]:
    """Lines that never run and number a function's locals in the order of ``names``
    (and its constants in the order of ``consts``, before the Values: see _bound)."""
    return [
        "        if _Guard is None:",
        *(f"            _ = {c}" for c in consts),
        "            " + " = ".join(names) + " = None",
    ]


# (no lookbehind in front: a scan that tries one at every character is 3x slower)
_FLOAT_LITERAL = re.compile(r"[0-9](?<![\w.][0-9])[0-9]*+\.[0-9]++(?:e[+-]?[0-9]++)?+(?![\w.])")


def _readable_input(name: str) -> str:
    """``c1_0`` (argument 1, item 0) as ``arg1[0]``."""
    head, *rest = name.split("_")
    return f"arg{head[1:]}" + "".join(f"[{i}]" for i in rest)


def _is_name(s: str) -> bool:
    return s.isidentifier()


def _is_literal(s: str) -> bool:
    t = s.strip("()")
    if t[:1].isalpha() or t[:1] == "_":  # (a name: no float() and its exception)
        return (t[0] == "K" and t[1:].isdigit()) or t.lower() in ("inf", "infinity", "nan")
    try:
        float(t)
    except ValueError:
        return t.startswith("K") and t[1:].isdigit()
    return True


def _unpack(shape: object) -> str:
    if isinstance(shape, str):
        return shape
    if shape is None:
        return "_"
    assert isinstance(shape, list)
    inner = ", ".join(_unpack(s) for s in shape)
    return f"({inner},)"


def _checks(shape: object, src: str, out: list[str], statics: list[str], floats: list[str]) -> None:
    """Lines that check a static argument; the float leaves' names, to check their type."""
    if shape is None:
        name = f"S{len(statics)}"
        statics.append(src)
        out.append(f"if type({src}) is not type({name}) or {src} != {name}:")
        out.append("    return _mismatch({params})")
        return
    if isinstance(shape, str):
        floats.append(shape)
        return
    assert isinstance(shape, list)
    for i, s in enumerate(shape):
        _checks(s, f"{src}[{i}]", out, statics, floats)


@dataclass
class _Generated:
    source: str
    function: Callable[..., Any]
    nodes: int


def _generate(
    trace: _Trace,
    result: object,
    args: Sequence[object],
    shapes: Sequence[object],
    optimizers: Sequence[CompilableOptimizer],
    readable: Mapping[Value, str] | None,
    fallback: Callable[..., Any],
    mismatch: Callable[..., Any],
    with_backward: bool,
    slow: Callable[..., Any] | None = None,
) -> _Generated:
    """The compiled function's source and the function; with ``slow``, its loop (``run``).

    ``slow(rows)`` is what the loop does when it cannot run (``[step(*row) for row
    in rows]``); the loop is made only if ``slow`` is given and the step allows it.
    """
    gen = _Gen(trace, _Names(readable), trace.rules, optimizers, merge=readable is None)
    gen.finite_once = readable is None and slow is None  # the one-call step (see finite_test)
    gen.signless = _signless(trace, result)
    for key, name in trace.inputs.items():
        gen.local[key] = name if readable is None else _readable_input(name)
    nodes = 0
    for event in trace.events:
        kind = event[0]
        if kind == "node":
            gen.node(event[1])
            nodes += 1
        elif kind == "zero":
            gen.zero(event[1])
        elif kind == "backward":
            gen.backward(event[1], event[2])
        elif kind == "step":
            gen.step(event[1])
        elif kind == "guard":
            gen.guard(*event[1:])
    for k, v in enumerate(gen.leaf_list):
        if k in gen.data_dirty:
            gen.commit.append(f"{gen.value(k)}.data = {gen.local[id(v)]}")
        if k in gen.grad_dirty:
            g = "0.0" if gen.gstate[k] == "zero" else gen.gname(v)
            gen.commit.append(f"{gen.value(k)}.grad = {g}")
    ret = _output(result, gen)
    params = [f"c{i}" for i in range(len(args))]
    statics: list[str] = []
    checks: list[str] = []
    unpack: list[str] = []
    floats: list[str] = []
    for i, shape in enumerate(shapes):
        _checks(shape, f"c{i}", checks, statics, floats)
        if isinstance(shape, list):
            unpack.append(f"{_unpack(shape)} = c{i}")
    checks = [line.replace("{params}", ", ".join(params)) for line in checks]
    if floats:
        checks_after = [
            # (``is not`` tests joined by ``or``: a quarter of the time of a set of the
            # types, and 1-2% of an Iris step less than one chain ``a is b is c``)
            f"if {' or '.join(f'type({x}) is not _FLOATS' for x in floats)}:",
            f"    return _mismatch({', '.join(params)})",
        ]
    else:
        checks_after = []
    pre = ["            " + line for line in gen.pre]
    body = gen.lines
    commit = ["        " + line for line in gen.commit]
    declare: list[str] = []
    hot: list[str] = []
    zeros: list[str] = []  # the leaves whose zero gradients _unsign_zeros may set (_zeros_later)
    executable = readable is None
    many = executable and _many_locals(gen)
    raw = (list(body), ret)  # before registers: what run()'s loop fuses (see _fuse_gradients)
    update_lines = [line for i, line in enumerate(body) if i in gen.updates] if many else []
    if executable and slow is None:  # the one-call step (see _sink)
        sunk = _sink(gen, body, gen.commit, ret)
        if sunk is not None:
            body, stores, inlined = sunk
            if inlined:  # each such parameter's value read from its Value where it is used
                pre = [line for line in pre if _plain(line)[0] not in inlined]
                joined = _STORED_NAME.sub(lambda m: inlined.get(m[0], m[0]), "\n".join(body))
                body = joined.split("\n")
            later = _zeros_later(gen, stores, floats)
            if later is not None:
                test, stores, every, by_input = later
                body += test
                n = len(gen.leaf_list)
                for name, ks in (("_Z", every), ("_Zc", by_input)):
                    if ks:
                        listed = (
                            "L" if ks == list(range(n)) else f"({''.join(f'L[{k}], ' for k in ks)})"
                        )
                        zeros.append(f"    {name} = {listed}")
            commit = ["        " + line for line in stores]
    if executable:  # registers in every step, small or wide (see _allocate)
        n = len(body)
        renamed, registers = _allocate([*body, "            " + ret, *commit], 12)
        body[:] = renamed[:n]
        ret = renamed[n][12:]
        commit = renamed[n + 1 :]
    if many:  # numbered so that the most used locals and constants need no EXTENDED_ARG
        hot = _hot(registers, [*unpack, *update_lines])
        written = "\n".join([*body, *commit])
        if "(_e :=" not in written:  # (a store's line never has one: see _safe_form)
            hot.remove("_e")
        literals = collections.Counter(_FLOAT_LITERAL.findall(written))
        declare = _declare(hot, [f for f, n in literals.most_common() if n > 1])
    head = [
        "def _make(L, O, S, _fallback, _mismatch, _Guard, _FLOATS, _A, _T, _NG):",
        *(
            ["    " + ", ".join(f"O{j}" for j in range(len(optimizers))) + ", = O"]
            if optimizers
            else []
        ),
        *(f"    S{i} = S[{i}]" for i in range(len(statics))),
        *zeros,
        f"    def compiled({', '.join(params)}):",
        *declare,
        *("        " + line for line in checks),
        "        try:",
        *("            " + line for line in unpack or ["pass"]),
        "        except (TypeError, ValueError):",
        f"            return _mismatch({', '.join(params)})",
        *("        " + line for line in checks_after),
        "        if _A._depth or _NG and not _T.recording:"
        if with_backward
        else "        if _A._depth:",
        f"            return _fallback({', '.join(params)})",
        "        try:",
        *pre,
    ]
    tail = [
        "        except Exception:",
        f"            return _fallback({', '.join(params)})",
        *commit,
        f"        return {ret}",
        "    return compiled",
    ]
    # every argument a flat list of floats: the loop checks all their types in one go
    flat = all(isinstance(sh, list) and sh and all(isinstance(x, str) for x in sh) for sh in shapes)
    loop = (
        _loop(
            params,
            checks,
            unpack,
            checks_after,
            pre,
            body,
            gen,
            commit,
            ret,
            hot,
            with_backward,
            flat,
            raw,
        )
        if slow is not None and readable is None
        else []
    )
    body = body or ["            pass"]
    if loop:  # run() alone: the one-call step is compiled already
        start = head.index(f"    def compiled({', '.join(params)}):")
        source = "\n".join([*head[:start], *loop, "    return run"]) + "\n"
    else:
        source = "\n".join([*head, *body, *tail]) + "\n"
    if readable is not None:
        stores = [line for line in gen.commit if not line.startswith("L")]
        text = [
            "# (each parameter's value read from its Value)",
            *(line[12:] for line in gen.lines),
            "# (each parameter's new value and gradient stored in its Value)",
            *stores,
        ]
        return _Generated("\n".join(text) + "\n", fallback, nodes)
    namespace: dict[str, object] = _namespace()
    namespace.update({f"P_{name}": op.partials for name, op in OPS.items()})
    namespace.update(_flatten=itertools.chain.from_iterable, _FLOATSET=frozenset({float}))
    exec(_bound(source, gen.leaf_list), namespace)
    from . import anomaly

    static_values = [_static_value(args, src) for src in statics]
    make: Any = namespace["_make"]
    namespace["_slow"] = slow
    function = make(
        tuple(gen.leaf_list),
        tuple(optimizers),
        tuple(static_values),
        fallback,
        mismatch,
        _GuardFailed,
        float,
        anomaly,
        engine._thread,  # what is_grad_enabled() reads, read directly: no call per step
        engine._no_grad_blocks,  # empty while no thread is in a no_grad block
    )
    if slow is not None and not loop:
        function = slow
    return _Generated(source, function, nodes)


def _loop(
    params: Sequence[str],
    checks: Sequence[str],
    unpack: Sequence[str],
    checks_after: Sequence[str],
    pre: Sequence[str],
    body: Sequence[str],
    gen: _Gen,
    commit: Sequence[str],
    ret: str,
    hot: Sequence[str],
    with_backward: bool,
    flat: bool,
    raw: tuple[list[str], str],
) -> list[str]:
    """Source of ``run(rows)``: the step once per row, parameters read once and stored once.

    Between two steps the parameters' values and gradients and the optimisers'
    state stay in the local variables the step computed them in, which is
    exactly what storing them and reading them back would give. A gradient
    the step reads from its Value before it changes it (one it adds to) is
    read once before the loop in the same way. So the loop can only be made
    when the step reads nothing else from a Value and every optimiser's reads
    are separate lines (``load``), which move before the loop. Nothing is stored
    until every row has run; if any row cannot run compiled (a guard, another
    shape, an exception), nothing is stored and every row runs through the
    compiled step one call at a time (``_slow``), which leaves the same
    numbers, or raises the same error at the same row, as the eager steps.
    Where gradients are fused into the updates (see _fuse_gradients) every
    row but the last runs the fused lines, and the last row the step's own,
    which keep the gradients to store. (A last row run as one call of the
    compiled step, after storing the rest, would compile one copy fewer, but
    an error or a Ctrl-C in that call would leave the Values holding the
    gradients from before ``run``, which no sequence of steps leaves.)
    """
    # a gradient read from its Value (one the step adds to, say) is read before the loop, and
    # the row after carries it on in its local, as it does a parameter's value
    reads = {i for i, line in enumerate(body) if _GRAD_READ.fullmatch(line)}
    moved = gen.hoisted | reads
    steps = [line for i, line in enumerate(body) if i not in moved]
    if not params or not gen.loops or any("'@L" in x for x in steps):  # (reads a Value)
        return []
    carried = {_GRAD_READ.fullmatch(body[i])[1] for i in reads}  # type: ignore[index]
    guard = f"return _mismatch({', '.join(params)})"
    within = [
        *(line.replace(guard, "raise _Guard") for line in checks),
        *unpack,
        *([] if flat else (line.replace(guard, "raise _Guard") for line in checks_after)),
    ]
    # (flat: every row's arguments are lists of floats, checked before the loop, in C)
    before = ["if not _FLOATSET.issuperset(map(type, _flatten(_flatten(rows)))):"] if flat else []
    grad_mode = "_A._depth or _NG and not _T.recording" if with_backward else "_A._depth"
    updates = {i - sum(1 for h in moved if h < i) for i in gen.updates - moved}
    raw_steps = [line for i, line in enumerate(raw[0]) if i not in moved]
    fused = _fuse_gradients(raw_steps, updates, raw[1], carried)
    fused_ret = raw[1]
    if fused is not None:  # registers again, for the fused lines' own lifetimes
        renamed, registers = _allocate([*fused, "            " + fused_ret], 12)
        fused, fused_ret = renamed[:-1], renamed[-1][12:]
        if hot:  # (a wide step's locals are numbered: see _hot)
            hot = list(dict.fromkeys([*registers, *hot]))

    def rows_loop(rows: str, lines: Sequence[str], result: str) -> list[str]:
        return [
            f"            for _row in {rows}:",
            f"                {', '.join(params)}, = _row",
            *("                " + line for line in within),
            *("    " + line for line in lines),
            f"                _keep({result})",
        ]

    loops = rows_loop("rows", steps, ret)
    if fused is not None:  # every row but the last without keeping the gradients it fuses
        loops = [*rows_loop("rows[:-1]", fused, fused_ret), *rows_loop("rows[-1:]", steps, ret)]
    return [
        "    def run(rows):",
        *(_declare(hot) if hot else []),
        "        if not rows:",
        "            return []",
        f"        if {grad_mode}:",
        "            return _slow(rows)",
        "        try:",
        *("            " + line for line in before),
        *(["                raise _Guard"] if before else []),
        *pre,
        *(line for i, line in enumerate(body) if i in moved),
        "            _out = []",
        "            _keep = _out.append",
        *loops,
        "        except Exception:",
        "            return _slow(rows)",
        *commit,
        "        return _out",
    ]


def _fuse_gradients(
    steps: Sequence[str], updates: set[int], ret: str, carried: set[str]
) -> list[str] | None:
    """``steps`` with each parameter's gradient computed inside its update, or None.

    A parameter's gradient ``q..`` is stored and then read once by the optimiser's
    update; only the last row's gradients are stored in the Values. So every row
    but the last can compute ``q.. = EXPR`` right where the update reads it: the
    definition line goes, and ``(EXPR)`` takes the place of the name. This is done
    only where it changes no number: the definition is a plain line of the body,
    the update is the name's only other use and names it once, nothing
    ``EXPR`` reads is assigned in between (registers are reused, parameters are
    updated), and the gradient is not ``carried`` into the next row (read from
    its Value before the loop: see _loop).
    """
    tokens = [_NAME.findall(line) for line in steps]
    uses: dict[str, list[int]] = {}
    assigned_at: dict[str, list[int]] = {}  # each name: the lines that assign it, in order
    for i, (line, names) in enumerate(zip(steps, tokens)):
        for name in dict.fromkeys(names):
            if _GRADIENT.fullmatch(name):
                uses.setdefault(name, []).append(i)
        for name in _targets(line):
            assigned_at.setdefault(name, []).append(i)
    keep = set(_NAME.findall(ret)) | carried  # (read by the row's result, or by the next row)
    out = list(steps)
    gone: set[int] = set()
    for name, at in uses.items():
        if len(at) != 2 or at[1] not in updates or at[0] in updates or name in keep:
            continue
        first, update = at
        assigned, expr = _plain(steps[first])
        if assigned != name or tokens[update].count(name) != 1:
            continue
        if "#" in expr or ":=" in expr:
            continue
        if any(_between(assigned_at.get(n, []), first, update) for n in _NAME.findall(expr)):
            continue  # something EXPR reads is assigned in between
        out[update] = _replace_once(out[update], name, f"({expr})")
        gone.add(first)
    if not gone:
        return None
    return [line for i, line in enumerate(out) if i not in gone]


# a parameter's value or gradient (as fast to find as a name can be: no \\b in front)
_STORED_NAME = re.compile(r"[pq](?<!\w[pq])[0-9]++(?!\w)")
_STORE = re.compile(r"(?P<value>'@L(?P<k>[0-9]+)')\.(?P<attr>data|grad) = (?P<name>\S+)")
_ARITHMETIC = re.compile(r"(?:[A-Za-z_]\w*+|[0-9]++(?:\.[0-9]*+)?+(?:e[+-]?[0-9]++)?+|[ ()*+-])++")
_KEYWORDS = frozenset(keyword.kwlist) - {"or"}
_LOOSE = re.compile(r"[|^&<>=!:,;]|\b(?:if|else|or|and|not|lambda|in|is|await|yield)\b")


def _plain(line: str) -> tuple[str, str]:
    """A line of the body ``x = EXPR`` as ``("x", "EXPR")`` (``("", "")`` for any other)."""
    name, equals, expr = line[12:].partition(" = ")
    if line.startswith(" " * 12) and equals and expr and name.isidentifier() and name.isascii():
        return name, expr
    return "", ""


def _targets(line: str) -> Iterable[str]:
    """The names a generated line assigns (see _assigned; a plain ``x = ..`` line quickly)."""
    name = _plain(line)[0]
    return (name,) if name and ":=" not in line else _assigned([line])


@functools.lru_cache(maxsize=256)
def _safe_form(expr: str) -> bool:
    """Whether ``expr`` cannot raise on floats: ``+ - *`` and ``or`` of names and numbers (no
    division, power, call, subscript, attribute or comparison). Digits decide nothing here,
    so it is asked of each form with its digits made 0 (``p3 - _o0lr * q3`` and
    ``p17 - _o0lr * q17`` are one form: see _DIGITS_TO_0), and the answer kept."""
    return _ARITHMETIC.fullmatch(expr.replace(" or ", " + ")) is not None and _KEYWORDS.isdisjoint(
        _NAME.findall(expr)
    )


_DIGITS_TO_0 = str.maketrans("123456789", "000000000")


def _tight(term: str) -> bool:
    """Whether ``term`` binds at least as tightly as ``+``: ``x + term + y`` adds it whole."""
    return _LOOSE.search(term) is None


def _sink(
    gen: _Gen, body: list[str], commit: list[str], ret: str
) -> tuple[list[str], list[str], dict[str, str]] | None:
    """The one-call step's lines with parameter updates and gradients moved into the stores.

    After every guard, the stores are made in place, as the eager step makes them:
    first every gradient, then every parameter's update in the optimisers' order,
    reading the Value's old value and the gradient just stored. ``q3 = b0 * c0_3 or
    0.0`` becomes the store ``L3.grad = b0 * c0_3 or 0.0`` (it cannot raise), and
    ``p3 = p3 - _o0lr * q3`` (then ``L3.data = p3``) becomes
    ``L3.data = L3.data - _o0lr * L3.grad``. No parameter then needs a local for its
    old value or its gradient, nor a load at the start: the body reads ``L3.data``
    where it used ``p3`` (nothing is stored before the stores), and the third
    result maps each such ``p3`` to ``'@L3'.data``. On a 2-16-16-1 step that made a
    call 6-8% faster: its 337 loads are gone, and with them most uses of locals
    numbered above 255, each of which needs an ``EXTENDED_ARG``.

    If an update raises (an optimiser setting, or a parameter value that is not a
    float), the gradients and the updates made before it are what the eager step
    has made when its ``step()`` raises the same error there, and the error goes
    through as it is. So the new values move either all or none: were one left in
    the body, its store could come before one that raises, and leave a parameter
    updated that the eager step (the fallback) would update a second time.

    An update moves only if it cannot raise on floats (see _safe_form), reads no
    other parameter's value, and the values it reads are still the same when the
    stores run: its new value ``p3`` is named by no other line from the optimisers'
    first one on (nor by the result), nor is any name of its line assigned there.
    A gradient's line moves if it is its leaf's only line in the step's only
    backward pass (so the node gradient it reads is complete: see _Gen.total;
    _Gen.add forgets the line when a second contribution comes, and no line before
    the pass can read a gradient: reading ``.grad`` is refused in a trace), and
    from the optimisers' first line on only a moved update names it. Returns None
    where nothing moves.
    """
    stores = [_STORE.fullmatch(line) for line in commit]
    computing = sorted(gen.updates - gen.hoisted)  # (the optimisers' lines that compute)
    if any(m is None for m in stores) or not computing:
        return None
    stored = {m["name"]: m for m in stores if m is not None}
    values = {n: f"{m['value']}.data" for n, m in stored.items() if m["attr"] == "data"}
    grads = {n: f"{m['value']}.grad" for n, m in stored.items() if m["attr"] == "grad"}
    first = computing[0]
    late = collections.Counter(_STORED_NAME.findall("\n".join(body[first:])))
    in_ret = set(_STORED_NAME.findall(ret))
    assigned_late = {n for n in _assigned(body[first:]) if not _STORED_NAME.fullmatch(n)}
    plain = [_plain(body[i]) for i in computing]
    forms = "\n".join(expr for _, expr in plain).translate(_DIGITS_TO_0).split("\n")
    gone: set[int] = set()
    exprs: dict[str, str] = {}
    readers: dict[str, str] = {}  # a gradient -> the moved update that reads it
    updates: list[str] = []  # the moved new values, in the optimisers' order
    for i, (name, expr), form in zip(computing, plain, forms):  # the new value, into the store
        if name not in values or name in in_ret or not _safe_form(form):
            continue
        found = _STORED_NAME.findall(expr)
        names = {name, *found}
        # the line itself names each of them: so no other line does where these are equal
        if sum(map(late.__getitem__, names)) != len(found) + 1 or not in_ret.isdisjoint(names):
            continue  # (a value or gradient it names is named again after it, or returned)
        if assigned_late and not assigned_late.isdisjoint(_NAME.findall(expr)):
            continue  # (it reads a name assigned again after it)
        if not values.keys().isdisjoint(set(found) - {name}):
            continue  # (it reads another parameter's value, which a store may change first)
        exprs[name] = expr
        updates.append(name)
        gone.add(i)
        for n in found:
            readers[n] = name
    if len(updates) != len(values):  # all or none (see above)
        exprs.clear()
        updates.clear()
        gone.clear()
        readers.clear()
    firsts = [(name, i) for name, i in gen.firsts.items() if i < first and name in grads]
    defined = [_plain(body[i]) for _, i in firsts]
    forms = "\n".join(expr for _, expr in defined).translate(_DIGITS_TO_0).split("\n")
    for (name, i), (assigned, expr), form in zip(firsts, defined, forms):  # a gradient, into them
        if gen.passes != 1 or assigned != name or name in in_ret or not _safe_form(form):
            continue
        if late[name] != (name in readers) or _STORED_NAME.search(expr):
            continue  # (read by a line that stays; or it reads a value that may change)
        exprs[name] = expr
        gone.add(i)
    if not gone:
        return None
    read_back = {n: grads[n] for n in readers if n in grads and n in exprs}  # moved gradients
    lines = [f"{ref} = {exprs.get(name, name)}" for name, ref in grads.items()]
    if not updates:
        lines += [f"{ref} = {name}" for name, ref in values.items()]
    refs = {**values, **read_back}
    moved = _STORED_NAME.sub(
        lambda m: refs.get(m[0], m[0]), "\n".join(map(exprs.__getitem__, updates))
    )
    lines += [f"{values[name]} = {expr}" for name, expr in zip(updates, moved.split("\n"))]
    kept = [line for i, line in enumerate(body) if i not in gone]
    return kept, lines, dict(values) if updates else {}


# a leaf's first gradient store, ``L3.grad = b0 * c0_3 or 0.0``: one or two factors, each
# a node's value, gradient or derivative (a.., b.., t.., _d..) or an input (c..)
_FIRST_STORE = re.compile(
    r"'@L([0-9]++)'\.grad = ((?:[abt]|_d|c)[0-9_]++)(?: \* ((?:[abt]|_d|c)[0-9_]++))? or 0\.0$",
    re.M,
)
_SMALL = "1e-150"  # (its square, 1e-300, is a normal number: see _zeros_later)
_ZEROS_LATER = 4  # stores per factor tested, at least (the tests set it to 0: every step)


def _zeros_later(
    gen: _Gen, stores: list[str], floats: Sequence[str]
) -> tuple[list[str], list[str], list[int], list[int]] | None:
    """The stores with ``or 0.0`` dropped from the leaves' first gradients, tested instead.

    ``g or 0.0`` is ``0.0 + g``: it turns ``-0.0`` into ``0.0`` (see _Gen.add), and
    on CPython 3.11 its truth test of a float is not specialised. A store
    ``L3.grad = b0 * c0_3`` can only be a zero if a factor is a zero or the product
    underflows; neither can happen when no factor lies strictly between
    ``-1e-150`` and ``1e-150`` (then the product's magnitude is at least
    ``1e-300``, or it is an infinity or a NaN, which ``or 0.0`` keeps as well). So
    the products are stored as they are, and the factors are tested instead (a
    float comparison that jumps is one specialised instruction):

    * the step's own values, gradients and derivatives once, after every guard::

        if b0 < 1e-150 and b0 > -1e-150 or a2 < 1e-150 and a2 > -1e-150 or ...:
            _small = True

      and where that holds (rare: a saturated sigmoid), each of those gradients that
      is a zero is set to ``0.0`` (:func:`_unsign_zeros`) before any update reads it;
    * the inputs, in the stores, for the gradients they multiply: inputs scaled to
      [0, 1] are 0.0 at each feature's minimum (so in 7 of Iris's 130 rows).

    Only stores whose factors are the step's own float locals (node values,
    gradients and derivatives, and inputs checked to be floats) change, and only
    where they outnumber the factors four times over: a 2-16-16-1 step (337 stores,
    67 factors) measured 3-6% faster per call, an Iris 4-5-3 step (43 stores, 17
    factors) 0.4-3% in A/B runs and nothing in the benchmark, for 5% more compile
    time. A network with an op whose derivative is 0 over whole ranges (relu,
    maximum, minimum: see _flat) keeps every ``or 0.0``: the test would hold on
    most calls. Returns the test's lines, the stores, and the leaves whose
    gradients each ``_unsign_zeros`` may set (``_Z``, then ``_Zc``); or None.
    """
    if gen.flat:
        return None
    checked = set(floats)
    inner: dict[str, None] = {}  # the step's own factors, in order
    inputs: dict[str, None] = {}
    every: list[int] = []  # the leaves whose store changed
    by_input: list[int] = []  # those of them that an input multiplies

    def drop(m: re.Match[str]) -> str:
        names = (m[2], m[3]) if m[3] else (m[2],)
        if any(n[0] == "c" and n not in checked for n in names):
            return m[0]
        k = int(m[1])
        every.append(k)
        for n in names:
            if n[0] == "c":
                inputs[n] = None
                if by_input[-1:] != [k]:
                    by_input.append(k)
            else:
                inner[n] = None
        return m[0][: -len(" or 0.0")]

    text = _FIRST_STORE.sub(drop, "\n".join(stores))
    if not every or len(every) < _ZEROS_LATER * (len(inner) + len(inputs)):
        return None
    out = text.split("\n")
    last = max(i for i, line in enumerate(out) if line.split(" = ", 1)[0].endswith(".grad"))
    fixes = ["if _small:", "    _unsign_zeros(_Z)"]
    if inputs:
        fixes += [f"if {_any_small(inputs)}:", "    _unsign_zeros(_Zc)"]
    out[last + 1 : last + 1] = fixes
    test = _any_small(inner) or "False"
    # (in an ``if``, each float comparison and its jump are one specialised instruction)
    lines = [
        "            _small = False",
        f"            if {test}:",
        "                _small = True",
    ]
    return lines, out, every, by_input


def _any_small(names: Iterable[str]) -> str:
    """Whether any of ``names`` lies strictly between -1e-150 and 1e-150, as source."""
    return " or ".join(f"{x} < {_SMALL} and {x} > -{_SMALL}" for x in names)


_LONGEST_SUM = 64  # terms in one line of a sum (CPython compiles a long sum recursively)


def _replace_once(text: str, name: str, by: str) -> str:
    """``text`` with the first place it names ``name`` (a ``p..`` or ``q..``) replaced by ``by``."""
    before = text[-len(name) - 1 : -len(name)]
    if text.endswith(name) and text.count(name) == 1 and not (before.isalnum() or before == "_"):
        return text[: -len(name)] + by  # (where SGD's update names it: the commonest case)
    for place in _STORED_NAME.finditer(text):
        if place[0] == name:
            return text[: place.start()] + by + text[place.end() :]
    raise TraceError(f"compile: internal error: {name} is not in {text!r:.80}")


def _between(lines: list[int], first: int, last: int) -> bool:
    """Whether a number in ``lines`` (sorted) lies strictly between ``first`` and ``last``."""
    i = bisect.bisect_right(lines, first)
    return i < len(lines) and lines[i] < last


_NAME = re.compile(r"\b[A-Za-z_][A-Za-z_0-9]*\b")
_GRAD_READ = re.compile(r" {12}(q[0-9]+) = '@L[0-9]+'\.grad")
_GRADIENT = re.compile(r"q[0-9]+")


def _bound(source: str, leaves: Sequence[Value]) -> types.CodeType:
    """``source`` compiled, with each Value ``L3`` a constant of the code instead of a name.

    A function's local, cell and free variables share one numbering, and every use
    of one numbered above 255 costs an extra instruction (``EXTENDED_ARG``): the
    Values of a 2-16-16-1 network (337) would all be numbered above its locals.
    Constants are numbered apart from them, and ``LOAD_CONST`` is the cheapest
    load there is. So the source names ``L3`` as the string constant ``'@L3'``
    (``'@L3'.data = p3`` compiles: the store is looked up when it runs), and each
    such constant of the compiled code objects is then replaced by its Value.
    """
    values = {f"@L{k}": v for k, v in enumerate(leaves)}

    def bind(code: types.CodeType) -> types.CodeType:
        consts = tuple(
            bind(c) if isinstance(c, types.CodeType) else values.get(c, c) if type(c) is str else c
            for c in code.co_consts
        )
        return code.replace(co_consts=consts)

    return bind(compile(source, "<deltagrad compiled step>", "exec"))


_LEAF = re.compile(r"'@(L[0-9]+)'")  # (only to show the source: see CompiledStep.source)


def _static_value(args: Sequence[object], src: str) -> object:
    """The value of an argument written ``x1[0][2]`` in the source."""
    head, *rest = src.replace("]", "").split("[")
    value: Any = args[int(head[1:])]
    for index in rest:
        value = value[int(index)]
    return value


def _signless(trace: _Trace, result: object) -> set[int]:
    """The nodes whose value's sign, where it is a zero, nothing reads: each such node's
    sum may skip the engine's ``0.0 +`` (``or 0.0``), which only turns -0.0 into 0.0.

    A node qualifies when it is not returned and every node made from it is made from
    it alone (and constants) by an op that gives, at +0.0 and at -0.0, the same value and
    the same partials, bit for bit (a sigmoid, a relu, an exp: 0.5, 0.0, 1.0 both ways);
    the node's own partials must not read its value (see _rules). Then every other value
    and gradient of the step is the same bit for bit either way. A guard compares, and a
    comparison cannot tell -0.0 from 0.0; backward() reads no value of its root.
    """
    users: dict[int, list[Value]] = {}
    nodes: list[Value] = []
    for event in trace.events:
        if event[0] == "node":
            v = event[1]
            nodes.append(v)
            for a in v.args:
                if type(a) is Value:
                    users.setdefault(id(a), []).append(v)
    returned: set[int] = set()
    stack = [result]
    while stack:
        item = stack.pop()
        if type(item) is Value:
            returned.add(id(item))
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return {
        id(v)
        for v in nodes
        if v._op is not None
        and v._op.name in _INLINE_SIGNLESS
        and id(v) not in returned
        and id(v) in users
        and all(_even_at_zero(u, v) for u in users[id(v)])
    }


_even_cache: dict[tuple[object, ...], bool] = {}


def _even_at_zero(user: Value, v: Value) -> bool:
    """Whether ``user``, made from ``v`` and constants only, has the same value and partials
    (bit for bit, and neither raising) whether ``v`` is 0.0 or -0.0."""
    op: Op = user._op  # type: ignore[assignment]  # (a node)
    if any(type(a) is Value and a is not v for a in user.args):
        return False
    key = (op, *(None if a is v else _bits(a) for a in user.args))
    found = _even_cache.get(key)
    if found is None:
        if len(_even_cache) > 256:
            _even_cache.clear()
        rows = [[z if a is v else a for a in user.args] for z in (0.0, -0.0)]
        out = _outcomes(op.forward, rows)
        found = None not in out and _same_outcomes(out[:1], out[1:])
        if found:
            partials = _outcomes(op.partials, [[o, *row] for o, row in zip(out, rows)])
            found = None not in partials and _same_outcomes(partials[:1], partials[1:])
        _even_cache[key] = found
    return found


def _output(result: object, gen: _Gen) -> str:
    """Source of the compiled function's result: ``result`` with each Value's float."""
    if type(result) is Value:
        return gen.expr(result)
    if isinstance(result, list):
        return "[" + ", ".join(_output(r, gen) for r in result) + "]"
    if isinstance(result, tuple) and type(result) is tuple:
        inner = ", ".join(_output(r, gen) for r in result)
        return f"({inner}{',' if len(result) == 1 else ''})"
    if result is None or type(result) in (bool, int, str):
        return repr(result)
    if type(result) is float:
        return _POOL.literal(result)
    raise TraceError(
        f"compile: the traced function returned a {type(result).__name__}; return Values, "
        "numbers, or lists and tuples of them"
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off: tracing and compiling make many objects and no
    garbage worth a pass."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class _GuardFailed(Exception):
    """A comparison recorded while tracing came out the other way."""


def _floats(result: object) -> object:
    """An eager result in the compiled function's form: Values as floats."""
    if type(result) is Value:
        return result.data
    if isinstance(result, list):
        return [_floats(r) for r in result]
    if type(result) is tuple:
        return tuple(_floats(r) for r in result)
    return result


def _shape_key(x: object) -> object:
    if type(x) is float:
        return float
    if isinstance(x, float):  # a float subclass (NumPy's float64): the eager step, no new trace
        return float
    if isinstance(x, list | tuple) and x:
        return (type(x), tuple(_shape_key(i) for i in x))
    return (type(x), x) if x is None or type(x) in (int, str, bool) else id(x)


class CompiledStep:
    """A traced function compiled to straight-line Python; call it like the function.

    Calling it returns what the traced function returned, with every Value
    replaced by its float. Arguments of a shape not seen before (another
    length, another value of an integer argument) are traced again, up to
    :data:`MAX_VARIANTS` shapes; beyond that, and whenever the compiled code
    cannot run (see the module docstring), the function runs eagerly.

    Attributes:
        fallbacks: how many calls ran eagerly.
        traces: how many times the function was traced.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        example_args: Sequence[object],
        optimizers: Sequence[CompilableOptimizer],
        *,
        forward_only: bool,
    ) -> None:
        self.fn = fn
        self.optimizers = tuple(optimizers)
        self.forward_only = forward_only
        self.fallbacks = 0
        self.traces = 0
        self._variants: dict[object, Callable[..., Any]] = {}
        self._sources: dict[object, tuple[_Trace, object, list[object], list[object]]] = {}
        self.nodes = 0
        self._runner: Callable[[list[Any]], list[Any]] | None = None
        self._chain: list[Callable[..., Any]] = []  # the traces, tried in turn
        self._refused: set[object] = set()  # shapes that cannot be traced
        self._first_key = _shape_key(list(example_args))
        first = self._compile(list(example_args), self._first_key, self._hop(0))
        # calling the step calls the generated function directly, through a class of its own
        self.__class__ = type("CompiledStep", (CompiledStep,), {"__call__": staticmethod(first)})

    def _eager(self, *args: object) -> object:
        self.fallbacks += 1
        return _floats(self.fn(*args))

    def _compile(
        self, args: list[object], key: object, mismatch: Callable[..., Any]
    ) -> Callable[..., Any]:
        with _collector_paused():
            trace, result, _traced_args, shapes = _trace(self.fn, args, self.optimizers)
            if self.forward_only and any(e[0] in ("backward", "step") for e in trace.events):
                raise TraceError("compile_forward: the function calls backward() or step()")
            generated = self._generate((trace, result, args, shapes), mismatch)
        self.traces += 1
        self._variants[key] = generated.function
        self._chain.append(generated.function)
        self._sources[key] = (trace, result, args, shapes)
        self.nodes = generated.nodes
        return generated.function

    def __call__(self, *args: object) -> Any:
        """Run the step (replaced, per instance, by the generated function itself)."""
        return self._other(*args)

    def run(self, rows: Iterable[Sequence[object]]) -> list[Any]:
        """``[step(*row) for row in rows]``, with the parameters read once and stored once.

        The same numbers, bit for bit, and the same state afterwards: between two
        rows the values, gradients and optimiser state stay in the generated
        code's local variables instead of being stored in the Values and read
        back (what Keras calls several steps per execution). Rows of the traced
        shape run in one loop; if any row cannot (another shape or integer
        argument, a guard, an error), every row runs through the step one call at
        a time instead, which gives the same result or the same error at the
        same row. While the loop runs, nothing is stored: a Ctrl-C inside it
        leaves the parameters as they were before the call. The loop is
        generated on the first call of ``run`` (compiling it costs about as much
        as the step did, twice that where it computes the gradients of every row
        but the last inside the updates).
        """
        batch = list(rows)
        runner = self._runner
        if runner is None:
            runner = self._runner = self._make_runner()
        return runner(batch)

    def _make_runner(self) -> Callable[[list[Any]], list[Any]]:
        def slow(rows: list[Any]) -> list[Any]:
            return [self(*row) for row in rows]

        with _collector_paused():
            generated = self._generate(self._sources[self._first_key], self._hop(0), slow)
        return generated.function

    def _generate(
        self,
        source: tuple[_Trace, object, list[object], list[object]],
        mismatch: Callable[..., Any],
        slow: Callable[..., Any] | None = None,
        readable: Mapping[Value, str] | None = None,
    ) -> _Generated:
        """:func:`_generate` for one trace (``source``) of this step."""
        trace, result, args, shapes = source
        return _generate(
            trace,
            result,
            args,
            shapes,
            self.optimizers,
            readable,
            self._eager,
            mismatch,
            not self.forward_only,
            slow,
        )

    def _hop(self, k: int) -> Callable[..., Any]:
        """Where trace ``k`` sends arguments it does not fit: the next trace, or :meth:`_other`.

        Each trace checks its own shape and integer arguments in a few bytecodes, so
        trying the traces in turn is cheaper than computing the arguments' shape.
        """
        chain, other = self._chain, self._other

        def mismatch(*args: object) -> Any:
            if k + 1 < len(chain):
                return chain[k + 1](*args)
            return other(*args)

        return mismatch

    def _other(self, *args: object) -> Any:
        """Arguments no trace fits: a new trace, or the eager step."""
        key = _shape_key(list(args))
        if key in self._variants or key in self._refused or len(self._variants) >= MAX_VARIANTS:
            return self._eager(*args)  # (a trace of this shape refused them: a float subclass)
        try:
            fn = self._compile(list(args), key, self._hop(len(self._chain)))
        except TraceError:
            self._refused.add(key)
            return self._eager(*args)
        return fn(*args)

    def source(self, names: object = None, *, readable: bool = True) -> str:
        """The generated source of the first trace.

        With ``readable`` (the default) values and gradients are written with
        the names of the Values they belong to, and ``dL/d<name>`` for a
        gradient: ``names`` maps Values to names, or is a model with
        ``named_parameters()`` (``nn`` modules: the attribute path,
        ``layers.1.neurons.0.w.2``); any other Value is named by its
        ``label`` (the worked example labels the article's names, ``W2[1][3]``).
        That text is for reading; ``readable=False`` gives the source that
        actually runs.
        """
        if names is not None and callable(getattr(names, "named_parameters", None)):
            names = {p: name for name, p in names.named_parameters()}  # type: ignore[attr-defined]
        if names is not None and not isinstance(names, Mapping):
            raise TypeError(
                f"source: names must be a mapping or a model, not {type(names).__name__}"
            )
        shown = (names or {}) if readable else None
        text = self._generate(self._sources[self._first_key], self._eager, None, shown).source
        return text if readable else _LEAF.sub(r"\1", text)  # (the Values as names: see _bound)


def _optimizers(optimizer: object) -> list[CompilableOptimizer]:
    if optimizer is None:
        return []
    found = list(optimizer) if isinstance(optimizer, list | tuple) else [optimizer]
    for opt in found:
        if not callable(getattr(opt, "compiled_update", None)):
            raise TypeError(
                f"compile_step: {type(opt).__name__} cannot be compiled (no compiled_update)"
            )
        mro = type(opt).__mro__
        step_from, update_from = (
            next((i for i, c in enumerate(mro) if name in vars(c)), None)
            for name in ("step", "compiled_update")
        )
        if step_from is not None and update_from is not None and step_from < update_from:
            raise TypeError(
                f"compile_step: {type(opt).__name__} overrides step() but not "
                f"compiled_update(), which is {mro[update_from].__name__}'s: it cannot stand for "
                "this step (override compiled_update too)"
            )
        own, has_own = _own_attribute(opt, "step")
        if has_own:  # the compiled update would be the class's step, not this one
            name = type(opt).__name__
            raise TypeError(
                f"compile_step: this {name} has a step of its own "
                f"({getattr(own, '__name__', type(own).__name__)!s:.60}), set on the "
                f"object; its compiled_update is written for {name}.step, so it cannot be "
                "compiled (delete the attribute, or subclass and override both)"
            )
    return found  # type: ignore[return-value]


def compile_step(
    fn: Callable[..., Any],
    *example_args: object,
    optimizer: CompilableOptimizer | Sequence[CompilableOptimizer] | None = None,
) -> CompiledStep:
    """Trace ``fn(*example_args)`` once and compile it; see the module docstring.

    ``fn`` takes numbers (floats, or lists and tuples of them; other arguments
    such as a class index are compiled in as constants and checked at each
    call) and may call ``loss.backward()``, ``model.zero_grad()`` or
    ``optimizer.zero_grad()``, and ``optimizer.step()`` of the optimisers
    given. Tracing changes nothing: the parameters change when the returned
    step is called.

    >>> from autograd import Value
    >>> w = Value(0.5, "w")
    >>> class Plain:  # a minimal optimiser: w <- w - 0.1 dL/dw
    ...     params = [w]
    ...     def step(self): w.data -= 0.1 * w.grad
    ...     def compiled_update(self, data, grad, me, tmp):
    ...         return [f"{data[0]} = {data[0]} - 0.1 * {grad[0]}"], []
    >>> opt = Plain()
    >>> def fn(x, y):
    ...     loss = (w * x - y) ** 2
    ...     w.grad = 0.0
    ...     loss.backward()
    ...     opt.step()
    ...     return loss
    >>> step = compile_step(fn, 1.0, 2.0, optimizer=opt)
    >>> step(1.0, 2.0), w.data  # loss (0.5 - 2)^2; w <- 0.5 - 0.1 * 2 (0.5 - 2)
    (2.25, 0.8)
    """
    return CompiledStep(fn, example_args, _optimizers(optimizer), forward_only=False)


def compile_forward(fn: Callable[..., Any], *example_args: object) -> CompiledStep:
    """Compile a function that only computes (no ``backward``, no update): for evaluation.

    It may be called inside ``no_grad()``; it builds no graph either way.
    """
    return CompiledStep(fn, example_args, [], forward_only=True)
