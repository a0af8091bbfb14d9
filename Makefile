# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501
REPLICAS ?= 2
CLASS_PORT ?= 8080

.PHONY: run test bench serve-class clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install torch==2.14.1 torchvision==0.29.1
	$(PY) -m pip install -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run server.py --server.port $(PORT)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

serve-class: $(STAMP)
	$(PY) deploy/serve_class.py --replicas $(REPLICAS) --port $(CLASS_PORT)

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
