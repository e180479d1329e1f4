"""A small expression language, parsed into the engine's operations.

``parse("tanh(x*w + b)")`` reads an arithmetic expression typed by a user and
returns an :class:`Expression`; ``expression.evaluate({"x": 1, "w": 0.5,
"b": -0.2})`` builds the engine graph for it and returns the root
:class:`~autograd.engine.Value`, whose ``backward()`` gives every input's
gradient; ``expression.build(...)`` also returns the input leaves by name.

>>> f = parse("tanh(x*w + b)")
>>> f.names
('x', 'w', 'b')
>>> y, inputs = f.build({"x": 1.0, "w": 0.5, "b": -0.2})
>>> y.backward()
>>> round(y.data, 6), round(inputs["w"].grad, 6)  # dy/dw = (1 - y**2) * x
(0.291313, 0.915137)

The grammar, and nothing else:

* numbers: Python's integer and float literals (``2``, ``0.5``, ``1e-3``,
  ``1_000``); every number is a float, so ``10**400`` is a float overflow, never
  a huge integer. Literals too large for a float (``1e400``), nonzero literals
  that underflow to 0.0 (``1e-400``), and complex,
  string and boolean literals are refused;
* names (the inputs): ASCII letters, digits and ``_``, not starting with a
  digit or with ``__``, and not the name of a function;
* ``+ - * / **``, unary ``-`` and ``+``, and parentheses, with Python's
  precedence: ``**`` binds tighter than unary minus and groups from the right,
  so ``-x**2`` is ``-(x**2)`` and ``a**b**c`` is ``a**(b**c)``;
* calls of the engine's functions, :data:`FUNCTIONS`: ``exp log tanh sigmoid
  relu sin cos sqrt abs log1p expm1 softplus`` with one argument,
  ``maximum(a, b)`` and ``minimum(a, b)`` with two, and ``sum(a, b, ...)`` and
  ``logsumexp(a, b, ...)`` with one or more, each recorded as one node;
* the constants :data:`CONSTANTS`, ``pi`` and ``e`` (numbers, not inputs).

The text is read with :func:`ast.parse`, which only builds a syntax tree, and
every node of that tree is checked against the grammar above; the tree is then
translated into a list of engine operations. No user text is ever given to
``eval``, ``exec`` or ``compile``, so an expression can only compute numbers.
Anything outside the grammar raises :class:`ExpressionError` pointing at the
offending part. The work is bounded: at most :data:`MAX_LENGTH` characters,
:data:`MAX_NODES` numbers, names and operations, and :data:`MAX_DEPTH` levels
of nesting.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .engine import Value, logsumexp, maximum, minimum
from .engine import sum as _vsum
from .formatting import quote_short
from .ops import OPS

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "parse",
    "parse_number",
]

MAX_LENGTH = 2000
"""The longest expression accepted, in characters."""
MAX_NODES = 1000
"""The most numbers, names and operations an expression may hold."""
MAX_DEPTH = 100
"""The deepest nesting accepted. A chain ``a + b + c + ...`` nests one level per
``+`` (it is ``((a + b) + c) + ...``); ``sum(a, b, c, ...)`` does not."""

_UNARY_FUNCTIONS: tuple[str, ...] = tuple(
    name
    for name, op in OPS.items()
    if op.arity == 1 and op.notation == f"{name}(x)" and callable(getattr(Value, name, None))
)
FUNCTIONS: Mapping[str, str] = {
    **{name: f"{name}(x)" for name in _UNARY_FUNCTIONS},
    "maximum": "maximum(a, b)",
    "minimum": "minimum(a, b)",
    "sum": "sum(x_1, ..., x_n)",
    "logsumexp": "logsumexp(x_1, ..., x_n)",
}
"""The callable functions and how they are called. The one-argument functions
are the engine ops written ``name(x)`` in :data:`autograd.OPS`."""
_VARIADIC = ("sum", "logsumexp")  # one or more arguments
_TWO_ARGUMENTS = ("maximum", "minimum")

CONSTANTS: Mapping[str, float] = {"pi": math.pi, "e": math.e}
"""Names that stand for numbers, not inputs: ``pi`` and ``e`` (the floats nearest them)."""
# a number written against a name, such as 2x or 3.5y: Python reads it as one bad literal
_JUXTAPOSED = re.compile(r"(?<![\w.])([0-9][0-9_]*(?:\.[0-9_]*)?)([A-Za-z_][A-Za-z0-9_]*)")

_BINARY: dict[type[ast.operator], str] = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.Pow: "pow",
}
_OPERATOR_TEXT: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Not: "not", ast.Invert: "~",
}  # fmt: skip
_ON_VALUES: dict[str, Callable[..., Value]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "neg": operator.neg,
    # looked up on the Value at each call (not taken from the class once), so that
    # detect_anomaly(), which swaps in checking versions of the methods, sees them
    **{name: operator.methodcaller(name) for name in _UNARY_FUNCTIONS},
    "maximum": maximum,
    "minimum": minimum,
}
_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[...]')",
    ast.Slice: "slices",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' and 'or'",
    ast.IfExp: "conditional expressions ('if ... else')",
    ast.NamedExpr: "assignment (':=')",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.List: "lists",
    ast.Tuple: "tuples (a ',' outside a call)",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.Starred: "unpacking ('*')",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Every repetition is followed by a character it cannot match, so a failed match
# backtracks at most a constant number of steps: linear time in the text's length
# (``[0-9]+\.?[0-9]*`` would try every split of a run of digits: quadratic).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


class ExpressionError(ValueError):
    """Text that is not an expression of the language, or bindings that do not fit it.

    Attributes:
        message: what is wrong, without the position.
        text: the expression text.
        start, end: the offending part, ``text[start:end]`` (0-based character
            offsets); both ``None`` when the error concerns no single part.
    """

    def __init__(
        self, message: str, text: str = "", start: int | None = None, end: int | None = None
    ) -> None:
        self.message = message
        self.text = text
        self.start = start
        # an offending part is at least one character wide
        self.end = None if start is None else max(start + 1, end if end is not None else 0)
        super().__init__(str(self))

    @property
    def column(self) -> int | None:
        """1-based column of the offending part, or ``None``."""
        return None if self.start is None else self.start + 1

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        return f"{self.message} (column {self.column})"

    def excerpt(self, width: int = 72) -> str:
        """Two lines, the text and a caret line under the offending part, like a compiler.

        Long texts are cut to a window of about ``width`` characters around it.

        >>> err = ExpressionError("unknown function 'foo'", "tanh(foo(x))", 5, 8)
        >>> print(err.excerpt())
        tanh(foo(x))
             ^^^
        """
        if self.start is None or self.end is None:
            text = _printable(self.text)
            return text if len(text) <= width else text[: width - 3] + "..."
        start, end = min(self.start, len(self.text)), min(self.end, len(self.text) + 1)
        lo = max(0, min(start - width // 3, len(self.text) - width))
        hi = lo + width
        prefix = "..." if lo > 0 else ""
        suffix = "..." if hi < len(self.text) else ""
        line = prefix + _printable(self.text[lo:hi]) + suffix
        carets = "^" * max(1, min(end, hi) - start)
        return f"{line}\n{' ' * (len(prefix) + start - lo)}{carets}"


class EvaluationError(ExpressionError):
    """An operation of the expression failed on the given numbers (a domain error).

    ``message`` is the engine's message (which names the operation and its
    operands) followed by the part of the expression that failed; the engine's
    exception (``ValueError``, ``ZeroDivisionError`` or ``OverflowError``) is
    the ``__cause__``.
    """


@dataclass(frozen=True, slots=True)
class _Step:
    """One instruction: push a number, push a name's leaf, or apply an op to earlier results."""

    kind: str  # "number", "name", or the key in OPS of the op to apply (a function's name)
    args: tuple[int, ...]  # indices of earlier steps (for an op)
    number: float  # for "number"
    name: str  # for "name"
    start: int  # the source text of this step is text[start:end]
    end: int


