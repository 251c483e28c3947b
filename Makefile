# bangfu — two commands on a fresh machine:
#   make run    install everything, build the demo county, serve on http://127.0.0.1:8000
#   make test   install what the tests need and run them all

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CHROMIUM := /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test pytest install install-test system-libs chromium lint check migrate demo serve worker compile-messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP) system-libs

install-test: $(TEST_STAMP) system-libs chromium

# PDF exports (WeasyPrint) need Pango and a Chinese font from the system.
system-libs:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
		echo "installing Pango and the WenQuanYi font for PDF exports"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei >/dev/null; \
	fi

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi
	@command -v pg_dump >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null)

migrate: install
	$(BIN)/bangfu migrate

demo: migrate
	$(BIN)/bangfu regions load --if-missing
	$(BIN)/bangfu demo --scale small --seed 1

run: demo
	@echo "starting the background worker and the server on http://$(HOST):$(PORT) (Ctrl-C stops both)"
	@$(BIN)/bangfu worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/bangfu serve --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(BIN)/bangfu serve --host $(HOST) --port $(PORT)

worker: $(STAMP)
	$(BIN)/bangfu worker

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(TEST_STAMP)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

test: install-test lint check pytest

# The suite alone, without lint and checks (CI runs them once, with the suite on SQLite,
# then runs the suite again on PostgreSQL).
pytest: install-test
	$(BIN)/python -m pytest -p xdist -n 2 --durations=20 $(PYTEST_ARGS)

compile-messages: $(STAMP)
	cd bangfu && ../$(BIN)/python ../manage.py compilemessages -l en -l zh_Hans

clean:
	rm -rf $(VENV) staticfiles
