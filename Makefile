# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The install is redone only when pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run test sysdeps bench clean check-python

run: $(STAMP).run
	@$(BIN)/quoteapi db upgrade
	@$(BIN)/quoteapi seed-demo --if-empty
	@echo
	@echo "quoteapi is starting at http://$${QUOTEAPI_BIND:-127.0.0.1:8000}"
	@echo "  API docs:  http://$${QUOTEAPI_BIND:-127.0.0.1:8000}/api/docs  (OpenAPI: /api/openapi.json)"
	@echo "  A token:   $(BIN)/quoteapi users create alice --role admin   # prints the token as its last line"
	@echo "  Then:      curl -H \"Authorization: Bearer \$$TOKEN\" http://$${QUOTEAPI_BIND:-127.0.0.1:8000}/api/v1/admin/price-list"
	@echo
	exec $(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app

test: $(STAMP).dev sysdeps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

sysdeps:
	@scripts/sysdeps.sh

bench: $(STAMP).dev sysdeps
	$(BIN)/python bench/estimates.py $(BENCH_ARGS)
	$(BIN)/python bench/quotes.py $(BENCH_ARGS)

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

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis test-artifacts *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
