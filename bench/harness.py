"""What every benchmark needs: Django set up with inline Celery, on a throwaway test database
(built from the migrations, dropped at the end), so runs never touch a real centre's data."""

import contextlib
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


@contextlib.contextmanager
def throwaway_database():
    import django

    django.setup()
    # Celery logs every eager task: keep the output to the figures.
    logging.disable(logging.INFO)
    from django.conf import settings
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    from config.celery_app import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()
