"""A learner's whole record at the centre as a signed CLR 2.0 ``ClrCredential``.

Composed by ``openbadges/clr.py`` from the learner's issued badges and signed like a badge
(``signing.py``: an eddsa-rdfc-2022 proof with the issuer's active key, verified before it is
handed out). Made on request and not stored: the record says what holds now, and the badges in
it are the frozen records that do not change.

What is in it:

- every badge issued to the learner and not revoked, course badges and pathway badges alike,
  hidden ones too (hiding is about the public profile, not about the learner's own record);
- expired badges as well: a record of achievement keeps what was achieved, and each embedded
  credential carries its own ``validUntil``, so a reader sees that it has expired;
- never a revoked badge: the centre withdrew it, so it is no achievement of the learner's. A
  pathway badge's association to a component revoked since is left out with the component;
- each badge as its signed OB 3.0 credential, the stored text parsed, never re-composed: its
  results per learning outcome and its evidence come with it, under its own proof. A badge that
  has no signed credential yet (issued before OB 3.0 signing, ``manage.py badge_keys
  sign-missing``) cannot be embedded; the learner's page says which.

Pathways: a pathway badge is associated (CLR 2.0 Association, ``isParentOf``) with the component
badges it was issued on (``Assertion.components``, frozen at issue), not with the pathway's
current definition (``Pathway.components``), which may have changed since.

One signature, no status list entry: the record is a snapshot the learner downloads, not a
hosted credential the centre could later withdraw; each badge in it has its own status entry.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from . import signing
from .credentials import issuer_profile
from .models import Assertion
from .openbadges import clr, ob3
from .openbadges.ob2 import hash_recipient


@dataclass
class RecordContents:
    """What the learner's record holds (``badges``, oldest first) and what it leaves out."""

    badges: list[Assertion]
    not_signed: list[Assertion]
    revoked_count: int
    # {pathway badge pk: [its component badges in the record]}
    stands_on: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.badges


def record_contents(user) -> RecordContents:
    """The learner's badges as the record holds them. Two queries whatever their number: the
    badges with their versions, and the component links of pathway badges."""
    rows = list(
        Assertion.objects.filter(recipient=user)
        .select_related("badge_version")
        .prefetch_related(Prefetch("components", queryset=Assertion.objects.only("pk")))
        .order_by("issued_on", "created_at", "pk")
    )
    current = [a for a in rows if a.revoked_at is None]
    badges = [a for a in current if a.credential_json]
    # A pathway badge's components in the record's order (oldest first), not the M2M's.
    stands_on = {}
    for pathway_badge in (a for a in badges if a.pathway_id):
        component_pks = {c.pk for c in pathway_badge.components.all()}
        stands_on[pathway_badge.pk] = [a for a in badges if a.pk in component_pks]
    return RecordContents(
        badges=badges,
        not_signed=[a for a in current if not a.credential_json],
        revoked_count=len(rows) - len(current),
        stands_on=stands_on,
    )


def _achievement_id(credential: dict) -> str:
    return credential["credentialSubject"]["achievement"]["id"]


def record_data(user, contents: RecordContents, *, issuer, now: datetime) -> clr.ClrData:
    """The ClrCredential's plain data: the learner's credentials as signed, and each pathway
    badge's achievement as the parent of its components' (CLR 2.0 Association)."""
    signed = {a.pk: json.loads(a.credential_json) for a in contents.badges}
    associations = []
    for pathway_badge_pk, components in contents.stands_on.items():
        source = _achievement_id(signed[pathway_badge_pk])
        for component in components:
            target = _achievement_id(signed[component.pk])
            if target != source:
                associations.append(clr.AssociationData(source_id=source, target_id=target))
    salt = secrets.token_hex(16)
    return clr.ClrData(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuer_profile(issuer),
        name=f"Comprehensive Learner Record: {issuer.name}",
        description=(
            f"The badges {issuer.name} has issued to this learner and not revoked, as of "
            f"{timezone.localtime(now):%-d %B %Y}: each one its signed Open Badges 3.0 "
            "credential, with its results, as it was issued."
        ),
        valid_from=now,
        # The learner as the hash of their e-mail address now, salted afresh: the record
        # identifies them the way their badges do, never by the address itself.
        learner=ob3.IdentityData(identity_hash=hash_recipient(user.email.lower(), salt), salt=salt),
        credentials=tuple(signed[a.pk] for a in contents.badges),
        associations=tuple(dict.fromkeys(associations)),
    )


def document_loader():
    """The offline loader, with the CLR 2.0 context (shipped, not an npm copy) registered."""
    loader = signing.document_loader()
    if clr.CLR_V2P0_CONTEXT not in loader:
        loader.register(clr.CLR_V2P0_CONTEXT, clr.context_document())
    return loader


def learner_record(user, *, now: datetime | None = None) -> str | None:
    """The learner's record as a signed ClrCredential (JSON text, verified before it is
    returned), or None when it would be empty: a ClrCredential holds at least one credential.

    Signed with the centre's active key (the issuer of the centre's badges). Queries: the two
    of :func:`record_contents`, the issuer, and the key and published keys of the signer."""
    from .services import issuer_get_default

    now = (now or timezone.now()).replace(microsecond=0)
    contents = record_contents(user)
    if contents.empty:
        return None
    issuer = issuer_get_default()
    document = clr.clr_credential(record_data(user, contents, issuer=issuer, now=now))
    document_loader()
    signer = signing.signer_for(issuer)
    return signer.sign_document(document, created=ob3.xsd_datetime(now))
