"""Every URL pattern × every role, against the expected outcomes in permission_matrix.py.

The patterns come from the URLconf itself (recursively, with namespaces), so a new URL fails
here until it is classified. Parameters are filled with real objects of one demo-like centre,
built once for the module through the services. Each GET is also searched for a badge its
learner hid from their public profile (it must not appear anywhere but the LEADS team's own
pages), and every public answer for the visible badge's id (only its own pages may show it).
"""

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.tests.factories import UserFactory
from assessments.services import record_result
from badges.imports import imported_badge_add
from badges.pathways import pathway_publish, pathway_save
from badges.services import assertion_issue, assertion_set_hidden, badge_class_create
from badges.views_admin import issue_job_start
from courses.imports import import_job_create
from courses.models import Course, ImportJob
from courses.services import course_publish, enrollment_create, offering_create
from evidence.services import HandInFile, submission_hand_in
from evidence.tests.factories import png
from leads.tests.factories import (
    complete_course,
    decided_course,
    make_unit_with_dean,
    submitted_course,
)

from . import permission_matrix as matrix

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# --- The URLconf ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route for an unnamed pattern
    name: str | None
    route: str  # the whole route from the root, as written in the URLconfs
    pattern: URLPattern

    @property
    def parameters(self) -> list[str]:
        return [a or b for a, b in re.findall(r"\(\?P<(\w+)>|<(?:\w+:)?(\w+)>", self.route)]


