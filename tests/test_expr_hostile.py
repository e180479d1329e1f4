"""Hostile input for the expression parser: random text and random syntax trees.

For every input the parser either returns an expression that computes exactly
what the engine computes when the same tree is built directly, or raises its
own error class. It never executes anything: these tests replace ``eval``,
``exec`` and ``__import__`` by functions that fail, and let ``compile`` through
only when it is asked for a syntax tree (which is how ``ast.parse`` works).
Nothing can hang: every input is bounded in size (see ``test_expr.py``).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import math
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from autograd import Value, no_grad
from autograd import sum as vsum
from autograd.expr import MAX_LENGTH, EvaluationError, ExpressionError, parse

# --- no code is ever executed -----------------------------------------------

# The C parser imports unicodedata itself to normalise a non-ASCII identifier.
_IMPORTS_OF_THE_PARSER = {"unicodedata"}


@contextlib.contextmanager
def no_code_execution() -> Iterator[list[str]]:
    """Make eval, exec, __import__ and any compile() to code objects fail loudly.

    Yields the list of modes of the compile() calls that only built a syntax tree.
    """
    saved = {name: getattr(builtins, name) for name in ("eval", "exec", "compile", "__import__")}
    tree_calls: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"{name}() was called with {args!r:.80}")

        return refused

    def compile_to_tree_only(
        source: Any, filename: Any, mode: str, flags: int = 0, *a: Any, **k: Any
    ) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError(f"compile() was asked for code from {source!r:.80}")
        tree_calls.append(mode)
        return saved["compile"](source, filename, mode, flags, *a, **k)

    def import_for_the_parser(name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in _IMPORTS_OF_THE_PARSER:
            raise AssertionError(f"__import__({name!r}) was called")
        return saved["__import__"](name, *args, **kwargs)

    builtins.eval = refuse("eval")
    builtins.exec = refuse("exec")
    builtins.compile = compile_to_tree_only
    builtins.__import__ = import_for_the_parser
    try:
        yield tree_calls
    finally:
        for name, function in saved.items():
            setattr(builtins, name, function)


def test_the_guard_catches_eval_exec_compile_and_import():
    with no_code_execution() as tree_calls:
        for attempt in (
            lambda: eval("1"),
            lambda: exec("x = 1"),
            lambda: compile("1", "<s>", "eval"),
            lambda: __import__("os"),
        ):
            with pytest.raises(AssertionError, match="was"):
                attempt()
        parse("x + 1")
    assert tree_calls == ["eval"]  # the parser went through compile(), for a tree only


CANARY_CALLS: list[str] = []


def canary(*args: object) -> float:
    CANARY_CALLS.append(repr(args))
    return 1.0


@pytest.mark.parametrize(
    "text",
    [
        "canary()",
        "exp(canary())",
        "canary",  # a plain name: a variable that needs a value, never looked up
        "__builtins__['canary']()",
        "__import__('os').system('echo pwned')",
        "globals()['canary']()",
        "(lambda: canary())()",
        "[canary() for _ in [0]]",
        "f'{canary()}'",
        "().__class__.__bases__[0].__subclasses__()",
        "open('/etc/passwd').read()",
        "os.system('echo pwned')",
        "eval('canary()')",
        "exec('canary()')",
        "compile('canary()', '', 'eval')",
        "getattr(x, 'canary')()",
        "x.canary()",
        "sum(canary() for _ in [0])",
        "exp(*[canary()])",
        "exp(x=canary())",
        "(y := canary())",
        "canary() if x else 0",
    ],
)
def test_nothing_in_the_text_is_ever_called(text, monkeypatch):
    monkeypatch.setattr(builtins, "canary", canary, raising=False)
    CANARY_CALLS.clear()
    with no_code_execution():
        try:
            f = parse(text)
        except ExpressionError:
            pass
        else:
            # only a bare name is accepted, and it is just an input needing a number
            assert f.names == ("canary",)
            assert f.evaluate({"canary": 2.0}).data == 2.0
            with pytest.raises(TypeError):
                f.evaluate({"canary": canary})  # type: ignore[dict-item]
    assert CANARY_CALLS == []


# --- random text ------------------------------------------------------------

_TOKENS = [
    *"xyzwb019.eE_+-*/()%,=[]{}'\":;@!~<>^&|\\# ",
    "exp", "log", "tanh", "sigmoid", "relu", "sum", "**", "//", "lambda", "for", "in", "if",
    "else", "not", "and", "__", "__import__", "os", ".system", "open", "1e400", "j", "é",
    "\t", "\n", "\x00", "\u202e", "ｘ", "1_0", "0x", "yield", "await", ":=", "f'", "b'",
]  # fmt: skip
_SAFE_NAME = re.compile(r"(?!__)[A-Za-z_][A-Za-z0-9_]*\Z")


@given(st.one_of(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join), st.text()))
def test_random_text_is_an_expression_or_an_expression_error(text):
    with no_code_execution():
        try:
            f = parse(text)
        except ExpressionError as err:
            assert type(err) is ExpressionError
            if err.start is not None:
                assert 0 <= err.start <= len(text) and err.end is not None
                assert err.start < err.end <= len(text) + 1
            return
        assert all(_SAFE_NAME.match(name) for name in f.names)
        assert text.isascii()  # so the command line can echo it on any terminal
        try:
            root = f.evaluate(dict.fromkeys(f.names, 0.5))
        except EvaluationError as err:
            assert isinstance(err.__cause__, ValueError | ArithmeticError)
            return
        assert isinstance(root, Value)


# --- random syntax trees ----------------------------------------------------

Tree = tuple[ast.expr, bool]  # a node, and whether anything in it is outside the grammar

_NAMES = ["x", "y", "w_1", "b", "open", "Z9"]
_NUMBERS = [0, 1, 2, 3, 10, 0.0, 0.5, 1.5, 2.5, 1e-300, 1e300, 5e-324, 1.7976931348623157e308, 1e16]
_GOOD_OPS = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow]
_BAD_OPS = [ast.FloorDiv, ast.Mod, ast.MatMult, ast.LShift, ast.RShift, ast.BitOr, ast.BitXor,
            ast.BitAnd]  # fmt: skip
_FUNCTIONS = ["exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs", "log1p",
              "expm1", "softplus"]  # the grammar's one-argument functions  # fmt: skip
_NOT_FUNCTIONS = ["open", "eval", "exec", "compile", "__import__", "getattr", "print", "x", "max"]
_BAD_CONSTANTS = ["s", b"b", 1j, True, False, None, ..., 10**400, math.inf]
_BAD_NAMES = ["__import__", "__builtins__", "__class__", "exp", "sum", "é", "ｘ", "lambda"]


def _load(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


_good_leaves = st.one_of(
    st.sampled_from(_NUMBERS).map(lambda n: (ast.Constant(n), False)),
    st.sampled_from(_NAMES).map(lambda n: (_load(n), False)),
    st.sampled_from(_NAMES[:3]).map(lambda n: (_load(n), False)),  # names twice as often
)
_bad_leaves = st.one_of(
    st.sampled_from(_BAD_CONSTANTS).map(lambda c: (ast.Constant(c), True)),
    st.sampled_from(_BAD_NAMES).map(lambda n: (_load(n), True)),
)


def _node(make: Callable[..., ast.expr], *parts: st.SearchStrategy[Any], bad: bool = False):
    """A strategy for ``make(*drawn parts)``: hostile if ``bad`` or if any subtree is."""

    def build(drawn: tuple[Any, ...]) -> Tree:
        trees = [d for d in drawn if isinstance(d, tuple)]
        lists = [t for d in drawn if isinstance(d, list) for t in d]
        hostile = bad or any(h for _, h in trees + lists)
        args = [d[0] if isinstance(d, tuple) else [t[0] for t in d] if isinstance(d, list)
                else d for d in drawn]  # fmt: skip
        return make(*args), hostile

    return st.tuples(*parts).map(build)


def _good(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    """Nodes inside the grammar, over ``children``."""
    return st.one_of(
        _node(lambda op, a, b: ast.BinOp(a, op(), b), st.sampled_from(_GOOD_OPS), children,
              children),
        _node(lambda op, a: ast.UnaryOp(op(), a), st.sampled_from([ast.USub, ast.UAdd]), children),
        _node(lambda f, a: ast.Call(_load(f), [a], []), st.sampled_from(_FUNCTIONS), children),
        _node(lambda args: ast.Call(_load("sum"), args, []), st.lists(children, min_size=1,
              max_size=4)),
    )  # fmt: skip


def _bad(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    """Nodes outside the grammar, over ``children``."""
    some = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        _node(lambda op, a, b: ast.BinOp(a, op(), b), st.sampled_from(_BAD_OPS), children,
              children, bad=True),
        _node(lambda op, a: ast.UnaryOp(op(), a), st.sampled_from([ast.Not, ast.Invert]),
              children, bad=True),
        _node(lambda a, attr: ast.Attribute(a, attr, ast.Load()), children,
              st.sampled_from(["real", "__class__", "system"]), bad=True),
        _node(lambda a: ast.Subscript(a, ast.Constant(0), ast.Load()), children, bad=True),
        _node(lambda a, b: ast.Compare(a, [ast.Lt()], [b]), children, children, bad=True),
        _node(lambda a, b: ast.BoolOp(ast.And(), [a, b]), children, children, bad=True),
        _node(lambda a, b, c: ast.IfExp(a, b, c), children, children, children, bad=True),
        _node(lambda a: ast.Lambda(ast.arguments([], [], None, [], [], None, []), a), children,
              bad=True),
        _node(lambda a, b: ast.ListComp(a, [ast.comprehension(ast.Name("i", ast.Store()), b, [],
              0)]), children, children, bad=True),
        _node(lambda a, b: ast.Call(_load("sum"), [ast.GeneratorExp(a, [ast.comprehension(
              ast.Name("i", ast.Store()), b, [], 0)])], []), children, children, bad=True),
        _node(lambda f, a: ast.Call(_load(f), [a], []), st.sampled_from(_NOT_FUNCTIONS),
              children, bad=True),
        _node(lambda a, b: ast.Call(_load("exp"), [a], [ast.keyword("k", b)]), children,
              children, bad=True),
        _node(lambda a: ast.Call(_load("exp"), [ast.Starred(a, ast.Load())], []), children,
              bad=True),
        _node(lambda f, a, b: ast.Call(_load(f), [a, b], []), st.sampled_from(_FUNCTIONS),
              children, children, bad=True),
        _node(lambda f: ast.Call(_load(f), [], []), st.sampled_from([*_FUNCTIONS, "sum"]),
              bad=True),
        _node(lambda a: ast.Call(ast.Attribute(_load("os"), "system", ast.Load()), [a], []),
              children, bad=True),
        _node(lambda args: ast.Tuple(args, ast.Load()), some, bad=True),
        _node(lambda args: ast.List(args, ast.Load()), some, bad=True),
        _node(lambda a: ast.NamedExpr(ast.Name("t", ast.Store()), a), children, bad=True),
        _node(lambda n: ast.JoinedStr([ast.FormattedValue(_load(n), -1, None)]),
              st.sampled_from(_NAMES), bad=True),
    )  # fmt: skip


good_trees = st.recursive(_good_leaves, _good, max_leaves=16)
"""Trees entirely inside the grammar."""
mixed_trees = st.recursive(
    st.one_of(_good_leaves, _bad_leaves),
    lambda children: st.one_of(_good(children), _bad(children)),
    max_leaves=12,
)
"""Trees of every node above, where most contain something outside the grammar."""

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}  # fmt: skip


def _engine(fn: Callable[..., Value], args: list[Value | float]) -> Value | float:
    """``fn`` on Values; on constants only, through constant Values, giving a number back."""
    if all(isinstance(a, float) for a in args):
        with no_grad():
            return fn(*[Value(a) for a in args]).data
    return fn(*args)


def direct(node: ast.expr, leaves: dict[str, Value]) -> Value | float:
    """Build the generated tree with the engine directly, by recursion over the tree."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.BinOp):
        args = [direct(node.left, leaves), direct(node.right, leaves)]
        return _engine(_BINARY[type(node.op)], args)
    if isinstance(node, ast.UnaryOp):
        operand = direct(node.operand, leaves)
        return operand if isinstance(node.op, ast.UAdd) else _engine(operator.neg, [operand])
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [direct(a, leaves) for a in node.args]
    if node.func.id == "sum":
        return _engine(lambda *xs: vsum(xs), args)
    return _engine(getattr(Value, node.func.id), args)


