"""The LEADS team's badge pages under /centre/badges/: the dashboard, badge design, issuing from
an offering (in the background for large batches, with a progress page), revoking, and the list
of issued badges with its CSV export.

The views are thin: writes go through badges.services, reads come from badges.stats.
"""

import copy
import csv
import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import leads_admin_required
from accounts.audit import audit_history
from accounts.http import posted
from courses.models import LIVE_STATUSES, Course, Offering

from . import forms, pathways, services, stats
from .images import default_badge_image
from .models import Assertion, BadgeClass

log = logging.getLogger(__name__)

PAGE_SIZE = 50
# Larger batches are issued by Celery workers in chunks, with a progress page; smaller ones in
# the request (assertions_issue_bulk takes a fixed number of queries, so 200 is quick).
BACKGROUND_OVER = 200
CHUNK_SIZE = 100


def _plural(n, word, plural=None):
    return f"{n} {word if n == 1 else plural or word + 's'}"


# --- Dashboard and designs ------------------------------------------------------------------------


@require_safe
@leads_admin_required
def dashboard(request):
    now = timezone.now()
    by_course = stats.counts_by_course(now)
    by_month = stats.counts_by_month(now)
    return render(
        request,
        "badges/admin/dashboard.html",
        {
            "totals": stats.totals(now),
            "by_course": by_course,
            "by_month": by_month,
            "month_chart": stats.chart_data(by_month, axis_title="Badges"),
            "course_chart": stats.chart_data(by_course, axis_title="Badges", horizontal=True),
            "to_design": stats.courses_without_badge().count(),
            "waiting": stats.waiting_count(),
        },
    )


@require_safe
@leads_admin_required
def designs(request):
    return render(
        request,
        "badges/admin/designs.html",
        {"to_design": stats.courses_without_badge(), "designs": stats.badge_designs()},
    )


def _eu_elements(source):
    """The EU micro-credential elements, from the approved course or as stored on the badge."""
    if isinstance(source, Course):
        values = [
            source.credits, source.eqf_level, source.total_hours or None,
            source.eu_assessment_type, source.participation_form, source.quality_assurance,
        ]  # fmt: skip
    else:
        values = [source.ects_credits, source.eqf_level, source.hours, source.assessment_type,
                  source.participation_form, source.quality_assurance]  # fmt: skip
    labels = ["ECTS credits", "EQF level", "Workload (hours)", "Type of assessment",
              "Form of participation", "Type of quality assurance"]  # fmt: skip
    return list(zip(labels, values, strict=True))


@leads_admin_required
def design(request, course_pk):
    course = get_object_or_404(Course.objects.select_related("unit"), pk=course_pk)
    existing = BadgeClass.objects.filter(course=course).first()
    if existing:
        messages.info(request, f"“{course}” already has its badge; you can edit it here.")
        return redirect("badge_admin:edit", pk=existing.pk)
    if course.status not in LIVE_STATUSES:
        raise Http404("Only an approved or published course has a badge.")
    form = forms.BadgeDesignForm(
        posted(request), posted(request, files=True), initial=forms.design_initial(course)
    )
    if request.method == "POST" and form.is_valid():
        fields = form.overrides()
        # The drawn image shows the name and level as designed here, not as in the template.
        image = form.cleaned_data["image"] or default_badge_image(
            name=fields["name"], level=fields["level"]
        )
        try:
            badge = services.badge_class_create(
                course=course, acting_user=request.user, image=image, **fields
            )
        except services.IssueRefused as exc:
            form.add_error(None, ValidationError(str(exc), code="refused"))
        else:
            messages.success(request, f"The badge of “{course}” is designed: it can now be issued.")
            return redirect("badge_admin:edit", pk=badge.pk)
    return render(
        request,
        "badges/admin/design.html",
        {
            "course": course,
            "form": form,
            "alignments": services.alignments_for(course),
            "issue_mode": course.get_badge_issue_mode_display()
            or BadgeClass.IssueMode.MANUAL.label,
            "eu_elements": _eu_elements(course),
        },
        status=400 if form.errors else 200,
    )


