"""The PDF certificate of an issued badge, rendered by WeasyPrint and kept in the cache.

It carries what an employer needs without the web (learner, course, outcomes, hours, credits,
EQF level, dates, issuer) and a QR code of the verification page for the status as it is now.
A revoked or expired badge's certificate says so across the page.

Rendering takes a tenth of a second or more, so a certificate is rendered once per state: the
cache key is a digest of everything the certificate shows, so a revocation, an expiry or an edit
of the badge class makes a new certificate at the next request and nothing stale is served.

Nothing is fetched while rendering: the styles are in the template, the images are `data:` URLs
and the fetcher refuses every other address (WeasyPrint is imported at module level because its
first import costs about a second, STACK-NOTES.md).
"""

import base64
import hashlib
import json
import statistics
import time

import weasyprint
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from weasyprint.urls import URLFetcher

from . import selectors
from .openbadges import baking
from .qr import qr_data_uri

# Bump when the template changes, so cached certificates of the old layout are not served.
TEMPLATE_VERSION = 2
CACHE_SECONDS = 60 * 60 * 24 * 7
# Tagged PDF: headings and lists keep their structure for screen readers.
PDF_OPTIONS = {"pdf_tags": True}


class DataOnlyFetcher(URLFetcher):
    """Reads `data:` URLs and nothing else; refused addresses are kept in `refused`."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"The certificate reads data: URLs only; refused {url[:80]}")
        return super().fetch(url, headers)


def _badge_image_data_uri(version) -> str:
    with version.image.open("rb") as handle:
        data = handle.read()
    kind = "image/png" if data.startswith(baking.PNG_SIGNATURE) else "image/svg+xml"
    return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


def certificate_context(assertion, *, now) -> dict:
    view = selectors.assertion_view(assertion, now=now)
    return {
        "view": view,
        "assertion": assertion,
        "badge": view.badge,
        "course": view.badge.course,
        "issuer": view.issuer,
        "qr": qr_data_uri(view.links.verification),
        "badge_image": _badge_image_data_uri(view.badge),
    }


def certificate_html(assertion, *, now) -> str:
    return render_to_string("badges/certificate.html", certificate_context(assertion, now=now))


def render_pdf(html: str, *, fetcher: DataOnlyFetcher | None = None, **options) -> bytes:
    document = weasyprint.HTML(string=html, url_fetcher=fetcher or DataOnlyFetcher())
    return document.write_pdf(**{**PDF_OPTIONS, **options})


def cache_key(assertion, *, now) -> str:
    """A digest of every value the certificate shows, with the assertion's id and status. What
    the badge says is its frozen record (the version, the results), so the version's id and
    image stand for it."""
    version = assertion.badge_version
    state = [
        TEMPLATE_VERSION,
        str(assertion.pk),
        assertion.status(now),
        assertion.recipient_name,
        assertion.issued_on.isoformat(),
        assertion.expires_on.isoformat() if assertion.expires_on else None,
        assertion.revoked_at.isoformat() if assertion.revoked_at else None,
        assertion.revocation_reason,
        str(version.pk),
        version.image.name,
        version.issuer_name,
        version.issuer_url,
        version.course.title,
        str(version.course.lineage),
    ]
    digest = hashlib.sha256(json.dumps(state).encode()).hexdigest()[:40]
    return f"certificate:{assertion.pk}:{digest}"


def certificate_pdf(assertion, *, now) -> bytes:
    """The certificate of one badge as PDF bytes, rendered once per state and then cached."""
    key = cache_key(assertion, now=now)
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(certificate_html(assertion, now=now))
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def certificate_filename(assertion) -> str:
    name = slugify(assertion.badge_version.name)[:60] or "badge"
    return f"certificate-{name}-{str(assertion.pk)[:8]}.pdf"


def render_seconds(assertion, *, runs=5, now=None) -> list[float]:
    """How long rendering one certificate takes (template and PDF, no cache), `runs` times.

    For measuring outside the test suite, e.g. on the demo data:
    `manage.py shell -c "from badges.certificate import report_render_time; report_render_time()"`
    """
    now = now or timezone.now()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        render_pdf(certificate_html(assertion, now=now))
        timings.append(time.perf_counter() - start)
    return timings


def report_render_time(runs=5):
    from .models import Assertion

    assertion = Assertion.objects.select_related("badge_version__badge_class__course").first()
    if assertion is None:
        print("No issued badge to render: run manage.py seed_demo first.")
        return None
    timings = render_seconds(assertion, runs=runs)
    median = statistics.median(timings)
    print(f"certificate render, median of {runs}: {median:.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in timings)})")  # fmt: skip
    return median
