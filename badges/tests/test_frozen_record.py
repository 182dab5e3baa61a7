"""An issued badge is a frozen record (DESIGN.md, "Badges"; issue 12).

After a design edit — name, description, criteria, image, tags, alignments, every EU element and
the issuer's name — every badge issued before reads exactly as it did, in every format (page,
OB 2.0 assertion and badge class, OB 3.0 credential and JWT, baked PNG and SVG, PDF, e-mail), and
re-signing it after a key compromise signs the same record; a badge issued after the edit carries
a new version with its own BadgeClass URL. Versioning does not depend on which code path edited
the design: here it is a plain ``save()``, as the Django admin or a shell would do it.
"""

import json
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.base import ContentFile

from accounts.tests.factories import UserFactory
from badges import services
from badges.images import default_badge_image
from badges.models import Assertion, BadgeClassVersion
from badges.notifications import badge_issued_notify
from badges.openbadges import baking
from badges.services import (
    assertion_issue,
    assertions_resign,
    badge_class_create,
    issuer_get_default,
)
from badges.tests.verifying import credential_report
from courses.services import enrollment_create
from courses.tests.factories import leads_admin

from .factories import badge_course, complete
from .test_certificate import pages_text

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<circle cx="50" cy="50" r="40" fill="#0b4f3c"/></svg>'
)
CHECKED = re.compile(r"Checked against .*? UTC\.", re.S)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _path(url):
    return urlsplit(url).path


def everything(client, assertion) -> dict:
    """Every format of one issued badge, as anyone can fetch it."""
    pk = assertion.pk
    page = client.get(f"/public/assertions/{pk}", **HTML).content.decode()
    ob2 = client.get(f"/public/assertions/{pk}.json").json()
    badge_class = client.get(_path(ob2["badge"])).json()
    baked_ob2 = client.get(f"/public/assertions/{pk}/image").content
    baked_ob3 = client.get(f"/public/assertions/{pk}/credential/image").content
    assertion = Assertion.objects.get(pk=pk)
    return {
        # The page, but for the minute it was checked at.
        "page": CHECKED.sub("", page),
        "ob2_assertion": ob2,
        "ob2_badge_class": badge_class,
        "ob2_badge_class_page": client.get(_path(ob2["badge"]), **HTML).content.decode(),
        "badge_image": client.get(_path(badge_class["image"])).content,
        "credential": client.get(f"/public/assertions/{pk}/credential").content.decode(),
        "jwt": client.get(f"/public/assertions/{pk}/credential?format=jwt").content.decode(),
        "baked_ob2_type": baked_ob2[:5],
        "baked_ob2": baking.unbake(baked_ob2),
        "baked_ob3": baking.unbake(baked_ob3, fmt=baking.OB3),
        "pdf": pages_text(assertion),
        "email": _email(assertion),
    }


def _email(assertion):
    from accounts.models import EmailDelivery

    EmailDelivery.objects.all().delete()  # each e-mail is sent once: let it be rendered again
    mail.outbox.clear()
    badge_issued_notify(assertion_ids=[assertion.pk])
    (message,) = mail.outbox
    return message.subject, message.body


