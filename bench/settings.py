"""The production settings, with one constant view added (bench/urls.py): the benchmarks'
baseline, served through the same middleware and gunicorn as every other page."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Hashed names as in production, without pre-compressing every file (40 s a run): the
# benchmarks request pages and documents, not static files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
