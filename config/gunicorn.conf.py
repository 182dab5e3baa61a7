"""gunicorn as production runs it: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Threaded workers, three processes per core with two threads each. A connection kept alive by
the proxy (or a client) waits in its process's poller, not in a thread, so a burst of
verifications does not queue behind reconnections (sync workers: p99 of seconds at 16
connections). Few threads per process because Python threads share one interpreter lock: with
four threads a process held its connections' requests behind each other (bare view p99 260 ms
where two threads gave 40-90 ms, BENCHMARKS.md), and more processes leave the sharing of the
cores to the kernel. Each process is replaced after about 100,000 requests, so no slow leak
can grow, and not so often that a busy hour pays for it (a fresh process compiles its templates
again). WEB_CONCURRENCY, GUNICORN_THREADS and GUNICORN_BIND override the defaults.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 3))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
keepalive = 5
max_requests = 100_000
max_requests_jitter = 10_000
timeout = 30
graceful_timeout = 30
preload_app = True  # import once, fork many: less memory, faster restarts
accesslog = None  # the proxy in front logs requests
errorlog = "-"
