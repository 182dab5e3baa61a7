"""The pathway badge through a real Celery worker on Redis and PostgreSQL: the last course badge
is issued by the worker on completion, and the worker then issues the pathway badge."""

import time

import pytest

from accounts.tests.factories import UserFactory
from badges.models import Assertion
from courses.services import enrollment_create

from .factories import badge_course
from .test_pathways import define
from .test_tasks import WORKER_TIMEOUT, complete_committed


def _eventually(query):
    """The row once the worker has written it; WORKER_TIMEOUT only stops a dead worker."""
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        found = query()
        if found is not None:
            return found
        time.sleep(0.2)
    return None


@pytest.mark.worker
def test_a_real_worker_issues_the_pathway_badge_after_the_last_course_badge(celery_worker):
    setups = [badge_course(title=t) for t in ("Statistics", "Python", "Visualisation")]
    pathway = define(setups)
    learner = UserFactory(is_learner=True, full_name="Bilal Khan")
    # Each completion is committed and the worker issues its course badge, as in production
    # (issuing here too would race the worker for the same badge).
    for _, plan, offering, instructor, _ in setups:
        enrollment = enrollment_create(offering=offering, learner=learner)
        complete_committed(enrollment, plan, instructor)
        assert _eventually(lambda e=enrollment: Assertion.objects.filter(enrollment=e).first())

    badge = _eventually(
        lambda: Assertion.objects.filter(pathway=pathway, recipient=learner).first()
    )
    assert badge is not None, "the worker issued the pathway badge"
    assert Assertion.objects.filter(enrollment=enrollment).exists()
    assert badge.components.count() == 3
    assert badge.automatic and badge.credential_json
    time.sleep(1)  # any duplicate task would have run by now
    assert Assertion.objects.filter(pathway=pathway, recipient=learner).count() == 1
