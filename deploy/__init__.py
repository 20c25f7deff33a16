"""Running the app for many users: replicas behind HAProxy (serve.py, haproxy.cfg)."""
