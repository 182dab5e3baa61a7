from django.urls import path

from . import views_imported

app_name = "imported"

# Badges from other issuers in the learner's backpack (views_imported.py, imports.py).
urlpatterns = [
    path("", views_imported.imported_list, name="list"),
    path("<uuid:pk>/download", views_imported.imported_download, name="download"),
    path("<uuid:pk>/recheck/", views_imported.imported_recheck, name="recheck"),
    path("<uuid:pk>/visibility/", views_imported.imported_visibility, name="visibility"),
    path("<uuid:pk>/remove/", views_imported.imported_remove, name="remove"),
]
