from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("teach/offerings/<int:pk>/grid/", views.grid, name="grid"),
    path(
        "teach/offerings/<int:pk>/learners/<int:enrollment_pk>/",
        views.learner_record,
        name="learner_record",
    ),
    path("learn/", views.my_learning, name="my_learning"),
    path("learn/enrolments/<int:pk>/", views.my_enrollment, name="my_enrollment"),
]
