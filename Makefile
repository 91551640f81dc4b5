# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The install is redone only when pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=
BENCH_ARGS ?=
# Python may keep its compiled modules (__pycache__, ignored by git): a shell that sets
# PYTHONDONTWRITEBYTECODE makes every process compile the package, and pytest rewrite every test
# module, again (5 to 10 s for each of the suite's test processes).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test sysdeps bench clean check-python messages catalogues tools

run: $(STAMP).run catalogues
	@$(BIN)/quoteapi db upgrade
	@$(BIN)/quoteapi seed-demo --if-empty
	@echo
	@echo "quoteapi is starting at http://$${QUOTEAPI_BIND:-127.0.0.1:8000}"
	@echo "  API docs:  http://$${QUOTEAPI_BIND:-127.0.0.1:8000}/api/docs  (OpenAPI: /api/openapi.json)"
	@echo "  A token:   $(BIN)/quoteapi users create alice --role admin   # prints the token as its last line"
	@echo "  Then:      curl -H \"Authorization: Bearer \$$TOKEN\" http://$${QUOTEAPI_BIND:-127.0.0.1:8000}/api/v1/admin/price-list"
	@echo "  Mail:      the sender runs beside the server; without QUOTEAPI_MAIL_URL each e-mail is a file in instance/outbox/"
	@echo
	exec env QUOTEAPI_OUTBOX_SENDER=$${QUOTEAPI_OUTBOX_SENDER:-embedded} $(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app

# The whole suite in four runs: the tests in process on up to 4 processes
# (pytest-xdist, one per core); the same again on SQLite with the clock moved
# to a hard moment drawn from tests/moment.py's list (TEST_MOMENT=NAME picks
# one; `python -m tests.moment list` lists them), so that the suite proves it
# does not depend on the day it runs (but for the tests marked clockless: the
# OpenAPI fuzzers and linters, which expect nothing of a date); then the end-to-end tests (real servers,
# browsers, deadlines), a module per process (each module starts its own servers), and last the
# Lighthouse audits alone, since their performance scores need the cores to
# themselves. The second run does not collect the OpenAPI fuzzers (clockless: building their items
# takes seconds), the last two collect tests/e2e only. Every run always runs; the target fails if any does. With
# PYTEST_ARGS, one plain pytest run of just those (add --now MOMENT to move the clock).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
TEST_MOMENT ?=

test: $(STAMP).dev sysdeps catalogues tools
ifeq ($(strip $(PYTEST_ARGS)),)
	@status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not e2e" --durations=10 || status=1; \
	set -- $$($(BIN)/python -m tests.moment pick $(TEST_MOMENT)) && \
	echo "make test: the tests in process again (SQLite), as if it were $$2 (the moment \"$$1\")" && \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not e2e and not postgresql and not clockless" \
		--ignore-glob "tests/api/test_fuzz_*" --now "$$2" || status=1; \
	$(BIN)/python -m pytest tests/e2e -m "e2e and not lighthouse" -n $(TEST_WORKERS) --dist loadfile --durations=15 || status=1; \
	$(BIN)/python -m pytest tests/e2e -m "e2e and lighthouse" --durations=5 || status=1; \
	exit $$status
else
	$(BIN)/python -m pytest $(PYTEST_ARGS)
endif

sysdeps:
	@scripts/sysdeps.sh

# The test tools from the npm registry as tools/package-lock.json pins them (into tools/node_modules, not
# committed): Lighthouse and axe-core for the estimator, Redocly CLI for the OpenAPI description
# (tests/api/test_redocly_lint.py, rules in tools/redocly.yaml); redone only when the lock changes.
tools: tools/node_modules/.package-lock.json

tools/node_modules/.package-lock.json: tools/package.json tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tools --no-audit --no-fund --loglevel=error; \
	else echo "tools: npm is missing (Debian package npm): the Lighthouse, axe and Redocly tests are skipped"; fi

bench: $(STAMP).dev sysdeps catalogues
	$(BIN)/python bench/estimates.py $(BENCH_ARGS)
	$(BIN)/python bench/rate_limits.py $(BENCH_ARGS)
	$(BIN)/python bench/quotes.py $(BENCH_ARGS)
	$(BIN)/python bench/outbox.py $(BENCH_ARGS)

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "quoteapi needs Python 3.11 or newer; set PYTHON=python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP).run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP).dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP).run

# The gettext catalogues, compiled at install (never committed): quoteapi/translations/*/LC_MESSAGES/*.mo.
CATALOGUES_PO := $(wildcard quoteapi/translations/*/LC_MESSAGES/messages.po)
CATALOGUES_MO := $(CATALOGUES_PO:.po=.mo)

catalogues: $(CATALOGUES_MO)

quoteapi/translations/%/LC_MESSAGES/messages.mo: quoteapi/translations/%/LC_MESSAGES/messages.po | $(STAMP).run
	@$(BIN)/pybabel compile --statistics -d quoteapi/translations -l $* 2>&1 | sed 's/^/  /'

# After adding or changing texts: extract every message id and merge it into the catalogues.
messages: $(STAMP).run
	$(BIN)/pybabel extract -F babel.cfg -k T -k N_ -k _ -k t --no-location --sort-output \
		--project quoteapi --copyright-holder "quoteapi" -o quoteapi/translations/messages.pot .
	$(BIN)/pybabel update -i quoteapi/translations/messages.pot -d quoteapi/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis test-artifacts *.egg-info tools/node_modules
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