def names_in_order(node: ast.AST) -> list[str]:
    """The input names of a tree (not the called functions), left to right, each once."""
    found: dict[str, None] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            found.setdefault(n.id)
        children = n.args if isinstance(n, ast.Call) else list(ast.iter_child_nodes(n))
        stack.extend(reversed(children))
    return list(found)


def same(a: float, b: float) -> bool:
    """Bit-for-bit equality: NaN equals NaN, 0.0 differs from -0.0."""
    if math.isnan(b):
        return math.isnan(a)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


_INPUTS = st.sampled_from(
    [0.0, -0.0, 1.0, -1.5, 0.5, 2.0, 3.0, 1e-200, 1e200, 700.0, -700.0, math.nan, math.inf]
)


_BINDINGS = st.fixed_dictionaries({name: _INPUTS for name in _NAMES})


def test_the_lists_of_functions_here_follow_the_grammar():
    """A function added to the grammar must join _FUNCTIONS (else a tree calling it counts as
    hostile, and the property below fails whenever hypothesis happens to draw it)."""
    from autograd.expr import FUNCTIONS

    one_argument = [name for name, shown in FUNCTIONS.items() if shown == f"{name}(x)"]
    assert sorted(_FUNCTIONS) == sorted(one_argument)
    assert not set(_NOT_FUNCTIONS) & set(FUNCTIONS)


