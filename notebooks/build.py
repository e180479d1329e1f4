"""Build the notebooks in this folder from their sources in ``src/`` and execute them.

Each ``src/NAME.py`` is a plain Python file in the "percent" format: a line
``# %% [markdown]`` starts a markdown cell whose lines are comments, a line
``# %%`` starts a code cell. Lines before the first marker are a header that
is not part of the notebook. The sources are what gets reviewed; this script
turns each into ``NAME.ipynb``, runs it from a clean kernel (so the committed
notebook carries its outputs) and writes it atomically.

    python notebooks/build.py            # every notebook
    python notebooks/build.py 01         # those whose name starts with 01

``make test`` executes the committed notebooks again (pytest --nbmake) and
checks that they were built from the current sources (tests/test_notebooks.py).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
CELL_TIMEOUT = 300  # seconds for one cell; the whole notebook takes a few seconds
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def parse_cells(text: str) -> list[tuple[str, str]]:
    """``[(kind, source), ...]`` of a percent-format file; kind is "markdown" or "code"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        marker = line.strip()
        if marker == "# %% [markdown]":
            cells.append(("markdown", []))
        elif marker == "# %%":
            cells.append(("code", []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                if line and not line.startswith("#"):
                    raise ValueError(f"markdown cell line is not a comment: {line!r}")
                line = line[2:] if line.startswith("# ") else line[1:]
            lines.append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def notebook_from_source(path: Path) -> nbformat.NotebookNode:
    """An unexecuted notebook with the cells of the source file ``path``."""
    nb = nbformat.v4.new_notebook()
    for kind, source in parse_cells(path.read_text(encoding="utf-8")):
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def build(path: Path) -> Path:
    """Execute the notebook of source ``path`` and write it next to this script."""
    nb = notebook_from_source(path)
    # Cell ids are random by default; number them so that a rebuild changes no id.
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:02d}"
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(HERE)}},
    )
    client.execute()
    nb.metadata.pop("widgets", None)  # widget state is only meaningful in a live session
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain")
            if text is not None:
                # "<graphviz.graphs.Digraph at 0x7f...>": the address changes on every run
                output["data"]["text/plain"] = ADDRESS.sub(">", text)
    target = HERE / f"{path.stem}.ipynb"
    fd, tmp = tempfile.mkstemp(dir=HERE, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str]) -> int:
    sources = sorted(SOURCES.glob("*.py"))
    if argv:
        sources = [s for s in sources if any(s.stem.startswith(prefix) for prefix in argv)]
        if not sources:
            print(f"no notebook source matches {argv}", file=sys.stderr)
            return 1
    for source in sources:
        print(f"building {build(source).relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
