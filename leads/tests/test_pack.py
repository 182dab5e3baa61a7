import pytest
import weasyprint
from django.urls import reverse

from leads import pack, selectors

from .factories import decided_course, submitted_course
from .review_factories import leads_admin, learner, other_unit_dean, resubmitted_course

pytestmark = pytest.mark.django_db


def laid_out_text(html: str) -> str:
    """The text WeasyPrint lays out on the PDF's pages, to check what a reader sees."""
    document = weasyprint.HTML(string=html, url_fetcher=pack.LocalOnlyFetcher()).render()
    words = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if hasattr(box, "text"):
                words.append(box.text)
    return " ".join(words)


def test_the_pack_is_a_pdf_with_a_sensible_name_for_everyone_who_may_see_the_course(client):
    course, submission = submitted_course()
    url = reverse("leads:submission_pack", args=[submission.pk])
    for person in (course.leader, course.unit.dean, course.unit.designates.first(), leads_admin()):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'inline; filename="leads-leading-school-improvement-v1-submission-1.pdf"'
        )
        assert response.content.startswith(b"%PDF-")


def test_others_do_not_get_the_pack(client):
    _, submission = submitted_course()
    url = reverse("leads:submission_pack", args=[submission.pk])
    client.force_login(other_unit_dean())
    assert client.get(url).status_code == 404
    client.force_login(learner())
    assert client.get(url).status_code == 403


def test_the_pack_holds_the_template_checklist_signature_and_history():
    course, first, second = resubmitted_course()
    html = pack.pack_html(selectors.submission_get(pk=second.pk))
    for section in ("1. Basic information", "7. Assessment and badge criteria",
                    "10. EU micro-credential elements"):  # fmt: skip
        assert section in html
    assert "LEADS course submission checklist" in html
    assert "Course has 2–5 clear learning goals" in html and "Awaiting approval" in html
    assert "Signature" in html and "Leader Person" in html
    assert "Decision history" in html and "Reword LO2." in html
    assert "Changes requested" in html and "Submitted for approval" in html
    text = laid_out_text(html)
    assert "Leading School Improvement" in text
    assert "Design and lead a professional development programme" in text
    assert "Page 1 of" in text


def test_an_approved_pack_carries_the_deans_decision_and_is_tagged():
    course, submission = decided_course("approved", comment="Well made.")
    submission = selectors.submission_get(pk=submission.pk)
    html = pack.pack_html(submission)
    assert "Decided by" in html and "Dean Person" in html and "Well made." in html
    assert "Approved by Dean Person on" in html  # checklist item 10
    assert pack.submission_pack_pdf(submission).startswith(b"%PDF-")
    # Tagged, so screen readers follow headings and tables (uncompressed to look inside).
    pdf = pack.html_to_pdf(html, uncompressed_pdf=True)
    assert b"/StructTreeRoot" in pdf and b"/Table" in pdf and b"/H1" in pdf
    assert pack.pack_filename(submission).endswith("-v1-submission-1.pdf")


def test_text_from_the_leader_is_escaped_and_fetches_nothing():
    hostile = '<img src="http://203.0.113.9/track.png"><link rel="stylesheet" href="https://x.test/a.css">'
    course, submission = decided_course("rejected", comment=hostile)
    html = pack.pack_html(selectors.submission_get(pk=submission.pk))
    assert "<img" not in html and "&lt;img src=&quot;http://203.0.113.9/track.png&quot;&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "http://203.0.113.9/track.png",
        "https://fonts.example/font.woff2",
        "ftp://example.org/a.css",
        "file:///etc/passwd",
        "file://otherhost/srv/static/site.css",
    ],
)
def test_the_fetcher_refuses_anything_not_local(url):
    fetcher = pack.LocalOnlyFetcher()
    with pytest.raises(ValueError, match="local files only"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_reads_data_urls_and_the_sites_static_files(settings):
    fetcher = pack.LocalOnlyFetcher()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    site_css = pack.static_roots()[0].resolve() / "css" / "site.css"
    assert b"review pages" in fetcher.fetch(site_css.as_uri()).read()


def test_a_remote_reference_in_the_html_is_refused_while_rendering():
    fetcher = pack.LocalOnlyFetcher()
    html = (
        '<link rel="stylesheet" href="http://203.0.113.9/evil.css">'
        '<img src="https://203.0.113.9/pixel.png" alt=""><p>Still rendered.</p>'
    )
    pdf = pack.html_to_pdf(html, fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert fetcher.refused == ["http://203.0.113.9/evil.css", "https://203.0.113.9/pixel.png"]
