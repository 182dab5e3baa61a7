"""The centre's URLs and a bare view: the fastest a request can be through the same gunicorn,
middleware and settings, which is what the verification pages are compared with."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as centre_urlpatterns

BODY = b"<!doctype html><title>bare</title><p>A constant response.</p>"


def bare(request):
    return HttpResponse(BODY)


# Last, so resolving it walks the whole URLconf as the verification pages' URLs do.
urlpatterns = [*centre_urlpatterns, path("bench/bare/", bare)]
