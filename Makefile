# Two commands: `make book` builds the website, `make test` runs every test.
# Both create the virtual environment .venv on first use.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Which run profile the book executes ("full": the reference's settings;
# "smoke": a quick check) and which Keras backend (jax: the fastest measured
# on CPU for these models; tensorflow works too).
RNNBOOK_PROFILE ?= full
KERAS_BACKEND ?= jax
# The offline copy of the IMDB data beside this checkout, when there is one;
# elsewhere the book falls back to Keras' own download.
RNNBOOK_IMDB ?= $(firstword $(wildcard $(abspath ../shared/data/aclImdb_v1_labeled.tar.gz)))
export RNNBOOK_PROFILE KERAS_BACKEND RNNBOOK_IMDB

# The execution cache ignores environment variables, so each profile and
# backend gets its own output folder (and cache); the default one builds
# into _build/html.
ifeq ($(RNNBOOK_PROFILE)-$(KERAS_BACKEND),full-jax)
BOOK_OUT := .
else
BOOK_OUT := _build/$(RNNBOOK_PROFILE)-$(KERAS_BACKEND)
endif

.PHONY: book test lint clean venv benchmark study

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

book: venv
	@echo "Building the book: profile $(RNNBOOK_PROFILE), backend $(KERAS_BACKEND), data $(or $(RNNBOOK_IMDB),Keras download)"
	$(BIN)/jupyter-book build . --path-output $(BOOK_OUT) -n -W --keep-going
	@echo "Open $(abspath $(BOOK_OUT)/_build/html/index.html) in a browser."

# Unit tests and a smoke build of the book on JAX, then every notebook under
# nbmake on TensorFlow: together, each notebook runs on both backends.
test: venv
	$(BIN)/python -m pytest
	KERAS_BACKEND=tensorflow RNNBOOK_PROFILE=smoke $(BIN)/python -m pytest --nbmake book \
		--nbmake-timeout=600 -n 2

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Train every setup of the variance study with its seeds (full profile) and
# update src/rnnbook/results/study-full.json. Two processes share the file:
# the comparison models in one, the overfitting and masking setups in the
# other (on 2 cores two processes train ~1.6-2x faster than one). Finished
# runs are skipped, so an interrupted study resumes.
study: venv
	@set -e; $(BIN)/python -m rnnbook.study --group comparison & pid=$$!; \
	$(BIN)/python -m rnnbook.study --group overfitting; \
	$(BIN)/python -m rnnbook.study --group masking; \
	wait $$pid

benchmark: venv
	$(BIN)/python benchmarks/backends.py

clean:
	rm -rf _build
