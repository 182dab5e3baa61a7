"""A Celery worker started by the test suite: the test settings, with Celery on the broker."""

from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
