"""viewers.replay: a recorded training run, as data and as a page in headless Chromium.

The 300-step moons replay is recorded once for the module (about 15 s on the
reference machine); the browser tests then use it.
"""

from __future__ import annotations

import copy
import html
import json
import re

import pytest
from browser import LOCAL_SCHEMES, chromium, errors, requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd.formatting import format_exact
from nn.datasets import load
from nn.train import train
from viewers.page import CSP
from viewers.replay import (
    GRID,
    MAX_FRAMES,
    Recorder,
    _params,
    float_forward,
    record_training,
    replay_page,
)

SETTINGS = {"epochs": 30, "batch_size": 16, "seed": 0}  # 10 steps an epoch: 300 steps


@pytest.fixture(scope="module")
def moons():
    return load("moons", seed=0)


@pytest.fixture(scope="module")
def recording(moons):
    result, recorder = record_training(moons, **SETTINGS)
    return result, recorder


@pytest.fixture(scope="module")
def page_file(recording, tmp_path_factory):
    _, recorder = recording
    return replay_page(recorder, title="moons, 300 steps").save(
        tmp_path_factory.mktemp("replay") / "moons.html"
    )


def data_of(text: str) -> dict:
    block = r'<script type="application/json" id="deltagrad-data">(.*?)</script>'
    match = re.search(block, text, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_recording_trains_exactly_as_train_does(moons):
    result, recorder = record_training(moons, epochs=2, batch_size=16, seed=3)
    plain = train(moons, epochs=2, batch_size=16, seed=3)
    assert [p.data for p in result.model.parameters()] == [p.data for p in plain.model.parameters()]
    assert len(recorder.frames) == 20  # every step of a short run


def test_a_long_run_is_sampled_to_at_most_300_frames(moons, recording):
    _, recorder = recording
    assert recorder.total_steps == 300 and len(recorder.frames) == MAX_FRAMES
    _, longer = record_training(moons, epochs=4, batch_size=16, max_frames=7)
    steps = [f.step for f in longer.frames]
    assert steps[0] == 0 and steps[-1] == 39 and len(steps) == 7
    assert steps == sorted(set(steps))
    with pytest.raises(ValueError, match="max_frames must be from 1 to 300"):
        Recorder(longer.model, moons, longer.objective, 10, max_frames=301)


def test_a_frame_is_the_step_before_its_update_and_the_engines_pass(moons):
    seen = []
    _, recorder = record_training(moons, epochs=1, batch_size=16, seed=1)
    train(moons, epochs=1, batch_size=16, seed=1, on_step=lambda s: seen.append(
        [format_exact(p.data) for p in _params(s.model)]))  # fmt: skip
    frames = recorder.frames
    # frame k holds the weights step k started from: those after step k - 1
    for k in range(1, len(frames)):
        assert frames[k].params == seen[k - 1]
    # its numbers are those of a plain forward and backward pass on that sample
    frame = frames[4]
    model = copy.deepcopy(recorder.model)
    for p, text in zip(_params(model), frame.params):
        p.data = float(text)
        p.grad = 0.0
    loss = recorder.objective.loss(model(moons.train.x[frame.sample]), frame.label)
    loss.backward()
    assert frame.sample_loss == format_exact(loss.data)
    neurons = [n for layer in model.layers for n in layer.neurons]
    assert [row[:3] for row in frame.neurons] == [
        [format_exact(n.z.data), format_exact(n.out.data), format_exact(n.z.grad)] for n in neurons
    ]
    # the backward pass, one neuron at a time (viewers.netsteps), output neuron first
    steps = frame.backward["steps"]
    assert steps[0]["nodes"] == ["L3.n1"]
    names = [f"L{k}.n{j}" for k, size in ((1, 16), (2, 16), (3, 1)) for j in range(1, size + 1)]
    assert sorted(n for s in steps for n in s["nodes"]) == sorted(names)
    # and each neuron's delta as the step-through wrote it, in full
    for name, n in zip(names, neurons):
        assert frame.backward["full"][name].endswith(format_exact(n.z.grad))


def test_the_decision_grid_is_the_models_own_forward_pass(recording):
    _, recorder = recording
    model = recorder.model
    for point in ([0.0, 0.0], [1.5, -0.25], [-1.0, 1.0], [2.2, 0.7]):
        assert float_forward(model, point) == [v.data for v in model(point)]
    grid = recorder.frames[-1].grid
    assert len(grid) == GRID * GRID and set(grid) <= set("abcdefgh")
    # the last frame separates the moons: both classes have cells
    assert any(c < "e" for c in grid) and any(c >= "e" for c in grid)


def test_the_300_step_replay_is_small_and_self_contained(page_file):
    text = page_file.read_text("utf-8")
    assert len(text.encode("utf-8")) < 10_000_000
    assert f'content="{html.escape(CSP, quote=True)}"' in text
    assert "://" not in text
    assert not re.search(r"\s(src|href|xlink:href|action|srcset)\s*=", text, re.I)
    data = data_of(text)
    assert len(data["frames"]) == 300
    assert 'data-node="L2.n16"' in text and 'data-node="L1.n3.w2"' in text


def test_replay_page_refuses_what_it_cannot_show(recording, moons):
    _, recorder = recording
    with pytest.raises(ValueError, match="granularity must be one of neuron, layer"):
        Recorder(recorder.model, moons, recorder.objective, 5, granularity="edge")
    empty = Recorder(copy.deepcopy(recorder.model), moons, recorder.objective, 5)
    with pytest.raises(ValueError, match="no frame was recorded"):
        replay_page(empty)


# --- in the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def driver():
    with chromium() as d:
        yield d


def press(driver, *keys: str) -> None:
    actions = ActionChains(driver)
    for key in keys:
        actions.send_keys(key)
    actions.perform()


def current(driver) -> list[str]:
    return [
        el.get_attribute("data-node")
        for el in driver.find_elements(By.CSS_SELECTOR, "#drawing g.neuron.current")
    ]


def test_the_replay_steps_plays_and_goes_through_a_backward_pass(driver, page_file, recording):
    _, recorder = recording
    page = page_file.resolve().as_uri()
    requests(driver)
    driver.get(page)
    counter = driver.find_element(By.ID, "counter")
    assert counter.text == "training step 1 of 300 (epoch 1)"  # keys work at once
    press(driver, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert counter.text == "training step 3 of 300 (epoch 1)"
    press(driver, Keys.END)
    assert counter.text == "training step 300 of 300 (epoch 30)"
    press(driver, Keys.HOME, " ")  # play
    driver.implicitly_wait(0)
    import time

    time.sleep(0.6)
    press(driver, " ")  # pause
    played = driver.execute_script("return deltagrad.frame()")
    assert played >= 2
    time.sleep(0.3)
    assert driver.execute_script("return deltagrad.frame()") == played
    # the last step's backward pass, one neuron at a time
    press(driver, Keys.END, "b")
    frame = recorder.frames[-1]
    order = [s["nodes"] for s in frame.backward["steps"]]
    assert current(driver) == order[0] == ["L3.n1"]  # the output neuron first
    press(driver, Keys.ARROW_RIGHT)
    assert current(driver) == order[1]
    deltas = driver.find_elements(By.CSS_SELECTOR, "#drawing g.neuron text.delta.blank")
    assert len(deltas) == 33 - 2  # two deltas known
    press(driver, Keys.END)
    assert current(driver) == order[-1]
    # readable at 1280 x 720: in a backward pass the view follows the neuron, text >= 9 px
    height = driver.execute_script(
        "return document.querySelector('#drawing g.neuron.current text.z')"
        ".getBoundingClientRect().height"
    )
    assert height >= 9
    assert driver.find_elements(By.CSS_SELECTOR, "#drawing g.neuron text.delta.blank") == []
    # every neuron's delta, in full, is the engine's
    names = [f"L{k}.n{j}" for k, size in ((1, 16), (2, 16), (3, 1)) for j in range(1, size + 1)]
    for name, numbers in zip(names, frame.neurons):
        el = driver.find_element(By.CSS_SELECTOR, f'#drawing g.neuron[data-node="{name}"]')
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", el)
        assert driver.find_element(By.ID, "info-name").text == name
        assert driver.find_element(By.ID, "info-delta").text == numbers[2]
        assert driver.find_element(By.ID, "info-z").text == numbers[0]
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", el)
    press(driver, Keys.ESCAPE)
    assert driver.execute_script("return deltagrad.mode()") == "train"
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1280
    made = requests(driver)
    assert [url for document, url in made if document == page] == [page]
    assert [url for _, url in made if not url.startswith(LOCAL_SCHEMES)] == []
    assert errors(driver) == []


# --- the network page of one pass (the worked example) --------------------------------


def test_the_worked_example_network_page_steps_neuron_by_neuron(driver, tmp_path):
    from nn.worked_example import article_graph
    from viewers.replay import worked_example_network_page

    path = worked_example_network_page().save(tmp_path / "we_network.html")
    assert path.stat().st_size < 1_000_000
    graph = article_graph("forward")
    graph.loss.backward()
    page = path.resolve().as_uri()
    requests(driver)
    driver.get(page)
    names = [f"L{k}.n{j}" for k, size in ((1, 3), (2, 2), (3, 1)) for j in range(1, size + 1)]
    # the output neuron first, then layer 2 and layer 1, the last neuron of a layer first
    order = [["L3.n1"], ["L2.n2"], ["L2.n1"], ["L1.n3"], ["L1.n2"], ["L1.n1"]]
    assert current(driver) == order[0]  # keys work at once
    for expected in order[1:]:
        press(driver, Keys.ARROW_RIGHT)
        assert current(driver) == expected
    press(driver, Keys.HOME)
    assert current(driver) == order[0]
    press(driver, Keys.END)
    for name, z in zip(names, graph.z):
        el = driver.find_element(By.CSS_SELECTOR, f'#drawing g.neuron[data-node="{name}"]')
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", el)
        assert driver.find_element(By.ID, "info-delta").text == format_exact(z.grad), name
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click'))", el)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 1280
    made = requests(driver)
    assert [url for document, url in made if document == page] == [page]
    assert [url for _, url in made if not url.startswith(LOCAL_SCHEMES)] == []
    assert errors(driver) == []


def test_the_layer_page_steps_layer_by_layer(tmp_path):
    from viewers.replay import worked_example_network_page

    data = data_of(worked_example_network_page("layer").html)
    steps = data["frames"][0]["bw"]["steps"]
    assert [s["nodes"] for s in steps] == [
        ["L3.n1"],
        ["L2.n1", "L2.n2"],
        ["L1.n1", "L1.n2", "L1.n3"],
    ]
    assert steps[0]["text"].startswith("layer 3 (output): BP1")


# --- the command line ------------------------------------------------------------------


def test_train_html_writes_the_replay(tmp_path, capsys):
    from deltagrad.cli import main

    target = tmp_path / "moons.html"
    status = main(
        ["train", "moons", "--epochs", "2", "--no-progress", "--json", "--html", str(target)]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    record = json.loads(out)
    assert record["html"] == str(target)
    data = data_of(target.read_text("utf-8"))
    assert data["totalSteps"] == 20 and len(data["frames"]) == 20


@pytest.mark.parametrize(
    ("name", "message"),
    [("r.txt", "the name must end in .html"), ("missing/r.html", "does not exist")],
)
def test_train_html_refuses_a_bad_target_before_training(tmp_path, capsys, name, message):
    from deltagrad.cli import main

    status = main(
        ["train", "moons", "--epochs", "1", "--no-progress", "--html", str(tmp_path / name)]
    )
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("deltagrad train: --html ") and message in err
