"""Rate limits: the API's throttles, the public verifier's limit, and the hooks django-axes calls
to throttle sign-in.

The settings that use these are in config/settings/base.py ("Sign-in throttling" and
REST_FRAMEWORK); README, "Security", says what they protect.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

# --- The API (DRF) ------------------------------------------------------------------------------


class _RatesReadAtRequest:
    """DRF binds `THROTTLE_RATES` once, when rest_framework.throttling is imported; this reads
    REST_FRAMEWORK at each request instead, so a changed setting (or override_settings in a
    test) applies without a restart."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}."
            )


class ApiTokenRateThrottle(_RatesReadAtRequest, UserRateThrottle):
    """Requests per token. A token belongs to one account (the VLE's service account), so the
    account's id is the token's identity; anonymous requests are left to the class below."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # requests without a token have their own rate, per address
        return super().get_cache_key(request, view)


class ApiAnonRateThrottle(_RatesReadAtRequest, AnonRateThrottle):
    """Requests without a token, per client address: the schema, its docs page and the public
    endpoints. (Token endpoints refuse them with 401 before any throttle runs.)"""

    scope = "anon"


# --- Per-address windows (the public verifier) ----------------------------------------------------


def window_wait(key: str, *, limit: int, window: int) -> int:
    """Count a request against ``key``: 0 while at most ``limit`` requests fell in the window of
    ``window`` seconds that the first of them opened, else the whole seconds until that window
    ends (at least 1), for a 429's Retry-After (RFC 9110 §10.2.3)."""
    now = time.time()
    if cache.add(key, 0, window):
        cache.set(f"{key}:ends", now + window, window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr: this request opens a new one
        cache.set(key, 1, window)
        cache.set(f"{key}:ends", now + window, window)
        count = 1
    if count <= limit:
        return 0
    ends = cache.get(f"{key}:ends")
    return max(1, math.ceil(ends - now)) if ends is not None else window


# --- Sign-in (django-axes) ----------------------------------------------------------------------


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the address
    the outermost of them saw, counted from the right of X-Forwarded-For. Entries left of that
    were written by the client and are ignored, so a client cannot choose its own address."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(count, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def sign_in_username(request, credentials) -> str:
    """The e-mail address as the account is stored (lower case, no spaces), so changing its case
    does not buy five more guesses."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()


def _minutes(delta) -> int:
    return max(1, round(delta.total_seconds() / 60))


def sign_in_locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, with a sentence saying why and for how long, and 429."""
    from accounts.forms import SignInForm

    email = sign_in_username(request, credentials)
    minutes = _minutes(settings.AXES_COOLOFF_TIME)
    message = (
        f"Too many wrong passwords for {email or 'this account'}: signing in to it from your "
        f"network is paused for {minutes} minutes, and until then even the right password is "
        f"refused. Try again in {minutes} minutes; if you have forgotten your password, you can "
        "reset it meanwhile with the link below."
    )
    form = SignInForm(request, initial={"username": email})
    context = {
        "form": form,
        "locked_out": message,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)
