# Set-up and main jobs. Each target installs what it needs into .venv.
#   make demo  installs the base package only (no torch/diffusers/transformers), runs the demo
#   make test  installs .[test] (pytest, pytest-xdist, ruff, scikit-image, the gpu extra
#              for the tiny-pipeline tests, the cluster extra (Ray) for a local cluster,
#              httpx and playwright for the studio) and Debian's Chromium when it is missing
#              (as root, with apt-get), then runs ruff and the suite on every core
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# CPU pins (torch==2.13.0) keep the install fast on machines without a GPU.
CONSTRAINTS ?= constraints/cpu.txt
# pytest-xdist workers: one per core (2 on the development and CI machines); 0 runs serially.
PYTEST_WORKERS ?= auto
PIP := $(BIN)/python -m pip install --quiet -c $(CONSTRAINTS)

.PHONY: demo test lint install install-test browser clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "storyreel needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per install, so `make demo` then `make test` in the same venv adds the test
# tools, and either reinstalls when pyproject.toml or the constraints change.
$(VENV)/.installed-base: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e .
	touch $@

# .[test] includes the base package, so it stamps both.
$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e ".[test]"
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base

install-test: $(VENV)/.installed-test

# The studio's page is tested in a real headless Chromium (Debian's package; Playwright's
# own browser download is not used). Without root or apt-get it says how, and those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium (Debian's package) for the studio's browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "No Chromium: the studio's browser tests will be skipped (sudo apt-get install chromium)."; \
	  fi; }

demo: install
	$(BIN)/storyreel demo

# --dist loadfile keeps a file's tests on one worker, so module fixtures are built once.
# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: many tests start storyreel
# in a new process; caching the compiled package cut the suite's CPU time by 12 % here.
test: install-test browser
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) build dist *.egg-info
