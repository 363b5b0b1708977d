# make run  : set up everything and serve the portal with demo data, Celery worker and beat
# make test : set up everything and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup system venv migrate messages demo run test lint bench clean

setup: system venv messages migrate

system:
	@bash scripts/install-system-packages.sh

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

messages: venv
	$(PY) manage.py compilemessages -v 0 --ignore=.venv

migrate: venv
	$(PY) scripts/ensure_db.py
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py seed_demo

run: setup demo
	$(PY) manage.py serve_all

test: setup
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf var $(VENV)
