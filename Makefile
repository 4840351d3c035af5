# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Tests need no secret and must not depend on the developer's shell.
TEST_ENV := TESTING=1 DEBUG=0
PORT ?= 8000
# The suite runs in one process per core (pytest-xdist), each test module kept in one process so
# its module-scoped data is built once; `make test PYTEST_ARGS=-n0` runs it in a single process.
PYTEST_ARGS ?= -n auto --dist loadfile
# `make serve`: production settings (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, HTTPS from the
# environment), never the debug pages, whatever the shell says.
SERVE_ENV := DEBUG=0 TESTING=0
# Threaded workers (gthread): a client that is slow to send its request or read the answer holds
# one thread, not a whole worker, so a few idle connections cannot stall the site.
WORKERS ?= 4
THREADS ?= 4

.PHONY: install run serve backup test test-pg fuzz faults lint bench bench-load messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "打开 http://127.0.0.1:$(PORT) ，用上面的演示账号登录（密码 demo1234）。"
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# gunicorn on 127.0.0.1 for nginx in front (deploy/nginx.conf). Run migrate first after an
# upgrade (README, Deployment).
serve: install
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--worker-class gthread --threads $(THREADS) --access-logfile -

# A consistent copy of the database into backups/ (SQLite file or pg_dump), named by date.
# Uses the environment as it is: SECRET_KEY and DATABASE_URL in production, DEBUG=1 locally.
backup: install
	$(BIN)/python manage.py backup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(TEST_ENV) $(BIN)/python manage.py check
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The same suite on a throwaway PostgreSQL cluster, stopped even when the tests fail.
test-pg: install
	$(TEST_ENV) REQUIRE_PG=1 .ci/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

# The fuzz tests at the issue's size: 10,000 generated requests over every page and form
# (`make test` runs 300 of them). FUZZ_EXAMPLES=N chooses another total.
FUZZ_EXAMPLES ?= 10000
fuzz: install
	$(TEST_ENV) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -m fuzz tests/test_fuzz_pages.py $(PYTEST_ARGS)

# PostgreSQL stopped for 10 s under a load of reads and saves against `make serve`, on a
# throwaway cluster (bench/faults.py; FAULTS_ARGS="--outage 20" and so on). Prints; asserts nothing.
faults: install
	.ci/with-postgres $(BIN)/python bench/faults.py $(FAULTS_ARGS)

# The English catalogue (locale/en): extract the marked strings, then compile them. Commit both
# the .po and the .mo, so a machine without gettext's msgfmt still serves English.
messages: install
	$(TEST_ENV) $(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(TEST_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(TEST_ENV) $(BIN)/python bench/summary.py
	$(TEST_ENV) $(BIN)/python bench/dashboard.py
	$(TEST_ENV) $(BIN)/python bench/briefs.py

# Over HTTP: gunicorn on 127.0.0.1:8024, 50 users mixing pages and submissions, then ceilings.
bench-load: install
	$(TEST_ENV) $(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm test-artifacts
