"""The centre as an OpenID4VCI credential issuer (openid4vci.py, wallet.py): its metadata, the
token, nonce and credential endpoints a wallet calls, and the learner's "Add to wallet" page.

The endpoints are for wallets, not browsers: no session, no CSRF token; each reads a small body
(MAX_BODY), is rate-limited per client address, and answers errors as the specification names
them, never with a page.
"""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from config.parsers import json_refusal
from config.throttling import client_ip, window_wait

from . import openid4vci, wallet
from .models import Assertion, Issuer
from .openid4vci import Oid4vciError
from .qr import qr_data_uri

MAX_BODY = 16_384
RATE = (60, 60)  # requests per client address per minute, across the wallet endpoints


def _error(error: Oid4vciError) -> JsonResponse:
    response = JsonResponse(error.as_json(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{error.code}"'
    response["Cache-Control"] = "no-store"
    return response


def _guarded(view):
    """Bounded, rate-limited, and every refusal in the specification's words."""

    @csrf_exempt
    @require_POST
    def wrapped(request):
        wait = window_wait(f"rate:oid4vci:{client_ip(request)}", limit=RATE[0], window=RATE[1])
        if wait:
            response = _error(Oid4vciError("invalid_request", "Too many requests.", status=429))
            response["Retry-After"] = str(wait)
            return response
        if len(request.body) > MAX_BODY:
            return _error(Oid4vciError("invalid_request", "The request is too large."))
        try:
            response = JsonResponse(view(request))
        except Oid4vciError as error:
            return _error(error)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _issuer():
    return Issuer.objects.order_by("created_at").first()


@require_GET
def issuer_metadata(request):
    issuer = _issuer()
    logo = request.build_absolute_uri(issuer.image.url) if issuer and issuer.image else None
    name = issuer.name if issuer else "Micro-credential centre"
    return JsonResponse(openid4vci.issuer_metadata(issuer_name=name, logo_url=logo))


@require_GET
def authorization_server_metadata(request):
    return JsonResponse(openid4vci.authorization_server_metadata())


@_guarded
def token(request):
    if request.content_type != "application/x-www-form-urlencoded":
        raise Oid4vciError("invalid_request", "Send the token request as a form.")
    if request.POST.get("grant_type") != openid4vci.PRE_AUTHORIZED_GRANT:
        raise Oid4vciError("unsupported_grant_type", "Only the pre-authorized code grant.")
    return wallet.token_exchange(
        pre_authorized_code=request.POST.get("pre-authorized_code"),
        tx_code=request.POST.get("tx_code"),
    )


@_guarded
def nonce(request):
    return {"c_nonce": wallet.nonce_issue()}


@_guarded
def credential(request):
    authorization = request.headers.get("Authorization", "")
    scheme, _, access_token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not access_token:  # tokens are issued as Bearer only
        raise Oid4vciError("invalid_token", "Send the access token as a Bearer token.", 401)
    text = request.body.decode("utf-8", errors="replace") or "null"
    if json_refusal(text):  # depth and size checked before any parser recurses
        raise Oid4vciError("invalid_credential_request", "The request nests too deeply.")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise Oid4vciError("invalid_credential_request", "The request is not JSON.") from None
    if not isinstance(body, dict):
        raise Oid4vciError("invalid_credential_request", "The request is not a JSON object.")
    proofs = body.get("proofs")
    jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise Oid4vciError("invalid_proof", "Send one proof of possession: proofs.jwt[0].")
    credential_format, issued = wallet.credential_issue(
        access_token=access_token.strip(),
        configuration_id=body.get("credential_configuration_id"),
        proof=jwts[0],
    )
    return {"credentials": [{"credential": issued}]}


@login_required
@never_cache
def add_to_wallet(request, pk):
    """The learner's offer of one badge: a QR code and a link, with the transaction code beside
    them. Made on POST (each offer works once); GET explains and asks."""
    assertion = get_object_or_404(Assertion.objects.select_related("badge_version"), pk=pk)
    if assertion.recipient_id != request.user.pk:
        raise Http404("No such badge.")
    context = {"assertion": assertion, "badge": assertion.badge_version}
    if request.method == "POST":
        try:
            offer, uri, tx_code = wallet.wallet_offer_create(
                assertion=assertion, acting_user=request.user
            )
        except PermissionDenied:
            raise Http404("No such badge.") from None
        except wallet.OfferRefused as refusal:
            context["refusal"] = str(refusal)
        else:
            context.update(
                offer=offer, offer_uri=uri, tx_code=tx_code, qr=qr_data_uri(uri),
                minutes=wallet.OFFER_MINUTES,
            )  # fmt: skip
    return render(request, "badges/add_to_wallet.html", context)
