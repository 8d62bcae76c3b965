# Two commands do everything: `make run` and `make test`. The rest are their steps.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FLASK_APP := wsgi
# The app's own default is production (it refuses to start without its keys); make runs the
# development settings: SQLite under instance/, keys generated there once, the demo data.
export REFERRALS_CONFIG ?= development

# Translations: the Spanish catalog (.po) is kept in git, its compiled .mo is built at install.
TRANSLATIONS := referrals/translations
TEMPLATE := $(TRANSLATIONS)/messages.pot
# The gettext functions the code uses beyond Babel's defaults (_, gettext, ngettext, …);
# tests/test_translations.py extracts with the same ones.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

.PHONY: run test install db demo lint format typecheck bench bench-scale restore-drill clean help messages translations

help:
	@echo "make run    set up everything and serve the demo at http://$(HOST):$(PORT)"
	@echo "make test   set up everything and run the whole suite (SQLite, and PostgreSQL if it answers)"
	@echo "make messages      extract the strings and update the catalogs (then translate them)"
	@echo "make translations  compile the catalogs (make install does it too)"
	@echo "make lint | format | typecheck | bench | bench-scale | restore-drill | clean"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

# Every string in the code and templates into the template, then into each language's catalog
# (a changed string comes back fuzzy: tests/test_translations.py fails until it is reviewed).
messages: $(STAMP)
	$(BIN)/pybabel --quiet extract -F babel.cfg $(BABEL_KEYWORDS) --project "KC Coalition Referrals" \
		--add-comments "Translators:" -o $(TEMPLATE) .
	$(BIN)/pybabel --quiet update --ignore-obsolete -i $(TEMPLATE) -d $(TRANSLATIONS)

# The .mo files are built here, not committed: only the .po is reviewed and merged.
translations: $(CATALOGS:.po=.mo)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -l $(notdir $*) -i $< -o $@

db: install
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo
	@# A development database from before migration 0014 has empty rollups (instant here).
	$(BIN)/flask rollups check >/dev/null || $(BIN)/flask rollups rebuild

run: demo
	@echo "Serving http://$(HOST):$(PORT)/login  (demo logins above; Ctrl-C stops)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Runs on SQLite always; on PostgreSQL too when TEST_DATABASE_URL is set or a server answers.
test: install
	@if [ -z "$$TEST_DATABASE_URL" ] && $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 1)' 2>/dev/null; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: the suite runs on SQLite and PostgreSQL."; \
		TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest; \
	else \
		$(BIN)/pytest; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r referrals -ll

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

# Figures into bench/results.json; docs/PERFORMANCE.md says what each one means.
bench: install
	@$(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null || { \
		echo "make bench needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth):"; \
		echo "it creates and fills the databases bench_100, bench_10k and bench_dashboard."; \
		exit 1; }
	$(BIN)/python -m bench

# The dashboard and the coalition view at 1,000,000 and 10,000,000 referrals, side by side
# (docs/PERFORMANCE.md). The first run loads bench_10m, thirty years of the same coalition:
# about 16 GB, an hour to load and most of another for the rollups on a busy 2-core host.
bench-scale: install
	@$(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null || { \
		echo "make bench-scale needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth):"; \
		echo "it creates and fills the databases bench_dashboard and bench_10m."; \
		exit 1; }
	$(BIN)/python -m bench scale_dashboard

# Dump a database, restore it into a new one, compare every table's rows and verify the
# audit chain against the source's head (PostgreSQL). By default the source is a demo
# database made for the drill next to TEST_DATABASE_URL's; DRILL_DATABASE_URL names a real
# one instead (docs/DEPLOY.md, "Restore drill").
restore-drill: install
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}" $(BIN)/python deploy/restore_drill.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
