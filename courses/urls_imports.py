"""CSV imports into an offering, under /centre/imports/."""

from django.urls import path

from . import views_imports as views
from .models import ImportJob

app_name = "imports"

ENROLMENT = {"kind": ImportJob.Kind.ENROLMENT.value}
RESULTS = {"kind": ImportJob.Kind.RESULTS.value}

urlpatterns = [
    path("offerings/<int:offering_pk>/enrolments/", views.upload, ENROLMENT, name="enrolments"),
    path(
        "offerings/<int:offering_pk>/enrolments/template.csv",
        views.template_csv,
        ENROLMENT,
        name="enrolments_template",
    ),
    path("offerings/<int:offering_pk>/results/", views.upload, RESULTS, name="results"),
    path(
        "offerings/<int:offering_pk>/results/template.csv",
        views.template_csv,
        RESULTS,
        name="results_template",
    ),
    path("<uuid:job_id>/", views.job_detail, name="job"),
    path("<uuid:job_id>/status.json", views.job_status, name="job_status"),
    path("<uuid:job_id>/errors.csv", views.job_errors_csv, name="job_errors"),
]
