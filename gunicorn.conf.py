"""gunicorn settings for production: `gunicorn cnml.wsgi` reads this file from the project root.

Threads let a worker serve other requests while one waits on PostgreSQL
(a COMMIT waits for the write-ahead log): on two cores, 2 workers × 4 threads
sustain the survey answer rate that sync workers do not (docs/performance.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
# The default line, and the request id that the application's own log lines carry (cnml/requestid.py).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'


def child_exit(server, worker):
    """A gunicorn process is gone: its live gauges leave the Prometheus sums (PROMETHEUS_MULTIPROC_DIR)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
