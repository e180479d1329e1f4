"""Headless Chromium for the page tests: Debian's ``chromium`` driven by its ``chromedriver``.

``make test`` installs both through ``scripts/ensure-chromium``. Nothing is
downloaded: the driver and the browser are given by path, so Selenium's own
driver manager never runs.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,720",
    "--hide-scrollbars",
)


def find_program(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
        if Path(f"/usr/bin/{name}").exists():
            return f"/usr/bin/{name}"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A Selenium WebDriver for headless Chromium at 1280 x 720, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser = find_program("chromium", "chromium-browser")
    driver_path = find_program("chromedriver")
    if browser is None or driver_path is None:
        raise RuntimeError("chromium and chromedriver are needed: run scripts/ensure-chromium")
    profile = tempfile.mkdtemp(prefix="deltagrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        driver.set_window_size(1280, 720)
        # the viewport, not the window, is what must be 1280 x 720
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        driver.set_window_size(1280 + (1280 - inner[0]), 720 + (720 - inner[1]))
        driver.get("about:blank")
        requests(driver)  # drain what the browser's own start page asked for
        driver.get_log("browser")
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requests(driver: Any) -> list[tuple[str, str]]:
    """``(document, url)`` of every request since the last call, from the DevTools log.

    ``document`` is the page that made the request (its ``documentURL``): the
    browser's own pages (its start page, say) may still be loading.
    """
    made = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            params = message["params"]
            made.append((params.get("documentURL", ""), params["request"]["url"]))
    return made


LOCAL_SCHEMES = ("file:", "data:", "about:", "chrome:", "chrome-untrusted:", "devtools:")
"""URL schemes that never leave the machine (the browser's own pages use chrome:)."""


def errors(driver: Any) -> list[str]:
    """Messages of level SEVERE in the browser's console log (JavaScript errors among them)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
