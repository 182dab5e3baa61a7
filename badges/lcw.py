"""A learner's badge into the Digital Credentials Consortium's Learner Credential Wallet (LCW),
over the exchange LCW speaks: a deep link, a DIDAuth presentation, the holder-bound credential.

What LCW and its test double do, from their published sources:

- The deep link (DCC docs, ``credential_request.md``; ``transaction-service``
  ``transactionManager.setupExchange``): ``https://lcw.app/request.html?issuer=<issuer>&
  auth_type=bearer&challenge=<challenge>&vc_request_url=<exchange URL>``. LCW
  (``app/lib/credentialRequest.ts``) and ``@digitalcredentials/lcw-mock`` (``mockLCW``) POST to
  ``vc_request_url`` a VerifiablePresentation with no credential, ``holder`` = the wallet's
  did:key, signed Ed25519Signature2020 with ``proofPurpose: authentication`` and the challenge
  (a "DIDAuth"), and take the response body as a Verifiable Credential, or a Verifiable
  Presentation whose ``verifiableCredential`` they keep (``app/lib/verifiableObject.ts``).
  The DCC workflow-coordinator answers this POST with the signed credential itself; so do we.
- The VC-API exchange (LCW ``app/lib/exchanges.ts``, ``handleVcApiExchangeComplete``; the link
  ``https://lcw.app/request?request={"credentialRequestOrigin", "protocols": {"vcapi": URL}}``):
  POST ``{}`` to the exchange answers a ``verifiablePresentationRequest`` (query
  ``DIDAuthentication``, ``challenge``, ``domain``, ``interact.service[0].serviceEndpoint``, as
  ``transaction-service`` ``getVPR`` writes it); the wallet POSTs ``{"verifiablePresentation":
  DIDAuth}`` there and receives ``{"verifiablePresentation": {... "verifiableCredential":
  [credential]}}``, with no further request.

The credential is wallet.py's: the badge's own OpenBadgeCredential with the same ``id`` and
status entry (revoking the badge revokes it), bound to the DIDAuth's holder. An exchange lives
in the cache for EXCHANGE_MINUTES and issues once.
"""

import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from .models import Assertion
from .openbadges.vc import ed25519_signature_2020, multikey
from .openbadges.vc.eddsa_rdfc_2022 import DataIntegrityError
from .wallet import OfferRefused, holder_bound_credential, refuse_unless_offerable

EXCHANGE_MINUTES = 10
LCW_REQUEST = "https://lcw.app/request.html"
LCW_VCAPI_REQUEST = "https://lcw.app/request"
VP_TYPE = "VerifiablePresentation"


class ExchangeError(Exception):
    """A refused exchange request: ``code`` for machines, the message for people."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.status = status

    def as_json(self) -> dict:
        return {"error": self.code, "message": str(self)}


@dataclass(frozen=True)
class LcwExchange:
    exchange_id: str
    challenge: str
    url: str  # the exchange endpoint (vc_request_url)

    @property
    def deep_link(self) -> str:
        """The legacy credential request deep link LCW and lcw-mock accept."""
        query = {
            "issuer": urlsplit(settings.SITE_URL).hostname,
            "auth_type": "bearer",
            "challenge": self.challenge,
            "vc_request_url": self.url,
        }
        return f"{LCW_REQUEST}?{urlencode(query)}"

    @property
    def vcapi_link(self) -> str:
        """The VC-API deep link: LCW asks the exchange for its presentation request first."""
        request = {"credentialRequestOrigin": settings.SITE_URL, "protocols": {"vcapi": self.url}}
        return f"{LCW_VCAPI_REQUEST}?{urlencode({'request': json.dumps(request)})}"


def _key(exchange_id: str) -> str:
    return f"lcw:exchange:{exchange_id}"


def lcw_exchange_create(*, assertion, acting_user) -> LcwExchange:
    """An exchange for the learner's own badge: a random exchange id (in the URL) and challenge,
    good once, for EXCHANGE_MINUTES."""
    assertion = Assertion.objects.get(pk=assertion.pk)
    refuse_unless_offerable(assertion, acting_user)
    exchange_id = secrets.token_urlsafe(24)
    challenge = secrets.token_urlsafe(24)
    state = {
        "assertion": str(assertion.pk),
        "user": acting_user.pk,
        "challenge": challenge,
        "ends": time.time() + EXCHANGE_MINUTES * 60,
    }
    cache.set(_key(exchange_id), state, EXCHANGE_MINUTES * 60)
    url = settings.SITE_URL + reverse("wallet:lcw_exchange", args=[exchange_id])
    return LcwExchange(exchange_id=exchange_id, challenge=challenge, url=url)


def _state(exchange_id: str) -> dict:
    state = cache.get(_key(exchange_id)) if len(exchange_id) <= 64 else None
    if not isinstance(state, dict):
        raise ExchangeError(
            "unknown_exchange",
            "This exchange is unknown, was used or has expired: ask for a new link.",
            status=404,
        )
    return state


def presentation_request(*, exchange_id: str) -> dict:
    """VC-API: the DIDAuthentication request for the exchange (the wallet's first POST)."""
    state = _state(exchange_id)
    # Once we have asked for our domain, the DIDAuth must be bound to it (no relay from another
    # site); the legacy deep link asks for none, and its wallets send none.
    if not state.get("domain_required"):
        remaining = int(state.get("ends", time.time() + 60) - time.time())
        if remaining > 0:
            cache.set(_key(exchange_id), {**state, "domain_required": True}, remaining)
    url = settings.SITE_URL + reverse("wallet:lcw_exchange", args=[exchange_id])
    return {
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication"}],
            "challenge": state["challenge"],
            "domain": settings.SITE_URL,
            "interact": {
                "service": [{"type": "UnmediatedPresentationService2021", "serviceEndpoint": url}]
            },
        }
    }


