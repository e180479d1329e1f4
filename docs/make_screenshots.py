"""Screenshots of the step-through pages for the README (headless Chromium at 1280 x 720).

Run from the repository root: ``.venv/bin/python docs/make_screenshots.py``. Writes
``docs/page-expression.png`` and ``docs/page-worked-example.png`` (and
``docs/page-replay.png`` when the replay page can be made).
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
    problems = errors(driver)
    if problems:
        raise SystemExit(f"{page}: JavaScript errors: {problems}")
    print(png)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="deltagrad-shots-"))
    expr = folder / "expr.html"
    subprocess.run(
        [sys.executable, "-m", "deltagrad", "grad", "tanh(x*w + b) * x + log(w) / b",
         "--at", "x=1.5", "w=0.5", "b=-0.2", "--html", str(expr)],
        check=True, capture_output=True,
    )  # fmt: skip
    worked = worked_example_page().save(folder / "worked_example.html")
    with chromium() as driver:
        shoot(driver, expr, ROOT / "docs" / "page-expression.png",
              [Keys.END] + [Keys.ARROW_LEFT] * 3, '#drawing g.node[data-node="w"]')  # fmt: skip
        shoot(driver, worked, ROOT / "docs" / "page-worked-example.png",
              [Keys.END] + [Keys.ARROW_LEFT] * 6)  # fmt: skip


if __name__ == "__main__":
    main()
