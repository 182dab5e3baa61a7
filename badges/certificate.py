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

The certificate is sealed with the centre's electronic seal as PAdES (``pdf_seal.py``) and names
the signatory under the centre's name; the sealed bytes are what is cached, and the seal's
certificate is part of the state, so a new seal reseals. Without a seal it is served unsealed and
claims none. The micro-credential supplement (``supplement.py``) is rendered, sealed and cached
the same way, by :func:`sealed_pdf`.
"""

import base64
import hashlib
import json
import statistics
import time
from collections.abc import Callable

import weasyprint
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from weasyprint.urls import URLFetcher

from . import pdf_seal, selectors
from .openbadges import baking
from .qr import qr_data_uri

# Bump when the template changes, so cached certificates of the old layout are not served.
TEMPLATE_VERSION = 3
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


def certificate_context(assertion, *, now, seal: pdf_seal.SealNotice | None = None) -> dict:
    view = selectors.assertion_view(assertion, now=now)
    return {
        "view": view,
        "assertion": assertion,
        "badge": view.badge,
        "course": view.badge.course,
        "issuer": view.issuer,
        "qr": qr_data_uri(view.links.verification),
        "badge_image": _badge_image_data_uri(view.badge),
        "seal": seal or pdf_seal.notice(pdf_seal.current_seal()),
    }


def certificate_html(assertion, *, now, seal: pdf_seal.SealNotice | None = None) -> str:
    return render_to_string(
        "badges/certificate.html", certificate_context(assertion, now=now, seal=seal)
    )


def render_pdf(html: str, *, fetcher: DataOnlyFetcher | None = None, **options) -> bytes:
    document = weasyprint.HTML(string=html, url_fetcher=fetcher or DataOnlyFetcher())
    return document.write_pdf(**{**PDF_OPTIONS, **options})


def record_state(assertion, *, now) -> list:
    """Every value of an issued badge that its PDFs show, with its id and status. What the badge
    says is its frozen record (the version, the results), so the version's id and image stand
    for it; what it was awarded for is read from its course (frozen once approved) or pathway."""
    version = assertion.badge_version
    course = version.course
    return [
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
        version.awarded_for,
        str(course.pk) if course else None,
        str(course.lineage) if course else None,
    ]


def state_digest(state) -> str:
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:40]


def cache_key(assertion, *, now, seal: pdf_seal.SealNotice | None = None) -> str:
    """A digest of every value the certificate shows, the seal it is sealed with and who signs
    it (a new seal or signatory makes a new certificate)."""
    seal = seal or pdf_seal.notice(pdf_seal.current_seal())
    state = [TEMPLATE_VERSION, *record_state(assertion, now=now), *seal.cache_state()]
    return f"certificate:{assertion.pk}:{state_digest(state)}"


def sealed_pdf(
    *, key: Callable[[pdf_seal.SealNotice], str], html: Callable[[pdf_seal.SealNotice], str]
) -> bytes:
    """A PDF sealed with the centre's seal (unsealed, claiming none, when there is none): from
    the cache under ``key(seal)``, which must name everything the PDF shows and the seal, or
    rendered from ``html(seal)``, sealed and cached."""
    seal = pdf_seal.current_seal()
    notice = pdf_seal.notice(seal)
    name = key(notice)
    pdf = cache.get(name)
    if pdf is None:
        pdf = render_pdf(html(notice))
        if seal is not None:
            pdf = pdf_seal.seal_pdf(pdf, seal=seal)
        cache.set(name, pdf, CACHE_SECONDS)
    return pdf


def certificate_pdf(assertion, *, now) -> bytes:
    """The certificate of one badge as PDF bytes (sealed when the centre has a seal), rendered
    once per state and then cached."""
    return sealed_pdf(
        key=lambda seal: cache_key(assertion, now=now, seal=seal),
        html=lambda seal: certificate_html(assertion, now=now, seal=seal),
    )


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
