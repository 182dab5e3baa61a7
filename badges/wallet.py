"""A learner's badge into their wallet over OpenID4VCI 1.0 (openid4vci.py): the offer, the
pre-authorized code exchanged for an access token, the nonce, and the holder-bound credential.

The credential the wallet receives is the badge's own OpenBadgeCredential from its frozen record,
with the same ``id`` and the same status-list entry (revoking the badge revokes it), bound to the
wallet's DID (``credentialSubject.id``) and signed with the issuer's key like every badge.
"""

import dataclasses
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from . import credentials, identifiers, openid4vci, signing
from .models import Assertion, WalletOffer
from .openbadges import ob3
from .openid4vci import Oid4vciError

OFFER_MINUTES = 10
TOKEN_SECONDS = 300
NONCE_SECONDS = 300
TX_CODE_LENGTH = 6
TX_CODE_ATTEMPTS = 3


class OfferRefused(Exception):
    """A badge that cannot go to a wallet; the message says why."""


def refuse_unless_offerable(assertion, acting_user) -> None:
    """The one answer to "may this badge go to a wallet?", for every wallet protocol
    (OpenID4VCI here, the Learner Credential Wallet's exchange in lcw.py): only its earner's,
    never revoked or expired, and only once it has an Open Badges 3.0 credential."""
    if assertion.recipient_id != getattr(acting_user, "pk", None):
        raise PermissionDenied("Only the badge's earner adds it to a wallet.")
    if assertion.revoked_at:
        raise OfferRefused("This badge was revoked: it cannot be added to a wallet.")
    if assertion.expires_on and assertion.expires_on <= timezone.now():
        raise OfferRefused("This badge has expired: a wallet would hold a credential not valid.")
    if not assertion.credential_json:
        raise OfferRefused("This badge has no Open Badges 3.0 credential yet.")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@transaction.atomic
def wallet_offer_create(*, assertion, acting_user) -> tuple[WalletOffer, str, str]:
    """Offer the learner's own badge to a wallet: (offer, offer URI, transaction code). The
    code and the transaction code are shown once and kept only as hashes; the offer works once,
    for OFFER_MINUTES."""
    assertion = Assertion.objects.select_for_update().get(pk=assertion.pk)
    refuse_unless_offerable(assertion, acting_user)
    code = secrets.token_urlsafe(32)
    tx_code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"
    offer = WalletOffer.objects.create(
        assertion=assertion,
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(minutes=OFFER_MINUTES),
        code_hash=_hash(code),
        tx_code_hash=_hash(tx_code),
    )
    document = openid4vci.credential_offer(
        configuration_ids=openid4vci.CONFIGURATIONS,
        pre_authorized_code=code,
        tx_code_length=TX_CODE_LENGTH,
    )
    return offer, openid4vci.offer_uri(document), tx_code


def token_exchange(*, pre_authorized_code, tx_code) -> dict:
    """§6: a pre-authorized code and its transaction code for an access token. A wrong
    transaction code counts against the offer (TX_CODE_ATTEMPTS, then it is spent); a code
    used, expired, spent or unknown is ``invalid_grant``."""
    outcome = _token_exchange(pre_authorized_code, tx_code)
    if isinstance(outcome, Oid4vciError):  # raised after the failed attempt is committed
        raise outcome
    return outcome


