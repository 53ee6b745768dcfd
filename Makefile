# Two commands do all set-up: `make run` and `make test`.
# Everything is installed into .venv; nothing global is touched.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages migrate lint format check-migrations worker beat bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Translations: .po files are the source, .mo files are built here.
messages: install
	$(PY) manage.py compilemessages --ignore='.venv' --verbosity 0

migrate: messages
	$(PY) manage.py migrate --noinput --verbosity 0

run: migrate
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/ and log in with one of the demo accounts above."
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run --verbosity 1

test: messages lint check-migrations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

worker: migrate
	$(VENV)/bin/celery -A smo worker --loglevel INFO

beat: migrate
	$(VENV)/bin/celery -A smo beat --loglevel INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
	find . -name '*.mo' -not -path './.venv/*' -delete

# Figures printed and compared as ratios in one run, on a throw-away database.
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/bench.sqlite3
bench: messages
	rm -f bench.sqlite3
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput --verbosity 0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench
	rm -f bench.sqlite3
