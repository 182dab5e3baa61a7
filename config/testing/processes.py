"""Processes a fault test owns: a private Redis, a private PostgreSQL cluster, Celery workers.

Registered for every app's tests by `pytest_plugins` in the root conftest.py. Each server listens
on 127.0.0.1 on a free port and keeps its files in a temporary directory of its own; whatever a
test starts is stopped, and its directory removed, when the test ends, whether it passed or not.
Nothing here touches the shared PostgreSQL and Redis on 5432 and 6379: a worker reaches the
shared server only through pytest-django's test database, and only when a test gives it that URL.

Run as a program, `python -m config.testing.processes worker <celery worker options>` starts a
Celery worker of the centre with the JSON object in FAULTS_CELERY_CONF merged into the app's
configuration. That is how a test gives its worker, say, a short Redis visibility timeout
without a settings module of its own.
"""

import contextlib
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
WORKER_SETTINGS = "config.settings.worker_test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_open(port) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((HOST, port)) == 0


def wait_until(predicate, *, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def terminate(proc, *, timeout=10):
    """Stop a subprocess a test started: SIGTERM, then SIGKILL if it is still there."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _missing(reason):
    """Skip on a developer's machine without the server; CI must run the fault tests."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the fault tests: {reason}")
    pytest.skip(reason)


def _tail(path, lines=40) -> str:
    """The log's warnings and errors (the first ``lines``), then its last ``lines`` lines."""
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    trouble = [line for line in text if re.search(r"WARNING|ERROR|CRITICAL|Retry in", line)]
    head = ["(warnings and errors)", *trouble[:lines], "(last lines)"] if trouble else []
    return "\n".join(head + text[-lines:])


def _die_with_parent(sig):
    """A preexec_fn: the child gets `sig` when this process dies, even by SIGKILL, so nothing a
    test started outlives an interrupted run (Linux's PR_SET_PDEATHSIG; elsewhere, nothing)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec():
        prctl(pr_set_pdeathsig, int(sig), 0, 0, 0)

    return preexec


# --- Redis --------------------------------------------------------------------------------------


class RedisServer:
    """`redis-server` without persistence, stopped and started again on the same port at will."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-redis-"))
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(  # noqa: S603 (our own fixed command line)
            [
                self.binary, "--bind", HOST, "--port", str(self.port), "--save", "",
                "--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no",
                "--logfile", str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_die_with_parent(signal.SIGTERM),
        )  # fmt: skip
        wait_until(self.ping, timeout=10, what=f"Redis answering on port {self.port}")
        return self

    def ping(self) -> bool:
        import redis

        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self):
        terminate(self.proc)
        self.proc = None
        wait_until(lambda: not port_open(self.port), timeout=10, what="Redis stopped")

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _postgres_bin():
    explicit = os.environ.get("PG_BIN")
    candidates = [Path(explicit)] if explicit else sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    return None


class PostgresCluster:
    """A throwaway cluster: initdb in a temporary directory, trust auth, TCP on 127.0.0.1 only.

    initdb and the server refuse to run as root, so as root both run as the `postgres` OS user,
    as `runuser -u postgres --` would run them; Popen's `user=` does it without a process in
    between, so the server is this process's own child and dies with it. Durability is traded
    for speed (fsync off): the restart the tests inject is a clean one.
    """

    def __init__(self):
        self.bin = _postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-postgres-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            shutil.chown(self.dir, user="postgres", group="postgres")
        self.proc = None

    def url(self, database="postgres") -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def _as_owner(self):
        if self.user is None:
            return {}
        return {"user": self.user, "group": self.user, "extra_groups": []}

    def init(self):
        subprocess.run(  # noqa: S603 (our own fixed command line)
            [
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
            ],
            cwd=self.dir, check=True, capture_output=True, timeout=120, **self._as_owner(),
        )  # fmt: skip
        return self

    def start(self):
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own fixed command line)
                [
                    str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
                    "-k", str(self.dir), "-c", f"listen_addresses={HOST}", "-c", "fsync=off",
                    "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
                    "-c", "max_connections=60",
                ],
                cwd=self.dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent(signal.SIGQUIT), **self._as_owner(),
            )  # fmt: skip
        wait_until(self._accepts, timeout=30, what=f"PostgreSQL on port {self.port}")
        return self

    def _accepts(self) -> bool:
        import psycopg2

        if self.proc.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited:\n{_tail(self.log)}")
        try:
            psycopg2.connect(self.url(), connect_timeout=1).close()
        except psycopg2.OperationalError:
            return False
        return True

    def stop(self, sig=signal.SIGINT):
        """SIGINT is PostgreSQL's fast shutdown: every session is ended, as in a restart by an
        operator. SIGQUIT is its immediate shutdown."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self, *, down_for=0.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def create_database(self, name):
        import psycopg2

        conn = psycopg2.connect(self.url())
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.url(name)

    def close(self):
        try:
            self.stop(signal.SIGQUIT)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- Celery workers -----------------------------------------------------------------------------


class CeleryWorker:
    """One `celery worker` (prefork) in a process group of its own, so that killing it kills its
    pool children too, as when its machine or container dies."""

    def __init__(self, *, name, database_url, redis_url, log_dir, concurrency=2, conf=None,
                 env=None):  # fmt: skip
        self.name = name
        self.log = Path(log_dir) / f"{name}.log"
        self.env = {
            **os.environ,
            **(env or {}),
            "DJANGO_SETTINGS_MODULE": WORKER_SETTINGS,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "FAULTS_CELERY_CONF": json.dumps(conf or {}),
        }
        self.argv = [
            "worker", "-c", str(concurrency), "-P", "prefork", "--without-mingle",
            "--without-gossip", "--without-heartbeat", "-l", "INFO", "-n", f"{name}@%h",
        ]  # fmt: skip
        self.proc = None

    def start(self, timeout=40):
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own fixed command line)
                [sys.executable, "-m", "config.testing.processes", *self.argv],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent(signal.SIGTERM),
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while " ready." not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"worker {self.name} did not start:\n{_tail(self.log)}")
            time.sleep(0.1)
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        """Signal the whole process group (the main process and its pool children)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        if sig == signal.SIGKILL:
            self.proc.wait()

    def stop(self, timeout=20):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.kill(signal.SIGTERM)  # warm shutdown: running tasks finish
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        # Whatever is left of the group (a stuck child, or children of a killed main process).
        self.kill(signal.SIGKILL)


