"""Pages people see of badges: the public verification, badge and issuer pages, the PDF
certificate, the learner's backpack and their public profile.

The public pages load nothing from elsewhere and set no cookie for a visitor who is not signed
in. views_public decides between JSON and HTML and hands the object it loaded to the *_page
functions here, so a verification page costs that one query and nothing more.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from . import certificate as certificates
from . import linkedin, selectors
from .qr import qr_data_uris
from .services import assertion_set_hidden

# A valid badge's page may be kept this long by browsers and shared caches; a revoked or expired
# one is always revalidated. The server's own copies are never stale (public_cache.py).
VALID_PAGE_MAX_AGE = 60


def _cache_for(response, request, *, max_age=0):
    """Public and briefly cacheable for visitors; private for someone signed in (their name is
    in the navigation bar)."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    elif max_age:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def issuer_page(request, issuer):
    context = {
        "issuer": issuer,
        "badge_classes": selectors.issuer_badge_classes(issuer),
        "json_url": reverse("badges:issuer", kwargs={"pk": str(issuer.pk), "suffix": ".json"}),
    }
    response = render(request, "badges/public/issuer.html", context)
    return _cache_for(response, request, max_age=300)


def badge_class_page(request, badge):
    response = render(request, "badges/public/badge_class.html", selectors.badge_class_view(badge))
    return _cache_for(response, request, max_age=300)


def assertion_page(request, assertion, *, now=None):
    """The verification page: the status in words and colour first, then what was certified."""
    now = now or timezone.now()
    view = selectors.assertion_view(assertion, now=now)
    context = {
        "view": view,
        "qr": reverse("badges:assertion_qr", args=[str(assertion.pk)]),
        "now": now,
        "site_url": settings.SITE_URL,
    }
    response = render(request, "badges/public/assertion.html", context)
    max_age = 0
    if view.status.code == "valid":
        max_age = VALID_PAGE_MAX_AGE
        if assertion.expires_on:  # never cached past the moment it expires
            max_age = max(0, min(max_age, int((assertion.expires_on - now).total_seconds())))
    return _cache_for(response, request, max_age=max_age)


@require_GET
def certificate(request, pk):
    assertion = selectors.assertion_public(pk)
    pdf = certificates.certificate_pdf(assertion, now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = certificates.certificate_filename(assertion)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Revalidated every time, so a revocation shows at once; the server's copy is cached.
    response["Cache-Control"] = "public, no-cache"
    return response


@login_required
@require_GET
def backpack(request):
    """The signed-in learner's own badges. There is no URL for anyone else's."""
    now = timezone.now()
    views = [selectors.assertion_view(a, now=now) for a in selectors.learner_badges(request.user)]
    qrs = qr_data_uris(v.links.verification for v in views)
    badges = [
        {
            "view": v,
            "qr": qrs[v.links.verification],
            "linkedin": linkedin.add_to_profile_url_for(
                v.assertion, verification_url=v.links.verification
            ),
        }
        for v in views
    ]
    context = {"badges": badges, "profile_url": selectors.profile_url(request.user)}
    response = render(request, "badges/backpack.html", context)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_POST
def set_visibility(request, pk):
    assertion = selectors.own_assertion(user=request.user, pk=pk)
    hidden = request.POST.get("hidden") == "1"
    assertion_set_hidden(assertion=assertion, learner=request.user, hidden=hidden)
    name = assertion.badge_version.name
    if hidden:
        messages.success(request, f"“{name}” is hidden from your public profile. Its link works.")
    else:
        messages.success(request, f"“{name}” is shown on your public profile.")
    return redirect(reverse("badges:backpack") + f"#badge-{assertion.pk}")


@require_GET
def profile(request, pk):
    owner = selectors.profile_owner(pk)
    now = timezone.now()
    badges = [
        {"assertion": a, "status": selectors.status_of(a, now)}
        for a in selectors.profile_badges(owner)
    ]
    response = render(request, "badges/public/profile.html", {"owner": owner, "badges": badges})
    return _cache_for(response, request)
