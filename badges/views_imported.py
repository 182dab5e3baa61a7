"""/learn/badges/imported/: the learner's badges from other issuers (imports.py holds the rules).

Every page here is the signed-in learner's own; another learner's imported badge is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import posted

from . import imports
from .selectors import profile_url
from .verification import MAX_INPUT_BYTES
from .views_verify import rate_limited


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Badge file",
        required=False,
        help_text="A baked PNG or SVG image, or a credential saved as JSON. At most 2 MB.",
    )
    text = forms.CharField(
        label="…or paste a credential (JSON) or a JWT",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and upload.size > MAX_INPUT_BYTES:
            self.add_error("file", "The file is larger than 2 MB.")
        elif upload and (data.get("text") or "").strip():
            self.add_error("text", "Upload a file or paste text, not both.")
        elif not upload and not (data.get("text") or "").strip() and not self.errors:
            raise forms.ValidationError(
                "Upload a badge (PNG, SVG or JSON) or paste a credential or a JWT.", code="empty"
            )
        return data


def _page(request, form, *, status=200):
    context = {
        "form": form,
        "imported": imports.own_imported_badges(request.user),
        "profile_url": profile_url(request.user),
    }
    response = render(request, "badges/imported.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def imported_list(request):
    form = ImportForm(posted(request), posted(request, files=True))
    if request.method != "POST":
        return _page(request, form)
    wait = rate_limited(request, scope="import")
    if wait:
        form.add_error(None, "Too many imports in the last minute. Wait a moment and try again.")
        response = _page(request, form, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        badge, created = imports.imported_badge_add(
            owner=request.user,
            upload=form.cleaned_data.get("file"),
            text=form.cleaned_data.get("text") or "",
        )
    except imports.ImportRefused as refusal:
        field = "file" if form.cleaned_data.get("file") else "text"
        form.add_error(field, forms.ValidationError(refusal.message, code=refusal.code))
        return _page(request, form, status=400)
    label = badge.name or badge.filename
    if created:
        messages.success(request, f"“{label}” is in your backpack: {badge.summary}")
    else:
        messages.info(request, f"You imported “{label}” already: nothing has changed.")
    return redirect(reverse("imported:list") + f"#imported-{badge.pk}")


@login_required
@require_GET
def imported_download(request, pk):
    """The file exactly as it was received (the host's export: OB 3.0 §Conformance)."""
    badge = imports.own_imported_badge(user=request.user, pk=pk)
    response = HttpResponse(badge.data, content_type=imports.MEDIA_TYPES[badge.kind])
    response["Content-Disposition"] = f'attachment; filename="{badge.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG from elsewhere opened directly must not run as a page of this site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_POST
def imported_recheck(request, pk):
    badge = imports.own_imported_badge(user=request.user, pk=pk)
    if rate_limited(request, scope="import"):
        messages.error(request, "Too many checks in the last minute. Wait a moment and try again.")
        return redirect(reverse("imported:list") + f"#imported-{badge.pk}")
    badge = imports.imported_badge_recheck(badge=badge, learner=request.user)
    messages.success(request, f"Checked again: {badge.summary}")
    return redirect(reverse("imported:list") + f"#imported-{badge.pk}")


@login_required
@require_POST
def imported_visibility(request, pk):
    badge = imports.own_imported_badge(user=request.user, pk=pk)
    hidden = request.POST.get("hidden") == "1"
    imports.imported_badge_set_hidden(badge=badge, learner=request.user, hidden=hidden)
    label = badge.name or badge.filename
    if hidden:
        messages.success(request, f"“{label}” is hidden from your public profile.")
    else:
        messages.success(request, f"“{label}” is shown on your public profile.")
    return redirect(reverse("imported:list") + f"#imported-{badge.pk}")


@login_required
@require_POST
def imported_remove(request, pk):
    badge = imports.own_imported_badge(user=request.user, pk=pk)
    label = badge.name or badge.filename
    imports.imported_badge_remove(badge=badge, learner=request.user)
    messages.success(request, f"“{label}” is removed from your backpack.")
    return redirect("imported:list")