class Expression:
    """A parsed expression: its text, its input names, and the operations that compute it.

    Make one with :func:`parse`.
    """

    __slots__ = ("_first", "_steps", "names", "text")

    def __init__(self, text: str, steps: tuple[_Step, ...]) -> None:
        self.text = text
        self._steps = steps
        first: dict[str, _Step] = {}
        for step in steps:
            if step.kind == "name":
                first.setdefault(step.name, step)
        self._first = first
        self.names: tuple[str, ...] = tuple(first)
        """The input names, in order of first appearance in the text."""

    def __repr__(self) -> str:
        return f"parse({self.text!r})"

    def evaluate(
        self, bindings: Mapping[str, Value | float], *, label_nodes: bool = False
    ) -> Value:
        """Build the engine graph of the expression and return its root.

        Args:
            bindings: a number or a :class:`Value` for every name in
                :attr:`names`, and nothing else. A number becomes a new leaf
                labelled with its name; a Value is used as it is, so its
                ``grad`` receives the gradient. A name used several times is
                one leaf, which receives the sum of its contributions.
            label_nodes: also label every node made by an operation with its
                part of the source text (e.g. ``"x*w + b"``).

        Parts made only of numbers are computed on floats by the same forward
        rules as the engine (with the same domain checks) and enter the graph
        as constants, as ``x * 2`` does in Python. An expression with no names
        returns a new leaf.

        Raises:
            ExpressionError: a name has no value, or a binding names no input.
            EvaluationError: an operation fails on these numbers (``log`` of a
                negative, division by zero, overflow), naming the part of the text.
            TypeError: a bound value is neither a real number nor a Value.
        """
        return self.build(bindings, label_nodes=label_nodes)[0]

    def build(
        self, bindings: Mapping[str, Value | float], *, label_nodes: bool = False
    ) -> tuple[Value, dict[str, Value]]:
        """Like :meth:`evaluate`, but return ``(root, leaves)``: the leaf of every name too.

        After ``root.backward()``, ``leaves[name].grad`` is d root / d name.
        """
        leaves: dict[str, Value] = {}
        for name, step in self._first.items():
            if name not in bindings:
                raise ExpressionError(
                    f"no value for {quote_short(name)}", self.text, step.start, step.end
                )
            bound = bindings[name]
            if isinstance(bound, Value):
                leaves[name] = bound
            else:
                try:
                    leaves[name] = Value(bound, label=name)
                except TypeError:
                    raise TypeError(
                        f"evaluate: the value of {quote_short(name)} must be a real number or a "
                        f"Value, got {type(bound).__name__}"
                    ) from None
        extra = [key for key in bindings if key not in self._first]
        if extra:
            raise ExpressionError(
                f"{quote_short(extra[0])} has a value but does not appear in the expression",
                self.text,
            )
        results: list[Value | float] = []
        for step in self._steps:
            if step.kind == "number":
                results.append(step.number)
            elif step.kind == "name":
                results.append(leaves[step.name])
            else:
                out = self._apply(step, [results[i] for i in step.args])
                if label_nodes and isinstance(out, Value):
                    out.label = self.text[step.start : step.end]
                results.append(out)
        root = results[-1]
        if not isinstance(root, Value):
            root = Value(root, label=self.text.strip() if label_nodes else "")
        return root, leaves

    def _apply(self, step: _Step, args: list[Value | float]) -> Value | float:
        """Apply the op of ``step``: on floats by its forward rule, else on Values."""
        try:
            if all(type(a) is float for a in args):
                result: Value | float = OPS[step.kind].forward(*args)
                return result
            if step.kind == "sum":
                return _vsum(args)
            if step.kind == "logsumexp":
                return logsumexp(args)
            return _ON_VALUES[step.kind](*args)
        except (ValueError, ArithmeticError) as exc:
            part = _shorten(self.text[step.start : step.end])
            raise EvaluationError(
                f"{exc}, evaluating {part!r}", self.text, step.start, step.end
            ) from exc


