"""The submission pack: what a Dean's office files, as a PDF.

The whole course template from the submission's snapshot, the checklist with the system's
findings, the course leader's signature and the decision history, rendered by WeasyPrint.
WeasyPrint is imported here at module level because its first import costs about a second
(STACK-NOTES.md); it fetches nothing from the network: fonts come from the system's fontconfig,
styles are in the template, and the URL fetcher refuses every address that is not local.
"""

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from weasyprint.urls import URLFetcher

from evidence.selectors import moderation_statement

from . import selectors
from .diff import display_labels


class LocalOnlyFetcher(URLFetcher):
    """Reads `data:` URLs and files under the site's static folders; refuses anything else.

    A submission's text is the leader's, so an address in it must never make the server reach
    out (or read other files) while the pack is rendered. Refused URLs are kept in `refused`.
    """

    def __init__(self, roots=None):
        super().__init__(allowed_protocols={"data", "file"})
        self.roots = [Path(root).resolve() for root in (roots or static_roots())]
        self.refused: list[str] = []

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(parts.path)).resolve()
        return any(path.is_relative_to(root) for root in self.roots)

    def fetch(self, url, headers=None):
        if not self.is_local(url):
            self.refused.append(url)
            raise ValueError(f"The submission pack reads local files only; refused {url}")
        return super().fetch(url, headers)


def static_roots() -> list[Path]:
    roots = [Path(folder) for folder in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return roots


# Tagged PDF: headings, lists and tables keep their structure for screen readers.
PDF_OPTIONS = {"pdf_tags": True}


def html_to_pdf(html: str, *, fetcher: LocalOnlyFetcher | None = None, **options) -> bytes:
    """A tagged PDF of the HTML, reading local files only."""
    fetcher = fetcher or LocalOnlyFetcher()
    base_url = static_roots()[0].resolve().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(**{**PDF_OPTIONS, **options})


def pack_filename(submission) -> str:
    course = submission.course
    title = slugify(submission.snapshot.get("title") or course.title)[:60] or "course"
    return f"leads-{title}-v{course.version}-submission-{submission.number}.pdf"


def pack_context(submission, *, now=None) -> dict:
    course = submission.course
    return {
        "submission": submission,
        "course": course,
        "snapshot": submission.snapshot,
        "labels": display_labels(submission.snapshot),
        "checklist_items": selectors.submission_checklist(submission),
        "decision": selectors.decision_of(submission),
        "decisions": selectors.course_decisions(course),
        "transitions": selectors.course_history(course),
        "moderation": moderation_statement(course.lineage),
        "generated_at": now or timezone.now(),
        "SITE_NAME": settings.SITE_NAME,
        "CENTRE_NAME": settings.CENTRE_NAME,
    }


def pack_html(submission, *, now=None) -> str:
    return render_to_string("leads/pack.html", pack_context(submission, now=now))


def submission_pack_pdf(submission, *, now=None) -> bytes:
    """The submission pack of one submission, as PDF bytes."""
    return html_to_pdf(pack_html(submission, now=now))
