# LinkedOut: `make run` to use it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: install run test bench lint format messages clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "LinkedOut needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# Web + worker + beat on the embedded default (SQLite, filesystem broker, console email).
run: install
	@DEBUG=$${DEBUG:-1} $(BIN)/python manage.py check_system
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then DEBUG=1 $(BIN)/python manage.py compilemessages --verbosity 0; fi
	@echo ""
	@echo "  LinkedOut is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	DEBUG=$${DEBUG:-1} PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# The whole suite. With DATABASE_URL / REDIS_URL set it runs against them;
# REQUIRE_SERVICES=1 turns a missing service, browser or library into a failure.
test: install
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production-0123456789} \
	VAR_DIR=$${VAR_DIR:-$(CURDIR)/var/test} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# wrk (Debian package) is the load generator; without it a slower Python one is used.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