@transaction.atomic
def _token_exchange(code, tx_code):
    if not isinstance(code, str) or not code or len(code) > 200:
        return Oid4vciError("invalid_request", "The pre-authorized code is missing.")
    offer = (
        WalletOffer.objects.select_for_update()
        .select_related("assertion")
        .filter(code_hash=_hash(code))
        .first()
    )
    now = timezone.now()
    if offer is None:
        return Oid4vciError("invalid_grant", "This code is not one we issued.")
    if offer.redeemed_at or offer.expires_at <= now:
        return Oid4vciError(
            "invalid_grant", "This offer was used or has expired: ask for a new one."
        )
    if offer.assertion.revoked_at:
        return Oid4vciError("invalid_grant", "The badge was revoked.")
    if not isinstance(tx_code, str) or not hmac.compare_digest(_hash(tx_code), offer.tx_code_hash):
        offer.failed_tx_codes += 1
        if offer.failed_tx_codes >= TX_CODE_ATTEMPTS:
            offer.expires_at = now  # spent: a guessed code never buys a token
        offer.save(update_fields=["failed_tx_codes", "expires_at"])
        return Oid4vciError("invalid_grant", "The transaction code is wrong.")
    token = secrets.token_urlsafe(32)
    offer.redeemed_at = now
    offer.token_hash = _hash(token)
    offer.token_expires_at = now + timedelta(seconds=TOKEN_SECONDS)
    offer.save(update_fields=["redeemed_at", "token_hash", "token_expires_at"])
    return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}


def nonce_issue() -> str:
    """§7: a fresh c_nonce, good once, for NONCE_SECONDS."""
    nonce = secrets.token_urlsafe(24)
    cache.set(f"oid4vci:nonce:{nonce}", 1, NONCE_SECONDS)
    return nonce


def _nonce_consume(nonce: str) -> bool:
    if len(nonce) > 100:
        return False
    return bool(cache.delete(f"oid4vci:nonce:{nonce}"))


@transaction.atomic
def credential_issue(*, access_token, configuration_id, proof) -> tuple[str, object]:
    """§8: the holder-bound credential for the offer the access token was bought with:
    (format, credential). Refused as the specification names: ``invalid_token`` (401),
    ``unknown_credential_configuration``, ``invalid_proof``, ``invalid_nonce``,
    ``credential_request_denied``."""
    if not isinstance(access_token, str) or not access_token or len(access_token) > 200:
        raise Oid4vciError("invalid_token", "No access token.", status=401)
    offer = (
        WalletOffer.objects.select_for_update()
        .select_related("assertion__badge_version", "assertion__badge_class__issuer")
        .filter(token_hash=_hash(access_token))
        .first()
    )
    now = timezone.now()
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        raise Oid4vciError("invalid_token", "The access token is unknown or expired.", status=401)
    if offer.issued_at:
        raise Oid4vciError("invalid_token", "The access token was used already.", status=401)
    if configuration_id not in openid4vci.CONFIGURATIONS:
        raise Oid4vciError(
            "unknown_credential_configuration",
            f"We issue {', '.join(openid4vci.CONFIGURATIONS)}.",
        )
    holder = openid4vci.check_proof(proof)
    if not _nonce_consume(holder.nonce):
        raise Oid4vciError("invalid_nonce", "The nonce is unknown, used or expired.")
    assertion = offer.assertion
    if assertion.revoked_at:
        raise Oid4vciError("credential_request_denied", "The badge was revoked.")
    text, token = holder_bound_credential(assertion, holder.did)
    offer.issued_at = now
    offer.holder = holder.did[:600]
    offer.configuration_id = configuration_id
    offer.credential = token if configuration_id == openid4vci.JWT_VC else text
    offer.save(update_fields=["issued_at", "holder", "configuration_id", "credential"])
    if configuration_id == openid4vci.JWT_VC:
        return "jwt_vc_json", token
    return "ldp_vc", json.loads(text)


def holder_bound_credential(assertion, holder_did) -> tuple[str, str]:
    """The badge's credential from its frozen record with the same status entry, bound to the
    holder, signed and verified before it leaves (signing.Signer)."""
    entry = ob3.StatusEntryData(
        status_list_credential=identifiers.status_list_url(assertion.status_list_id),
        index=assertion.status_index,
    )
    data = credentials.credential_data(assertion, status_entry=entry)
    data = dataclasses.replace(data, subject_id=holder_did)
    signer = signing.signer_for(assertion.badge_class.issuer)
    return signer.sign(ob3.open_badge_credential(data))
