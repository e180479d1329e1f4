"""viewers.page: the self-contained step-through page, checked without a browser.

What a browser does with the page is tested in test_page_browser.py.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from autograd import Value, nodes_of
from autograd.formatting import format_exact, format_number
from autograd.stepper import backward_steps, forward_steps
from autograd.table import node_names
from deltagrad.cli import main
from deltagrad.commands.demo import write_worked_example_page
from nn.worked_example import article_graph
from viewers.page import CSP, MAX_TITLE, Page, graph_page, worked_example_page


def expression() -> Value:
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    c.label = "c"
    L = (c + a).tanh() * 2.0 + a / b
    L.label = "L"
    return L


def page_data(text: str) -> dict:
    block = r'<script type="application/json" id="deltagrad-data">(.*?)</script>'
    match = re.search(block, text, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_the_page_is_self_contained_and_forbids_every_request():
    text = graph_page(expression()).html
    csp = html.escape(CSP, quote=True)
    assert f'<meta http-equiv="Content-Security-Policy" content="{csp}">' in text
    assert "default-src 'none'" in CSP and "connect-src" not in CSP
    # nothing that could load another address: no URL at all, no src/href, no CSS url()
    assert "://" not in text
    assert not re.search(r"\s(src|href|xlink:href|action|srcset)\s*=", text, re.I)
    assert "url(" not in text and "@import" not in text
    assert text.count("<script") == 2  # the data block and the script, both inline


def test_every_node_of_the_graph_has_an_element_named_by_data_node():
    root = expression()
    text = graph_page(root).html
    names = node_names(root)
    shown = re.findall(r'<g id="(v\d+)" class="node[^"]*" data-node="([^"]*)"', text)
    assert sorted(html.unescape(n) for _, n in shown) == sorted(names.values())
    assert len(shown) == len(nodes_of(root))


def test_the_numbers_are_the_engines_in_full():
    root = expression()
    data = page_data(graph_page(root).html)
    fresh = expression()  # the same graph built again, and its plain backward()
    fresh.backward()
    by_name = {n["name"]: n for n in data["nodes"]}
    for node, name in node_names(fresh).items():
        entry = by_name[name]
        assert entry["data"] == format_exact(node.data)
        assert data["grads"][entry["id"]] == {
            "full": format_exact(node.grad),
            "short": format_number(node.grad),
        }
    # the steps are the step-through's own, written with every number in full
    texts = [s["text"] for s in data["steps"]]
    again = expression()
    forward = [s.describe(digits=None) for s in forward_steps(again)]
    backward = [s.describe(digits=None) for s in backward_steps(again)]
    assert texts == forward + backward
    assert [s["pass"] for s in data["steps"]] == ["forward"] * len(forward) + ["backward"] * len(
        backward
    )


def test_the_rules_come_from_the_op_table():
    root = expression()
    data = page_data(graph_page(root).html)
    by_name = {n["name"]: n for n in data["nodes"]}
    c = root.args[0].args[0].args[0].args[0]  # c in tanh(c + a)
    assert c.label == "c"
    assert [r["rule"] for r in by_name["c"]["rules"]] == [c.op_info.rule(i, 2) for i in range(2)]
    assert by_name["a"].get("rules") is None  # a leaf


def test_making_a_page_changes_no_gradient():
    root = expression()
    root.backward()
    before = [(n.grad) for n in nodes_of(root)]
    data = page_data(graph_page(root).html)
    assert [n.grad for n in nodes_of(root)] == before
    # the page shows one pass from zero, not the doubled gradients of a second pass
    leaf = next(n for n in data["nodes"] if n["name"] == "a")
    a = next(n for n in nodes_of(root) if n.label == "a")
    assert data["grads"][leaf["id"]]["full"] == format_exact(a.grad)


def test_script_text_cannot_end_the_data_block():
    x = Value(1.0, "x</script><b>")
    y = x * 2.0
    text = graph_page(y, title="</script> & <b>").html
    assert text.count("</script>") == 2
    assert "&lt;/script&gt; &amp; &lt;b&gt;" in text
    assert page_data(text)["title"] == "</script> & <b>"


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="graph_page: expected a Value, got float"):
        graph_page(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=f"more than {MAX_TITLE}"):
        graph_page(expression(), title="x" * (MAX_TITLE + 1))


def test_the_worked_example_page_is_small_and_names_nodes_as_the_article(tmp_path):
    page = worked_example_page()
    assert page.size < 1_000_000, page.size
    text = page.html
    for name in ("z1", "f6", "W2[2][2]", "b3[1]", "L"):
        assert f'data-node="{name}"' in text
    path = write_worked_example_page(tmp_path / "out" / "we.html")
    assert path is not None and path.read_text("utf-8") == text
    graph = article_graph("forward")
    graph.loss.backward()
    data = page_data(text)
    by_name = {n["name"]: n["id"] for n in data["nodes"]}
    assert data["grads"][by_name["z6"]]["full"] == format_exact(graph.z[5].grad)


def test_jupyter_shows_the_page_in_an_iframe_without_a_widget():
    page = Page("<p>\"x\" & 'y'</p>", "t")
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=")
    assert 'sandbox="allow-scripts"' in shown
    src = re.search(r'srcdoc="([^"]*)"', shown)
    assert src is not None and html.unescape(src.group(1)) == page.html


def test_grad_command_writes_the_page(tmp_path, capsys):
    target = tmp_path / "sub" / "g.html"
    at = ["--at", "x=1", "w=0.5", "b=-0.2"]
    status = main(["grad", "tanh(x*w + b)", *at, "--html", str(target)])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    assert out.startswith("tanh(x*w + b) at x = 1.0")
    text = target.read_text("utf-8")
    assert 'data-node="x*w + b"' in text and 'data-node="x"' in text
    assert page_data(text)["title"] == "deltagrad grad: tanh(x*w + b)"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("g.txt", "the name must end in .html"),
        ("dir.html", "is a folder"),
        ("afile/g.html", "is a file, not a folder"),
    ],
)
def test_grad_command_refuses_a_bad_html_target(tmp_path, capsys, name, message):
    (tmp_path / "dir.html").mkdir()
    (tmp_path / "afile").write_text("x")
    status = main(["grad", "x*y", "--at", "x=1", "y=2", "--html", str(tmp_path / name)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("deltagrad grad: error: --html ") and message in err
    assert len(err.splitlines()) == 1
