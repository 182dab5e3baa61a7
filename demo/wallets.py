"""Demo wallets and other backpacks: Ayesha keeps a badge from another issuer in her backpack
(verified, shown apart on her public profile), and has connected an application through the
Open Badges 3.0 API. Her badges' "Add to a wallet" pages make live OpenID4VCI offers."""

import hashlib
import json
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone

from badges.imports import imported_badge_add
from badges.models import ImportedBadge
from badges.openbadges.vc import eddsa_rdfc_2022, multikey
from badges.openbadges.vc.bench import sample_credential


def _elsewhere_credential() -> str:
    """A badge of another issuer, signed with its own did:key (a fixed demo key)."""
    key = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"LEADS demo: Elsewhere Academy").digest()
    )
    credential = sample_credential(7)
    credential["issuer"] = {
        **credential["issuer"],
        "id": multikey.did_key(key.public_key()),
        "name": "Elsewhere Academy",
    }
    credential.pop("credentialStatus", None)
    signed = eddsa_rdfc_2022.add_proof(
        credential,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
        created="2026-03-01T10:00:00Z",
    )
    return json.dumps(signed)


def _connected_application(learner):
    """An application Ayesha connected through the Open Badges 3.0 API (as its consent page
    would have made it): it may read her badges and profile. Its tokens are random and unknown
    to anyone; she can disconnect it on /learn/connected-apps/."""
    from oauth2_provider.models import (
        get_access_token_model,
        get_application_model,
        get_refresh_token_model,
    )

    Application = get_application_model()
    if Application.objects.filter(name="Portfolio Showcase (demo)").exists():
        return
    application = Application.objects.create(
        name="Portfolio Showcase (demo)",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://showcase.example/callback",
    )
    scope = " ".join(
        settings.OB3_SCOPE + name for name in ("credential.readonly", "profile.readonly")
    )
    token = get_access_token_model().objects.create(
        user=learner, application=application, token=secrets.token_urlsafe(32), scope=scope,
        expires=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    get_refresh_token_model().objects.create(
        user=learner, application=application, token=secrets.token_urlsafe(32),
        access_token=token,
    )  # fmt: skip


def seed_wallets(people):
    learner = people["learner@leads.example"]
    if not ImportedBadge.objects.filter(owner=learner).exists():
        imported_badge_add(owner=learner, text=_elsewhere_credential())
    _connected_application(learner)
    return {"learner": learner}
