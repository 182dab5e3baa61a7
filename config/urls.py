from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns

from . import views

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("", include("accounts.urls")),
    path("", include("courses.urls_catalogue")),
    path("leads/", include("leads.urls")),
    path("centre/imports/", include("courses.urls_imports")),
    path("centre/badges/", include("badges.urls_admin")),
    path("", include("courses.urls")),
    path("", include("assessments.urls")),
    path("", include("evidence.urls")),
    path("", include("badges.urls")),
    path("", include("badges.urls_wallet")),
    path("", include("badges.urls_ob3_api")),
    path("learn/badges/imported/", include("badges.urls_imported")),
    *auth_urlpatterns,
    path("", include("sso.urls")),
    path("api/v1/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]
