# fou: two commands do everything on a fresh machine with Python >= 3.11 and make.
#   make reports   set up, prepare data, run the batch and export the reports
#   make test      set up and run the test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FOU    := $(VENV)/bin/fou
STAMP  := $(VENV)/.installed
KERNEL := $(VENV)/share/jupyter/kernels/fou/kernel.json
export MPLBACKEND := Agg

.PHONY: setup reports data test lint typecheck bench lab review clean-outputs help

help:
	@echo "make reports  - installera, förbered data och skapa alla rapporter"
	@echo "make test     - installera och kör testerna (med ruff och mypy)"
	@echo "make lab      - öppna JupyterLab på notebooks/"
	@echo "make bench    - mät batchkörningen (benchmarks/)"
	@echo "make review   - granska rapporterna i Chromium: skärmbilder, PDF-sidor, breda tabeller"

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 krävs")'
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the dependency declarations change.
$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name fou --display-name "Python (fou)" >/dev/null

setup: $(STAMP) $(KERNEL)

data: setup
	$(FOU) data --prepare

# Offline this runs on the generated demo data (labelled as such in every report).
reports: setup
	$(FOU) data --prepare
	$(FOU) run parameters/gr.yaml

# Lint (ruff, import order included), formatting, types (mypy on src/), then the tests.
lint: setup
	$(VENV)/bin/ruff check --output-format concise src tests benchmarks
	$(VENV)/bin/ruff format --check --quiet src tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy

test: lint typecheck
	$(PY) -m pytest -n 2 --dist loadgroup

bench: setup
	$(PY) benchmarks/bench_batch.py

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

# Look at the reports as reviewers do (needs Chromium: apt-get install chromium).
review: setup
	$(PY) -m fou.reports.review

clean-outputs:
	rm -rf outputs/*/ outputs/index.html outputs/manifest.json
