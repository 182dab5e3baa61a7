"""Public catalogue URLs. A course's address names its lineage, so it survives new versions."""

from django.urls import path

from . import views_catalogue

app_name = "catalogue"

urlpatterns = [
    path("courses/<uuid:lineage>/", views_catalogue.course_page, name="course"),
]
