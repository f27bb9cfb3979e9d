# jianfu: two commands on a fresh machine.
#   make run    the main job on the embedded default (SQLite, sample data)
#   make test   the whole test suite (what CI runs through .ci/run)
# Everything is installed into .venv from the project's own files; durable-rules needs Python 3.11 or 3.12.

PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	  c=$$(command -v $$p) && $$c -c 'import sys; sys.exit(0 if (3,11) <= sys.version_info[:2] <= (3,12) else 1)' 2>/dev/null && echo $$c && break; \
	done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium

.PHONY: run test bench clean browser wheelhouse offline-check

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或 3.12 / Python 3.11 or 3.12 is required"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Serves the pages and the API on http://127.0.0.1:8000 with the sample register in a fresh SQLite under
# .jianfu-demo/, and prints a login for each role (JIANFU_PORT chooses another port).
run: $(STAMP)
	$(BIN)/jianfu serve --demo --port $${JIANFU_PORT:-8000}

# The browser tests drive Debian's Chromium (never a browser Playwright downloads): install it when it is missing.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi; }
	@test -x $(CHROMIUM) || { echo "需要 Debian 的 chromium / Debian's chromium is required at $(CHROMIUM)"; exit 2; }

test: $(STAMP) browser
	$(BIN)/jianfu rules lint
	$(BIN)/python -m pytest

# An offline install for an intranet: the project's wheel and a wheel of every dependency (durable-rules built once
# from its sdist for this platform), so that `pip install --no-index --find-links dist/wheelhouse jianfu` needs no
# network. `make offline-check` proves it in a fresh venv outside the checkout (CI runs it after the tests).
wheelhouse: $(STAMP)
	rm -rf dist/wheelhouse
	$(BIN)/python -m pip wheel --quiet --wheel-dir dist/wheelhouse .
	@ls dist/wheelhouse | wc -l | xargs printf '%s wheels in dist/wheelhouse/, '; du -sh dist/wheelhouse | cut -f1

offline-check: wheelhouse
	PYTHON=$(PYTHON) bash tests/offline_install.sh dist/wheelhouse

clean:
	rm -rf $(VENV) dist
