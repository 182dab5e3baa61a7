"""The production settings, with one constant view added (bench/urls.py): the benchmarks'
baseline, served through the same middleware and gunicorn as every other page."""

from config.settings.production import *  # noqa: F403
from config.settings.production import env

ROOT_URLCONF = "bench.urls"

# The bench's gunicorn answers plain http on 127.0.0.1, where production insists on https
# (bench/centre.py gives production a placeholder): the documents name the bench's address.
SITE_URL = env.str("BENCH_SITE_URL").rstrip("/")

# Hashed names as in production, without pre-compressing every file (40 s a run): the
# benchmarks request pages and documents, not static files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
