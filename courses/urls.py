from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("centre/courses/", views.centre_courses, name="centre_courses"),
    path("centre/courses/<int:pk>/publish/", views.course_publish_view, name="course_publish"),
    path("centre/courses/<int:pk>/retire/", views.course_retire_view, name="course_retire"),
    path(
        "centre/courses/<int:pk>/offerings/new/",
        views.offering_create_view,
        name="offering_create",
    ),
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("offerings/<int:pk>/confirm/", views.offering_confirm, name="offering_confirm"),
    path("offerings/<int:pk>/edit/", views.offering_edit_view, name="offering_edit"),
    path(
        "offerings/<int:pk>/learners/<int:enrollment_pk>/withdraw/",
        views.enrollment_withdraw_view,
        name="enrollment_withdraw",
    ),
    path(
        "offerings/<int:pk>/learners/<int:enrollment_pk>/move/",
        views.enrollment_move_view,
        name="enrollment_move",
    ),
]
