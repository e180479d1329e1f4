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


def test_the_step_through_after_backward_shows_and_leaves_one_pass(capsys, tmp_path):
    """The README's sequence: ``L.backward()``, then ``backward_steps(L)``.

    Every step's picture must agree with its text, and both (and the leaves
    afterwards) must hold the gradients of one pass, not of two.
    """
    from autograd.formatting import format_number
    from autograd.stepper import backward_steps

    blocks = python_blocks()
    at = next(k for k, b in enumerate(blocks) if "backward_steps(L)" in b)
    assert "L.backward()" in blocks[at - 1]  # the README runs backward() just before
    namespace: dict[str, object] = {"__name__": "readme"}
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples write files
    try:
        for block in blocks[: at + 1]:
            exec(compile(block, str(README), "exec"), namespace)  # our own README
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    L, a, b, c = (namespace[k] for k in ("L", "a", "b", "c"))
    # one pass by hand: L = tanh(a*b + c), dL/dc = 1 - L**2, dL/da = dL/dc * b ...
    dc = 1.0 - L.data * L.data  # type: ignore[attr-defined]
    assert (a.grad, b.grad, c.grad) == (dc * b.data, dc * a.data, dc)  # type: ignore[attr-defined]
    assert f"1 * {format_number(dc)} = {format_number(dc)}" in printed
    for step in backward_steps(L):  # type: ignore[arg-type]
        received: dict[object, float] = {}
        for contribution in step.contributions:
            received[contribution.target] = contribution.contribution
        source = step.draw().source
        for target, amount in received.items():
            if target is c:  # c has one user: finished at this very step
                assert step.grads[c] == amount == dc
                assert f"grad {format_number(dc)}" in source
                assert f"grad {format_number(2 * dc)}" not in source
    assert (a.grad, b.grad, c.grad) == (dc * b.data, dc * a.data, dc)  # type: ignore[attr-defined]
