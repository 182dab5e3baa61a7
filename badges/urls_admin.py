"""The LEADS team's badge pages, mounted at /centre/badges/ (config/urls.py)."""

from django.urls import path

from . import views_admin, views_pathways

app_name = "badge_admin"

urlpatterns = [
    path("", views_admin.dashboard, name="index"),
    path("designs/", views_admin.designs, name="designs"),
    path("designs/courses/<int:course_pk>/", views_admin.design, name="design"),
    path("designs/<uuid:pk>/", views_admin.edit, name="edit"),
    path("offerings/<int:offering_pk>/", views_admin.offering_issue, name="offering"),
    path("issued/", views_admin.issued_list, name="list"),
    path("issued/export.csv", views_admin.issued_csv, name="export"),
    path("issued/<uuid:pk>/revoke/", views_admin.revoke, name="revoke"),
    path("batches/<uuid:job_id>/", views_admin.job_detail, name="job"),
    path("batches/<uuid:job_id>/status.json", views_admin.job_status, name="job_status"),
    path("pathways/", views_pathways.pathway_list, name="pathways"),
    path("pathways/new/", views_pathways.pathway_new, name="pathway_new"),
    path("pathways/<uuid:pk>/", views_pathways.pathway_edit, name="pathway_edit"),
    path("pathways/<uuid:pk>/publish/", views_pathways.pathway_publish, name="pathway_publish"),
]
