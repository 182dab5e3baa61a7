"""/verify/: anyone checks a badge by uploading its image or file, or pasting JSON, a JWT or a URL.

Uploads are read in memory, size-capped, and never stored. Requests are rate-limited per client.
"""

import logging

from django import forms
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts.http import posted
from config.throttling import client_ip, window_wait

from .verification import MAX_INPUT_BYTES, Report, refused, verify_bytes, verify_text
from .verification_sources import SiteSources

log = logging.getLogger(__name__)
RATE = (30, 60)  # requests, seconds, per client address


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="Badge image or file",
        required=False,
        help_text="A baked PNG or SVG, a credential saved as JSON, or a JWT. At most 2 MB.",
    )
    text = forms.CharField(
        label="…or paste a credential, a JWT or the badge's address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    recipient_email = forms.EmailField(
        label="Earner's e-mail address (optional)",
        required=False,
        help_text="To confirm that the badge was issued to this person (any format).",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and upload.size > MAX_INPUT_BYTES:
            self.add_error("file", "The file is larger than 2 MB.")
        if not upload and not (data.get("text") or "").strip() and not self.errors:
            raise forms.ValidationError(
                "Upload a badge image or file, or paste a credential, a JWT or an address."
            )
        return data


def rate_limited(request, scope="verify") -> int:
    """0 while a client is within RATE, else the seconds until its window ends (Retry-After)."""
    limit, window = RATE
    return window_wait(f"rate:{scope}:{client_ip(request)}", limit=limit, window=window)


def run(*, upload=None, text="", recipient_email="") -> Report:
    sources = SiteSources()
    try:
        if upload is not None:
            data = upload.read(MAX_INPUT_BYTES + 1)
            return verify_bytes(data, sources=sources, recipient_email=recipient_email)
        return verify_text(text, sources=sources, recipient_email=recipient_email)
    except Exception:
        # Every shape of input we know of has its verdict; one we did not foresee is logged
        # for us and answered as unreadable, never with a 500.
        log.exception("The verifier could not read its input")
        return refused("This could not be read as a badge or credential.")


@never_cache
@csrf_protect
def verify(request):
    form = VerifyForm(posted(request), posted(request, files=True))
    report = None
    status = 200
    if request.method == "POST":
        wait = rate_limited(request)
        if wait:
            response = render(request, "badges/verify.html", {"form": form, "limited": True},
                              status=429)  # fmt: skip
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            data = form.cleaned_data
            report = run(
                upload=data.get("file"),
                text=data.get("text") or "",
                recipient_email=data.get("recipient_email") or "",
            )
        else:
            status = 400
    return render(request, "badges/verify.html", {"form": form, "report": report}, status=status)
