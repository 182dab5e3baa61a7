"""A centre of its own for the load and bulk benchmarks, run as production runs it.

Its own PostgreSQL database (``leads_bench``, made afresh and dropped at the end) and its own
Redis database (13, flushed), the production settings (bench/settings.py: production plus one
constant "bare" view to compare with), keys generated for the run, gunicorn with the project's
config/gunicorn.conf.py and a Celery worker started as production starts them. Nothing here
touches a real centre's database or the test suite's.

The benchmark process itself sets Django up against the same database to seed data and to read
what the worker wrote.
"""

import base64
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.settings and the centre's apps

from config.testing.processes import HOST, free_port, port_open, wait_until  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"


def rss_kib(pid) -> int:
    """Resident memory of a process and all its children (a prefork worker's pool), in KiB."""
    total = 0
    for one in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for path in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(c) for c in path.read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


class Centre:
    def __init__(self, *, name="leads_bench", redis_db=13):
        self.name = name
        self.port = free_port()
        self.site_url = f"http://{HOST}:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="leads-bench-"))
        self.processes = []
        pg = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
        redis = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{pg}/{name}?conn_max_age=60",  # as README's example
            "REDIS_URL": f"{redis}/{redis_db}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BADGE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            # Production requires an https SITE_URL; the bench serves plain http on loopback,
            # which bench/settings.py puts in its place (BENCH_SITE_URL).
            "SITE_URL": "https://bench.invalid",
            "BENCH_SITE_URL": self.site_url,
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_URL": "dummymail://",  # e-mails are composed and handed over, not delivered
            "MEDIA_ROOT": str(self.workdir / "media"),
            "STATIC_ROOT": str(self.workdir / "static"),
            "LOG_LEVEL": "WARNING",
        }
        self._pg_admin = f"{pg}/postgres"

    # --- The database ---------------------------------------------------------------------

    def _admin(self, sql):
        import psycopg2

        conn = psycopg2.connect(self._pg_admin)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create(self):
        """A fresh database with the migrations, static files collected, Django set up here."""
        from report import say

        say(f"Centre: a fresh database {self.name}, migrations, static files")
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")
        os.environ.update(self.env)
        import django

        django.setup()
        from django.core.cache import cache

        cache.clear()  # Redis database 13: the bench's own, emptied now and at the end
        return self

    def manage(self, *args):
        subprocess.run(  # noqa: S603 - our own manage.py
            [str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=self.env, check=True
        )

    def close(self):
        for process in reversed(self.processes):
            self._stop(process)
        with contextlib.suppress(Exception):
            from django.core.cache import cache
            from django.db import connections

            connections.close_all()
            if not os.environ.get("BENCH_KEEP"):
                cache.clear()
        if os.environ.get("BENCH_KEEP"):  # to look at afterwards: the database and the logs
            print(f"Kept database {self.name} and {self.workdir}", file=sys.stderr)
            return
        with contextlib.suppress(Exception):
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        # A SIGTERM (a CI time limit, say) unwinds like Ctrl-C, so what was started is stopped.
        owner = os.getpid()  # not the forked helpers (a Pool stops its children with SIGTERM)

        def stop(*_):
            if os.getpid() == owner:
                sys.exit("Stopped by SIGTERM")
            os._exit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            return self.create()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    # --- Processes ------------------------------------------------------------------------

    def _start(self, argv, log_name):
        log = open(self.workdir / log_name, "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn and celery
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        process.log_path = self.workdir / log_name
        self.processes.append(process)
        return process

    def _stop(self, process, timeout=30):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process in self.processes:
            self.processes.remove(process)

    def stop(self, process):
        self._stop(process)

    def gunicorn(self):
        """gunicorn with the production configuration (config/gunicorn.conf.py); started once."""
        running = [p for p in self.processes if p.args[0].endswith("gunicorn") and not p.poll()]
        if running:
            return running[0]
        process = self._start(
            [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
             "--bind", f"{HOST}:{self.port}", "config.wsgi"],
            "gunicorn.log",
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), timeout=30, what="gunicorn")
        return process

    def worker(self, concurrency=2):
        """A Celery worker as production starts one (README, "Running in production")."""
        process = self._start(
            [str(VENV_BIN / "celery"), "-A", "config", "worker", "-l", "INFO",
             "-c", str(concurrency), "--without-mingle", "--without-gossip"],
            "worker.log",
        )  # fmt: skip
        wait_until(
            lambda: b" ready." in process.log_path.read_bytes() or process.poll() is not None,
            timeout=60,
            what="Celery worker",
        )
        if process.poll() is not None:
            sys.exit("The Celery worker did not start:\n" + process.log_path.read_text()[-3000:])
        return process
