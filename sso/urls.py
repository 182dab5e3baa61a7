from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("accounts/sso/<slug:slug>/", views.start, name="start"),
    path("accounts/sso/<slug:slug>/callback/", views.oidc_callback, name="oidc_callback"),
    path("accounts/sso/<slug:slug>/saml/metadata/", views.saml_metadata, name="saml_metadata"),
    path("accounts/sso/<slug:slug>/saml/acs/", views.saml_acs, name="saml_acs"),
    path("accounts/sso/<slug:slug>/saml/done/", views.saml_done, name="saml_done"),
    path("accounts/signed-out/", views.signed_out, name="signed_out"),
    path("accounts/sign-in-methods/", views.identities, name="identities"),
]
