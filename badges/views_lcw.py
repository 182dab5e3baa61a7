"""The Learner Credential Wallet's exchange (lcw.py): the learner's request for a deep link, and
the endpoint the wallet calls.

The exchange endpoint is for wallets, not browsers: no session, no CSRF token; it reads a small
body (MAX_BODY), is rate-limited per client address, and answers every refusal as JSON.
"""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.parsers import json_refusal
from config.throttling import client_ip, window_wait

from . import lcw, wallet
from .models import Assertion
from .qr import qr_data_uri

MAX_BODY = 65_536
RATE = (30, 60)  # requests per client address per minute


def _error(error: lcw.ExchangeError) -> JsonResponse:
    response = JsonResponse(error.as_json(), status=error.status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def exchange(request, exchange_id):
    """POST ``{}`` (VC-API): the DIDAuthentication request. POST a DIDAuth presentation
    (the deep link's flow) or ``{"verifiablePresentation": DIDAuth}`` (VC-API): the credential,
    as is or in a presentation respectively."""
    wait = window_wait(f"rate:lcw:{client_ip(request)}", limit=RATE[0], window=RATE[1])
    if wait:
        response = _error(lcw.ExchangeError("too_many_requests", "Too many requests.", 429))
        response["Retry-After"] = str(wait)
        return response
    if len(request.body) > MAX_BODY:
        return _error(lcw.ExchangeError("request_too_large", "The request is too large.", 413))
    try:
        text = request.body.decode("utf-8", errors="replace") or "{}"
        if json_refusal(text):  # depth and size checked before any parser recurses
            raise lcw.ExchangeError("invalid_request", "The request nests too deeply.")
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            raise lcw.ExchangeError("invalid_request", "The request is not JSON.") from None
        if not isinstance(body, dict):
            raise lcw.ExchangeError("invalid_request", "The request is not a JSON object.")
        if not body:
            answer = lcw.presentation_request(exchange_id=exchange_id)
        elif "verifiablePresentation" in body:
            credential = lcw.lcw_exchange_complete(
                exchange_id=exchange_id, presentation=body["verifiablePresentation"]
            )
            answer = lcw.as_presentation(credential)
        else:
            answer = lcw.lcw_exchange_complete(exchange_id=exchange_id, presentation=body)
    except lcw.ExchangeError as error:
        return _error(error)
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_POST
def lcw_offer(request, pk):
    """The learner's deep link into the Learner Credential Wallet for one badge, with its QR
    code, on the "Add to a wallet" page. Each POST makes a new exchange, good once."""
    assertion = get_object_or_404(Assertion.objects.select_related("badge_version"), pk=pk)
    if assertion.recipient_id != request.user.pk:
        raise Http404("No such badge.")
    context = {"assertion": assertion, "badge": assertion.badge_version}
    try:
        exchange_ = lcw.lcw_exchange_create(assertion=assertion, acting_user=request.user)
    except PermissionDenied:
        raise Http404("No such badge.") from None
    except wallet.OfferRefused as refusal:
        context["refusal"] = str(refusal)
    else:
        context.update(
            lcw_link=exchange_.deep_link,
            lcw_vcapi_link=exchange_.vcapi_link,
            lcw_qr=qr_data_uri(exchange_.deep_link),
            lcw_minutes=lcw.EXCHANGE_MINUTES,
        )
    return render(request, "badges/add_to_wallet.html", context)
