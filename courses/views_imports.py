"""Pages for CSV imports into an offering: the upload form, its template file, and the job's
progress page with the JSON it polls. Each kind of import says who may run it."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .imports import (
    ERRORS_SHOWN,
    MAX_UPLOAD_BYTES,
    ImportFileRefused,
    import_job_create,
    import_job_progress,
    importer_get,
)
from .models import ImportJob, Offering

# URL names of each kind's upload page (and, with "_template", of its template file).
URL_NAMES = {ImportJob.Kind.ENROLMENT: "enrolments", ImportJob.Kind.RESULTS: "results"}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        # Emptiness is reported by the import itself, in the same words as other file faults.
        allow_empty_file=True,
        help_text=f"UTF-8, with a header row, up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def _offering_and_importer(request, offering_pk, kind):
    offering = get_object_or_404(Offering.objects.select_related("course"), pk=offering_pk)
    importer = importer_get(kind)
    if not importer.may_import(user=request.user, offering=offering):
        raise PermissionDenied(importer.refusal)
    return offering, importer


def _job_for(request, job_id):
    job = get_object_or_404(
        ImportJob.objects.select_related("offering__course", "created_by"), pk=job_id
    )
    importer = importer_get(job.kind)
    if job.created_by_id != request.user.pk and not importer.may_import(
        user=request.user, offering=job.offering
    ):
        raise PermissionDenied(importer.refusal)
    return job, importer


@login_required
def upload(request, offering_pk, kind):
    offering, importer = _offering_and_importer(request, offering_pk, kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                kind=kind,
                offering=offering,
                acting_user=request.user,
                upload=form.cleaned_data["file"],
            )
        except ImportFileRefused as exc:
            form.add_error("file", ValidationError(exc.message, code=exc.code))
        else:
            return redirect("imports:job", job_id=job.pk)
    recent = ImportJob.objects.filter(offering=offering, kind=kind).select_related("created_by")
    return render(
        request,
        "courses/imports/upload.html",
        {
            "offering": offering,
            "importer": importer,
            "form": form,
            "template_url": reverse(
                f"imports:{URL_NAMES[kind]}_template", kwargs={"offering_pk": offering.pk}
            ),
            "recent": recent[:10],
        },
        status=400 if form.errors else 200,
    )


@login_required
def template_csv(request, offering_pk, kind):
    offering, importer = _offering_and_importer(request, offering_pk, kind)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{URL_NAMES[kind]}-template.csv"'
    # The byte-order mark makes Excel read the file as UTF-8; the import accepts it.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(importer.column_names)
    writer.writerows(importer.example_rows(offering=offering))
    return response


@login_required
def job_detail(request, job_id):
    job, importer = _job_for(request, job_id)
    return render(
        request,
        "courses/imports/job.html",
        {
            "job": job,
            "importer": importer,
            "progress": import_job_progress(job=job),
            "upload_url": reverse(
                f"imports:{URL_NAMES[job.kind]}", kwargs={"offering_pk": job.offering_id}
            ),
            "errors_shown": ERRORS_SHOWN,
        },
    )


@never_cache
@login_required
def job_status(request, job_id):
    job, _ = _job_for(request, job_id)
    return JsonResponse(import_job_progress(job=job))


def _cell(value):
    # A cell starting with = + - or @ is a formula to a spreadsheet: the messages quote the
    # uploaded values, so neutralise them (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@login_required
def job_errors_csv(request, job_id):
    job, _ = _job_for(request, job_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-errors-{job.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["line", "message"])
    writer.writerows([_cell(e["line"]), _cell(e["message"])] for e in job.errors)
    return response
