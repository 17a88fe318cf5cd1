# marsad — the two commands of the README are `make run` and `make test`.
PY ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
CONSTRAINTS := constraints.txt
SHARED ?= ../shared

.PHONY: bench-deps run test lint format bench install install-dev system-deps gazetteer train-ner clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The runtime install: what `make run` needs.
$(VENV)/.installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e .
	touch $@

# Everything the tests need: dev extras (pytest, ruff, playwright, psycopg, ray) and Debian packages.
$(VENV)/.installed-dev: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev system-deps

# PostgreSQL/PostGIS and Chromium are real components the tests start themselves.
system-deps:
	@if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
	    || [ ! -d /usr/share/postgresql/15/extension ] || ! ls /usr/share/postgresql/15/extension/postgis.control >/dev/null 2>&1; then \
	  echo "installing Debian packages: postgresql-15-postgis-3 chromium"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	     postgresql-15 postgresql-15-postgis-3 chromium fonts-noto-core >/dev/null) || \
	  { echo "apt-get failed: run as root or install postgresql-15-postgis-3 and chromium yourself"; exit 1; }; \
	fi

run: install
	$(BIN)/marsad demo --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

test: install-dev lint
	$(BIN)/python -m pytest -q -p no:cacheprovider tests

bench: install-dev bench-deps
	$(BIN)/python -m bench --shared $(SHARED)

# The load benchmark's clients (bench/bench_load.py): wrk, light enough to leave the cores to the server.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || { echo "apt-get failed: run as root or install wrk yourself"; exit 1; }

# Rebuild the shipped NER models (src/marsad/resources/ner/model.npz, crf.npz) from $(SHARED)/data with CPU
# torch (extra ner-train); fixed seeds, under 30 min on 2 cores. Inference needs numpy only.
train-ner: $(VENV)/.installed
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e '.[ner-train]'
	$(BIN)/python -m marsad.nlp.ner.train --data $(SHARED)/data --gaz --augment 0.5 --out src/marsad/resources/ner/model.npz \
	  --report src/marsad/resources/ner/train_report.json
	$(BIN)/python -m marsad.nlp.ner.train_crf --data $(SHARED)/data --out src/marsad/resources/ner/crf.npz \
	  --lstm src/marsad/resources/ner/model.npz --report src/marsad/resources/ner/crf_report.json

# Rebuild the gazetteer (src/marsad/resources/geo/gazetteer.sqlite) from $(SHARED)/data/gazetteer; no download.
gazetteer: $(VENV)/.installed
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e '.[gazetteer]'
	$(BIN)/python -m marsad.geo.build --data $(SHARED)/data/gazetteer --out src/marsad/resources/geo/gazetteer.sqlite

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
