"""Placeholder: being written (assessors' pages)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


queue = rules = extension = judge = moderation_queue = moderate = referrals = decide = policy = (
    _missing
)
