# `make run` and `make test` create .venv and install requirements on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve test lint bench thumbnails clean

# make serve: WORKERS app processes behind HAProxy on HOST:PORT (deploy/serve.py; HOST=0.0.0.0 for a classroom).
WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8501
BACKEND_PORT ?= 8511

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run asgi.py --server.port 8501 --server.headless true $(ARGS)

serve: $(STAMP)
	$(BIN)/python -m deploy.serve --workers $(WORKERS) --host $(HOST) --port $(PORT) --backend-port $(BACKEND_PORT) $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/hadolint --failure-threshold style Dockerfile

bench: $(STAMP)
	$(BIN)/python -m bench.univariate
	$(BIN)/python -m bench.multitask
	$(BIN)/python -m bench.train
	$(BIN)/python -m bench.rnorm
	$(BIN)/python -m bench.rnorm_page
	$(BIN)/python -m bench.compress
	$(BIN)/python -m bench.compress_digits
	$(BIN)/python -m bench.long_run
	$(BIN)/python -m bench.load --start --sessions 30 --duration 60 --warmup 1
	$(BIN)/python -m bench.latency --start --clicks 30 --opens 3
	$(BIN)/python -m bench.sweep

thumbnails: $(STAMP)   # docs/thumbnails/*.png for the home page (starts the app on port 8450; needs Chromium)
	$(BIN)/python docs/make_thumbnails.py $(ARGS)

clean:
	rm -rf $(VENV)
