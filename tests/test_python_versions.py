"""The compiled step is the eager step on every CPython >= 3.11 this machine has.

``tests/versions_probe.py`` (standard library only) trains small networks eagerly
and compiled, per sample and in mini-batches, with SGD and Adam, and compares
every bit; it also hashes the eager runs' bits. Here it runs under this
interpreter and under every other CPython 3.11+ found on ``PATH`` (``python3.12``
...) or in pyenv's folder, and every run must be identical and give one hash:
the same numbers on 3.11, where ``builtins.sum`` of floats adds plainly, and from
3.12 on, where it is compensated (the engine and the generated code add with
``+`` in a fixed order, so they do not depend on it).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

PROBE = os.path.join(os.path.dirname(__file__), "versions_probe.py")


def interpreters() -> dict[str, str]:
    found = {f"{sys.version_info[0]}.{sys.version_info[1]}": sys.executable}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(11, 16)]
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(pyenv, "versions", "3.*", "bin", "python3")))
    for path in candidates:
        if not path or not os.access(path, os.X_OK):
            continue
        out = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        major, _, minor = out.partition(".")
        if major == "3" and minor.isdigit() and int(minor) >= 11:
            found.setdefault(out, path)
    return found


FOUND = interpreters()


def probe(python: str) -> dict[str, object]:
    done = subprocess.run(
        [python, "-I", PROBE], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, object]]:
    return {version: probe(path) for version, path in sorted(FOUND.items())}


@pytest.mark.parametrize("version", sorted(FOUND))
def test_compiled_steps_are_the_eager_steps(version, results):
    result = results[version]
    assert result["version"].startswith(version + ".")
    assert result["steps"] == 60
    assert result["identical"] is True
    assert result["fallbacks"] == 0  # the compiled code ran every time


def test_every_interpreter_computes_the_same_bits(results):
    digests = {version: r["digest"] for version, r in results.items()}
    assert len(set(digests.values())) == 1, digests
