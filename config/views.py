"""Pages that belong to the centre as a whole: the public home page and the health check."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from courses.views_catalogue import catalogue_home


def home(request):
    """The public home page, where the catalogue of published courses stands."""
    return catalogue_home(request)


def _check(fn):
    try:
        fn()
    except Exception as exc:  # a health check reports failures, it does not raise them
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:200]}
    return {"ok": True}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("health:probe", "1", 5)
    if cache.get("health:probe") != "1":
        raise RuntimeError("the cache did not return what was stored")


def _worker():
    from config.celery_app import app

    if app.conf.task_always_eager:
        return
    if not app.control.ping(timeout=1.0):
        raise RuntimeError("no Celery worker answered within 1 s")


@never_cache
def health(request):
    """Readiness for load balancers and the LEADS admin: database, cache and (on ask) worker.

    The worker check waits up to a second, so it runs only with ?worker=1.
    """
    checks = {"database": _check(_database), "cache": _check(_cache)}
    if request.GET.get("worker"):
        checks["worker"] = _check(_worker)
    ok = all(c["ok"] for c in checks.values())
    body = {
        "ok": ok,
        "checks": checks,
        "tasks": "inline" if settings.CELERY_TASK_ALWAYS_EAGER else "worker",
    }
    return JsonResponse(body, status=200 if ok else 503)
