# The two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run setup serve test chromium bench lint format audit clean

help:
	@echo "make run     set up and serve the portal on http://127.0.0.1:$${PORT:-8000} (SQLite, real data)"
	@echo "make test    set up and run the whole test suite (installs Debian chromium if missing)"
	@echo "make bench   run the benchmarks and print figures and ratios"
	@echo "make lint    ruff check and format check"
	@echo "make audit   pip-audit of every installed dependency (needs the network)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(PY) -m portal setup

serve: setup
	$(PY) -m portal serve

run: serve

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.installed-test chromium
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check portal tests bench
	$(BIN)/ruff format --check portal tests bench

format: $(VENV)/.installed-test
	$(BIN)/ruff format portal tests bench
	$(BIN)/ruff check --fix portal tests bench

# Known vulnerabilities in what is installed (the project and its test tools): fails when one is found.
audit: $(VENV)/.installed-test
	$(PY) -m pip install --quiet "pip-audit>=2.7,<3"
	$(BIN)/pip-audit --progress-spinner off --skip-editable $(AUDIT_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/index .pytest_cache .ruff_cache
