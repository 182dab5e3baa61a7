"""Role checks that several apps share: the LEADS programme team's pages and actions."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def require_leads_admin(user, action: str) -> None:
    """For services: refuse anyone but the LEADS team, saying what they tried to do."""
    if user is None or not user.is_leads_admin:
        raise PermissionDenied(f"Only the LEADS team may {action}.")


def leads_admin_required(view):
    """For views: anonymous people are sent to sign in; anyone but the LEADS team gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_leads_admin:
            raise PermissionDenied("This page is for the LEADS programme team.")
        return view(request, *args, **kwargs)

    return wrapped
