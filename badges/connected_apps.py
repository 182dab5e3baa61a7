"""Applications a learner connected through the Open Badges 3.0 API (OB 3.0 §6, §7), and the
reads and writes that API makes on the learner's behalf.

The tokens, grants and applications are django-oauth-toolkit's (``oauth2_provider``); this module
is the one place that reads them per learner and the one place that takes them away, so the
"Connected applications" page and the API agree on what "connected" means: an application holding
an access token or a live refresh token of the learner.

- OB 3.0 §6.2 (getCredentials, getProfile, putProfile):
  https://www.imsglobal.org/spec/ob/v3p0/#api-endpoints
- RFC 7009 §2.1 (revoking a refresh token revokes the access tokens issued with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)
from oauth2_provider.scopes import get_scopes_backend

from accounts.audit import audit_record

from .models import Assertion

NAME_MAX_LENGTH = 200  # accounts.User.full_name


@dataclass
class ConnectedApplication:
    id: int
    name: str
    client_id: str
    redirect_hosts: list[str]
    scopes: list[str] = field(default_factory=list)  # in words
    connected_at: datetime | None = None
    expires: datetime | None = None  # of the newest access token


# --- Reads --------------------------------------------------------------------------------------


def connected_applications(user) -> list[ConnectedApplication]:
    """The applications holding a token of ``user``, by name, with the scopes granted in words.

    Two queries, whatever the number of applications: the access tokens and the live refresh
    tokens, each with its application joined."""
    from urllib.parse import urlsplit

    words = get_scopes_backend().get_all_scopes()
    apps: dict[int, ConnectedApplication] = {}
    granted: dict[int, set[str]] = {}

    def note(application, scope: str, created, expires=None):
        app = apps.get(application.pk)
        if app is None:
            app = apps[application.pk] = ConnectedApplication(
                id=application.pk,
                name=application.name or application.client_id,
                client_id=application.client_id,
                redirect_hosts=sorted(
                    {urlsplit(uri).netloc for uri in application.redirect_uris.split()}
                ),
            )
        granted.setdefault(application.pk, set()).update(scope.split())
        if app.connected_at is None or created < app.connected_at:
            app.connected_at = created
        if expires and (app.expires is None or expires > app.expires):
            app.expires = expires

    for token in (
        get_access_token_model()
        .objects.filter(user=user, application__isnull=False)
        .select_related("application")
    ):
        note(token.application, token.scope, token.created, token.expires)
    for token in (
        get_refresh_token_model()
        .objects.filter(user=user, revoked__isnull=True)
        .select_related("application", "access_token")
    ):
        scope = token.access_token.scope if token.access_token_id else ""
        note(token.application, scope, token.created)
    for pk, app in apps.items():
        app.scopes = [words[s] for s in words if s in granted.get(pk, ())]
    return sorted(apps.values(), key=lambda a: (a.name.lower(), a.id))


def learner_credentials(user, *, since=None):
    """The learner's signed OB 3.0 credentials, newest first, as a queryset of assertions.

    Left out: badges without a signed credential, revoked badges (a revoked badge claims nothing:
    README, "Open Badges"), and badges the learner hid from their public profile, since an
    application the learner connects is usually one that shows badges to others."""
    rows = Assertion.objects.filter(recipient=user, revoked_at__isnull=True, hidden=False).exclude(
        credential_json=""
    )
    if since is not None:
        rows = rows.filter(issued_on__gt=since)
    return rows.order_by("-issued_on", "id").only("id", "credential_json", "issued_on")


# --- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def connected_app_disconnect(*, user, application_id: int) -> bool:
    """Take every token and pending grant of ``application_id`` for ``user`` away; the
    application's next request with them is refused (401). False if it held none."""
    application = get_application_model().objects.filter(pk=application_id).first()
    if application is None:
        return False
    # Locked, so a refresh running at this moment waits and then finds its token revoked; a
    # second pass takes any token such a refresh made just before the lock.
    refresh_tokens = []
    for _ in range(2):
        found = list(
            get_refresh_token_model()
            .objects.select_for_update()
            .filter(user=user, application=application, revoked__isnull=True)
        )
        for token in found:
            token.revoke()  # DOT's own: marks it revoked and deletes its access token
        refresh_tokens += found
    deleted, _ = (
        get_access_token_model().objects.filter(user=user, application=application).delete()
    )
    grants, _ = get_grant_model().objects.filter(user=user, application=application).delete()
    took = bool(refresh_tokens or deleted or grants)
    if took:
        audit_record(
            actor=user,
            action="ob3_api.disconnected",
            target=application,
            summary=f"{user} disconnected {application.name} from their badges.",
        )
    return took


def learner_set_display_name(*, user, name: str) -> None:
    """The learner's own name as shown on their profile and future badges (putProfile, OB 3.0
    §6.2.4). Badges already issued keep the name they were issued with (a frozen record)."""
    type(user).objects.filter(pk=user.pk).update(full_name=name)
    user.full_name = name
