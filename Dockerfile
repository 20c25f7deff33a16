# ReLU Atlas: docker build -t relu-atlas . && docker run -p 8501:8501 relu-atlas
#
# A class: replicas behind HAProxy with deploy/haproxy.cfg (sticky cookie, websocket tunnel, health checks).
# In one container (haproxy is installed below), n app processes on 127.0.0.1:8511… and HAProxy on :8501:
#   docker run -p 8501:8501 relu-atlas python -m deploy.serve --workers 4 --host 0.0.0.0
# Or one container per replica and HAProxy's own image, the same configuration pointed at the replicas:
#   docker network create atlas
#   for i in 1 2 3; do docker run -d --name app$i --network atlas relu-atlas; done
#   python -m deploy.serve --print-config --bind :8501 --server app1:8501 --server app2:8501 --server app3:8501 > haproxy.cfg
#   docker run -d --network atlas -p 8501:8501 -v "$PWD/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" haproxy:2.6
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends curl haproxy && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 atlas
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY --chown=atlas:atlas . .
USER atlas
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD curl -fsS http://localhost:8501/_stcore/health || exit 1
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
