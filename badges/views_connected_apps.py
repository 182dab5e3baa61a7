"""/learn/connected-apps/: the applications a learner let read their badges through the Open
Badges 3.0 API (ob3_api.py), and taking that permission back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .connected_apps import connected_app_disconnect, connected_applications


@login_required
def connected_apps(request):
    return render(
        request,
        "badges/connected_apps.html",
        {"applications": connected_applications(request.user)},
    )


@login_required
@require_POST
def disconnect(request, application_id):
    if connected_app_disconnect(user=request.user, application_id=application_id):
        messages.success(
            request, "Disconnected: the application can no longer see your badges or profile."
        )
    else:
        messages.info(request, "That application was not connected.")
    return redirect("ob3_api:connected_apps")
