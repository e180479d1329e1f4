# Two commands for a new machine: `make demo` and `make test`. Each sets up what
# it needs: a virtual environment in .venv with the package and its extras, and
# Graphviz's `dot` program (through apt-get) when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: test demo bench bench-setup lint typecheck pytest setup dot notebooks clean

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
	$(VENV)/bin/mypy autograd nn viewers deltagrad

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

# Benchmarks: micrograd from PyPI, and PyTorch (CPU) when it can be installed.
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@$(PY) -m pip install --quiet --disable-pip-version-check 'torch==2.13.0' \
		|| echo "PyTorch could not be installed: its column of the chain benchmark is skipped."
	@$(PY) -m pip install --quiet --disable-pip-version-check jax jaxlib \
		|| echo "JAX could not be installed: its row of the compiled benchmark is skipped."
	@touch $(BENCH_STAMP)

bench-setup: $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(PY) -m bench.run
