# Set-up and everyday commands. `make run` and `make test` each install what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test screenshots translations-update translations-compile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations-compile

translations-compile: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics

# Extract the Dutch source strings and merge them into the English catalogue.
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/roldesk serve

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Regenerate docs/screenshots/*.png: Chromium on a stack filled by `roldesk demo`.
screenshots: install
	ROLDESK_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest tests/e2e/test_screenshots.py -q -p no:randomly
