"""Pages people see of badges: the public verification, badge and issuer pages, the PDF
certificate, the learner's backpack and their public profile.

The public pages load nothing from elsewhere and set no cookie for a visitor who is not signed
in. views_public decides between JSON and HTML and hands the object it loaded to the *_page
functions here, so a verification page costs that one query and nothing more.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from . import certificate as certificates
from . import imports, linkedin, selectors
from . import supplement as supplements
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


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Revalidated every time, so a revocation shows at once; the server's copy is cached.
    response["Cache-Control"] = "public, no-cache"
    return response


@require_GET
def certificate(request, pk):
    assertion = selectors.assertion_public(pk)
    pdf = certificates.certificate_pdf(assertion, now=timezone.now())
    return _pdf_response(pdf, certificates.certificate_filename(assertion))


@require_GET
def supplement(request, pk):
    """The micro-credential supplement: every EU Annex I element, sealed like the certificate."""
    assertion = selectors.assertion_public(pk)
    pdf = supplements.supplement_pdf(assertion, now=timezone.now())
    return _pdf_response(pdf, supplements.supplement_filename(assertion))


@dataclass(frozen=True)
class Download:
    """One file of a badge offered in the backpack, named by what it is and its format."""

    label: str  # what it is: "Assertion", "Signed credential", …
    format: str  # the format and extension, as a person reads them: "JSON, .json"
    url: str
    filename: str  # the <a download> name: <badge-slug>-ob2.json, <badge-slug>-ob3.jwt, …
    media_type: str


@dataclass(frozen=True)
class DownloadGroup:
    heading: str
    downloads: list  # of Download; empty when `unavailable` says why
    unavailable: str = ""


OB3_NOT_SIGNED = (
    "The Open Badges 3.0 files are not available for this badge: it was issued before the "
    "centre began signing Open Badges 3.0 credentials and has not been signed since. Its Open "
    "Badges 2.0 files above work as before; ask the centre to sign it if you need them."
)


def file_stem(view) -> str:
    """The start of a badge's download names, from its name (<badge-slug>-ob3.json)."""
    return slugify(view.badge.name)[:60] or "badge"


def _image_kind(version) -> str:
    """png or svg: stored badge images are named by what they are (image_checks.as_file)."""
    return "svg" if version.image.name.lower().endswith(".svg") else "png"


def backpack_downloads(view) -> list[DownloadGroup]:
    """A badge's files, grouped by the Open Badges version that reads them (OB 2.0 §Baking,
    OB 3.0 §5.3 Baking and §8.2 VC-JWT). A revoked badge has none: its hosted assertion answers
    410 Gone (OB 2.0 §Revoking Hosted Assertions), so its files would be broken links."""
    if view.status.code == "revoked":
        return []
    links, kind, stem = view.links, _image_kind(view.badge), file_stem(view)
    image_type = "image/svg+xml" if kind == "svg" else "image/png"
    image_format = f"{kind.upper()}, .{kind}"
    ob2 = DownloadGroup(
        "Open Badges 2.0 (most backpacks and LinkedIn)",
        [
            Download(
                "Badge image with the assertion baked in",
                image_format,
                links.image,
                f"{stem}-ob2.{kind}",
                image_type,
            ),
            Download(
                "Assertion", "JSON, .json", links.json, f"{stem}-ob2.json", "application/json"
            ),
        ],
    )
    ob3_heading = "Open Badges 3.0 (verifiable credential: wallets)"
    if not view.assertion.credential_json:
        return [ob2, DownloadGroup(ob3_heading, [], unavailable=OB3_NOT_SIGNED)]
    ob3 = DownloadGroup(
        ob3_heading,
        [
            Download(
                "Signed credential",
                "JSON-LD, .json",
                links.credential,
                f"{stem}-ob3.json",
                "application/vc+ld+json",
            ),
            Download(
                "Signed credential as a VC-JWT",
                "JWT, .jwt",
                links.credential_jwt,
                f"{stem}-ob3.jwt",
                "application/vc+jwt",
            ),
            Download(
                "Badge image with the credential baked in",
                image_format,
                links.credential_image,
                f"{stem}-ob3.{kind}",
                image_type,
            ),
        ],
    )
    if kind == "png":  # the same badge as an SVG, the credential baked in the SVG way
        ob3.downloads.append(
            Download(
                "Badge image with the credential baked in",
                "SVG, .svg",
                links.credential_image + "?as=svg",
                f"{stem}-ob3.svg",
                "image/svg+xml",
            )
        )
    return [ob2, ob3]


def embed_snippet(view) -> str:
    """HTML for a web page or an e-mail signature: the badge's image linking to its verification
    page. Absolute URLs, since it is pasted elsewhere; every value is escaped."""
    alt = f"Open Badge: {view.badge.name}, earned by {view.assertion.recipient_name}"
    return format_html(
        '<a href="{}"><img src="{}" width="120" height="120" alt="{}"></a>',
        view.links.verification,
        settings.SITE_URL + view.links.badge_image,
        alt,
    )


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
            "downloads": backpack_downloads(v),
            "embed": embed_snippet(v),
            "file_stem": file_stem(v),
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
    context = {
        "owner": owner,
        "badges": badges,
        "imported": imports.profile_imported_badges(owner),  # shown apart: not ours
    }
    response = render(request, "badges/public/profile.html", context)
    return _cache_for(response, request)
