"""Who may open what: the expected answer to a GET of every URL pattern, for every role.

test_permission_matrix.py walks the URLconf and requests each pattern as each role; a pattern
that is neither listed in PATTERNS nor covered by a rule in GROUPS fails it, so a new URL must be
classified here before it can land.

The roles (ROLES) are people of one demo-like centre (see `build_centre` in the test):

* ``anonymous``: nobody signed in;
* ``learner``: enrolled in the published course's offering, completed it, holds its badge;
* ``instructor``: instructs that offering;
* ``course_leader``: leads every course of the unit (a draft, a submitted and a published one);
* ``dean``: dean of that unit; ``other_dean``: dean of another unit;
* ``leads_admin``: the LEADS programme team, who also uses the Django admin (staff, superuser).

Outcomes:

* ``200``, ``401``, ``403``, ``404``, ``405``: that status;
* ``LOGIN``: 302 to the sign-in page with ``?next=`` (people who are not signed in);
* ``ADMIN_LOGIN``: 302 to the Django admin's sign-in page;
* ``REDIRECT``: 302 somewhere else (the page sends this person on, e.g. to the edit page);
* ``STAFF``: the Django admin as a superuser sees it: any answer but a sign-in page or an error.

``kwargs`` names the objects that fill the pattern's parameters, as attribute paths on the
centre (``"submitted.pk"``); values that are not attribute paths are given as ``Literal``.
"""

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "learner",
    "instructor",
    "course_leader",
    "dean",
    "other_dean",
    "leads_admin",
)

LOGIN = "LOGIN"
ADMIN_LOGIN = "ADMIN_LOGIN"
REDIRECT = "REDIRECT"
STAFF = "STAFF"


@dataclass(frozen=True)
class Literal:
    value: str


@dataclass(frozen=True)
class Entry:
    expect: dict
    kwargs: dict = field(default_factory=dict)


def outcomes(default, **by_role):
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


# Shorthands for the usual shapes.
PUBLIC = outcomes(200)
SIGNED_IN = outcomes(200, anonymous=LOGIN)
POST_ONLY = outcomes(405)
POST_ONLY_SIGNED_IN = outcomes(405, anonymous=LOGIN)
API_TOKEN_ONLY = outcomes(401)  # session cookies are not accepted by the API
LEADS_ADMIN_ONLY = outcomes(403, anonymous=LOGIN, leads_admin=200)
SIGNED_OUT_ONLY = outcomes(REDIRECT, anonymous=200)


def only(*roles, others=403, anonymous=LOGIN, allowed=200, **special):
    by_role = dict.fromkeys(roles, allowed)
    return outcomes(others, anonymous=anonymous, **{**by_role, **special})


# Course pages that only the course's leader edits: others who may see the course are refused
# (403), others who may not even know it exists get 404 (leads/access.py, course_for).
LEADER_EDITS_DRAFT = only(
    "course_leader", learner=403, instructor=403, dean=403, other_dean=404, leads_admin=403
)
# Pages of one course or submission: its leader, its unit's dean and the LEADS team.
COURSE_READERS = only("course_leader", "dean", "leads_admin", other_dean=404)
OFFERING_RUNNERS = only("instructor", "course_leader", "leads_admin", others=404)
RECORDERS = only("instructor", "course_leader", "leads_admin")

