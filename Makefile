# Two commands: `make book` builds the website, `make test` runs every test.
# Both create the virtual environment .venv on first use.

# GNU make 4 or newer: `make test` uses --output-sync (macOS ships 3.81).
ifeq ($(filter 4.% 5.% 6.%,$(MAKE_VERSION)),)
$(error GNU make 4 or newer is needed, this is $(MAKE_VERSION): on macOS `brew install make` and run `gmake`)
endif

# The first Python 3.11 or newer found (make PYTHON=... names another).
PYTHON ?= $(firstword $(foreach p,python3 python3.13 python3.12 python3.11,$(shell $(p) -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null | grep -q True && echo $(p))))
VENV := .venv
BIN := $(VENV)/bin
# Which run profile the book executes ("full": the reference's settings;
# "smoke": a quick check) and which Keras backend (jax: the fastest measured
# on CPU for these models; tensorflow works too).
RNNBOOK_PROFILE ?= full
KERAS_BACKEND ?= jax
# The offline copy of the IMDB data beside this checkout, when there is one;
# elsewhere the book downloads the original archive once.
RNNBOOK_IMDB ?= $(firstword $(wildcard $(abspath ../shared/data/aclImdb_v1_labeled.tar.gz)))
# Notebooks executed at once: one per core (benchmarks/speed.py measures why).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The installer of the virtual environment (and of the Colab-like test's).
UV_VERSION := 0.13.9
export RNNBOOK_PROFILE KERAS_BACKEND RNNBOOK_IMDB

# The execution cache ignores environment variables, so each profile and
# backend gets its own output folder (and cache); the default one builds
# into _build/html.
ifeq ($(RNNBOOK_PROFILE)-$(KERAS_BACKEND),full-jax)
BOOK_OUT := .
else
BOOK_OUT := _build/$(RNNBOOK_PROFILE)-$(KERAS_BACKEND)
endif

.PHONY: book test test-unit test-book test-notebooks test-colab lint clean venv benchmark study requirements

venv: $(VENV)/.installed

# uv installs the exact pins of requirements.txt from its cache in 20 s
# (pip: about a minute) and compiles them to bytecode, as pip does (where
# PYTHONDONTWRITEBYTECODE is set, nothing else would, and every process would
# compile TensorFlow's sources again). The venv keeps pip for readers.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: no Python 3.11 or newer found as python3, python3.13, python3.12 or python3.11: install one, or name it with make PYTHON=/path/to/python3" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "make: $(PYTHON) is older than Python 3.11: name a newer one with make PYTHON=/path/to/python3" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt
	touch $@

# Execute the notebooks, $(JOBS) at once, into the execution cache; then
# Jupyter Book renders every page from that cache, warnings as errors; then
# every notebook page gets a plain-Markdown copy for Colab and Jupyter, with
# this build's numbers, in $(BOOK_OUT)/_build/colab and the site's downloads.
book: venv
	@echo "Building the book: profile $(RNNBOOK_PROFILE), backend $(KERAS_BACKEND), data $(or $(RNNBOOK_IMDB),download), $(JOBS) notebooks at once"
	$(BIN)/python tools/execute_book.py --path-output $(BOOK_OUT) --jobs $(JOBS)
	$(BIN)/jupyter-book build . --path-output $(BOOK_OUT) -n -W --keep-going
	$(BIN)/python tools/check_site.py $(BOOK_OUT)/_build/html
	$(BIN)/python tools/colab_notebooks.py $(BOOK_OUT)/_build
	@echo "Open $(abspath $(BOOK_OUT)/_build/html/index.html) in a browser."

# Unit tests and doctests first, on every core; then three passes at once:
# a smoke build of the whole book on JAX (pytest -m slow), every notebook
# under nbmake on TensorFlow, and the Colab-like run in a fresh Python 3.12
# environment (pytest -m colab). Together every .ipynb notebook runs on both
# backends; the theory pages written in MyST Markdown run on JAX only (nbmake
# collects notebooks, not pages).
test: venv
	$(MAKE) test-unit
	$(MAKE) -j3 --output-sync=target test-book test-notebooks test-colab

test-unit: venv
	$(BIN)/python -m pytest -m "not slow and not colab" -n $(JOBS)

test-book: venv
	$(BIN)/python -m pytest -m slow

test-colab: venv
	$(BIN)/python -m pytest -m colab

test-notebooks: venv
	KERAS_BACKEND=tensorflow RNNBOOK_PROFILE=smoke $(BIN)/python -m pytest --nbmake book \
		--nbmake-timeout=600 -n $(JOBS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Train every setup of the variance study with its seeds (full profile) and
# update src/rnnbook/results/study-full.json. The runs are tasks of a Dask
# cluster: a local one with a worker process per core by default, or the
# existing cluster whose scheduler RNNBOOK_CLUSTER names (tcp://host:8786).
# Only this driver writes the file, after each finished run; finished runs
# are skipped, so an interrupted study resumes.
study: venv
	$(BIN)/python -m rnnbook.study

benchmark: venv
	$(BIN)/python benchmarks/speed.py --processes $(JOBS)

# Recompile the exact pins of requirements.txt from requirements.in (needs
# the package index); existing pins are kept unless requirements.in asks for
# a change. To update one package: edit requirements.in, or run
# `$(BIN)/uv pip compile --upgrade-package NAME ...` with the same options.
requirements: venv
	$(BIN)/uv pip compile --python-version 3.11 --quiet requirements.in -o requirements.txt

clean:
	rm -rf _build
