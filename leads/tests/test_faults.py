"""Two deans deciding the same submission at the same moment, on the real database.

Each dean acts in a thread of their own, so each has their own database connection and their
own transaction, as two web requests would; a barrier releases both calls together. The
services lock the course row, so one decides and the other is told it was decided already.
"""

import threading

import pytest
from django.db import connection

from leads.models import Decision
from leads.services import AlreadyDecided, submission_approve, submission_request_changes

from .factories import submitted_course

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def decide_at_once(calls):
    """Run each (service, kwargs) in its own thread, released together; returns per call the
    Decision made or the exception raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, service, kwargs):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = service(**kwargs)
        except Exception as exc:  # the outcome under test, whatever it is
            outcomes[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=run, args=(i, service, kwargs))
        for i, (service, kwargs) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a decision is still waiting (a deadlock?)"
    return outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_deans_deciding_at_once_make_one_decision_and_the_other_is_told(round_):
    course, submission = submitted_course()
    dean, designate = course.unit.dean, course.unit.designates.first()
    # Who approves and who asks for changes alternates, so neither service always wins.
    first, second = (dean, designate) if round_ % 2 else (designate, dean)

    outcomes = decide_at_once(
        [
            (submission_approve, {"submission": submission, "acting_user": first}),
            (
                submission_request_changes,
                {"submission": submission, "acting_user": second, "comment": "Add a rubric."},
            ),
        ]
    )

    decisions = [o for o in outcomes if isinstance(o, Decision)]
    told = [o for o in outcomes if isinstance(o, AlreadyDecided)]
    assert (len(decisions), len(told)) == (1, 1), outcomes
    assert "already been decided" in str(told[0])
    assert list(Decision.objects.filter(submission=submission)) == decisions
    course.refresh_from_db()
    winner = decisions[0]
    assert course.status == winner.outcome  # the course moved once, to the winner's decision
    assert course.transitions.filter(from_status="submitted").count() == 1
