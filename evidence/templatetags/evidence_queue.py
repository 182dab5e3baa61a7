"""How many submissions wait for an offering's assessors: the link to the queue on the grid and
the offering's page."""

from django import template

from assessments.services import may_record
from evidence import selectors

register = template.Library()


@register.simple_tag
def evidence_waiting(offering, user):
    """The number of submissions handed in or in review, or None for who may not judge them."""
    if not may_record(user=user, offering=offering):
        return None
    return selectors.assessor_queue(user=user, offering=offering).count()
