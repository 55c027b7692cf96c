# The two commands of the README: `make demo` and `make test`. Both set everything
# up from scratch (the Debian packages when missing, virtual environment + pinned
# dependencies) on a machine with Python 3.11 and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# Test files run in this many processes (pytest-xdist, one file per process at a time, so
# a file's fixtures are built once): most tests wait on a subprocess, a browser or a daemon.
TEST_WORKERS ?= 2

# The shipped sample and the bench inputs are synthetic: the public development pseudonym
# key may be used for them, and only for them (docs/privacy.md).
demo bench bench-service profile: export OBSERVATORY_ALLOW_DEVELOPMENT_KEY := 1

.PHONY: system setup demo test lint dev serve serve-stop sample dictionary bench bench-service profile clean

$(STAMP): requirements.lock pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

system:  ## Debian packages (chromium, poppler, R survey, postgresql) when missing and allowed
	@scripts/install-system-packages

setup: system $(STAMP)
	@mkdir -p $(DAGSTER_HOME)
	@cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml  # the project's file is the instance's settings

demo: setup  ## run the whole pipeline on the shipped sample
	$(BIN)/observatory demo

test: setup  ## format, lint, types (mypy), the import boundary (observatory/ never imports Dagster), the test suite
	$(BIN)/ruff format --check observatory assets tests bench
	$(BIN)/ruff check observatory assets tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: setup
	$(BIN)/ruff format --check observatory assets tests bench
	$(BIN)/ruff check observatory assets tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

dev: setup  ## the Dagster UI on http://127.0.0.1:3000 (schedules and sensors need the daemon it starts)
	$(BIN)/dagster dev -w workspace.yaml

serve: setup  ## the team service: PostgreSQL instance, daemon and webserver as processes (scripts/serve)
	scripts/serve start

serve-stop:  ## stop what `make serve` started
	scripts/serve stop

sample: setup  ## regenerate the committed synthetic sample in data/raw
	$(BIN)/observatory generate-sample --seed 2026 --out data/raw

bench: setup  ## pipeline vs the DuckDB floor at 7.5k/100k/1M responses (interleaved pairs), the start-up cost against the floor's, a 200 MB export's memory, then the service -> bench/results.json
	$(BIN)/python bench/run.py $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES)) $(if $(BENCH_PAIRS),--pairs $(BENCH_PAIRS))
	$(BIN)/python bench/framework.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/service.py

bench-service: setup  ## one changed export through the daemon vs observatory refresh (PostgreSQL service)
	$(BIN)/python bench/service.py

profile: setup  ## py-spy profile of a refresh of the 100k bench input (BENCH_SIZE=20000: 1M)
	$(BIN)/python bench/profile.py $(if $(BENCH_SIZE),--size $(BENCH_SIZE))

dictionary: setup  ## regenerate docs/data_dictionary.md from the published warehouse
	$(BIN)/python -m observatory.warehouse.dictionary data/warehouse/observatory.duckdb > docs/data_dictionary.md

clean:
	rm -rf data/warehouse reports/20* .dagster_home tests/artifacts  # not .service: stop it first
