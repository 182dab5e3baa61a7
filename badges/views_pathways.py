"""Pathways: the LEADS team's pages, the public catalogue's and each learner's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import leads_admin_required
from accounts.http import posted

from . import pathways
from .forms_pathways import PathwayForm
from .models import Pathway

# --- The LEADS team ------------------------------------------------------------------------------


@leads_admin_required
def pathway_list(request):
    rows = (
        Pathway.objects.select_related("badge_class")
        .prefetch_related("components__badge_class")
        .annotate(n_issued=Count("assertions", distinct=True))
    )
    return render(
        request,
        "badges/admin/pathways.html",
        {
            "current": "pathways",
            "rows": [{"pathway": p, "sentence": pathways.rule_sentence(p)} for p in rows],
        },
    )


def _save(request, form, pathway=None):
    data = form.cleaned_data
    try:
        return pathways.pathway_save(
            acting_user=request.user,
            pathway=pathway,
            name=data["name"],
            description=data["description"],
            rule=data["rule"],
            count=data.get("count") or 0,
            eqf_level=data.get("eqf_level"),
            badge_ids=[b.pk for b in data["badges"]],
            required_ids=[b.pk for b in data.get("required") or ()],
        )
    except pathways.PathwayRefused as refused:
        for problem in refused.problems:
            field = problem.field if problem.field in form.fields else None
            form.add_error(field, ValidationError(problem.message, code=problem.code))
        return None


@leads_admin_required
def pathway_new(request):
    form = PathwayForm(posted(request))
    if request.method == "POST" and form.is_valid():
        pathway = _save(request, form)
        if pathway is not None:
            messages.success(
                request,
                f"The pathway “{pathway.name}” is saved. Publish it to show it in the catalogue "
                "and start issuing its badge.",
            )
            return redirect("badge_admin:pathway_edit", pk=pathway.pk)
    return render(
        request,
        "badges/admin/pathway_form.html",
        {"form": form, "pathway": None, "current": "pathways"},
        status=400 if form.errors else 200,
    )


@leads_admin_required
def pathway_edit(request, pk):
    pathway = get_object_or_404(
        Pathway.objects.select_related("badge_class").prefetch_related("components"), pk=pk
    )
    form = PathwayForm(posted(request), pathway=pathway)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, pathway)
        if saved is not None:
            messages.success(request, f"The pathway “{saved.name}” is saved.")
            return redirect("badge_admin:pathway_edit", pk=saved.pk)
    return render(
        request,
        "badges/admin/pathway_form.html",
        {
            "form": form,
            "pathway": pathway,
            "current": "pathways",
            "issued": pathway.assertions.count(),
        },
        status=400 if form.errors else 200,
    )


@leads_admin_required
@require_POST
def pathway_publish(request, pk):
    pathway = get_object_or_404(Pathway, pk=pk)
    publish = request.POST.get("publish") == "1"
    try:
        pathways.pathway_publish(pathway=pathway, acting_user=request.user, publish=publish)
    except pathways.PathwayRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"The pathway “{pathway.name}” is "
            + (
                "published: learners who hold what it asks receive its badge now."
                if publish
                else "withdrawn from the catalogue; the badges issued for it stay valid."
            ),
        )
    return redirect("badge_admin:pathway_edit", pk=pathway.pk)


# --- The public catalogue ------------------------------------------------------------------------


def _catalogue_row(pathway):
    components = list(pathway.components.all())
    return {
        "pathway": pathway,
        "sentence": pathways.rule_sentence(pathway),
        "components": components,
    }


@require_GET
def catalogue(request):
    return render(
        request,
        "badges/pathways/catalogue.html",
        {"rows": [_catalogue_row(p) for p in pathways.published_pathways()]},
    )


@require_GET
def catalogue_pathway(request, pk):
    """A pathway's public page: the criteria URL of its badge in every format, so a withdrawn
    pathway whose badge was issued keeps it (saying it is no longer offered)."""
    pathway = pathways.pathway_public(pk)
    if pathway is None:
        raise Http404("No published pathway at this address.")
    return render(request, "badges/pathways/pathway.html", _catalogue_row(pathway))


# --- The learner ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_pathways(request):
    return render(
        request,
        "badges/pathways/mine.html",
        {"rows": pathways.learner_pathways(request.user, now=timezone.now())},
    )
