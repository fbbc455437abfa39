# news_ingest: every target runs `setup` first (a no-op once done).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS ?= True
export UV_PYTHON_DOWNLOADS := never

# Yesterday (UTC); a Python one-liner rather than GNU date's -d, which BSD and macOS lack.
DATE ?= $(shell $(PYTHON) -c 'import datetime as d; \
	print(d.datetime.now(d.timezone.utc).date() - d.timedelta(days=1))')
AIRFLOW_PORT ?= 8080

.PHONY: help setup demo test test-unit test-e2e test-py312 test-multiworker lint lock run airflow airflow-stop postgres \
	bench-dag-parse bench-extraction bench-events \
	bench-dedupe bench-fetch bench-fetch-cpu bench-fetch-handout bench-fuzz bench-query bench-pipeline \
	bench-pipeline-against bench-readers bench-cost data-dictionary clean mutation screenshots

help:
	@echo "make setup | demo | test | test-py312 | lint | mutation | run DATE=YYYY-MM-DD | airflow | airflow-stop | bench-<name> | screenshots | clean"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled once at install: with PYTHONDONTWRITEBYTECODE set (as on CI), every
# Python process (each Airflow command and task) would otherwise compile its imports again.
# setup: the library, the airflow extra and the dev group (tests, lint, benchmarks).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON) --extra airflow
	@touch $@

# demo: the library, the airflow extra and the demo group only; a venv that setup made
# keeps its dev group (synced again in full when the lock changed).
$(VENV)/.synced-demo: pyproject.toml uv.lock | $(UV)
	@if [ ! -f $(VENV)/.synced ]; then \
		echo "$(UV) sync --frozen --extra airflow --no-default-groups --group demo"; \
		$(UV) sync --frozen --compile-bytecode --python $(PYTHON) --extra airflow \
			--no-default-groups --group demo || exit 1; \
	elif [ ! $(VENV)/.synced -nt uv.lock ] || [ ! $(VENV)/.synced -nt pyproject.toml ]; then \
		$(MAKE) --no-print-directory $(VENV)/.synced || exit 1; \
	fi
	@touch $@

$(AIRFLOW_HOME)/.migrated: $(VENV)/.synced-demo
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/migrate.log; exit 1)
	@touch $@

# The pools the DAGs use (news_fetch: every fetching task), one definition that compose's
# airflow-init imports too.
$(AIRFLOW_HOME)/.pools: $(AIRFLOW_HOME)/.migrated include/config/pools.json
	$(BIN)/airflow pools import include/config/pools.json > /dev/null
	@touch $@

setup: $(VENV)/.synced $(AIRFLOW_HOME)/.migrated $(AIRFLOW_HOME)/.pools

demo: $(VENV)/.synced-demo $(AIRFLOW_HOME)/.migrated $(AIRFLOW_HOME)/.pools
	$(BIN)/python -m demo.run

test: setup postgres browser test-py312
	$(BIN)/pytest -q tests

# The unit tests (no Airflow) on the next Python too, in their own venv of the lock's test
# group; PYTHON_NEXT=path picks the interpreter (default: python3.12, else 3.13, on PATH
# or under pyenv). Skipped, saying so, where there is none.
PYTHON_NEXT ?= $(shell $(PYTHON) scripts/find_python.py 3.12 3.13)
VENV_NEXT := .venv-next
test-py312: | $(UV)
	@if [ -z "$(PYTHON_NEXT)" ]; then \
		echo "test-py312: skipped: no python3.12 or python3.13 found (set PYTHON_NEXT)"; \
		exit 0; \
	fi; \
	echo "test-py312: unit tests on $$($(PYTHON_NEXT) -V) ($(PYTHON_NEXT))"; \
	UV_PROJECT_ENVIRONMENT=$(VENV_NEXT) $(UV) sync --frozen --quiet --python $(PYTHON_NEXT) \
		--no-default-groups --group test \
	&& $(VENV_NEXT)/bin/pytest -q -p no:cacheprovider tests/unit

test-unit: setup
	$(BIN)/pytest -q tests/unit tests/dags

test-e2e: setup postgres browser
	$(BIN)/pytest -q tests/e2e

# docs/img/backfill-dialog.png, the README's picture of the UI's backfill dialog: the
# browser test's screenshot of the dialog it filled.
screenshots: setup browser
	NEWS_SCREENSHOT_DIR=$(CURDIR)/docs/img $(BIN)/pytest -q tests/e2e/test_backfill_browser.py

# The backfill over two Celery workers (PostgreSQL, Redis, S3) alone; `make test` runs it too.
test-multiworker: setup postgres
	$(BIN)/pytest -q -m multiworker tests/e2e

# Debian's chromium for the UI page's e2e test, driven by Playwright (no browser download).
.PHONY: browser
browser:
	@command -v chromium > /dev/null && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "chromium is missing; as root run: apt-get update &&" \
			"apt-get install -y --no-install-recommends chromium" >&2; \
		exit 1; \
	fi; \
	echo "make test: chromium is missing: running apt-get install chromium as root" \
		"(for tests/e2e/test_backfill_services.py and test_backfill_browser.py)"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends chromium > /dev/null \
		|| { echo "apt-get could not install chromium" >&2; exit 1; }; \
	command -v chromium > /dev/null || { echo "chromium still not on PATH" >&2; exit 1; }