def parse(text: str) -> Expression:
    """Parse ``text`` into an :class:`Expression`, or raise :class:`ExpressionError`.

    >>> parse("x**2 + sum(x, y, 1)").names
    ('x', 'y')
    >>> parse("x.__class__")
    Traceback (most recent call last):
        ...
    autograd.expr.ExpressionError: attribute access ('.') cannot be used in an expression (column 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"parse: expected the expression as a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
            text,
            MAX_LENGTH,
            len(text),
        )
    for i, ch in enumerate(text):
        if not ch.isprintable():
            raise ExpressionError(
                f"character {ch!r} is not allowed (the expression must be one printable line)",
                text,
                i,
                i + 1,
            )
    if "#" in text:
        at = text.index("#")
        raise ExpressionError("comments ('#') cannot be used in an expression", text, at, at + 1)
    if not text.strip():
        raise ExpressionError("the expression is empty", text)
    return Expression(text, _Translator(text).run())


def parse_number(text: str) -> float:
    """A finite decimal number such as ``2``, ``-0.5`` or ``1e-3``, as a float.

    Used for the values given on the command line. Raises :class:`ExpressionError`
    for anything else: ``nan``, ``inf``, texts longer than :data:`MAX_LENGTH`,
    numbers beyond the float range (``1e400``: an overflow) and nonzero numbers
    so small that they round to zero (``1e-400``: an underflow, which would
    otherwise turn into a silent ``0.0``). Numbers in the subnormal range
    (below about ``2.2e-308``) are accepted and rounded to the nearest float,
    like every other decimal, with fewer significant digits.

    >>> parse_number("-0.2")
    -0.2
    >>> parse_number("1e-400")
    Traceback (most recent call last):
        ...
    autograd.expr.ExpressionError: '1e-400' underflows: it is not zero, but the nearest float ...
    """
    shown = quote_short(text.strip())
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"{shown} is too long for a number: {len(text)} characters, the limit is {MAX_LENGTH}"
        )
    stripped = text.strip()
    if not _DECIMAL.match(stripped):
        raise ExpressionError(
            f"{shown} is not a finite decimal number (write e.g. 2, -0.5 or 1e-3)", text
        )
    value = float(stripped)
    if value in (float("inf"), float("-inf")):
        raise ExpressionError(
            f"{shown} is too large for a float (it overflows: the largest float is about 1.8e308)",
            text,
        )
    mantissa = stripped.lower().partition("e")[0]
    if value == 0.0 and mantissa.strip("+-.0"):
        raise ExpressionError(
            f"{shown} underflows: it is not zero, but the nearest float is 0.0 "
            "(floats below about 5e-324 in size are 0.0)",
            text,
        )
    return value


def _printable(text: str) -> str:
    """``text`` with every character that would break the line shown as ``?``."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _shorten(part: str, limit: int = 40) -> str:
    return part if len(part) <= limit else part[: limit - 3] + "..."


