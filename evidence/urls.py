from django.urls import path

from . import views_assessor, views_learner

app_name = "evidence"

urlpatterns = [
    # Learners (and applicants for recognition of prior learning)
    path(
        "learn/enrolments/<int:enrollment_pk>/evidence/<int:assessment_pk>/",
        views_learner.hand_in,
        name="hand_in",
    ),
    path("learn/evidence/items/<uuid:pk>/share/", views_learner.item_share, name="item_share"),
    path(
        "courses/<uuid:lineage>/prior-learning/",
        views_learner.prior_learning_apply_view,
        name="prior_learning_apply",
    ),
    # Files: to those who may see the submission, and publicly what a learner shared in a badge
    path("evidence/items/<uuid:pk>/file/", views_learner.item_file, name="item_file"),
    path("public/evidence/<uuid:pk>", views_learner.public_item, name="public_item"),
    # Assessors, moderators, course leaders and the LEADS team
    path("teach/offerings/<int:pk>/evidence/", views_assessor.queue, name="queue"),
    path(
        "teach/offerings/<int:pk>/evidence/rules/<int:assessment_pk>/",
        views_assessor.rules,
        name="rules",
    ),
    path(
        "teach/offerings/<int:pk>/evidence/extensions/new/",
        views_assessor.extension,
        name="extension",
    ),
    path("teach/evidence/<uuid:pk>/", views_assessor.judge, name="judge"),
    path("teach/moderation/", views_assessor.moderation_queue, name="moderation_queue"),
    path("teach/moderation/<uuid:pk>/", views_assessor.moderate, name="moderate"),
    path("teach/referrals/", views_assessor.referrals, name="referrals"),
    path("teach/referrals/<uuid:pk>/", views_assessor.decide, name="decide"),
    path("centre/moderation/", views_assessor.policy, name="policy"),
]