@leads_admin_required
def edit(request, pk):
    # A pathway's own badge is designed with its pathway (views_pathways.py).
    badge = get_object_or_404(
        BadgeClass.objects.select_related("course", "issuer"), pk=pk, course__isnull=False
    )
    issued = badge.assertions.count()
    # The form works on a copy, so the page still shows the saved badge when the form is wrong.
    form = forms.BadgeClassForm(
        posted(request), posted(request, files=True), instance=copy.copy(badge)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.badge_class_update(
                badge=badge, acting_user=request.user, **form.design_fields()
            )
        except ValidationError as exc:
            form.add_error(None, ValidationError(exc.messages, code="refused"))
        else:
            note = (
                f" The {_plural(issued, 'badge')} already issued show the change in their hosted "
                "JSON and verification page."
                if issued and form.has_changed()
                else ""
            )
            messages.success(request, f"The badge “{saved.name}” is saved.{note}")
            return redirect("badge_admin:edit", pk=badge.pk)
    return render(
        request,
        "badges/admin/edit.html",
        {
            "badge": badge,
            "form": form,
            "issued": issued,
            "issue_mode": badge.get_issue_mode_display(),
            "eu_elements": _eu_elements(badge),
            "offerings": badge.course.offerings.order_by("-starts_on"),
            "history": audit_history(badge),
        },
        status=400 if form.errors else 200,
    )


# --- Issuing from an offering ---------------------------------------------------------------------


@leads_admin_required
def offering_issue(request, offering_pk):
    offering = get_object_or_404(
        Offering.objects.select_related("course", "course__leader"), pk=offering_pk
    )
    badge = BadgeClass.objects.filter(course_id=offering.course_id).first()
    form = forms.IssueForm(posted(request), offering=offering) if badge else None
    if request.method == "POST":
        if badge is None:
            messages.error(request, "Design the course's badge before issuing it.")
            return redirect("badge_admin:offering", offering_pk=offering.pk)
        if form.is_valid():
            response = _issue(request, offering, badge, form)
            if response is not None:
                return response
    rows = [
        (e, _badge_of(e), badge is not None and stats.may_issue_without_override(e, badge))
        for e in stats.offering_learners(offering)
    ]
    return render(
        request,
        "badges/admin/offering.html",
        {
            "offering": offering,
            "badge": badge,
            "form": form,
            "rows": rows,
            "manual": badge is not None and badge.issue_mode == BadgeClass.IssueMode.MANUAL,
            "ready_count": sum(1 for _, issued, ready in rows if ready and issued is None),
            "background_over": BACKGROUND_OVER,
            "now": timezone.now(),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _badge_of(enrollment):
    try:
        return enrollment.assertion
    except Assertion.DoesNotExist:
        return None


def _issue(request, offering, badge, form):
    """Issue as the pressed button says; None keeps the page (with the form's errors)."""
    data = form.cleaned_data
    narrative, override = data["narrative"].strip(), data["override_reason"].strip()
    back = reverse("badge_admin:offering", kwargs={"offering_pk": offering.pk})
    one = request.POST.get("issue_one", "")
    if one:
        pk = int(one) if one.isdigit() else 0
        chosen = list(form.fields["enrollments"].queryset.filter(pk=pk))
        if not chosen:
            form.add_error(None, "That learner already has a badge, or is not in this offering.")
            return None
        ids = [chosen[0].pk]
    elif request.POST.get("scope") == "all":
        ids = list(
            stats.issuable_enrollments(badge_class=badge, offering=offering).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            form.add_error(None, "No learner is waiting for a badge without a reason to give.")
            return None
    else:
        ids = [e.pk for e in data["enrollments"]]
        if not ids:
            form.add_error(
                "enrollments",
                ValidationError("Choose at least one learner to issue to.", code="required"),
            )
            return None
    if override and (len(ids) != 1 or request.POST.get("scope") == "all"):
        form.add_error(
            "override_reason",
            ValidationError(
                "A reason to issue anyway applies to one learner at a time: select only that "
                "learner, or press the Issue button on their row.",
                code="override_one",
            ),
        )
        return None
    if len(ids) == 1 and request.POST.get("scope") != "all":
        return _issue_one(request, ids[0], narrative, override, form, back)
    if len(ids) > BACKGROUND_OVER:
        if narrative:
            form.add_error(
                "narrative",
                ValidationError(
                    f"A narrative can go with at most {BACKGROUND_OVER} badges at a time; "
                    f"issue these {len(ids)} with the standard sentence, or select fewer.",
                    code="narrative_batch",
                ),
            )
            return None
        job_id = issue_job_start(
            enrollment_ids=ids,
            acting_user=request.user,
            title=f"{offering.course.title} — {offering.label}",
            back_url=back,
        )
        return redirect("badge_admin:job", job_id=job_id)
    result = services.assertions_issue_bulk(
        enrollment_ids=ids, acting_user=request.user, narrative=narrative
    )
    _report_bulk(request, result)
    return redirect(back)


def _issue_one(request, enrollment_id, narrative, override, form, back):
    enrollment = form.fields["enrollments"].queryset.select_related("learner").get(pk=enrollment_id)
    try:
        assertion, created = services.assertion_issue(
            enrollment=enrollment,
            acting_user=request.user,
            narrative=narrative,
            override_reason=override,
        )
    except services.IssueRefused as exc:
        form.add_error("override_reason", ValidationError(str(exc), code="not_eligible"))
        return None
    if created:
        messages.success(request, f"Badge issued to {enrollment.learner}.")
    else:
        messages.info(request, f"{enrollment.learner} already had this badge: nothing changed.")
    return redirect(back)


def _report_bulk(request, result):
    issued, already, skipped = result["issued"], result["already"], result["skipped"]
    parts = [f"{_plural(issued, 'badge')} issued."]
    if already or result.get("raced"):
        parts.append(f"{_plural(already + result.get('raced', 0), 'learner')} already had one.")
    messages.success(request, " ".join(parts))
    if skipped:
        reasons = "; ".join(problem for _, problem in skipped[:10])
        more = f" (and {len(skipped) - 10} more)" if len(skipped) > 10 else ""
        messages.warning(
            request,
            f"Not issued to {_plural(len(skipped), 'learner')}: {reasons}{more}. To issue to one "
            "of them anyway, select only that learner and give a reason.",
        )


# --- Background issuance: a progress record in the cache, polled by the progress page ----------
#
# ImportJob is kept for CSV imports (its kinds are fixed), so a batch is a small record in the
# cache: the Celery tasks of its chunks and, once each is known to have finished, its counts.
# The tasks are idempotent, so a chunk that failed can be issued again from the offering page.

JOB_TTL = 60 * 60 * 24


def _job_key(job_id):
    return f"badges:issue-job:{job_id}"


def issue_job_start(*, enrollment_ids, acting_user, title, back_url) -> str:
    """Enqueue badges.tasks.issue_badges_bulk per chunk of enrollments; returns the job's id."""
    from .tasks import issue_badges_bulk

    job_id = str(uuid.uuid4())
    chunks = []
    job = {
        "id": job_id,
        "title": title,
        "back_url": back_url,
        "created_by": str(acting_user),
        "created_at": timezone.now().isoformat(),
        "total": len(enrollment_ids),
        "chunks": chunks,
    }
    for start in range(0, len(enrollment_ids), CHUNK_SIZE):
        ids = list(enrollment_ids[start : start + CHUNK_SIZE])
        entry = {"task_id": None, "size": len(ids), "state": "queued", "issued": 0, "already": 0}
        try:
            result = issue_badges_bulk.delay(ids, acting_user.pk)
        except Exception:  # the broker is down, or (run inline) the task failed
            log.exception("Could not issue a chunk of %s badges in the background", len(ids))
            entry["state"] = "failed"
        else:
            entry["task_id"] = result.id
            _record_result(entry, result)
        chunks.append(entry)
    cache.set(_job_key(job_id), job, JOB_TTL)
    return job_id


def _record_result(entry, result):
    if not result.ready():
        return
    if result.successful():
        value = result.result or {}
        entry.update(state="done", issued=value.get("issued", 0), already=value.get("already", 0))
    else:
        entry["state"] = "failed"


def issue_job_progress(job) -> dict:
    from .tasks import issue_badges_bulk

    changed = False
    for entry in job["chunks"]:
        if entry["state"] == "queued" and entry["task_id"]:
            _record_result(entry, issue_badges_bulk.AsyncResult(entry["task_id"]))
            changed = changed or entry["state"] != "queued"
    if changed:
        cache.set(_job_key(job["id"]), job, JOB_TTL)
    chunks = job["chunks"]
    done = [c for c in chunks if c["state"] == "done"]
    failed = [c for c in chunks if c["state"] == "failed"]
    processed = sum(c["size"] for c in done + failed)
    issued = sum(c["issued"] for c in done)
    already = sum(c["already"] for c in done)
    total = job["total"]
    finished = processed >= total
    if not finished:
        status = "running" if processed else "pending"
    else:
        status = "failed" if failed else "done"
    labels = {
        "pending": "Waiting for a worker",
        "running": "Issuing",
        "done": "Done",
        "failed": "Finished with problems",
    }
    return {
        "status": status,
        "status_label": labels[status],
        "finished": finished,
        "total": total,
        "processed": processed,
        "percent": round(100 * processed / total) if total else 100,
        "issued": issued,
        "already": already,
        "not_eligible": sum(c["size"] - c["issued"] - c["already"] for c in done),
        "failed": sum(c["size"] for c in failed),
    }


def _job(job_id):
    job = cache.get(_job_key(job_id))
    if job is None:
        raise Http404("No such batch of badges (its progress is kept for a day).")
    return job


@require_safe
@leads_admin_required
def job_detail(request, job_id):
    job = _job(job_id)
    return render(
        request,
        "badges/admin/job.html",
        {"job": job, "progress": issue_job_progress(job)},
    )


@never_cache
@require_safe
@leads_admin_required
def job_status(request, job_id):
    return JsonResponse(issue_job_progress(_job(job_id)))


# --- Revoking -------------------------------------------------------------------------------------


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@leads_admin_required
def revoke(request, pk):
    assertion = get_object_or_404(
        Assertion.objects.select_related(
            "badge_class__course", "badge_version", "enrollment__offering", "revoked_by"
        ),
        pk=pk,
    )
    back = _safe_next(request, reverse("badge_admin:list"))
    standing = [] if assertion.revoked_at else pathways.dependents(assertion).lost
    form = forms.RevokeForm(posted(request), dependents=standing)
    if request.method == "POST" and form.is_valid():
        try:
            services.assertion_revoke(
                assertion=assertion,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                dependents=form.cleaned_data.get("dependents"),
            )
        except services.DependentsUndecided as exc:
            # Another pathway badge came to stand on it since the page was shown.
            form.add_error(None, ValidationError(str(exc), code="dependents_undecided"))
        except services.IssueRefused as exc:
            form.add_error("reason", ValidationError(str(exc), code="refused"))
        else:
            messages.success(
                request,
                f"The badge of {assertion.recipient_name} is revoked. Anyone who checks it now "
                "sees that, with your reason.",
            )
            return redirect(back)
    return render(
        request,
        "badges/admin/revoke.html",
        {"assertion": assertion, "form": form, "back": back, "dependents": standing},
        status=400 if form.errors else 200,
    )


# --- The list of issued badges and its CSV ------------------------------------------------------


def _filtered(request, now):
    form = forms.BadgeFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    return form, filters, stats.assertions_filtered(now=now, **filters)


@require_safe
@leads_admin_required
def issued_list(request):
    now = timezone.now()
    form, filters, queryset = _filtered(request, now)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (a, stats.status_of(revoked_at=a.revoked_at, expires_on=a.expires_on, now=now))
        for a in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "badges/admin/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "statuses": stats.STATUSES,
            "query": query.urlencode(),
            "filtered": any(filters.values()),
        },
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    # A cell starting with = + - or @ is a formula to a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


@require_safe
@leads_admin_required
def issued_csv(request):
    now = timezone.now()
    form, _, queryset = _filtered(request, now)
    if form.errors:
        return issued_list(request)
    zero = "00000000-0000-0000-0000-000000000000"
    url_pattern = settings.SITE_URL + reverse("badges:assertion", kwargs={"pk": zero})
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so that Excel reads the file as UTF-8
        yield writer.writerow(
            [label for _, label in stats.CSV_COLUMNS] + ["Status", "Verification page"]
        )
        for row in stats.assertions_for_csv(queryset):
            status = stats.status_of(
                revoked_at=row["revoked_at"], expires_on=row["expires_on"], now=now
            )
            yield writer.writerow(
                [_cell(_csv_value(row[field])) for field, _ in stats.CSV_COLUMNS]
                + [stats.STATUSES[status], url_pattern.replace(zero, str(row["id"]))]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate(now).isoformat()
    response["Content-Disposition"] = f'attachment; filename="badges-{stamp}.csv"'
    return response