@given(good_trees, _BINDINGS)
def test_trees_in_the_grammar_compute_exactly_what_the_engine_computes(tree, inputs):
    check_tree(tree, inputs)


@given(mixed_trees, _BINDINGS)
def test_trees_outside_the_grammar_are_refused(tree, inputs):
    check_tree(tree, inputs)


def check_tree(tree: Tree, inputs: dict[str, float]) -> None:
    """Parse the text of ``tree``: refused if hostile, else exactly the engine's numbers."""
    node, hostile = tree
    text = ast.unparse(node)
    with no_code_execution():
        if hostile or len(text) > MAX_LENGTH:
            with pytest.raises(ExpressionError) as info:
                parse(text)
            assert type(info.value) is ExpressionError  # refused while parsing
            event("refused")
            return
        f = parse(text)
        assert list(f.names) == names_in_order(node)
        at = {name: inputs[name] for name in f.names}
        mine = _outcome(lambda: f.build(at))
    ref_leaves = {name: Value(v, name) for name, v in at.items()}
    expected = _outcome(lambda: (direct(node, ref_leaves), ref_leaves))

    if isinstance(expected, Exception):
        # the same op fails on the same operands, named in the same words
        assert isinstance(mine, EvaluationError), f"{text}: {mine!r} vs {expected!r}"
        assert type(mine.__cause__) is type(expected)
        assert mine.message.startswith(str(expected))
        event("domain error")
        return
    assert not isinstance(mine, Exception), f"{text}: {mine!r}"
    root, leaves = mine
    ref_root = expected[0] if isinstance(expected[0], Value) else Value(expected[0])
    assert same(root.data, ref_root.data), f"{text}: {root.data!r} vs {ref_root.data!r}"
    event(f"computed, {min(len(f.names), 3)}+ names")
    ref_failure = _outcome(ref_root.backward)
    my_failure = _outcome(root.backward)
    assert type(my_failure) is type(ref_failure)  # both None, or the same error
    if ref_failure is None:
        for name in f.names:  # exact: the same graph, so the same sums in the same order
            assert same(leaves[name].grad, ref_leaves[name].grad), f"{text}: d/d{name}"


def _outcome(thunk: Callable[[], Any]) -> Any:
    """The result of ``thunk()``, or the engine error it raised."""
    try:
        return thunk()
    except (ValueError, ArithmeticError) as exc:
        return exc
