"""The README's Python examples run as written (in order, sharing one namespace)."""

import os
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_the_readme_has_examples():
    assert len(python_blocks()) >= 3


def test_every_python_example_runs(tmp_path, capsys):
    namespace: dict[str, object] = {"__name__": "readme"}
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples write files (net.json, out/...)
    try:
        for block in python_blocks():
            exec(compile(block, str(README), "exec"), namespace)  # our own README, not user text
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    # the first example's comment gives the numbers it prints
    assert "0.2449" in printed and "-1.4100" in printed
