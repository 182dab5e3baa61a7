"""The micro-credential supplement of an issued badge: a sealed PDF with every element of the EU
Council Recommendation on micro-credentials (2022/C 243/02), Annex I.

Part I, the mandatory elements: identification of the learner; title; country or region of the
issuer; awarding body; date of issuing; learning outcomes; notional workload (ECTS); level (EQF);
type of assessment; form of participation; type of quality assurance. Part II, the optional
elements the centre keeps: prerequisites; supervision and identity verification; the grade
achieved; integration and stackability options; further information. Then each learning outcome
with whether it was demonstrated, and the assessments and results the badge carries.

Everything comes from the issued badge's frozen record (``selectors.assertion_view``, the words of
``record.py`` and the per-outcome results of the OB 3.0 credential, ``openbadges/ob3.py``); what the
version does not keep (prerequisites, supervision, stackability) is read from the approved course
version the badge class belongs to, which approving froze (as ``edc.py`` does). It is rendered,
sealed and cached exactly as the certificate is (``certificate.sealed_pdf``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

from courses import rules

from . import certificate, pdf_seal, record, selectors
from .openbadges import ob3
from .qr import qr_data_uri

# Bump when the template changes, so cached supplements of the old layout are not served.
TEMPLATE_VERSION = 1
NOT_STATED = "Not stated"


@dataclass(frozen=True)
class Element:
    label: str
    value: str


def grade(assertion) -> str:
    """The result the badge records as a whole, in ``record.py``'s words."""
    results = assertion.outcome_results
    if assertion.pathway_id:
        return record.outcomes_statement(assertion)
    if assertion.by_decision:
        return record.decision_sentence(assertion.override_reason)
    if assertion.prior_learning:
        return f"{record.PRIOR_LEARNING}. {record.outcomes_sentence(results)}"
    if record.every_outcome_demonstrated(results):
        return f"Passed: {record.outcomes_sentence(results)}"
    return record.outcomes_sentence(results)


def _course_text(course, name) -> str:
    return (getattr(course, name, "") or "").strip() if course is not None else ""


def mandatory_elements(view, *, country: str) -> list[Element]:
    """Annex I part I, in the Recommendation's order; the outcomes are listed after them."""
    labels = rules.EU_MANDATORY_ELEMENTS
    assertion, version = view.assertion, view.badge
    by_label = {e.label: e.value for e in view.eu_elements}
    return [
        Element("Identification of the learner", assertion.recipient_name),
        Element(labels["title"], version.name),
        Element("Country or region of the issuer", country),
        Element(labels["awarding_body"], f"{version.issuer_name} ({version.issuer_url})"),
        Element(labels["date_of_issue"], f"{assertion.issued_on:%-d %B %Y}"),
        Element(labels["learning_outcomes"], view.outcomes_sentence),
        Element(labels["workload"], by_label["Workload (ECTS credits)"]),
        Element("Notional learning hours", by_label["Notional learning hours"]),
        Element(labels["level"], by_label["Level (EQF)"]),
        Element(labels["assessment_type"], by_label[labels["assessment_type"]]),
        Element(labels["participation_form"], by_label[labels["participation_form"]]),
        Element(labels["quality_assurance"], by_label[labels["quality_assurance"]]),
    ]


def optional_elements(view) -> list[Element]:
    """Annex I part II, the elements the centre keeps."""
    assertion, version = view.assertion, view.badge
    course = version.course
    supervision = course.get_assessment_supervision_display() if course is not None else ""
    validity = (
        f"Valid until {assertion.expires_on:%-d %B %Y}"
        if assertion.expires_on
        else "Does not expire"
    )
    return [
        Element("Type of credential", "Micro-credential, issued as an Open Badge"),
        Element("Prerequisites needed to enrol", _course_text(course, "prerequisites") or "None"),
        Element(
            "Supervision and identity verification during assessment", supervision or NOT_STATED
        ),
        Element("Grade achieved", grade(assertion)),
        Element(
            "Integration and stackability options",
            _course_text(course, "stackability") or NOT_STATED,
        ),
        Element("Validity", validity),
        Element(
            "Further information",
            f"Course: {version.awarded_for}, {settings.SITE_URL}{version.criteria_path}. "
            f"Verification page: {view.links.verification}",
        ),
    ]


def supplement_context(assertion, *, now, seal: pdf_seal.SealNotice | None = None) -> dict:
    view = selectors.assertion_view(assertion, now=now)
    return {
        "view": view,
        "assertion": assertion,
        "badge": view.badge,
        "issuer": view.issuer,
        "mandatory": mandatory_elements(view, country=pdf_seal.country_name()),
        "optional": optional_elements(view),
        "results_words": {"pass": ob3.PASS, "not_demonstrated": ob3.NOT_DEMONSTRATED},
        "qr": qr_data_uri(view.links.verification),
        "seal": seal or pdf_seal.notice(pdf_seal.current_seal()),
    }


def supplement_html(assertion, *, now, seal: pdf_seal.SealNotice | None = None) -> str:
    return render_to_string(
        "badges/supplement.html", supplement_context(assertion, now=now, seal=seal)
    )


def cache_key(assertion, *, now, seal: pdf_seal.SealNotice) -> str:
    """The certificate's record state, what the supplement reads from the course and country,
    and the seal."""
    course = assertion.badge_version.course
    state = [
        TEMPLATE_VERSION,
        *certificate.record_state(assertion, now=now),
        pdf_seal.country_name(),
        *[
            _course_text(course, name)
            for name in ("prerequisites", "assessment_supervision", "stackability")
        ],
        *seal.cache_state(),
    ]
    return f"supplement:{assertion.pk}:{certificate.state_digest(state)}"


def supplement_pdf(assertion, *, now) -> bytes:
    """The supplement of one badge as PDF bytes, sealed when the centre has a seal, rendered
    once per state and then cached."""
    return certificate.sealed_pdf(
        key=lambda seal: cache_key(assertion, now=now, seal=seal),
        html=lambda seal: supplement_html(assertion, now=now, seal=seal),
    )


def supplement_filename(assertion) -> str:
    name = slugify(assertion.badge_version.name)[:60] or "badge"
    return f"supplement-{name}-{str(assertion.pk)[:8]}.pdf"
