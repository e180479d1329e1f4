"""A different package named ``autograd`` (HIPS autograd from PyPI) gives a clear ImportError.

The check runs in a fresh interpreter whose working directory holds a fake
``autograd`` package, which then comes before deltagrad's on ``sys.path``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import autograd


def test_our_autograd_carries_the_marker():
    assert autograd.__deltagrad__ is True


@pytest.mark.parametrize("module", ["nn", "deltagrad"])
def test_a_foreign_autograd_is_named_in_a_clear_import_error(tmp_path: Path, module: str):
    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text('"""Not deltagrad\'s autograd."""\ngrad = None\n')
    run = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: nn needs deltagrad's engine"), run.stderr
    assert str(fake) in last and "separate environment" in last


def test_with_our_autograd_the_import_works(tmp_path: Path):
    run = subprocess.run(
        [sys.executable, "-c", "import nn, deltagrad; print(nn.MLP.__name__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout.strip() == "MLP", run.stderr