def test_a_design_edit_never_changes_a_badge_already_issued_in_any_format(client):
    course, plan, offering, instructor, badge = badge_course()
    # The design is given an SVG image before anything is issued: version 1, still unused, is
    # brought up to date in place at the first issue (its id stays the badge class's).
    badge.image.save("design.svg", ContentFile(SVG))
    first = enrollment_create(offering=offering, learner=UserFactory(full_name="Amina Yusuf"))
    complete(first, plan, instructor)
    issued, _ = assertion_issue(enrollment=first)
    assert issued.badge_version_id == badge.pk and issued.badge_version.number == 1
    before = everything(client, issued)
    old = BadgeClassVersion.objects.get(pk=badge.pk)
    assert before["baked_ob2_type"] == b"<?xml" or before["baked_ob2_type"].startswith(b"<svg")

    # The design edit: every field a badge shows, and the issuer's name.
    badge.refresh_from_db()
    badge.name = "Advanced Data Analytics"
    badge.description = "A new description of what the holder can do."
    badge.criteria_narrative = "New criteria."
    badge.image = default_badge_image(name="Advanced Data Analytics", level="advanced")
    badge.tags = ["rewritten", "tags"]
    badge.alignments = [
        {**a, "target_name": f"Rewritten {a['target_code']}", "target_description": "Other"}
        for a in badge.alignments
    ]
    badge.level = "advanced"
    badge.ects_credits = 6
    badge.eqf_level = 7
    badge.hours = Decimal("150.0")
    badge.assessment_type = "Oral examination"
    badge.participation_form = "On-site"
    badge.quality_assurance = "External review"
    badge.message = "A new message."
    badge.save()
    issuer = issuer_get_default()
    issuer.name = "Renamed Centre"
    issuer.save()

    after = everything(client, issued)
    for name, value in before.items():
        assert after[name] == value, f"{name} changed after the design edit"
    # Field by field, what the old badge still says (and nothing of the edit).
    ob2 = after["ob2_badge_class"]
    extension = ob2["extensions:EUMicroCredentialExtension"]
    assert (ob2["name"], ob2["description"], ob2["criteria"]["narrative"], ob2["tags"]) == (
        old.name, old.description, old.criteria_narrative, old.tags,
    )  # fmt: skip
    assert [a["targetName"] for a in ob2["alignment"]] == [a["target_name"] for a in old.alignments]
    assert extension["awardingBody"] == old.issuer_name != "Renamed Centre"
    assert (extension["ectsCredits"], extension["eqfLevel"]) == (2, 5)
    assert extension["participationForm"] == "Online"
    achievement = json.loads(after["credential"])["credentialSubject"]["achievement"]
    assert achievement["id"] == ob2["id"]
    assert achievement["name"] == old.name and achievement["tag"] == old.tags
    assert achievement["euMicroCredential"]["assessmentType"] == old.assessment_type
    assert json.loads(after["credential"])["issuer"]["name"] == old.issuer_name
    assert old.name in after["page"] and "Advanced Data Analytics" not in after["page"]
    assert "Renamed Centre" not in after["page"] and "Oral examination" not in after["page"]
    assert old.name in " ".join(after["pdf"]) and "Renamed Centre" not in " ".join(after["pdf"])
    assert after["email"][0] == f"Your badge: {old.name}"

    # Re-signing after a key compromise signs the frozen record, not today's design.
    signed = json.loads(issued.credential_json)
    services.signing_key_compromise(
        signing_key=issued.signing_key, reason="Leaked", acting_user=leads_admin()
    )
    assert assertions_resign(signing_key=issued.signing_key) == 1
    resigned = json.loads(Assertion.objects.get(pk=issued.pk).credential_json)
    assert {k: v for k, v in resigned.items() if k != "proof"} == {
        k: v for k, v in signed.items() if k != "proof"
    }
    assert credential_report(resigned).verified

    # A badge issued after the edit carries the new design, as a new version with its own URL.
    second = enrollment_create(offering=offering, learner=UserFactory(full_name="Bilal Ahmed"))
    complete(second, plan, instructor)
    later, _ = assertion_issue(enrollment=second)
    assert later.badge_version.number == 2 and later.badge_version_id != old.pk
    new = everything(client, later)
    assert new["ob2_assertion"]["badge"].endswith(f"/public/badges/{later.badge_version_id}")
    assert new["ob2_badge_class"]["name"] == "Advanced Data Analytics"
    assert new["ob2_badge_class"]["extensions:EUMicroCredentialExtension"]["awardingBody"] == (
        "Renamed Centre"
    )
    assert new["baked_ob2_type"].startswith(b"\x89PNG")
    assert "Advanced Data Analytics" in new["page"]
    # The old version's URL still answers with the old design.
    assert client.get(f"/public/badges/{old.pk}.json").json()["name"] == old.name


def test_version_1_exists_from_the_design_and_an_unchanged_design_makes_no_new_version():
    course, plan, offering, instructor, badge = badge_course()
    assert BadgeClassVersion.objects.filter(badge_class=badge).count() == 1
    assert badge.latest_version_id == badge.pk
    for name in ("Amina Yusuf", "Bilal Ahmed"):
        enrollment = enrollment_create(offering=offering, learner=UserFactory(full_name=name))
        complete(enrollment, plan, instructor)
        assertion, _ = assertion_issue(enrollment=enrollment)
        assert assertion.badge_version_id == badge.pk
    assert BadgeClassVersion.objects.filter(badge_class=badge).count() == 1
    # The design made again for the same course is the same design: nothing new.
    assert badge_class_create(course=course, acting_user=leads_admin()) == badge
