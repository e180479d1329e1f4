"""Drawings rendered with the real `dot`, read back as SVG (XML) and checked node by node."""

import math
import os
import random
import subprocess
import sys

import pytest
from svg_helpers import parse

from autograd import Value, linear, nodes_of
from autograd import sum as vsum
from autograd.viz import (
    DEFAULT_MAX_NODES,
    HIGHLIGHT,
    TINT,
    DotNotFoundError,
    GraphTooLargeError,
    draw_dot,
    format_number,
    render,
    repr_svg,
    to_svg,
)


def tanh_example():
    """L = tanh(a*b + c) * 2 with a = 0.5, b = -1.5, c = 1, after backward()."""
    a, b, c = Value(0.5, "a"), Value(-1.5, "b"), Value(1.0, "c")
    L = (a * b + c).tanh() * 2
    L.label = "L"
    L.backward()
    return a, b, c, L


def mlp_loss(x=(5.1, 3.5, 1.4, 0.2), target=(1.0, 0.0, 0.0), seed=0):
    """A 4-5-3 sigmoid network on one Iris sample, C = 0.5 * sum_j (a_j - y_j)**2."""
    rng = random.Random(seed)
    activations = [Value(v, f"x{k + 1}") for k, v in enumerate(x)]
    for layer, (n_in, n_out) in enumerate([(4, 5), (5, 3)], start=2):
        out = []
        for j in range(1, n_out + 1):
            w = [Value(rng.uniform(-1, 1), f"w{layer}_{j}{k}") for k in range(1, n_in + 1)]
            b = Value(rng.uniform(-1, 1), f"b{layer}_{j}")
            z = linear(w, activations, b)
            z.label = f"z{layer}_{j}"
            a = z.sigmoid()
            a.label = f"a{layer}_{j}"
            out.append(a)
        activations = out
    C = 0.5 * vsum([(a - y) ** 2 for a, y in zip(activations, target)])
    C.label = "C"
    return C


def ids_by_label(root):
    return {v.label: f"v{k}" for k, v in enumerate(nodes_of(root)) if v.label}


# --- numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (3.0, "3"),
        (-0.5, "-0.5"),
        (2 / 3, "0.6667"),
        (-2 / 3, "-0.6667"),
        (1234.5678, "1235"),
        (9999.4, "9999"),
        (99999.0, "1e5"),  # rounds to 4 digits, then is past 10**4: scientific
        (123456.0, "1.235e5"),
        (0.00012345, "0.0001234"),  # 0.00012345 is stored just below ...345, so it rounds down
        (1.5e-5, "1.5e-5"),
        (1e-300, "1e-300"),
        (-6.02e23, "-6.02e23"),
        (0.0, "0"),
        (-0.0, "0"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
    ],
)
def test_format_number_uses_four_significant_digits_and_short_exponents(x, text):
    assert format_number(x) == text


def test_format_number_digits_is_checked():
    assert format_number(math.pi, 8) == "3.1415927"
    with pytest.raises(ValueError, match="format_number: digits must be an int from 1 to 17"):
        format_number(1.0, 0)


# --- structure of a drawing ------------------------------------------------------


def test_records_ops_constants_and_edges_are_counted_and_labelled():
    *_, L = tanh_example()
    d = parse(to_svg(L))
    # Values a, b, c, a*b, a*b+c, tanh(...), L; ops *, +, tanh, *; the constant 2.
    assert len(d.by_class("value")) == 7
    assert len(d.by_class("leaf")) == 3
    assert sorted(n.texts[0] for n in d.by_class("op")) == ["*", "*", "+", "tanh"]
    assert [n.texts for n in d.by_class("const")] == [["2"]]
    assert len(d.nodes) == 7 + 4 + 1
    # one arrow per argument (2 + 2 + 1 + 2) and one from each op to its result
    assert sum("arg" in e.classes for e in d.edges) == 7
    assert sum("out" in e.classes for e in d.edges) == 4
    ids = ids_by_label(L)
    # the record shows the label, data and grad, with 4 significant digits
    assert d.nodes[ids["a"]].texts == ["a", "data 0.5", "grad -2.82"]
    assert d.nodes[ids["b"]].texts == ["b", "data -1.5", "grad 0.94"]
    assert d.nodes[ids["L"]].texts == ["L", "data 0.4898", "grad 1"]
    # unlabelled nodes are named n1, n2, ... in nodes_of order, as in node_table
    assert [n.texts[0] for n in d.by_class("value") if n.texts[0].startswith("n")] == [
        "n1",
        "n2",
        "n3",
    ]


