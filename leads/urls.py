from django.urls import path

from . import views, views_review

app_name = "leads"

urlpatterns = [
    # Course leaders: the template, section by section, the checklist and submission.
    path("courses/", views.my_courses, name="my_courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/<slug:section>/", views.course_section, name="course_section"),
    path("courses/<int:pk>/assessments/new/", views.assessment_edit, name="assessment_create"),
    path(
        "courses/<int:pk>/assessments/<int:assessment_pk>/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(
        "courses/<int:pk>/assessments/<int:assessment_pk>/delete/",
        views.assessment_delete,
        name="assessment_delete",
    ),
    path("courses/<int:pk>/checklist/", views.course_checklist, name="course_checklist"),
    path("courses/<int:pk>/revise/", views.course_revise, name="course_revise"),
    # Deans and designates: the queue, the review and the decision.
    path("review/", views_review.review_queue, name="review_queue"),
    path("submissions/<int:pk>/", views_review.submission_review, name="submission_review"),
    path("submissions/<int:pk>/decide/", views_review.submission_decide, name="submission_decide"),
    path("submissions/<int:pk>/pack.pdf", views_review.submission_pack, name="submission_pack"),
    # The LEADS admin: every submission across units.
    path("submissions/", views_review.all_submissions, name="all_submissions"),
]
