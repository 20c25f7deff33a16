# `make run` and `make test` create .venv and install requirements on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port 8501 --server.headless true $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.univariate
	$(BIN)/python -m bench.multitask
	$(BIN)/python -m bench.train
	$(BIN)/python -m bench.rnorm
	$(BIN)/python -m bench.rnorm_page
	$(BIN)/python -m bench.compress
	$(BIN)/python -m bench.compress_digits
	$(BIN)/python -m bench.long_run

clean:
	rm -rf $(VENV)
