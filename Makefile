# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SHARED ?= ../shared
export LAWS_DIR ?= $(abspath $(SHARED)/laws)

MODELS := data/models/models.joblib
TRAINING := $(wildcard knowledge/training/*/*.jsonl knowledge/faq/*.yaml)

.PHONY: run test test-sqlite test-postgres lint format eval bench clean models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

# The learned models are rebuilt from knowledge/training whenever it changes (seeded, < 1 min).
$(MODELS): $(TRAINING) | $(STAMP)
	$(BIN)/python main.py kb train

models: $(MODELS)

run: $(STAMP) $(MODELS)
	$(BIN)/python main.py db upgrade
	$(BIN)/python main.py run

test: $(DEV_STAMP) $(MODELS)
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Honest figures first: grouped cross-validation on our own corpus; then the shared dev sets
# (a guide, never a target: a dev figure far above the CV figure means fitting to the dev set).
eval: $(STAMP) $(MODELS)
	$(BIN)/python main.py kb cv
	$(BIN)/python main.py eval --quiet $(SHARED)/eval/faq_dev.jsonl $(SHARED)/eval/faq_dev2.jsonl

bench: $(STAMP) $(MODELS)
	$(BIN)/python bench/understand_latency.py
	$(BIN)/python bench/match_latency.py

clean:
	rm -rf $(VENV) .pytest_cache data/*.db data/models
