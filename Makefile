# Two commands for a new machine: `make demo` and `make test`. Each sets up what
# it needs: a virtual environment in .venv with the package and its extras, and
# Graphviz's `dot` program (through apt-get) when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: test demo bench lint typecheck pytest setup dot notebooks clean

setup: $(STAMP) dot

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "deltagrad needs Python >= 3.11 (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

dot:
	@bash scripts/ensure-dot

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy autograd nn

# Runs tests/, the doctests and every notebook in notebooks/ (see pyproject.toml).
pytest: $(STAMP) dot
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

demo: $(STAMP) dot
	$(VENV)/bin/deltagrad demo

# Rebuild notebooks/*.ipynb from notebooks/src/*.py and store their outputs.
notebooks: $(STAMP) dot
	$(PY) notebooks/build.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
