# Two commands: `make lab` (set up, then open JupyterLab at the first lesson) and `make test`.
# Everything installs into .venv; re-running is cheap (a stamp file records the install).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FIRST_LESSON := notebooks/00-start-here.ipynb

.PHONY: lab test check setup build execute

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed: install it, or run 'make PYTHON=/path/to/python3.11 lab'."; exit 1; }
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# JupyterLab refuses to start as root unless told; containers and some WSL setups run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	@# Serve the whole workbook (lessons link to ../exercises and ../readings) and open Lesson 00.
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --ServerApp.default_url=/lab/tree/$(FIRST_LESSON) $(ROOT_FLAG)

# Three pytest-xdist workers: the browser tests wait on JupyterLab and kernels as much as they compute.
WORKERS ?= 3

test: $(STAMP)
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
