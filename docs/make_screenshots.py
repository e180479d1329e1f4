"""Screenshots of the step-through pages for the README (headless Chromium at 1280 x 720).

Run from the repository root: ``.venv/bin/python docs/make_screenshots.py``. Writes
``docs/page-expression.png``, ``docs/page-worked-example.png``,
``docs/page-network.png`` (the worked example's backward pass on the network view)
and ``docs/page-replay.png`` (``deltagrad train moons --html``, at its last step's
backward pass).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, errors  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from viewers.page import worked_example_page  # noqa: E402
from viewers.replay import worked_example_network_page  # noqa: E402


def shoot(driver, page: Path, png: Path, keys: list[str], click: str | None = None) -> None:
    driver.get(page.resolve().as_uri())
    actions = ActionChains(driver)
    for key in keys:
        actions.send_keys(key)
    actions.perform()
    if click:
        driver.execute_script(
            "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click'))", click
        )
    time.sleep(0.3)
    driver.save_screenshot(str(png))
    small(png)
    problems = errors(driver)
    if problems:
        raise SystemExit(f"{page}: JavaScript errors: {problems}")
    print(png)


def small(png: Path) -> None:
    """Keep the committed pictures small: 256 colours (Pillow comes with matplotlib)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(png) as image:
        reduced = image.convert("RGB").quantize(colors=256)
    reduced.save(png, optimize=True)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="deltagrad-shots-"))
    expr = folder / "expr.html"
    subprocess.run(
        [sys.executable, "-m", "deltagrad", "grad", "tanh(x*w + b) * x + log(w) / b",
         "--at", "x=1.5", "w=0.5", "b=-0.2", "--html", str(expr)],
        check=True, capture_output=True,
    )  # fmt: skip
    worked = worked_example_page().save(folder / "worked_example.html")
    network = worked_example_network_page().save(folder / "worked_example_network.html")
    replay = folder / "moons.html"
    subprocess.run(
        [sys.executable, "-m", "deltagrad", "train", "moons", "--epochs", "30", "--no-progress",
         "--html", str(replay)],
        check=True, capture_output=True,
    )  # fmt: skip
    with chromium() as driver:
        shoot(driver, expr, ROOT / "docs" / "page-expression.png",
              [Keys.END] + [Keys.ARROW_LEFT] * 3, '#drawing g.node[data-node="w"]')  # fmt: skip
        shoot(driver, worked, ROOT / "docs" / "page-worked-example.png",
              [Keys.END] + [Keys.ARROW_LEFT] * 6)  # fmt: skip
        shoot(driver, network, ROOT / "docs" / "page-network.png", [Keys.ARROW_RIGHT] * 3)
        shoot(driver, replay, ROOT / "docs" / "page-replay.png",
              [Keys.END, "b"] + [Keys.ARROW_RIGHT] * 8)  # fmt: skip


if __name__ == "__main__":
    main()