class Workers:
    """Starts workers for one test and stops every one of them when the test ends."""

    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.started = []

    def start(self, *, database_url, redis_url, concurrency=2, conf=None, env=None, name=None):
        worker = CeleryWorker(
            name=name or f"faults{len(self.started) + 1}", database_url=database_url,
            redis_url=redis_url, log_dir=self.log_dir, concurrency=concurrency, conf=conf,
            env=env,
        )  # fmt: skip
        self.started.append(worker)
        return worker.start()

    def log_text(self) -> str:
        return "\n".join(w.log.read_text(errors="replace") for w in self.started if w.log.exists())

    def failures(self) -> list[str]:
        """The log lines of tasks that failed for good (retries are not failures)."""
        return [line for line in self.log_text().splitlines() if " raised unexpected" in line]

    def stop_all(self):
        for worker in reversed(self.started):
            worker.stop()


def worker_database_url(connection, **query) -> str:
    """The URL of pytest-django's test database, for a worker to use the same committed data."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        _missing("a real worker needs PostgreSQL as the test database (set DATABASE_URL)")
    user = settings.get("USER") or ""
    password = settings.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or HOST
    port = settings.get("PORT") or 5432
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"postgres://{auth}{host}:{port}/{settings['NAME']}" + (f"?{params}" if params else "")


def _reset_celery_connections(app):
    """Forget pooled broker connections and the result backend, so new settings take effect."""
    # kombu keeps pools in a global registry keyed by broker URL: closing one in place would
    # leave a closed pool there for the next user of that URL. Reset the registry instead.
    from kombu import pools

    with contextlib.suppress(Exception):
        pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    vars(app._local).pop("backend", None)


@contextlib.contextmanager
def _finalized_on_sigterm():
    """While a fixture's processes run, SIGTERM (a CI job's time limit) ends the run as Ctrl-C
    does, so pytest still runs the finalizers that stop them and remove their directories. A
    SIGKILL leaves the directories; the processes die with this one all the same."""
    previous = signal.getsignal(signal.SIGTERM)
    install = threading.current_thread() is threading.main_thread() and previous in (
        signal.SIG_DFL,
        None,
    )

    def interrupt(signum, frame):
        raise KeyboardInterrupt("SIGTERM")

    if install:
        signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        if install:
            signal.signal(signal.SIGTERM, previous)


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def redis_server():
    """A private Redis for this test; `.stop()` and `.start()` it to inject the fault."""
    if not shutil.which("redis-server"):
        _missing("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer()
    with _finalized_on_sigterm():
        try:
            yield server.start()
        finally:
            server.close()


@pytest.fixture
def postgres_cluster():
    """A private PostgreSQL cluster for this test, running; `.restart()` it to inject the fault."""
    if _postgres_bin() is None:
        _missing("PostgreSQL's server binaries are not installed (initdb, pg_ctl)")
    cluster = PostgresCluster()
    with _finalized_on_sigterm():
        try:
            yield cluster.init().start()
        finally:
            cluster.close()


@pytest.fixture
def celery_workers():
    """`celery_workers.start(database_url=…, redis_url=…)` starts a worker the test owns.

    Every worker is stopped when the test ends, and the tails of their logs printed (pytest
    shows them for a failed test only) before their directory is removed.
    """
    workers = Workers(tempfile.mkdtemp(prefix="faults-workers-"))
    with _finalized_on_sigterm():
        try:
            yield workers
        finally:
            try:
                workers.stop_all()
                for worker in workers.started:
                    print(f"--- {worker.name} ---\n{_tail(worker.log)}")
            finally:
                shutil.rmtree(workers.log_dir, ignore_errors=True)


@pytest.fixture
def web_celery(redis_server, settings):
    """This process's Celery app and cache on the private Redis, as the web side's are in
    production (broker, results and cache on one Redis), with eager mode off."""
    from config.celery_app import app

    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    app.conf.update(
        broker_url=redis_server.url, result_backend=redis_server.url, task_always_eager=False
    )
    _reset_celery_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_celery_connections(app)


def pytest_terminal_summary(terminalreporter):
    """The figures the fault tests measured (their `record_property("fault: …", value)`)."""
    reports = terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
    rows = [
        (report.nodeid.split("::")[-1], name.removeprefix("fault: "), value)
        for report in reports
        if report.when == "call"
        for name, value in report.user_properties
        if name.startswith("fault: ")
    ]
    if rows:
        terminalreporter.section("fault figures")
        for test, name, value in rows:
            terminalreporter.write_line(f"{test}: {name}: {value}")


# --- A worker with configuration overrides ------------------------------------------------------


def _worker_main(argv):
    from config.celery_app import app

    overrides = json.loads(os.environ.get("FAULTS_CELERY_CONF") or "{}")
    for key, value in overrides.items():
        current = app.conf.get(key)  # reading finalizes the configuration from the settings
        if isinstance(value, dict) and isinstance(current, dict):
            value = {**current, **value}
        app.conf[key] = value
    app.worker_main(argv)


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
