from django.urls import path
from oauth2_provider import views as oauth2_views

from . import ob3_api, views_connected_apps

app_name = "ob3_api"

# The Open Badges 3.0 API (ob3_api.py, OB 3.0 §6 and §7): django-oauth-toolkit's authorization
# server under the API's own prefix (only the endpoints the specification uses: no application
# management pages), the resource endpoints, and the learner's page of connected applications.
urlpatterns = [
    path("ims/ob/v3p0/discovery", ob3_api.discovery, name="discovery"),
    path("ims/ob/v3p0/register", ob3_api.register, name="register"),
    path("ims/ob/v3p0/authorize", ob3_api.ConsentView.as_view(), name="authorize"),
    path("ims/ob/v3p0/token", oauth2_views.TokenView.as_view(), name="token"),
    path("ims/ob/v3p0/revoke", oauth2_views.RevokeTokenView.as_view(), name="revoke"),
    path("ims/ob/v3p0/credentials", ob3_api.CredentialsApi.as_view(), name="credentials"),
    path("ims/ob/v3p0/profile", ob3_api.ProfileApi.as_view(), name="profile"),
    path("learn/connected-apps/", views_connected_apps.connected_apps, name="connected_apps"),
    path(
        "learn/connected-apps/<int:application_id>/disconnect/",
        views_connected_apps.disconnect,
        name="disconnect",
    ),
]
