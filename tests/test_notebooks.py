"""The committed notebooks are the executed builds of their sources in notebooks/src.

`make test` also runs every notebook from a clean kernel (pytest --nbmake, see
pyproject.toml); these tests check that what is committed is what the sources say.
"""

import importlib.util
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted((NOTEBOOKS / "src").glob("*.py"))


def load_builder():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_source_has_a_notebook_and_every_notebook_a_source():
    assert SOURCES, "no notebook sources found"
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == [p.stem for p in SOURCES]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_notebook_matches_its_source_and_was_executed(source):
    build = load_builder()
    expected = build.notebook_from_source(source)
    committed = nbformat.read(NOTEBOOKS / f"{source.stem}.ipynb", as_version=4)
    nbformat.validate(committed)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in expected.cells
    ], f"{source.stem}.ipynb is out of date: run `python notebooks/build.py {source.stem[:2]}`"
    code = [c for c in committed.cells if c.cell_type == "code"]
    # executed top to bottom in one clean kernel: counts 1, 2, 3, ...
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]


def test_parse_cells_reads_the_percent_format():
    build = load_builder()
    text = "# header\n\n# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n\nx\n"
    assert build.parse_cells(text) == [("markdown", "# Title\n\ntext"), ("code", "x = 1\n\nx")]
    with pytest.raises(ValueError, match="markdown cell line is not a comment"):
        build.parse_cells("# %% [markdown]\nnot a comment\n")
