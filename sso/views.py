"""Single sign-on: start at a provider, come back signed in (or told why not), sign out of both,
and the account page where a person links and unlinks their providers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import oidc, saml
from .linking import SignInRefused, external_sign_in, identity_unlink
from .models import ExternalIdentity
from .providers import OIDC, SAML, providers

SESSION_NEXT = "sso_next"
SESSION_SIGNED_IN = "sso"  # {"provider": slug, "id_token": …}: how to sign out of it too
ACCOUNT_BACKEND = "sso.backends.AccountBackend"


def _provider(slug):
    provider = providers().get(slug)
    if provider is None:
        raise Http404("No identity provider by that name.")
    return provider


def _refused(request, provider, reason, *, status=400):
    return render(
        request, "sso/refused.html", {"provider": provider, "reason": reason}, status=status
    )


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@require_GET
def start(request, slug):
    """Off to the provider; ``next`` is where to land afterwards (this site only)."""
    provider = _provider(slug)
    request.session[SESSION_NEXT] = _safe_next(request, request.GET.get("next")) or ""
    callback = request.build_absolute_uri(reverse("sso:oidc_callback", args=[slug]))
    try:
        if provider.protocol == OIDC:
            return oidc.redirect_to_provider(request, provider, callback_url=callback)
        return saml.redirect_to_provider(request, provider)
    except SignInRefused as refused:
        return _refused(request, provider, str(refused), status=503)


@require_GET
def oidc_callback(request, slug):
    provider = _provider(slug)
    if provider.protocol != OIDC:
        raise Http404("Not an OpenID Connect provider.")
    try:
        claims, id_token = oidc.claims_from_callback(request, provider)
        return signed_in(request, provider, claims, id_token=id_token)
    except SignInRefused as refused:
        return _refused(request, provider, str(refused))


def signed_in(request, provider, claims, *, id_token=""):
    """The provider vouched for ``claims``: sign in (or link, if someone is signed in here)."""
    linking = request.user.is_authenticated
    user = external_sign_in(provider=provider, claims=claims, current_user=request.user)
    if not linking:
        login(request, user, backend=ACCOUNT_BACKEND)
        request.session[SESSION_SIGNED_IN] = {"provider": provider.slug, "id_token": id_token}
    else:
        messages.success(request, f"{provider.name} is linked to your account.")
    after = request.session.pop(SESSION_NEXT, "") or (
        reverse("sso:identities") if linking else settings.LOGIN_REDIRECT_URL
    )
    return redirect(after)


@csrf_exempt  # posted by the identity provider's page; the response's signature is the check
@require_POST
def saml_acs(request, slug):
    provider = _provider(slug)
    if provider.protocol != SAML:
        raise Http404("Not a SAML provider.")
    try:
        request_id, claims = saml.claims_from_response(request, provider)
    except SignInRefused as refused:
        return _refused(request, provider, str(refused))
    token = saml.handoff_store(provider, request_id, claims)
    return redirect(f"{reverse('sso:saml_done', args=[slug])}?handoff={token}")


@require_GET
def saml_done(request, slug):
    """The browser again, with its session: sign in (or link) whom the assertion named."""
    provider = _provider(slug)
    try:
        claims = saml.handoff_take(request, provider, request.GET.get("handoff", ""))
        return signed_in(request, provider, claims)
    except SignInRefused as refused:
        return _refused(request, provider, str(refused))


@require_GET
def saml_metadata(request, slug):
    """Our service provider's metadata, for the university to register."""
    provider = _provider(slug)
    if provider.protocol != SAML:
        raise Http404("Not a SAML provider.")
    try:
        xml = saml.metadata_xml(provider, request)
    except Exception:  # the provider's own metadata is unreachable: ours cannot be made yet
        return HttpResponse("The identity provider's metadata cannot be read just now.", status=503)
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@require_POST
def sign_out(request):
    """Sign out here, and of the provider too when the person came from one that offers it."""
    came_from = request.session.get(SESSION_SIGNED_IN) or {}
    logout(request)
    provider = providers().get(came_from.get("provider", ""))
    if provider is not None and provider.protocol == OIDC:
        url = oidc.sign_out_url(
            provider,
            id_token=came_from.get("id_token", ""),
            after=request.build_absolute_uri(reverse("sso:signed_out")),
        )
        if url:
            # A page that goes on to the provider, not a redirect: the sign-out form's own
            # page allows forms to reach this site only (CSP form-action 'self'), and a
            # browser holds a form's redirects to that too.
            return render(request, "sso/signing_out.html", {"provider": provider, "url": url})
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_GET
def signed_out(request):
    messages.success(request, "You are signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def identities(request):
    """The person's identity providers: linked ones (to unlink) and the others (to link)."""
    linked = {i.provider: i for i in ExternalIdentity.objects.filter(user=request.user)}
    if request.method == "POST":
        provider = _provider(request.POST.get("provider", ""))
        try:
            identity_unlink(user=request.user, provider=provider)
        except SignInRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"{provider.name} is no longer linked to your account.")
        return redirect("sso:identities")
    rows = [{"provider": p, "identity": linked.get(slug)} for slug, p in providers().items()]
    return render(request, "sso/identities.html", {"rows": rows})
