# Two commands: `make lab` (set up, then open JupyterLab at the first lesson) and `make test`.
# Everything installs into .venv; re-running is cheap (a stamp file records the install).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for the accessibility browser test (tests/test_browser_a11y.py): a pinned npm copy, installed
# here by setup, never downloaded by a test. Without npm the setup says so and that test skips (fails in CI).
AXE_VERSION := 4.14.1
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
FIRST_LESSON := notebooks/00-start-here.ipynb

.PHONY: lab test check setup build execute site

setup: $(STAMP) $(AXE)

$(STAMP): pyproject.toml jupyter-config/overrides.json
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: install it, or run 'make PYTHON=/path/to/python3.11 lab'."; exit 1; }
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,charts,grading,test,site]'
	@# JupyterLab defaults for students: no news prompt; widget state saved with each notebook
	mkdir -p $(VENV)/share/jupyter/lab/settings && cp jupyter-config/overrides.json $(VENV)/share/jupyter/lab/settings/
	@touch $(STAMP)

$(AXE): Makefile
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/axe axe-core@$(AXE_VERSION) && touch $(AXE); \
	else echo "npm not found: the accessibility browser test will skip (apt-get install npm to run it)."; fi

# JupyterLab refuses to start as root unless told; containers and some WSL setups run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	@# Serve the whole workbook (lessons link to ../exercises and ../readings) and open Lesson 00.
	@# LabApp.default_url, not ServerApp's: JupyterLab sets the server's from its own.
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(FIRST_LESSON) $(ROOT_FLAG)

# Three pytest-xdist workers: the browser tests wait on JupyterLab and kernels as much as they compute.
WORKERS ?= 3

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -n $(WORKERS)

# The inner loop: everything but the browser tests (which need Chromium and take longest).
check: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) -m "not browser"

# Regenerate the student exercise notebooks from solutions/ (a test fails when they drift).
build: $(STAMP)
	$(BIN)/workbook build
	$(BIN)/workbook toc

# After a change to the package that alters stored outputs: re-run every lesson and instructor notebook.
execute: $(STAMP)
	$(BIN)/workbook build --force --lessons
	$(BIN)/workbook toc

# The no-install web edition: _site/ (reading site) and _site/lite/ (the browser app). Needs npm for
# Pyodide's core (npm registry); everything else comes from PyPI. Serve it with any static server.
site: $(STAMP)
	$(BIN)/workbook site _site