def test_data_and_grad_numbers_match_the_values_to_the_shown_precision():
    *_, L = tanh_example()
    d = parse(to_svg(L, digits=6))
    for k, v in enumerate(nodes_of(L)):
        _, data, grad = d.nodes[f"v{k}"].texts
        # 6 significant digits: the shown number is within half a unit of the 6th digit
        assert float(data.split()[1]) == pytest.approx(v.data, rel=5e-6, abs=1e-12)
        assert float(grad.split()[1]) == pytest.approx(v.grad, rel=5e-6, abs=1e-12)


def test_a_value_used_twice_has_two_edges_in_argument_order():
    a = Value(3.0, "a")
    y = a * a
    y.label = "y"
    d = parse(to_svg(y))
    assert len(d.edges_between("v0", "v1_op")) == 2
    assert len(d.edges) == 3


def test_order_sensitive_ops_label_their_arrows_with_argument_names():
    x, y = Value(5.0, "x"), Value(2.0, "y")
    r = y - x
    d = parse(to_svg(r))
    # r = y - x: y is the op's a (argument 0, arrow v2_e0), x its b (argument 1).
    # Nodes are numbered in nodes_of order (arguments left to right): y is v0, x is v1.
    arrows = {e.id: (e.title, e.texts) for e in d.edges if "arg" in e.classes}
    assert arrows == {"v2_e0": ("v0->v2_op", ["a"]), "v2_e1": ("v1->v2_op", ["b"])}
    # a symmetric op has no arrow labels
    assert all(e.texts == [] for e in parse(to_svg(x * y)).edges)
    # labels can be switched off
    assert all(e.texts == [] for e in parse(to_svg(r, edge_labels=False)).edges)


def test_constants_get_a_node_per_use_with_the_argument_name():
    x = Value(2.0, "x")
    y = 3.0 - x / 4
    d = parse(to_svg(y))
    consts = d.by_class("const")
    assert sorted(n.texts[0] for n in consts) == ["3", "4"]
    labels = {e.title.split("->")[0]: e.texts for e in d.edges if "arg" in e.classes}
    assert labels["v1_c1"] == ["b"]  # x / 4: the 4 is b
    assert labels["v2_c0"] == ["a"]  # 3 - (x/4): the 3 is a


def test_linear_is_one_node_with_indexed_arrow_labels():
    w = [Value(0.1, "w1"), Value(-0.2, "w2")]
    x = [Value(1.0, "x1"), Value(2.0, "x2")]
    z = linear(w, x, Value(0.5, "b"))
    d = parse(to_svg(z))
    assert [n.texts for n in d.by_class("op")] == [["Σ w·x + b"]]
    assert [e.texts[0] for e in d.edges if "arg" in e.classes] == [
        "w_1",
        "w_2",
        "x_1",
        "x_2",
        "b",
    ]


def test_special_numbers_and_markup_in_labels_are_shown_as_they_are():
    nan = Value(math.nan, "<nan & co>")
    big = Value(6.02e23, 'say "big"')
    tiny = Value(-1.5e-9, "tiny")
    inf = Value(math.inf, "inf")
    y = nan + big + tiny + inf
    d = parse(to_svg(y))
    texts = {n.texts[0]: n.texts[1:] for n in d.by_class("value")}
    assert texts["<nan & co>"] == ["data nan", "grad 0"]
    assert texts['say "big"'] == ["data 6.02e23", "grad 0"]
    assert texts["tiny"] == ["data -1.5e-9", "grad 0"]
    assert texts["inf"] == ["data inf", "grad 0"]