def _holder(presentation, challenge: str, *, domain_required: bool = False) -> str:
    """The did:key that signed this DIDAuth for our challenge, or ExchangeError."""
    if not isinstance(presentation, dict):
        raise ExchangeError("invalid_presentation", "Send a DIDAuth VerifiablePresentation.")
    types = presentation.get("type")
    types = types if isinstance(types, list) else [types]
    if VP_TYPE not in types:
        raise ExchangeError("invalid_presentation", "The body is not a VerifiablePresentation.")
    holder = presentation.get("holder")
    holder = holder.get("id") if isinstance(holder, dict) else holder
    if not isinstance(holder, str) or not holder.startswith(multikey.DID_KEY_PREFIX):
        raise ExchangeError("invalid_holder", "The presentation's holder must be a did:key.")
    try:
        multikey.resolve_did_key(holder)
    except multikey.MultikeyError as error:
        raise ExchangeError("invalid_holder", f"The holder is not an Ed25519 did:key: {error}")
    proof = presentation.get("proof")
    domain = proof.get("domain") if isinstance(proof, dict) else None
    try:
        ed25519_signature_2020.verify_proof(
            presentation,
            expected_proof_purpose=ed25519_signature_2020.AUTHENTICATION,
            expected_challenge=challenge,
            # A wallet that names a domain must name ours (the VC-API request gives it).
            expected_domain=settings.SITE_URL if domain is not None or domain_required else None,
            expected_controller=holder,
        )
    except DataIntegrityError as error:
        raise ExchangeError(
            "invalid_proof", f"The DIDAuth does not verify: {error}", status=401
        ) from error
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        raise ExchangeError(
            "invalid_proof", f"The DIDAuth is malformed: {error!r}", status=401
        ) from error
    return holder


def lcw_exchange_complete(*, exchange_id: str, presentation) -> dict:
    """The holder-bound credential for a DIDAuth that verifies for this exchange's challenge.
    The exchange is spent by the first that does; a failed DIDAuth leaves it for the wallet."""
    state = _state(exchange_id)
    holder = _holder(
        presentation, state["challenge"], domain_required=bool(state.get("domain_required"))
    )
    if not cache.delete(_key(exchange_id)):  # two good DIDAuths at once: only one is served
        raise ExchangeError("unknown_exchange", "This exchange was used already.", status=404)
    assertion = (
        Assertion.objects.select_related("badge_version", "badge_class__issuer")
        .filter(pk=state["assertion"], recipient_id=state["user"])
        .first()
    )
    if assertion is None:
        raise ExchangeError("unknown_exchange", "The badge is no longer there.", status=404)
    try:
        refuse_unless_offerable(assertion, assertion.recipient)
    except OfferRefused as refusal:
        raise ExchangeError("credential_request_denied", str(refusal), status=403) from None
    text, _token = holder_bound_credential(assertion, holder)
    return json.loads(text)


def as_presentation(credential: dict) -> dict:
    """VC-API's answer: an unsigned presentation carrying the credential (LCW keeps its
    ``verifiableCredential``)."""
    return {
        "verifiablePresentation": {
            "@context": [credential["@context"][0]],
            "type": [VP_TYPE],
            "verifiableCredential": [credential],
        }
    }
