# The two commands: `make run` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= $(if $(wildcard config.toml),config.toml,config.example.toml)

.PHONY: run test lint format bench clean docs-picture

# A stamp per install flavour, so `make run` does not reinstall every time.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/vimbot --config $(CONFIG) db upgrade
	$(BIN)/vimbot --config $(CONFIG) run

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	@# nothing outside storage/ reaches the store's session or connection
	! grep -rnE 'store\.(_?session|_?connection)\b' --include='*.py' bot scheduler tests benchmarks

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks (a few minutes on 2 cores); results and method in benchmarks/README.md.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.service_bench
	$(BIN)/python -m benchmarks.telegram_bench
	$(BIN)/python -m benchmarks.slack_bench
	$(BIN)/python -m benchmarks.storage_bench

# The README's picture of a report page (docs/report-page.png); needs pdftoppm (poppler-utils).
docs-picture: $(VENV)/.installed-dev
	sh scripts/report_picture.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