PATTERNS = {
    # --- The centre as a whole (config/urls.py) ------------------------------------------------
    "home": Entry(PUBLIC),
    "health": Entry(PUBLIC),
    "accounts:dashboard": Entry(SIGNED_IN),
    "catalogue:course": Entry(PUBLIC, {"lineage": "published.lineage"}),
    # --- Course leaders, deans and the LEADS admin (leads/urls.py) --------------------------------
    "leads:my_courses": Entry(only("course_leader", "dean", "other_dean", "leads_admin")),
    "leads:course_create": Entry(only("course_leader")),
    "leads:course_detail": Entry(COURSE_READERS, {"pk": "submitted.pk"}),
    "leads:course_section": Entry(
        LEADER_EDITS_DRAFT, {"pk": "draft.pk", "section": Literal("basic")}
    ),
    "leads:assessment_create": Entry(LEADER_EDITS_DRAFT, {"pk": "draft.pk"}),
    "leads:assessment_edit": Entry(
        LEADER_EDITS_DRAFT, {"pk": "draft.pk", "assessment_pk": "draft_assessment.pk"}
    ),
    "leads:assessment_delete": Entry(
        POST_ONLY, {"pk": "draft.pk", "assessment_pk": "draft_assessment.pk"}
    ),
    "leads:course_checklist": Entry(
        only("course_leader", "dean", "leads_admin", other_dean=404), {"pk": "draft.pk"}
    ),
    # GET asks the leader to confirm; only the confirming POST starts the revision.
    "leads:course_revise": Entry(LEADER_EDITS_DRAFT, {"pk": "published.pk"}),
    "leads:review_queue": Entry(only("dean", "other_dean")),
    "leads:submission_review": Entry(COURSE_READERS, {"pk": "submission.pk"}),
    "leads:submission_decide": Entry(POST_ONLY, {"pk": "submission.pk"}),
    "leads:submission_pack": Entry(COURSE_READERS, {"pk": "submission.pk"}),
    "leads:all_submissions": Entry(LEADS_ADMIN_ONLY),
    # --- CSV imports (courses/urls_imports.py) ---------------------------------------------------
    "imports:enrolments": Entry(LEADS_ADMIN_ONLY, {"offering_pk": "offering.pk"}),
    "imports:enrolments_template": Entry(LEADS_ADMIN_ONLY, {"offering_pk": "offering.pk"}),
    "imports:results": Entry(RECORDERS, {"offering_pk": "offering.pk"}),
    "imports:results_template": Entry(RECORDERS, {"offering_pk": "offering.pk"}),
    "imports:job": Entry(LEADS_ADMIN_ONLY, {"job_id": "import_job.pk"}),
    "imports:job_status": Entry(LEADS_ADMIN_ONLY, {"job_id": "import_job.pk"}),
    "imports:job_errors": Entry(LEADS_ADMIN_ONLY, {"job_id": "import_job.pk"}),
    # --- The LEADS team's badge pages (badges/urls_admin.py) -------------------------------------
    "badge_admin:index": Entry(LEADS_ADMIN_ONLY),
    "badge_admin:designs": Entry(LEADS_ADMIN_ONLY),
    # The published course already has its badge: the design page sends on to its edit page.
    "badge_admin:design": Entry(
        only("leads_admin", allowed=REDIRECT), {"course_pk": "published.pk"}
    ),
    "badge_admin:edit": Entry(LEADS_ADMIN_ONLY, {"pk": "badge_class.pk"}),
    "badge_admin:offering": Entry(LEADS_ADMIN_ONLY, {"offering_pk": "offering.pk"}),
    "badge_admin:list": Entry(LEADS_ADMIN_ONLY),
    "badge_admin:export": Entry(LEADS_ADMIN_ONLY),
    "badge_admin:revoke": Entry(LEADS_ADMIN_ONLY, {"pk": "assertion.pk"}),
    "badge_admin:job": Entry(LEADS_ADMIN_ONLY, {"job_id": "badge_job_id"}),
    "badge_admin:job_status": Entry(LEADS_ADMIN_ONLY, {"job_id": "badge_job_id"}),
    # Pathways (badges/views_pathways.py): the LEADS team defines and publishes them.
    "badge_admin:pathways": Entry(LEADS_ADMIN_ONLY),
    "badge_admin:pathway_new": Entry(LEADS_ADMIN_ONLY),
    "badge_admin:pathway_edit": Entry(LEADS_ADMIN_ONLY, {"pk": "pathway.pk"}),
    "badge_admin:pathway_publish": Entry(only("leads_admin", allowed=405), {"pk": "pathway.pk"}),
    # --- Delivery (courses/urls.py, assessments/urls.py) -----------------------------------------
    "courses:centre_courses": Entry(LEADS_ADMIN_ONLY),
    # GET asks to confirm; a course already published sends the LEADS team back to the list.
    "courses:course_publish": Entry(only("leads_admin", allowed=REDIRECT), {"pk": "published.pk"}),
    "courses:course_retire": Entry(LEADS_ADMIN_ONLY, {"pk": "published.pk"}),
    "courses:offering_create": Entry(LEADS_ADMIN_ONLY, {"pk": "published.pk"}),
    "courses:offering_list": Entry(only("instructor", "course_leader", "leads_admin")),
    "courses:offering_detail": Entry(OFFERING_RUNNERS, {"pk": "offering.pk"}),
    "courses:offering_confirm": Entry(POST_ONLY, {"pk": "offering.pk"}),
    "courses:offering_edit": Entry(LEADS_ADMIN_ONLY, {"pk": "offering.pk"}),
    "courses:enrollment_withdraw": Entry(
        LEADS_ADMIN_ONLY, {"pk": "offering.pk", "enrollment_pk": "enrollment.pk"}
    ),
    "courses:enrollment_move": Entry(
        LEADS_ADMIN_ONLY, {"pk": "offering.pk", "enrollment_pk": "enrollment.pk"}
    ),
    "assessments:grid": Entry(RECORDERS, {"pk": "offering.pk"}),
    "assessments:learner_record": Entry(
        RECORDERS, {"pk": "offering.pk", "enrollment_pk": "enrollment.pk"}
    ),
    "assessments:my_learning": Entry(SIGNED_IN),
    # Only the learner's own enrolment; anyone else is told it does not exist.
    "assessments:my_enrollment": Entry(only("learner", others=404), {"pk": "enrollment.pk"}),
    # --- Learners' evidence (evidence/urls.py, views_learner.py) ---------------------------------
    # Only the learner's own enrolment; anyone else is told it does not exist.
    "evidence:hand_in": Entry(
        only("learner", others=404),
        {"enrollment_pk": "enrollment.pk", "assessment_pk": "published_assessment.pk"},
    ),
    "evidence:item_share": Entry(POST_ONLY_SIGNED_IN, {"pk": "evidence_file.pk"}),
    # A file handed in: to whoever may see the submission (its learner, the offering's
    # assessors, the course leader, the LEADS team); not revealed to anyone else.
    "evidence:item_file": Entry(
        only("learner", "instructor", "course_leader", "leads_admin", others=404),
        {"pk": "evidence_file.pk"},
    ),
    # Public only once shared in a badge issued on it; this one is not judged yet.
    "evidence:public_item": Entry(outcomes(404), {"pk": "evidence_file.pk"}),
    "evidence:prior_learning_apply": Entry(PUBLIC, {"lineage": "published.lineage"}),
    # --- Assessors, moderators and course leaders judging evidence (evidence/urls.py) ---------
    "evidence:queue": Entry(RECORDERS, {"pk": "offering.pk"}),
    "evidence:rules": Entry(
        RECORDERS, {"pk": "offering.pk", "assessment_pk": "published_assessment.pk"}
    ),
    "evidence:extension": Entry(RECORDERS, {"pk": "offering.pk"}),
    # A submission is not revealed to anyone who may not judge it (its learner sees it on
    # their own pages).
    "evidence:judge": Entry(
        only("instructor", "course_leader", "leads_admin", others=404),
        {"pk": "evidence_submission.pk"},
    ),
    "evidence:moderation_queue": Entry(RECORDERS),
    "evidence:moderate": Entry(
        only("instructor", "course_leader", "leads_admin", others=404),
        {"pk": "evidence_submission.pk"},
    ),
    "evidence:referrals": Entry(only("course_leader", "leads_admin")),
    "evidence:decide": Entry(
        only("course_leader", "leads_admin", others=404), {"pk": "evidence_submission.pk"}
    ),
    "evidence:policy": Entry(LEADS_ADMIN_ONLY),
    # --- Public Open Badges URLs and the learner's pages (badges/urls.py) ------------------------
    "badges:issuer": Entry(PUBLIC, {"pk": "issuer.pk"}),
    "badges:badge_class": Entry(PUBLIC, {"pk": "badge_class.pk"}),
    "badges:badge_class_image": Entry(PUBLIC, {"pk": "badge_class.pk"}),
    "badges:assertion": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:assertion_image": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:assertion_qr": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:certificate": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:supplement": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:eu_context": Entry(PUBLIC),
    "badges:eu_schema": Entry(PUBLIC),
    # Open Badges 3.0: the signed credential, its baked image, the issuer's keys, the status
    # list and the JSON-LD context, all public like the OB 2.0 documents.
    "badges:credential": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:credential_image": Entry(PUBLIC, {"pk": "assertion.pk"}),
    # European Digital Credentials, sealed and uploadable: public like the OB 3.0 credential.
    "badges:edc": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:edc_uploadable": Entry(PUBLIC, {"pk": "assertion.pk"}),
    "badges:issuer_keys": Entry(PUBLIC, {"pk": "issuer.pk"}),
    "badges:status_list": Entry(PUBLIC, {"pk": "assertion.status_list_id"}),
    "badges:eu_context_ob3": Entry(PUBLIC),
    # The public verifier: anyone may check a badge (GET shows the form).
    "badges:verify": Entry(PUBLIC),
    # --- OpenID4VCI (badges/urls_wallet.py): metadata for anyone, endpoints for wallets (POST),
    # and the learner's own offer page.
    "wallet:issuer_metadata": Entry(PUBLIC),
    "wallet:authorization_server_metadata": Entry(PUBLIC),
    "wallet:token": Entry(POST_ONLY),
    "wallet:nonce": Entry(POST_ONLY),
    "wallet:credential": Entry(POST_ONLY),
    "wallet:add_to_wallet": Entry(only("learner", others=404), {"pk": "assertion.pk"}),
    # The Learner Credential Wallet (badges/views_lcw.py): the learner's link is made on POST;
    # the exchange is for wallets (POST).
    "wallet:lcw_offer": Entry(POST_ONLY_SIGNED_IN, {"pk": "assertion.pk"}),
    "wallet:lcw_exchange": Entry(POST_ONLY, {"exchange_id": Literal("no-such-exchange")}),
    "badges:backpack": Entry(SIGNED_IN),
    # Published pathways for everyone; each person's own progress.
    "badges:pathways": Entry(PUBLIC),
    "badges:pathway": Entry(PUBLIC, {"pk": "pathway.pk"}),
    "badges:my_pathways": Entry(SIGNED_IN),
    "badges:set_visibility": Entry(POST_ONLY_SIGNED_IN, {"pk": "assertion.pk"}),
    # The learner's record (badges/views_record.py): their own; an empty record has no download.
    "badges:learner_record": Entry(SIGNED_IN),
    "badges:learner_record_clr": Entry(only("learner", others=404)),
    # Badges from other issuers (badges/urls_imported.py): the learner's own; anyone else's 404.
    "imported:list": Entry(SIGNED_IN),
    "imported:download": Entry(only("learner", others=404), {"pk": "imported_badge.pk"}),
    "imported:recheck": Entry(POST_ONLY_SIGNED_IN, {"pk": "imported_badge.pk"}),
    "imported:visibility": Entry(POST_ONLY_SIGNED_IN, {"pk": "imported_badge.pk"}),
    "imported:remove": Entry(POST_ONLY_SIGNED_IN, {"pk": "imported_badge.pk"}),
    # The profile of the learner who hid a badge: the leak check looks for it there too.
    "badges:profile": Entry(PUBLIC, {"pk": "hidden_owner.public_id"}),
    # --- Sign-in and passwords (accounts/urls.py, Django's views) --------------------------------
    "login": Entry(SIGNED_OUT_ONLY),
    # --- Single sign-on (sso/urls.py): no provider is configured here, so every provider's
    # pages are 404 (sso/tests covers them with real providers).
    "sso:start": Entry(outcomes(404), {"slug": Literal("university")}),
    "sso:oidc_callback": Entry(outcomes(404), {"slug": Literal("university")}),
    "sso:saml_metadata": Entry(outcomes(404), {"slug": Literal("campus")}),
    "sso:saml_acs": Entry(POST_ONLY, {"slug": Literal("campus")}),
    "sso:saml_done": Entry(outcomes(404), {"slug": Literal("campus")}),
    "sso:signed_out": Entry(outcomes(REDIRECT)),
    "sso:identities": Entry(SIGNED_IN),
    "logout": Entry(POST_ONLY),
    "password_reset": Entry(PUBLIC),
    "password_reset_done": Entry(PUBLIC),
    # A valid link is exchanged for a session-held token and a redirect (Django's design).
    "password_reset_confirm": Entry(
        outcomes(REDIRECT), {"uidb64": "reset_uid", "token": "reset_token"}
    ),
    "password_reset_complete": Entry(PUBLIC),
    "password_change": Entry(SIGNED_IN),
    "password_change_done": Entry(SIGNED_IN),
    # --- The API (config/api_urls.py): tokens only, so every browser session gets 401 -----------
    "api-offering-enrolments": Entry(API_TOKEN_ONLY, {"offering_id": "offering.pk"}),
    "api-results": Entry(API_TOKEN_ONLY),
    # The public verification API takes no token and only POST.
    "api-verify": Entry(POST_ONLY),
    "api-schema": Entry(PUBLIC),
    "api-docs": Entry(PUBLIC),
    # --- The Open Badges 3.0 API (badges/urls_ob3_api.py): bearer tokens from its own OAuth 2.0
    # server, never a session, so every browser gets 401 from the resource endpoints. The
    # authorization endpoint without a request's parameters is a 400 error page once signed in.
    "ob3_api:discovery": Entry(PUBLIC),
    "ob3_api:register": Entry(POST_ONLY),
    "ob3_api:authorize": Entry(outcomes(400, anonymous=LOGIN)),
    "ob3_api:token": Entry(POST_ONLY),
    "ob3_api:revoke": Entry(POST_ONLY),
    "ob3_api:credentials": Entry(API_TOKEN_ONLY),
    "ob3_api:profile": Entry(API_TOKEN_ONLY),
    "ob3_api:connected_apps": Entry(SIGNED_IN),
    "ob3_api:disconnect": Entry(POST_ONLY_SIGNED_IN, {"application_id": Literal("1")}),
    # --- The Django admin: the few patterns that are not per-model ------------------------------
    # Its sign-in page itself answers everyone; a superuser is sent on to the index.
    "admin:login": Entry(outcomes(200, leads_admin=REDIRECT)),
    # Sign-out is POST only; anyone not staff is first sent to the admin's index (then sign-in).
    "admin:logout": Entry(outcomes(REDIRECT, leads_admin=405)),
}

# Rules for whole families of patterns, tried in order after PATTERNS. Each is
# (description, predicate on (key, route), outcomes, how to fill the parameters).
STAFF_ONLY = outcomes(ADMIN_LOGIN, leads_admin=STAFF)

GROUPS = [
    (
        "the Django admin (admin:*): staff only; everyone else is sent to its sign-in page",
        lambda key, route: key.startswith("admin:") or route.startswith("admin/"),
        STAFF_ONLY,
        "admin",
    ),
]
