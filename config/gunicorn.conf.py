"""gunicorn as production runs it: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Threaded workers, two processes per core with four threads each: a connection kept alive by the
proxy (or a client) holds a thread, not a process, so a burst of verifications does not queue
behind reconnections (measured in BENCHMARKS.md: the same throughput as sync workers, and a
p99 of tens of milliseconds instead of seconds at 16 connections). Each process is replaced after
some thousands of requests, so no slow leak can grow. WEB_CONCURRENCY, GUNICORN_THREADS and
GUNICORN_BIND override the defaults.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
timeout = 30
graceful_timeout = 30
preload_app = True  # import once, fork many: less memory, faster restarts
accesslog = None  # the proxy in front logs requests
errorlog = "-"
