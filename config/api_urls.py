"""Every /api/v1/ route: the VLE endpoints, the OpenAPI schema and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments.api import ResultRecordApi
from badges.api_verify import VerifyApi
from courses.api import OfferingEnrolmentsApi


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the site's CSP: its assets come from drf-spectacular-sidecar under
    /static/, and its start-up script from this view (`?script`) instead of an inline <script>;
    the template has no inline style either, so no CSP exception is needed."""

    template_name = "api/swagger_ui.html"
    url_name = "api-schema"
    title = "LEADS Micro-credentials API"


urlpatterns = [
    path(
        "offerings/<int:offering_id>/enrolments",
        OfferingEnrolmentsApi.as_view(),
        name="api-offering-enrolments",
    ),
    path("results", ResultRecordApi.as_view(), name="api-results"),
    path("verify", VerifyApi.as_view(), name="api-verify"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(), name="api-docs"),
]