def url_patterns(resolver=None, prefix="", namespace=None):
    """Every URL pattern under `resolver` (the root URLconf by default), depth first."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry, route, inner)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Pattern(key=name or route, name=name, route=route, pattern=entry)


PATTERNS = list(url_patterns())


def classify(pattern: Pattern):
    """(outcomes, kwargs spec, how) for the pattern, or None when it is not classified."""
    entry = matrix.PATTERNS.get(pattern.key)
    if entry is not None:
        return entry.expect, entry.kwargs, "listed"
    for _, applies, expect, how in matrix.GROUPS:
        if applies(pattern.key, pattern.route):
            return expect, None, how
    return None


# --- The centre -----------------------------------------------------------------------------------


def build_centre():
    """A unit with its dean and designate; a course leader with a draft, a submitted and an
    approved-and-published course; an offering of the published one with an instructor and two
    learners who completed it, each with a badge (one hidden from its owner's profile); an
    import job and a badge batch. Everything through the services, as the centre does it."""
    unit, dean, _designate = make_unit_with_dean(name="Institute for Educational Development")
    _, other_dean, _ = make_unit_with_dean(name="School of Nursing and Midwifery")
    leader = UserFactory(
        is_course_leader=True, is_learner=False, unit=unit, full_name="Course Leader"
    )
    admin = UserFactory(is_leads_admin=True, is_learner=False, full_name="Leads Admin")
    User.objects.filter(pk=admin.pk).update(is_superuser=True)  # also the Django admin
    admin.refresh_from_db()

    draft = complete_course(leader=leader, unit=unit, title="Coaching New Teachers")
    submitted, submission = submitted_course(leader=leader, unit=unit, title="Leading Change")
    published, _ = decided_course("approved", comment="", leader=leader, unit=unit)
    published = course_publish(course=published, acting_user=admin)

    instructor = UserFactory(is_instructor=True, is_learner=False, full_name="Instructor Person")
    today = date.today()
    offering = offering_create(
        course=published,
        acting_user=admin,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
        instructors=[instructor],
    )
    learner = UserFactory(full_name="Amina Yusuf")
    hidden_owner = UserFactory(full_name="Bilal Shah")
    badge_class = badge_class_create(course=published, acting_user=admin)
    assertions = []
    for person in (learner, hidden_owner):
        enrollment = enrollment_create(offering=offering, learner=person, acting_user=admin)
        for assessment in published.assessments.all():
            record_result(
                enrollment=enrollment,
                assessment=assessment,
                result="pass",
                acting_user=instructor,
                feedback="Clear and well argued.",
            )
        enrollment.refresh_from_db()
        assert enrollment.completed_at, "the fixture's learner should have completed"
        assertions.append((enrollment, assertion_issue(enrollment=enrollment)[0]))
    (enrollment, assertion), (_, hidden) = assertions
    hidden = assertion_set_hidden(assertion=hidden, learner=hidden_owner, hidden=True)
    # Evidence the learner handed in for the published course's first assessment.
    published_assessment = published.assessments.first()
    evidence_submission = submission_hand_in(
        enrollment=enrollment,
        assessment=published_assessment,
        acting_user=learner,
        statement="Five lesson plans with the feedback I acted on.",
        files=[HandInFile(upload=png())],
    )

    # A badge from another issuer the learner keeps (hosted elsewhere: nothing to sign).
    imported_badge, _ = imported_badge_add(
        owner=learner,
        text=json.dumps(
            {
                "type": "Assertion",
                "id": "https://badges.elsewhere.example/assertions/41",
                "badge": {"type": "BadgeClass", "name": "Safeguarding basics"},
                "verification": {"type": "hosted"},
            }
        ),
    )

    import_job = import_job_create(
        kind=ImportJob.Kind.ENROLMENT.value,
        offering=offering,
        acting_user=admin,
        upload=SimpleUploadedFile("learners.csv", b"email,name\nnew@example.org,New Person\n"),
    )
    badge_job_id = issue_job_start(
        enrollment_ids=[enrollment.pk],
        acting_user=admin,
        title=str(offering),
        back_url=reverse("badge_admin:offering", kwargs={"offering_pk": offering.pk}),
    )
    # A pathway stacking the published course's badge with a second published course's.
    second, _ = decided_course(
        "approved", comment="", leader=leader, unit=unit, title="Assessing Learning"
    )
    second = course_publish(course=second, acting_user=admin)
    pathway = pathway_publish(
        pathway=pathway_save(
            acting_user=admin,
            name="Teacher Leader",
            description="Two courses for teachers who lead.",
            rule="all",
            count=0,
            badge_ids=[badge_class.pk, badge_class_create(course=second, acting_user=admin).pk],
        ),
        acting_user=admin,
    )
    from django.core.cache import cache

    from badges.views_admin import _job_key

    badge_job = cache.get(_job_key(badge_job_id))
    return SimpleNamespace(
        unit=unit,
        users={
            "anonymous": None,
            "learner": learner,
            "instructor": instructor,
            "course_leader": leader,
            "dean": dean,
            "other_dean": other_dean,
            "leads_admin": admin,
        },
        draft=draft,
        draft_assessment=draft.assessments.first(),
        submitted=submitted,
        submission=submission,
        published=published,
        published_assessment=published_assessment,
        evidence_submission=evidence_submission,
        evidence_file=evidence_submission.items.get(kind="file"),
        offering=offering,
        enrollment=enrollment,
        learner=learner,
        hidden_owner=hidden_owner,
        issuer=badge_class.issuer,
        badge_class=badge_class,
        pathway=pathway,
        assertion=assertion,
        hidden=hidden,
        import_job=import_job,
        imported_badge=imported_badge,
        badge_job_id=badge_job_id,
        badge_job=badge_job,
        reset_uid=urlsafe_base64_encode(force_bytes(hidden_owner.pk)),
        reset_token=default_token_generator.make_token(hidden_owner),
    )


def centre_in_a_transaction(django_db_blocker):
    """Build the centre in a transaction that is rolled back when the generator closes; each
    test then runs in a savepoint inside it (pytest-django's `db`), so tests cannot disturb one
    another. For module-scoped fixtures: the centre is built once per module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_centre()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def centre(django_db_setup, django_db_blocker):
    yield from centre_in_a_transaction(django_db_blocker)


# --- Filling parameters and reading outcomes ------------------------------------------------------


def _resolve(spec, centre):
    if isinstance(spec, matrix.Literal):
        return spec.value
    value = centre
    for attribute in spec.split("."):
        value = getattr(value, attribute)
    return str(value)


def _admin_kwargs(pattern: Pattern, centre) -> dict:
    """Parameters of a Django admin pattern: an existing object of its model where there is one
    (an empty table's change page answers with a redirect, which is fine for the rule)."""
    kwargs = {}
    model = None
    found = re.match(r"admin/(\w+)/(\w+)/", pattern.route)
    if found:
        try:
            model = apps.get_model(found.group(1), found.group(2))
        except LookupError:
            model = None
    for name in pattern.parameters:
        if name == "object_id":
            first = model._default_manager.order_by("pk").first() if model else None
            kwargs[name] = str(first.pk) if first else "0"
        elif name == "id":
            kwargs[name] = str(centre.users["leads_admin"].pk)
        elif name == "content_type_id":
            kwargs[name] = str(ContentType.objects.get_for_model(Course).pk)
        elif name == "app_label":
            kwargs[name] = "badges"
        elif name == "url":
            kwargs[name] = "no/such/page/"
        else:
            raise AssertionError(f"{pattern.key}: no rule fills the admin parameter {name!r}")
    if "object_id" in kwargs and "content_type_id" in kwargs:
        kwargs["object_id"] = str(centre.published.pk)
    return kwargs


def _fill_route(route: str, kwargs: dict) -> str:
    """The path of an unnamed pattern (reverse() needs a name): each parameter, converter or
    named group, replaced by its value."""
    path, out, i = route, [], 0
    while i < len(path):
        if path.startswith("(?P<", i):
            name = path[i + 4 : path.index(">", i)]
            depth, j = 0, i
            while True:  # skip to the group's closing parenthesis
                if path[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(path[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append(kwargs[name])
            i = j
        else:
            out.append(path[i])
            i += 1
    path = "".join(out).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], path)


def urls_for(pattern: Pattern, spec, how, centre) -> list[str]:
    """The URLs to request for a pattern: one, plus the .json form where it has one."""
    if how == "admin":
        kwargs = _admin_kwargs(pattern, centre)
    else:
        kwargs = {name: _resolve(value, centre) for name, value in spec.items()}
        missing = set(pattern.parameters) - set(kwargs) - {"suffix"}
        assert not missing, f"{pattern.key}: permission_matrix.py does not fill {missing}"
    variants = [kwargs]
    if "suffix" in pattern.parameters:
        variants.append({**kwargs, "suffix": ".json"})
    if pattern.name:
        return [reverse(pattern.name, kwargs=v) for v in variants]
    return [_fill_route(pattern.route, v) for v in variants]


def outcome_of(response) -> str | int:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return matrix.LOGIN
        if location.startswith(reverse("admin:login")):
            return matrix.ADMIN_LOGIN
        return matrix.REDIRECT
    return response.status_code


def matches(expected, actual) -> bool:
    if expected == matrix.STAFF:
        return actual not in (matrix.LOGIN, matrix.ADMIN_LOGIN) and (
            not isinstance(actual, int) or actual < 500
        )
    return expected == actual


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def clients_for(centre) -> dict:
    clients = {}
    for role, user in centre.users.items():
        client = Client(HTTP_ACCEPT=BROWSER_ACCEPT)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


# Pages where a hidden badge may appear: the LEADS team issues, lists and revokes every badge,
# hidden or not (hiding only takes it off the learner's public profile).
TEAM_PAGES = ("badge_admin:", "admin:")
# The only public pages that may carry a badge's id: its own.
OWN_PAGES = {
    "badges:assertion",
    "badges:assertion_image",
    "badges:certificate",
    "badges:credential",
    "badges:credential_image",
    "badges:edc",
    "badges:edc_uploadable",
}


# --- The tests ------------------------------------------------------------------------------------


def test_every_url_pattern_is_classified():
    unclassified = [f"{p.key}  ({p.route})" for p in PATTERNS if classify(p) is None]
    assert not unclassified, (
        "These URL patterns have no expected outcomes: add them to "
        "config/tests/permission_matrix.py:\n  " + "\n  ".join(unclassified)
    )


def test_the_data_file_names_only_real_patterns():
    keys = {p.key for p in PATTERNS}
    stale = sorted(set(matrix.PATTERNS) - keys)
    assert not stale, f"permission_matrix.py lists patterns the URLconf no longer has: {stale}"


@pytest.fixture
def badge_batch_in_cache(centre):
    """The badge batch's progress lives in the cache, which each test starts empty (conftest):
    put the module's batch back for this test."""
    from django.core.cache import cache

    from badges.views_admin import _job_key

    cache.set(_job_key(centre.badge_job_id), centre.badge_job, 3600)


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.key for p in PATTERNS])
def test_each_role_gets_the_expected_answer(pattern, centre, badge_batch_in_cache):
    classified = classify(pattern)
    assert classified is not None, (
        f"The URL pattern {pattern.key!r} ({pattern.route}) has no entry in "
        "config/tests/permission_matrix.py: say what each role gets from it."
    )
    expect, spec, how = classified
    hidden_id, visible_id = str(centre.hidden.pk), str(centre.assertion.pk)
    problems = []
    for url in urls_for(pattern, spec, how, centre):
        for role, client in clients_for(centre).items():
            response = client.get(url)
            actual = outcome_of(response)
            if not matches(expect[role], actual):
                problems.append(f"{role}: expected {expect[role]}, got {actual}  {url}")
            body = body_of(response)
            team_page = role == "leads_admin" and pattern.key.startswith(TEAM_PAGES)
            if hidden_id in body and not team_page:
                problems.append(f"{role}: the hidden badge {hidden_id} shows on {url}")
            public = role == "anonymous" and actual == 200
            if public and visible_id in body and pattern.key not in OWN_PAGES:
                problems.append(f"anonymous: a badge is listed publicly on {url}")
    assert not problems, f"{pattern.key} ({pattern.route}):\n  " + "\n  ".join(problems)
