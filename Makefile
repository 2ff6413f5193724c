# Two commands for a fresh machine with Python 3.11 and make:
#   make run    create .venv, install, build the sample database if missing, start the dashboard
#   make test   install what the tests need, lint, run every test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB ?= $(or $(DASHBOARD_DB),data/forms.duckdb)
SAMPLES := data/samples
# The sample forms do not print their year; they report on 2021 (their texts say so).
SAMPLE_YEAR := 2021
PORT ?= 8501
# Only this machine can open the dashboard; to serve an office network see README (在办公网络上使用).
ADDRESS ?= 127.0.0.1

.PHONY: run test lint bench bench-scale sample-db clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

sample-db: $(VENV)/.installed-run
	@[ -f "$(DB)" ] || $(BIN)/python -m dashboard import --db "$(DB)" --year $(SAMPLE_YEAR) $(SAMPLES)

run: sample-db
	DASHBOARD_DB="$(DB)" $(BIN)/python -m streamlit run dashboard/app.py --server.port $(PORT) --server.address $(ADDRESS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy dashboard

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/import_speed.py

# 10⁵ synthetic forms (SCALE_ARGS=--million for 10⁶; --keep DIR reuses the built database; --backend lake for a
# DuckLake on a PostgreSQL started for the run): pages, import, concurrent importers,
# audit, exports and downloads against their targets (docs/scaling.md).
bench-scale: $(VENV)/.installed-test
	$(BIN)/python benchmarks/scale.py $(SCALE_ARGS)

# Deletes the database only where every import in it came from data/samples (built by sample-db);
# a database holding anything else is kept, and said so.
clean:
	@if [ -f "$(DB)" ]; then \
		if [ -x $(BIN)/python ] && $(BIN)/python -m dashboard sample-check --db "$(DB)" $(SAMPLES) 2>/dev/null; then \
			rm -f "$(DB)" "$(DB).wal"; echo "已删除示例数据库 $(DB)"; \
		else echo "保留 $(DB)：它不只由示例文件建成（或无法确认），make clean 不删除它"; fi; \
	fi
	rm -rf $(VENV)
