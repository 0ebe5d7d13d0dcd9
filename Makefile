# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-all test-min lint bench mutation docs lab clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/qwalk demo --out demo_output

# The fast suite, then the documentation site's build (warnings as errors: it executes the
# notebooks and runs the demo) and the wheel's demo and notebook 05 (tests marked slow).
# pytest-xdist spreads the tests over every core, one test file per worker at a time (a
# file's module fixtures are built once); plain `pytest` runs the same tests in one process.
XDIST ?= -n auto --dist loadfile
test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST)
	$(BIN)/python -m pytest $(XDIST) -m slow tests/test_docs.py tests/test_packaging.py \
		tests/benchmarks/test_run_all.py

test-all: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m ''

# The declared minimum versions, each installed exactly (ci/min_requirements.py turns
# every `>=` floor in pyproject.toml into `==`), in a venv of their own; then the fast suite.
VENV_MIN ?= .venv-min
test-min:
	rm -rf $(VENV_MIN)
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) ci/min_requirements.py > $(VENV_MIN)/min-requirements.txt
	$(VENV_MIN)/bin/python -m pip install --quiet -r $(VENV_MIN)/min-requirements.txt
	$(VENV_MIN)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(VENV_MIN)/bin/python -m pip check
	$(VENV_MIN)/bin/python -m pip freeze --exclude-editable > $(VENV_MIN)/installed.txt
	$(VENV_MIN)/bin/python -m pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check qwalk_circuits tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

# Mutation score of the ledger, the job submission/resume code and the store (mutmut, in a
# temporary copy of the tree; BENCHMARKS.md, reliability). Tens of minutes on 2 cores.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutation]'
	$(BIN)/python -m benchmarks.mutation_score

# The HTML site in docs/_build/html (executes the notebooks and runs the demo: about a minute).
# Warnings are errors. QWALK_DOCS_EXECUTE=off builds the pages without notebook outputs.
docs: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	$(BIN)/python -m sphinx -W --keep-going -q -b html -d docs/_build/doctrees docs docs/_build/html
	@echo "docs/_build/html/index.html"

# JupyterLab on the tutorial notebooks (installs the 'notebooks' extra into .venv first).
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(VENV_MIN) demo_output .pytest_cache .mypy_cache .ruff_cache