lint: setup
	@diff <(grep -v '^#' requirements.lock) <($(UV) export --frozen --no-dev --extra airflow --no-emit-project \
		--format requirements-txt -q | grep -v '^#') > /dev/null \
		|| (echo "requirements.lock is stale: run make lock" >&2; exit 1)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile
	$(BIN)/news-ingest feeds check

# mutmut over the SSRF guard, size and time limits, retries, atomic writer and feed-id
# hashing; fails on a surviving mutant not listed as equivalent in RELIABILITY.md.
# MUTATION_JOBS=2 runs two mutants at once (the mutated copy is kept in .mutation/).
mutation: setup
	$(BIN)/python scripts/mutation.py

# The backfill e2e runs Airflow once on PostgreSQL: install the server programs if missing.
postgres:
	@if command -v initdb > /dev/null || ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "make test: PostgreSQL is missing: running apt-get install postgresql as root" \
			"(for tests/e2e/test_backfill_services.py)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends postgresql > /dev/null; \
	else echo "PostgreSQL server programs missing: sudo apt-get install postgresql" >&2; exit 1; fi

# A manual run with logical date D+1 has the data interval [D, D+1): the day D.
run: setup
	@next=$$($(BIN)/python -c 'import datetime as d, sys; \
		print(d.date.fromisoformat(sys.argv[1]) + d.timedelta(days=1))' "$(DATE)" 2> /dev/null) \
		|| { echo "make run: DATE=$(DATE) is not a date (YYYY-MM-DD)" >&2; exit 2; }; \
	echo "$(BIN)/airflow dags test news_nightly $$next"; \
	$(BIN)/airflow dags test news_nightly $$next

airflow: setup
	@scripts/airflow-services.sh start $(AIRFLOW_PORT)

airflow-stop:
	@scripts/airflow-services.sh stop

# Re-resolve uv.lock and re-export requirements.lock (used by the Dockerfile).
lock: | $(UV)
	$(UV) lock
	$(UV) export --frozen --no-dev --extra airflow --no-emit-project --format requirements-txt \
		-o requirements.lock -q

bench-dag-parse: setup
	$(BIN)/python bench/dag_parse.py

# Reads ../shared/eval/article-extraction-benchmark in place; part 2 needs ~1.5 GB at 1M docs.
bench-dedupe: setup
	$(BIN)/python bench/dedupe/run.py

# Reads ../shared/eval/plover_gsr_cameo.json in place.
bench-events: setup
	$(BIN)/python bench/events/run.py

# 2,000 pages over 20 loopback hosts (127.0.0.2-21) with 50 ms latency, through the fetch stage.
bench-fetch: setup
	$(BIN)/python bench/fetch/run.py --rounds 3

# The fetch task's CPU a page, with the raw archive and without, on the pipeline bench's corpus.
bench-fetch-cpu: setup
	$(BIN)/python bench/fetch/cpu.py 4000 --rounds 5

# Fetcher.map's CPU handing out 20,000 no-op items over 26, 133 and 400 hosts.
bench-fetch-handout: setup
	$(BIN)/python bench/fetch/handout.py --rounds 5

# Hypothesis-driven fuzzing of the feed, sitemap, charset and page parsers (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
bench-fuzz: setup
	$(BIN)/python bench/fuzz/run.py $(FUZZ_SECONDS)

# A year of synthetic articles and events partitions per layout (about 1.2 GB each, in a
# temp dir removed afterwards) and DuckDB's time for a month, a week and the whole year.
bench-query: setup
	$(BIN)/python bench/query/run.py --rounds 5

# docs/data-dictionary.md from the Arrow schemas (a test checks it is current).
data-dictionary: setup
	$(BIN)/python -c "from news_ingest.store import data_dictionary; print(data_dictionary(), end='')" \
		> docs/data-dictionary.md

# Readers (DuckDB, Polars, pyarrow) querying a day while it is replaced again and again.
bench-readers: setup
	$(BIN)/python bench/readers/during_replace.py --seconds 30 --rows 30000

# ROUNDS nightly runs through Airflow on N generated articles against bare trafilatura
# (the median round reported);
# the corpus (about 15 KB gzipped per article) is kept in the temp folder for the next run.
N ?= 2000
ROUNDS ?= 1
bench-pipeline: setup
	$(BIN)/python bench/pipeline/run.py $(N) --rounds $(ROUNDS)

# This tree's night against another revision's (REV, set up in a worktree by its own
# Makefile), PAIRS pairs of nights alternating: how much a change moved the night.
REV ?= ab2b917
PAIRS ?= 3
bench-pipeline-against: setup
	$(BIN)/python bench/pipeline/against.py $(REV) $(N) --pairs $(PAIRS)

# The cost model (docs/cost-model.md) from the bench nights already run: N=2000 and N=20000.
COST_NIGHTS ?= 2000 20000
bench-cost: setup
	$(BIN)/python bench/pipeline/cost.py $(foreach n,$(COST_NIGHTS),$${TMPDIR:-/tmp}/news-bench/result-$(n).json)

# Reads ../shared/eval/article-extraction-benchmark in place.
bench-extraction: setup
	$(BIN)/python bench/extraction/run.py --rounds 3 --grid

clean:
	rm -rf $(VENV) $(VENV_NEXT) $(TOOLS) $(AIRFLOW_HOME) data .mutation
