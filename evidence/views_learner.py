"""Placeholder: being written (learners' pages)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


hand_in = item_share = prior_learning_apply_view = item_file = public_item = _missing
