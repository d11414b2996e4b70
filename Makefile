# The two quick-start commands (see README.md). Everything lives in .venv; nothing global.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test clean

run: $(VENV)/.installed
	$(PY) -m bot

test: $(VENV)/.installed-test
	$(PY) -m pytest

$(PY):
	@echo "Creating a virtual environment in $(VENV)/ (first run only)..."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	@echo "Installing the bot and its dependencies into $(VENV)/ (about a minute the first time)..."
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	@echo "Installing the bot and the test tools into $(VENV)/ (about a minute the first time)..."
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
