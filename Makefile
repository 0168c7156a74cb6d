# LinkedOut: `make run` to use it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
LANGUAGES := de fr es it nl pl

# The translations (.po, in git) compiled to .mo (not in git) for gettext.
# Needs GNU gettext's msgfmt; .venv and var/ are skipped (Django's own
# catalogs ship compiled).
COMPILE_MESSAGES = if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  command -v msgfmt >/dev/null || { echo "Translations need GNU gettext (msgfmt). Install it with: sudo apt-get install gettext" >&2; exit 1; }; \
	  DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=$(VENV) --ignore=var --verbosity 0; \
	fi

.PHONY: install run test check bench lint format messages clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "LinkedOut needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# Web + worker + sweeper + beat on the embedded default (SQLite, filesystem
# broker, emails kept in the development outbox, /dev/outbox/). With DEBUG=0
# run_local collects the static files first (WhiteNoise serves them) and the
# settings say what else production needs (SECRET_KEY, a sending EMAIL_URL or
# ALLOW_UNSENT_EMAIL=1). Ctrl-C stops all four and exits cleanly: `exec`
# makes the launcher make's own child (a shell in between would die of the
# Ctrl-C, and make would report "Interrupt").
RUN_ENV = DEBUG=$${DEBUG:-1} PORT=$(PORT) EMAIL_URL=$${EMAIL_URL:-outboxmail://}
run: install
	@$(RUN_ENV) $(BIN)/python manage.py check_system
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	@$(COMPILE_MESSAGES)
	@exec env $(RUN_ENV) $(BIN)/python manage.py run_local

# The whole suite. With DATABASE_URL / REDIS_URL set it runs against them;
# REQUIRE_SERVICES=1 turns a missing service, browser or library into a failure.
test: install
	@$(COMPILE_MESSAGES)
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production-0123456789} \
	VAR_DIR=$${VAR_DIR:-$(CURDIR)/var/test} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# wrk (Debian package) is the load generator; without it a slower Python one is used.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python bench/run_all.py

# Re-extract every translatable string into locale/<lang>/LC_MESSAGES/django.po
# (templates, emails' .txt and Python); translate the new entries, then
# `make test` checks that none is left empty or fuzzy.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGES)) -e html,txt,py \
	  --ignore=$(VENV) --ignore=var --ignore=test-artifacts --ignore=tests --ignore=bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# What .ci/run checks before the tests: lint, and that no model change lacks
# its migration.
check: lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