def test_show_grad_false_and_blank_cells():
    a, _b, _c, L = tanh_example()
    d = parse(to_svg(L, show_grad=False))
    assert all(len(n.texts) == 2 and n.texts[1].startswith("data") for n in d.by_class("value"))
    # only the given grads and values are shown; the others are blank cells
    d = parse(to_svg(L, grads={L: 1.0, a: 0.25}, values={a: 7.0}))
    ids = ids_by_label(L)
    assert d.nodes[ids["L"]].texts == ["L", "data", "grad 1"]
    assert d.nodes[ids["a"]].texts == ["a", "data 7", "grad 0.25"]
    assert d.nodes[ids["b"]].texts == ["b", "data", "grad"]


def test_highlight_fills_the_record_and_its_op_and_thickens_its_arrows():
    a, _b, _c, L = tanh_example()
    ids = ids_by_label(L)
    d = parse(to_svg(L, highlight=[L, a]))
    highlighted = {n.id for n in d.by_class("highlight")}
    assert highlighted == {ids["L"], ids["L"] + "_op", ids["a"]}
    assert HIGHLIGHT in d.nodes[ids["L"]].fills
    assert HIGHLIGHT in d.nodes[ids["L"] + "_op"].fills
    assert all(HIGHLIGHT not in n.fills for n in d.nodes.values() if n.id not in highlighted)
    into_L = [e for e in d.edges if e.title.endswith(f"->{ids['L']}_op")]
    assert len(into_L) == 2 and all(e.stroke_widths == ["2"] for e in into_L)
    others = [e for e in d.edges if e not in into_L]
    assert all(e.stroke_widths == ["1"] for e in others)


def test_highlight_mapping_and_tint_choose_colours():
    a, b, c, L = tanh_example()
    ids = ids_by_label(L)
    assert {n.id for n in parse(to_svg(L, highlight=b)).by_class("highlight")} == {ids["b"]}
    d = parse(to_svg(L, highlight={b: "#ff0000"}, tint=[a, c]))
    assert "#ff0000" in d.nodes[ids["b"]].fills
    assert {n.id for n in d.by_class("tint")} == {ids["a"], ids["c"]}
    assert all(TINT in d.nodes[ids[k]].fills for k in "ac")
    ops = d.by_class("op")
    assert all(TINT not in n.fills and "highlight" not in n.classes for n in ops)


def test_rankdir_and_bad_options_are_checked():
    *_, L = tanh_example()
    assert draw_dot(L, rankdir="TB").graph_attr["rankdir"] == "TB"
    with pytest.raises(ValueError, match="draw_dot: rankdir must be one of LR, RL, TB, BT"):
        draw_dot(L, rankdir="XY")
    with pytest.raises(TypeError, match="draw_dot: expected a Value to draw, got float"):
        draw_dot(1.5)
    with pytest.raises(ValueError, match="max_nodes must be a positive int, got 0"):
        draw_dot(L, max_nodes=0)
    with pytest.raises(TypeError, match="highlight must hold Values, got str"):
        draw_dot(L, highlight=["a"])


def test_the_digraph_source_lists_every_node_once():
    *_, L = tanh_example()
    source = draw_dot(L).source
    for k in range(7):
        assert source.count(f"\tv{k} [") == 1


# --- large graphs ------------------------------------------------------------------


def test_mlp_on_one_iris_sample_is_drawn_whole():
    C = mlp_loss()
    C.backward()
    d = parse(to_svg(C))
    # Values: 4 inputs + 43 parameters + 8 z + 8 a + (3 differences, 3 squares, sum, C) = 71;
    # ops: 8 linear + 8 sigmoid + 3 sub + 3 pow + sum + mul = 24; constants: 3 y + 3 twos + 0.5
    assert len(d.by_class("value")) == 71
    assert len(d.by_class("op")) == 24
    assert len(d.by_class("const")) == 7
    # arrows: 5 * 9 + 3 * 11 into the linear nodes, 8 + 6 + 6 + 3 + 2 into the others
    assert sum("arg" in e.classes for e in d.edges) == 45 + 33 + 25
    assert sum("out" in e.classes for e in d.edges) == 24
    assert len(d.nodes) <= DEFAULT_MAX_NODES


