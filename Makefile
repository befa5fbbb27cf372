# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := APP_ENV=development $(BIN)/flask --app app
DEMO_PASSWORD ?= medical-home-demo
DEMO_EMPLOYEES ?= 200

.PHONY: run test lint check-content security bench clean lock

# Everything is installed from the locks (`make lock` writes them from requirements*.txt), with --require-hashes:
# pip takes exactly the pinned versions, transitive ones included, and refuses any file whose hash is not in the
# lock. The venv's own pip is first brought to the release requirements-dev.lock pins, hash-checked as well.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	awk '/^pip==/ {p = 1; print; next} p && /^ +--hash=/ {print; next} {p = 0}' requirements-dev.lock \
		| $(BIN)/python -m pip install --quiet --require-hashes --no-deps -r /dev/stdin

$(VENV)/.runtime-installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

# The dev lock holds the runtime lock's packages at the same versions, so it stands for both stamps.
$(VENV)/.dev-installed: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed
	$(FLASK) db upgrade
	$(FLASK) seed
	DEMO_PASSWORD="$(DEMO_PASSWORD)" $(FLASK) demo --if-empty --employees $(DEMO_EMPLOYEES)
	@echo ""
	@echo "Demo logins (password: $(DEMO_PASSWORD)):"
	@echo "  admin@demo.clinic  hr@demo.clinic  manager@demo.clinic  newhire@demo.clinic"
	@echo "Serving on http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check app tests config.py tools load bench

check-content: $(VENV)/.dev-installed
	APP_ENV=testing $(BIN)/flask --app app seed --check

test: $(VENV)/.dev-installed lint check-content security
	$(BIN)/python -m pytest

# Security checks: bandit over the code (medium or high findings fail; settings in pyproject.toml),
# then pip-audit over every package of the locks, transitive ones included (see tools/pin_audit.py: an
# audit that could not reach its vulnerability service prints NOT CHECKED; PIP_AUDIT_REQUIRED=1 makes
# that fail too).
security: $(VENV)/.dev-installed
	$(BIN)/bandit -c pyproject.toml -r app config.py tests tools load bench --severity-level medium --quiet
	$(BIN)/python tools/pin_audit.py requirements.lock requirements-dev.lock

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# `make lock`: pip-compile (pinned in requirements-dev.txt) writes requirements.lock from requirements.txt and
# requirements-dev.lock from requirements-dev.txt: every package, transitive ones included, pinned with the hashes
# of all its published files. The dev lock is compiled within the runtime lock, so a package both use has one
# version. Pins already in a lock are kept while they still fit; LOCK_ARGS="--upgrade-package werkzeug" moves
# one transitive package to its newest release, LOCK_ARGS=--upgrade moves them all.
LOCK_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host --newline lf $(LOCK_ARGS)

lock: $(VENV)/.dev-installed
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

# --- make load: simulated people and a database restart (README: "Load and fault test") ----------
# Needs the PostgreSQL server programs (apt-get install postgresql); runs its own private cluster.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
LOAD_EMPLOYEES ?= 1000
LOAD_THINK ?= 3
LOAD_ARGS ?=

.PHONY: load
load: $(VENV)/.runtime-installed
	$(BIN)/python load/load.py --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) \
		--employees $(LOAD_EMPLOYEES) --think $(LOAD_THINK) $(LOAD_ARGS)