class _Translator:
    """Check an expression's syntax tree against the grammar and turn it into steps."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.indent = len(text) - len(text.lstrip(" "))
        self.body = text[self.indent :]
        self.ascii = self.body.isascii()

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        start, end = self.span(node)
        return ExpressionError(message, self.text, start, end)

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Character offsets of ``node`` in the text (the tree gives UTF-8 byte offsets)."""
        start = self.column(getattr(node, "col_offset", 0))
        end_offset = getattr(node, "end_col_offset", None)
        end = self.column(end_offset) if end_offset is not None else start + 1
        return start, end

    def column(self, byte_offset: int) -> int:
        if not self.ascii:
            byte_offset = len(self.body.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))
        return self.indent + byte_offset

    def run(self) -> tuple[_Step, ...]:
        tree = self.parse_tree()
        steps: list[_Step] = []
        index: dict[int, int] = {}  # id(ast node) -> index of the step holding its result
        # Depth-first with an explicit stack: a node is checked when first met
        # (so the leftmost, outermost offence is the one reported) and emitted
        # after its operands (so steps come in evaluation order).
        stack: list[tuple[ast.expr, int, list[ast.expr] | None]] = [(tree, 1, None)]
        count = 0
        while stack:
            node, depth, operands = stack.pop()
            if operands is not None:
                self.emit(node, [index[id(a)] for a in operands], steps, index)
                continue
            count += 1
            if count > MAX_NODES:
                raise self.error(
                    f"the expression has more than {MAX_NODES} numbers, names and operations",
                    node,
                )
            if depth > MAX_DEPTH:
                raise self.error(
                    f"the expression is nested more than {MAX_DEPTH} levels deep "
                    "(a chain of + nests one level per term: write sum(...) for long sums)",
                    node,
                )
            operands = self.check(node)
            stack.append((node, depth, operands))
            stack.extend((a, depth + 1, None) for a in reversed(operands))
        return tuple(steps)

    def parse_tree(self) -> ast.expr:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. invalid escapes in strings: refused anyway
                return ast.parse(self.body, mode="eval").body
        except SyntaxError as exc:
            hint = self.juxtaposition()
            if hint is not None:
                raise hint from None
            end_of_text = len(self.text)
            start = self.indent + exc.offset - 1 if exc.offset else end_of_text
            end = self.indent + exc.end_offset - 1 if exc.end_offset and exc.offset else start + 1
            raise ExpressionError(
                f"syntax error: {exc.msg}", self.text, min(start, end_of_text), end
            ) from None
        except (RecursionError, MemoryError):
            raise ExpressionError(
                "the expression is nested too deeply to be parsed", self.text
            ) from None
        except ValueError as exc:  # e.g. a literal with too many digits
            raise ExpressionError(f"syntax error: {exc}", self.text) from None

    def juxtaposition(self) -> ExpressionError | None:
        """``2x`` is not a product in Python: point at the first such pair and say so."""
        for match in _JUXTAPOSED.finditer(self.body):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # e.g. "1if": a warning, then an error
                    ast.parse(match.group(0), mode="eval")
            except SyntaxError:
                number, name = match.groups()
                start = self.indent + match.start()
                return ExpressionError(
                    f"syntax error: {match.group(0)!r} is not a number or a name: "
                    f"write {number}*{name} for a product",
                    self.text,
                    start,
                    start + len(match.group(0)),
                )
        return None

    def check(self, node: ast.expr) -> list[ast.expr]:
        """Refuse ``node`` unless the grammar allows it; return its operands in order."""
        if isinstance(node, ast.Constant):
            self.number(node)
            return []
        if isinstance(node, ast.Name):
            self.check_name(node)
            if node.id in CONSTANTS:
                return []
            if node.id in FUNCTIONS:
                raise self.error(
                    f"{node.id!r} is a function: call it, as in {FUNCTIONS[node.id]}", node
                )
            return []
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                symbol = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
                raise self.operator_error(symbol, node.left, node.right, node)
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                symbol = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
                raise self.operator_error(symbol, None, node.operand, node)
            return [node.operand]
        if isinstance(node, ast.Call):
            return self.check_call(node)
        what = _REFUSED.get(type(node), type(node).__name__)
        raise self.error(f"{what} cannot be used in an expression", node)

    def number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.error(f"{quote_short(value)} is not a number", node)
        if isinstance(value, complex):
            raise self.error("complex numbers are not supported", node)
        if isinstance(value, str | bytes):
            raise self.error("strings cannot be used in an expression", node)
        if not isinstance(value, int | float):
            raise self.error(f"{type(value).__name__} constants are not allowed", node)
        try:
            number = float(value)
        except OverflowError:
            number = float("inf")
        if number in (float("inf"), float("-inf")):
            raise self.error("this number is too large for a float (max about 1.8e308)", node)
        if isinstance(value, float) and value == 0.0:
            start, end = self.span(node)
            mantissa = self.text[start:end].lower().partition("e")[0]
            if mantissa.strip("0._"):  # a nonzero digit, yet the float is 0.0
                raise self.error(
                    "this number underflows: it is not zero, but the nearest float is 0.0 "
                    "(floats below about 5e-324 in size are 0.0)",
                    node,
                )
        return number

    def check_name(self, node: ast.Name) -> None:
        name = node.id
        start, end = self.span(node)
        if self.text[start:end] != name or not _NAME.match(name):
            raise self.error(
                f"name {quote_short(self.text[start:end])} is not allowed: names are ASCII "
                "letters, digits and '_'",
                node,
            )
        if name.startswith("__"):
            raise self.error(
                f"name {quote_short(name)} is not allowed: names may not start with '__'", node
            )

    def check_call(self, node: ast.Call) -> list[ast.expr]:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.error(
                "only the functions " + ", ".join(FUNCTIONS) + " may be called, by name", func
            )
        self.check_name(func)
        if func.id not in FUNCTIONS:
            raise self.error(
                f"unknown function {quote_short(func.id)} "
                f"(the functions are {', '.join(FUNCTIONS)})",
                func,
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error("unpacking ('*') cannot be used in an expression", arg)
        if node.keywords:
            raise self.error("keyword arguments cannot be used", node.keywords[0])
        if func.id in _VARIADIC:
            if not node.args:
                raise self.error(f"{func.id} needs at least one argument", node)
        elif func.id in _TWO_ARGUMENTS:
            if len(node.args) != 2:
                raise self.error(
                    f"{func.id} takes exactly two arguments, got {len(node.args)}", node
                )
        elif len(node.args) != 1:
            raise self.error(f"{func.id} takes exactly one argument, got {len(node.args)}", node)
        return list(node.args)

    def operator_error(
        self, symbol: str, left: ast.expr | None, right: ast.expr, node: ast.expr
    ) -> ExpressionError:
        """Point at the operator itself: the first ``symbol`` between the operands."""
        lo = self.span(left)[1] if left is not None else self.span(node)[0]
        hi = self.span(right)[0]
        found = self.text.find(symbol, lo, hi)
        start, end = (found, found + len(symbol)) if found >= 0 else self.span(node)
        message = f"operator {symbol!r} is not supported (the operators are + - * / **)"
        return ExpressionError(message, self.text, start, end)

    def emit(
        self, node: ast.expr, operands: list[int], steps: list[_Step], index: dict[int, int]
    ) -> None:
        """Append the step computing ``node`` from the steps of its operands."""
        start, end = self.span(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            index[id(node)] = operands[0]  # +x is x itself
            return
        if isinstance(node, ast.Constant):
            step = _Step("number", (), self.number(node), "", start, end)
        elif isinstance(node, ast.Name) and node.id in CONSTANTS:
            step = _Step("number", (), CONSTANTS[node.id], "", start, end)
        elif isinstance(node, ast.Name):
            step = _Step("name", (), 0.0, node.id, start, end)
        elif isinstance(node, ast.BinOp):
            step = _Step(_BINARY[type(node.op)], tuple(operands), 0.0, "", start, end)
        elif isinstance(node, ast.UnaryOp):
            step = _Step("neg", tuple(operands), 0.0, "", start, end)
        else:
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            step = _Step(node.func.id, tuple(operands), 0.0, "", start, end)
        index[id(node)] = len(steps)
        steps.append(step)