def test_beyond_the_limit_single_use_leaves_and_constants_are_folded():
    C = mlp_loss()
    d = parse(to_svg(C, max_nodes=60))
    # the 43 weights and biases feed one neuron each and disappear; so do the 7 constants
    assert len(d.by_class("value")) == 71 - 43
    assert len(d.by_class("const")) == 0
    labels = sorted(" ".join(n.texts) for n in d.by_class("op") if n.texts[0] == "Σ w·x + b")
    assert labels == ["Σ w·x + b +5 leaves"] * 5 + ["Σ w·x + b +6 leaves"] * 3
    assert (
        sorted(" ".join(n.texts) for n in d.by_class("op") if n.texts[0] == "**") == ["** b=2"] * 3
    )
    assert len(d.nodes) == 28 + 24
    # a highlighted leaf stays
    w = next(v for v in nodes_of(C) if v.label == "w2_11")
    d = parse(to_svg(C, max_nodes=60, highlight=[w]))
    assert len(d.by_class("value")) == 71 - 42


def test_too_large_is_refused_with_the_limit_named():
    C = mlp_loss()
    with pytest.raises(
        GraphTooLargeError,
        match=r"102 drawing nodes \(52 after folding.*; 28 with each neuron in one box\).*"
        r"max_nodes=27",
    ):
        draw_dot(C, max_nodes=27)
    with pytest.raises(
        GraphTooLargeError, match=r"102 drawing nodes \(collapse=False\).*max_nodes=60"
    ):
        draw_dot(C, max_nodes=60, collapse=False)


def test_a_huge_graph_is_refused_before_dot_runs():
    x = Value(0.5, "x")
    y = x
    for _ in range(20_000):
        y = y * 1.0001 + x  # x is used 20 000 times: nothing folds away
    with pytest.raises(GraphTooLargeError, match=f"max_nodes={DEFAULT_MAX_NODES}"):
        to_svg(y)


# --- files, dot, Jupyter ------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF"), (".SVG", b"<?xml")],
)
def test_render_writes_the_format_of_the_suffix(tmp_path, suffix, magic):
    *_, L = tanh_example()
    target = tmp_path / "sub" / f"graph{suffix}"
    assert render(L, target) == target
    assert target.read_bytes().startswith(magic)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not the 0600 of a temporary file
    if suffix.lower() == ".svg":
        assert len(parse(target.read_text()).by_class("value")) == 7


def test_render_refuses_other_suffixes_and_keeps_old_files(tmp_path):
    *_, L = tanh_example()
    for name in ("graph.jpg", "graph", "graph.svg.txt"):
        with pytest.raises(
            ValueError, match=r"render: cannot write .* unknown file type .*\.svg, \.png, \.pdf"
        ):
            render(L, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_says_how_to_install_it(tmp_path, monkeypatch):
    *_, L = tanh_example()
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot on PATH
    with pytest.raises(DotNotFoundError, match=r"sudo apt-get install graphviz"):
        to_svg(L)
    with pytest.raises(DotNotFoundError, match=r"'dot' program was not found"):
        render(L, tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()
    assert repr_svg(L) is None  # the rich display falls back to repr


def test_repr_svg_is_a_drawing_for_small_graphs_and_none_for_large_ones():
    *_, L = tanh_example()
    svg = repr_svg(L)
    assert svg is not None and len(parse(svg).by_class("value")) == 7
    assert repr_svg(mlp_loss(), max_nodes=60) is None
    assert repr_svg(Value(1.0)) is None  # a leaf: its repr says everything
    x = Value(1.0)
    # 2 Values but 300 constants: drawn collapsed, constants and the leaf folded into the op
    ops = parse(repr_svg(vsum([x, *[0.5] * 300]))).by_class("op")
    assert [n.texts for n in ops] == [["Σ", "+300 constants", "+1 leaf"]]


def test_import_autograd_does_not_import_viz_or_graphviz():
    code = (
        "import sys, autograd, autograd.stepper; "
        "assert 'autograd.viz' not in sys.modules and 'graphviz' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_value_rich_display_is_an_svg_for_small_graphs_only():
    a = Value(2.0, "a")
    y = (a * 3.0).tanh()
    svg = y._repr_svg_()
    assert svg is not None and svg.lstrip().startswith(("<?xml", "<svg", "<!--"))
    assert parse(svg).nodes  # a real drawing, with nodes
    assert a._repr_svg_() is None  # a leaf has no graph to show
    big = a
    for _ in range(100):
        big = big * 1.01
    assert big._repr_svg_() is None  # too many Values to be cheap
