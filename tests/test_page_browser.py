"""The step-through pages in a real browser: headless Chromium (Debian's) driven by Selenium.

``make test`` installs ``chromium`` and ``chromium-driver`` through
``scripts/ensure-chromium``; without them these tests fail (they are not
skipped). One browser serves the whole module. Each page is opened from
``file://`` at 1280 x 720 and checked for: keys that work at once (no click
first), the highlighted node (class ``current``) following the steps, the
gradient shown for every node after the last step equal to ``backward()``'s as
printed in full, no JavaScript error, no request to any address but the page
itself, and no horizontal scrolling.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser import LOCAL_SCHEMES, chromium, errors, requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd import Value, nodes_of
from autograd.expr import parse
from autograd.formatting import format_exact
from autograd.stepper import backward_steps, forward_steps
from autograd.table import node_names
from deltagrad.commands.demo import write_worked_example_page
from nn.worked_example import article_graph

EXPRESSION = "tanh(x*w + b) * x + log(w) / b"
AT = {"x": "1.5", "w": "0.5", "b": "-0.2"}


@pytest.fixture(scope="module")
def driver():
    with chromium() as d:
        yield d


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pages")
    expr_page = folder / "expr.html"
    # made by the command line, as a user makes it
    done = subprocess.run(
        [sys.executable, "-m", "deltagrad", "grad", EXPRESSION, "--at",
         *(f"{k}={v}" for k, v in AT.items()), "--html", str(expr_page)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    we_page = write_worked_example_page(folder / "worked_example.html")
    assert we_page is not None
    return {"expression": expr_page, "worked example": we_page}


def expression_root() -> Value:
    root, _ = parse(EXPRESSION).build({k: float(v) for k, v in AT.items()}, label_nodes=True)
    return root


def worked_example_root() -> Value:
    return article_graph("forward").loss


ROOTS = {"expression": expression_root, "worked example": worked_example_root}


def open_page(driver, path: Path) -> None:
    requests(driver)  # forget earlier requests
    driver.get_log("browser")
    driver.get(path.resolve().as_uri())


def current_names(driver) -> list[str]:
    return [
        el.get_attribute("data-node")
        for el in driver.find_elements(By.CSS_SELECTOR, "#drawing g.node.current[data-node]")
    ]


def press(driver, key: str, times: int = 1) -> None:
    actions = ActionChains(driver)
    for _ in range(times):
        actions.send_keys(key)
    actions.perform()


@pytest.mark.parametrize("which", ["expression", "worked example"])
def test_keys_move_the_highlighted_node_through_both_passes(driver, pages, which):
    open_page(driver, pages[which])
    root = ROOTS[which]()
    names = node_names(root)
    order = [names[s.node] for s in forward_steps(root)]
    order += [names[s.node] for s in backward_steps(root)]
    # keys work at once, with no click first
    assert current_names(driver) == [order[0]]
    press(driver, Keys.ARROW_RIGHT)
    assert current_names(driver) == [order[1]]
    press(driver, Keys.ARROW_RIGHT, 2)
    assert current_names(driver) == [order[3]]
    press(driver, Keys.ARROW_LEFT)
    assert current_names(driver) == [order[2]]
    press(driver, Keys.END)
    assert current_names(driver) == [order[-1]]
    assert driver.find_element(By.ID, "counter").text.startswith("backward pass: step")
    # readable at 1280 x 720: the current node's text is at least 9 pixels high on screen
    height = driver.execute_script(
        "return document.querySelector('#drawing g.node.current[data-node] text')"
        ".getBoundingClientRect().height"
    )
    assert height >= 9
    press(driver, Keys.HOME)
    assert current_names(driver) == [order[0]]
    # the slider and the buttons move the same steps
    driver.find_element(By.ID, "next").click()
    assert current_names(driver) == [order[1]]
    driver.find_element(By.ID, "last").click()
    assert current_names(driver) == [order[-1]]
    assert errors(driver) == []


@pytest.mark.parametrize("which", ["expression", "worked example"])
def test_after_the_last_step_every_gradient_shown_is_backwards(driver, pages, which):
    open_page(driver, pages[which])
    root = ROOTS[which]()
    root.backward()
    press(driver, Keys.END)
    shown_grad = driver.find_element(By.ID, "info-grad")
    shown_value = driver.find_element(By.ID, "info-value")
    for node, name in node_names(root).items():
        element = driver.find_element(By.CSS_SELECTOR, f'#drawing g.node[data-node="{css(name)}"]')
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", element)
        assert driver.find_element(By.ID, "info-name").text == name
        assert shown_grad.text == format_exact(node.grad), name
        assert shown_value.text == format_exact(node.data), name
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", element)
    assert errors(driver) == []


def css(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def test_gradients_not_yet_computed_are_blank(driver, pages):
    open_page(driver, pages["expression"])
    # forward pass: no gradient anywhere in the drawing, nor in the panel
    grads = driver.find_elements(By.CSS_SELECTOR, "#drawing text.grad")
    assert grads and all(g.get_attribute("textContent") == "grad" for g in grads)
    assert driver.find_element(By.ID, "info-grad").text == "not computed yet"
    root = expression_root()
    forward = len(list(forward_steps(root)))
    press(driver, Keys.ARROW_RIGHT, forward)  # the first backward step: the root's seed
    assert driver.find_element(By.ID, "counter").text.startswith("backward pass: step 1 of")
    cells = driver.find_elements(By.CSS_SELECTOR, "#drawing text.grad")
    texts = [g.get_attribute("textContent") for g in cells]
    filled = [t for t in texts if t != "grad"]
    assert 1 <= len(filled) < len(grads)
    assert errors(driver) == []


def test_a_node_is_reachable_by_keyboard(driver, pages):
    open_page(driver, pages["expression"])
    press(driver, Keys.END)
    # Tab moves through the controls, then the nodes of the drawing
    for _ in range(40):
        press(driver, Keys.TAB)
        active = driver.switch_to.active_element
        if active.get_attribute("data-node"):
            break
    name = active.get_attribute("data-node")
    assert name
    assert driver.find_element(By.ID, "info-name").text == name
    press(driver, Keys.ARROW_LEFT)  # the keys still step while a node has the focus
    assert driver.find_element(By.ID, "counter").text.startswith("backward pass: step")
    assert errors(driver) == []


@pytest.mark.parametrize("which", ["expression", "worked example"])
def test_no_request_leaves_the_page_and_it_fits_1280_pixels(driver, pages, which):
    path = pages[which]
    open_page(driver, path)
    press(driver, Keys.ARROW_RIGHT, 3)
    press(driver, Keys.END)
    driver.find_element(By.ID, "zoom").click()
    driver.find_element(By.ID, "zoom").click()
    page = path.resolve().as_uri()
    # every request made by the page is the page itself; and no request at all went
    # anywhere but to files and the browser's own internal pages
    made = requests(driver)
    assert [url for document, url in made if document == page] == [page]
    assert [url for _, url in made if not url.startswith(LOCAL_SCHEMES)] == []
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1280
    assert errors(driver) == []


def test_every_node_of_the_worked_example_is_drawn(driver, pages):
    open_page(driver, pages["worked example"])
    root = worked_example_root()
    drawn = {
        el.get_attribute("data-node")
        for el in driver.find_elements(By.CSS_SELECTOR, "#drawing g.node[data-node]")
    }
    assert drawn == set(node_names(root).values())
    assert len(drawn) == len(nodes_of(root))
