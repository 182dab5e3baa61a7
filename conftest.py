"""Fixtures every app's tests share: a real Celery worker, and Chromium through Playwright."""

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
ARTEFACTS = ROOT / "test-artefacts"

pytest_plugins = [
    "config.testing.processes",
    "config.testing.oidc_provider",
    "config.testing.saml_idp",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate-limit counters, cached pages and images of one
    test must not decide another's outcome."""
    from django.core.cache import cache

    cache.clear()


# --- Browser ----------------------------------------------------------------------------------
# pytest-playwright has no option for the browser's path; Debian's Chromium is the one we have
# (playwright install cannot download here).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_page(page, live_server, request):
    """A Chromium page pointed at the live server; a screenshot is saved when the test ends."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: Chromium is not at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    ARTEFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    # A failed screenshot must not hide the test's own result.
    with contextlib.suppress(Exception):
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


# --- Celery worker ----------------------------------------------------------------------------
def _database_url(settings_dict):
    engine = settings_dict["ENGINE"]
    if "postgresql" not in engine:
        return None
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real `celery worker` process on Redis and the test database, for the test's duration.

    The test's own enqueues go to a queue of this test alone, so nothing left in Redis from
    elsewhere reaches this worker and nothing of this test reaches another. Tasks run in a
    separate process, so the test must use committed data (transactional_db).
    """
    from django.db import connection

    from config.celery_app import app

    redis_url = os.environ.get("REDIS_URL")
    db_url = _database_url(connection.settings_dict)
    if not redis_url or not db_url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the worker tests: set DATABASE_URL (PostgreSQL) and REDIS_URL")
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) for a real worker")

    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.worker_test",
        # What the worker itself enqueues (e-mails, a pathway badge after a course badge) goes
        # to the same queue, so it runs here too.
        "TEST_WORKER_QUEUE": queue,
    }
    log = ARTEFACTS / f"worker-{queue}.log"
    ARTEFACTS.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "INFO",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start; see {log}")
        yield WorkerHandle(proc=proc, queue=queue, log=log)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class WorkerHandle:
    def __init__(self, *, proc, queue, log):
        self.proc, self.queue, self.log = proc, queue, log
