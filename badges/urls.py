from django.urls import path, re_path

from . import (
    views_credentials,
    views_edc,
    views_pages,
    views_pathways,
    views_public,
    views_record,
    views_verify,
)

app_name = "badges"

UUID = r"(?P<pk>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
JSON = r"(?P<suffix>\.json)?"

urlpatterns = [
    # Public and stable (DESIGN.md, "Public URLs"): JSON-LD for clients, HTML for browsers.
    re_path(rf"^public/issuers/{UUID}{JSON}$", views_public.issuer, name="issuer"),
    re_path(rf"^public/badges/{UUID}{JSON}$", views_public.badge_class, name="badge_class"),
    re_path(
        rf"^public/badges/{UUID}/image$", views_public.badge_class_image, name="badge_class_image"
    ),
    re_path(rf"^public/assertions/{UUID}{JSON}$", views_public.assertion, name="assertion"),
    re_path(
        rf"^public/assertions/{UUID}/image$", views_public.assertion_image, name="assertion_image"
    ),
    re_path(rf"^public/assertions/{UUID}/qr\.svg$", views_public.assertion_qr, name="assertion_qr"),
    re_path(
        rf"^public/assertions/{UUID}/certificate\.pdf$",
        views_pages.certificate,
        name="certificate",
    ),
    re_path(
        rf"^public/assertions/{UUID}/supplement\.pdf$",
        views_pages.supplement,
        name="supplement",
    ),
    path("public/contexts/eu-microcredential-v1.json", views_public.eu_context, name="eu_context"),
    path(
        "public/contexts/eu-microcredential-v1.schema.json",
        views_public.eu_schema,
        name="eu_schema",
    ),
    # Pathways (stackable micro-credentials): the public catalogue and each learner's progress.
    path("pathways/", views_pathways.catalogue, name="pathways"),
    path("pathways/<uuid:pk>/", views_pathways.catalogue_pathway, name="pathway"),
    path("learn/pathways/", views_pathways.my_pathways, name="my_pathways"),
    # One verifier for every format (uploads and pasted text; nothing is stored or fetched).
    path("verify/", views_verify.verify, name="verify"),
    # The learner's backpack and public profile.
    path("learn/badges/", views_pages.backpack, name="backpack"),
    path("learn/badges/<uuid:pk>/visibility/", views_pages.set_visibility, name="set_visibility"),
    # The learner's whole record as a signed CLR 2.0 ClrCredential (views_record.py).
    path("learn/record/", views_record.record, name="learner_record"),
    path("learn/record/clr.json", views_record.record_download, name="learner_record_clr"),
    path("public/learners/<uuid:pk>", views_pages.profile, name="profile"),
    # Open Badges 3.0 (views_credentials.py): signed credentials, keys, status lists.
    re_path(
        rf"^public/assertions/{UUID}/credential$", views_credentials.credential, name="credential"
    ),
    re_path(
        rf"^public/assertions/{UUID}/credential/image$",
        views_credentials.credential_image,
        name="credential_image",
    ),
    re_path(rf"^public/issuers/{UUID}/keys$", views_credentials.issuer_keys, name="issuer_keys"),
    re_path(rf"^public/status/{UUID}$", views_credentials.status_list, name="status_list"),
    # European Digital Credentials (views_edc.py): sealed (JAdES) and uploadable to Europass.
    re_path(rf"^public/assertions/{UUID}/edc$", views_edc.edc_sealed, name="edc"),
    re_path(
        rf"^public/assertions/{UUID}/edc/uploadable$",
        views_edc.edc_uploadable,
        name="edc_uploadable",
    ),
    path(
        "public/contexts/eu-microcredential-ob3-v1.json",
        views_credentials.eu_context_ob3,
        name="eu_context_ob3",
    ),
]
