# Two commands do all set-up: `make run` and `make test`.
# Everything is installed into .venv; nothing global is touched.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo-code run test install messages migrate lint format check-migrations worker beat bench clean

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

# The current verification code of a demo account (R13a): make demo-code WHO=hr
demo-code: install
	@$(PY) manage.py demo_code $(WHO)

worker: migrate
	$(VENV)/bin/celery -A smo worker --loglevel INFO

beat: migrate
	$(VENV)/bin/celery -A smo beat --loglevel INFO

# PostgreSQL backup and restore (README "Back-up en herstel"). `make backup`
# writes a pg_dump (custom format) of DATABASE_URL to BACKUP_FILE (default
# backups/smo-<date-time>.dump, git-ignored). `make restore BACKUP_FILE=...`
# restores it into RESTORE_DATABASE_URL (default: DATABASE_URL itself, which
# overwrites the live data and therefore needs CONFIRM=yes), in one transaction.
BACKUP_FILE ?= backups/smo-$(shell date +%Y-%m-%d-%H%M%S).dump
RESTORE_DATABASE_URL ?= $(DATABASE_URL)
.PHONY: backup restore

backup:
	@test -n "$(DATABASE_URL)" || { echo "Zet DATABASE_URL (postgres://...) voor make backup." >&2; exit 2; }
	mkdir -p "$(dir $(BACKUP_FILE))"
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP_FILE)" "$(DATABASE_URL)"
	@echo "Back-up geschreven naar $(BACKUP_FILE)"

restore:
	@test "$(origin BACKUP_FILE)" != "file" || { echo "Geef het bestand op: make restore BACKUP_FILE=backups/....dump" >&2; exit 2; }
	@test -f "$(BACKUP_FILE)" || { echo "Back-up $(BACKUP_FILE) bestaat niet." >&2; exit 2; }
	@test -n "$(RESTORE_DATABASE_URL)" || { echo "Zet RESTORE_DATABASE_URL of DATABASE_URL (postgres://...)." >&2; exit 2; }
	@if [ "$(RESTORE_DATABASE_URL)" = "$(DATABASE_URL)" ] && [ "$(CONFIRM)" != "yes" ]; then \
		echo "Dit overschrijft de database van DATABASE_URL. Bevestig met CONFIRM=yes." >&2; exit 2; fi
	pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
		--dbname="$(RESTORE_DATABASE_URL)" "$(BACKUP_FILE)"
	@echo "Hersteld in de database van RESTORE_DATABASE_URL uit $(BACKUP_FILE)"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
	find . -name '*.mo' -not -path './.venv/*' -delete

# Load test on PostgreSQL (gunicorn + locust) and the batch jobs, in scratch
# databases that bench/run.py creates and drops; prints a table and writes
# bench-results.json. Not part of `make test`. About 4 minutes on 2 cores.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smo_bench
bench: messages
	$(PY) -c "import locust, gunicorn" 2>/dev/null || $(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py $(BENCH_ARGS)
