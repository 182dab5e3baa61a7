"""A Celery worker started by the test suite: the test settings, with Celery on the broker."""

import os

from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
# The test's own queue (conftest.celery_worker): tasks this worker enqueues stay in it.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_WORKER_QUEUE", "celery")
