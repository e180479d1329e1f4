# Two commands for a new machine: `make demo` and `make test`. Each sets up what
# it needs: a virtual environment in .venv with the package and its extras, and
# Graphviz's `dot` program (through apt-get) when it is missing; `make test` also
# installs Debian's Chromium and chromedriver for the browser tests of the pages.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: test demo bench bench-setup lint typecheck pytest setup dot chromium notebooks lab clean torch-check micrograd-check

setup: $(STAMP) dot chromium

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "deltagrad needs Python >= 3.11 (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

dot:
	@bash scripts/ensure-dot

chromium:
	@bash scripts/ensure-chromium

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy autograd nn viewers deltagrad

# Runs tests/, the doctests and every notebook in notebooks/ (see pyproject.toml).
pytest: $(STAMP) dot chromium
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

demo: $(STAMP) dot
	$(VENV)/bin/deltagrad demo

# Rebuild notebooks/*.ipynb from notebooks/src/*.py and store their outputs.
notebooks: $(STAMP) dot
	$(PY) notebooks/build.py

# JupyterLab on notebooks/ (installed into .venv through the `lab` extra the first time).
LAB_STAMP := $(VENV)/.lab-stamp

$(LAB_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,lab]'
	@touch $(LAB_STAMP)

lab: $(LAB_STAMP) dot
	$(VENV)/bin/jupyter lab notebooks/

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

# Every statement that deltagrad behaves like PyTorch, checked against PyTorch
# (too heavy for `make test`): bench/torch_check.py, and the safetensors export
# loaded into torch.nn.Sequential (outputs and gradients to 1e-12).
TORCH_STAMP := $(VENV)/.torch-stamp

$(TORCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check 'torch==2.13.0'
	@touch $(TORCH_STAMP)

torch-check: $(TORCH_STAMP)
	$(PY) -m bench.torch_check
	$(VENV)/bin/pytest -q -s -p no:cacheprovider bench/test_torch_export.py

# micrograd's demo run by micrograd 0.1.0 itself beside deltagrad, and our numpy-only
# make_moons checked against scikit-learn's (micrograd's own run takes minutes).
micrograd-check: $(BENCH_STAMP)
	$(PY) -m bench.micrograd_demo
