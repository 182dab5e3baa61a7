"""The centre's moderation sample fixed for a test: nothing sampled, or everything."""

import pytest

from accounts.tests.factories import UserFactory
from evidence.services import moderation_policy_set


def _sample(percent):
    moderation_policy_set(acting_user=UserFactory(is_leads_admin=True), sample_percent=percent,
                          every_not_yet=bool(percent))  # fmt: skip


@pytest.fixture
def no_sample(db):
    _sample(0)


@pytest.fixture
def sample_all(db):
    _sample(100)
