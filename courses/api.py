"""The VLE's enrolment API: enrol learners in an offering and read its roster back.

Thin views: they check the token's scope (accounts/api_tokens.py), validate the body and call the
courses services; the rules live there.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_tokens import token_scope_check
from accounts.models import User
from accounts.services import learner_get_or_invite

from .models import Enrollment, Offering
from .selectors import offering_roster
from .services import EnrollmentRefused, enrollment_create


class ErrorSerializer(serializers.Serializer):
    """The body of every error that is not about one field: `{"detail": "..."}`."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "Error"


def error_responses(*, bad_request: str | None = None, not_found: str | None = None) -> dict:
    """The error responses every VLE endpoint shares, for the schema."""
    responses = {
        401: OpenApiResponse(ErrorSerializer, description="No token, or an unknown one."),
        403: OpenApiResponse(
            ErrorSerializer,
            description="The offering's course is outside the token's scope; `detail` says why.",
        ),
    }
    if bad_request:
        responses[400] = OpenApiResponse(
            OpenApiTypes.OBJECT,
            description=bad_request,
            examples=[
                OpenApiExample(
                    "Field errors",
                    value={"email": ["Enter a valid email address."]},
                    response_only=True,
                    status_codes=["400"],
                )
            ],
        )
    if not_found:
        responses[404] = OpenApiResponse(ErrorSerializer, description=not_found)
    return responses


def offering_in_scope(*, user, offering_id) -> Offering:
    """The offering (404 if there is none), refused with 403 outside the token's scope."""
    offering = get_object_or_404(Offering.objects.select_related("course"), pk=offering_id)
    token_scope_check(user=user, course=offering.course)
    return offering


def learner_for_enrolment(*, email: str, full_name: str, offering: Offering) -> User:
    """The account with this e-mail; a new one (no password, invited by e-mail after commit) if
    there is none. An existing account keeps its name: the VLE does not rename people."""
    try:
        learner, _ = learner_get_or_invite(
            email=email,
            full_name=full_name,
            reason=f"You have been enrolled in “{offering.course.title}”.",
        )
        return learner
    except (IntegrityError, DjangoValidationError) as exc:
        # A concurrent request may have created it since the service looked; its savepoint
        # (and the invitation queued in it) has rolled back, so the transaction can go on.
        learner = User.objects.filter(email__iexact=email.strip()).first()
        if learner:
            return learner
        if isinstance(exc, DjangoValidationError):
            renamed = {"full_name": "name"}
            raise ValidationError({renamed.get(k, k): v for k, v in exc.message_dict.items()})
        raise


class EnrolmentPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class OfferingEnrolmentListApi(APIView):
    """The offering's roster with completion flags, for the VLE to sync. Paginated; the number
    of queries does not grow with the cohort."""

    pagination_class = EnrolmentPagination

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        offering = serializers.IntegerField(source="offering_id")
        email = serializers.EmailField(source="learner.email")
        name = serializers.CharField(source="learner.full_name")
        student_id = serializers.CharField()
        enrolled_at = serializers.DateTimeField()
        completed = serializers.BooleanField(source="is_complete")
        completed_at = serializers.DateTimeField(allow_null=True)
        completion_confirmed_at = serializers.DateTimeField(
            allow_null=True,
            help_text="When the course leader confirmed completion, for badges issued by hand.",
        )

        class Meta:
            ref_name = "Enrolment"

    @extend_schema(
        operation_id="offering_enrolments_list",
        summary="List an offering's learners and whether each completed",
        description="The roster, ordered by e-mail, 100 to a page (`page_size` up to 500), with "
        "each learner's completion: for the VLE to sync. `completed` never goes back to false. "
        "Learners withdrawn by the LEADS team are left out.",
        tags=["enrolments"],
        responses={
            200: OutputSerializer(many=True),
            **error_responses(not_found="There is no offering with this id."),
        },
    )
    def get(self, request, offering_id):
        offering = offering_in_scope(user=request.user, offering_id=offering_id)
        enrollments = offering_roster(offering).order_by("learner__email", "id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(enrollments, request, view=self)
        data = OfferingEnrolmentListApi.OutputSerializer(page, many=True).data
        return paginator.get_paginated_response(data)


class OfferingEnrolmentCreateApi(APIView):
    """Enrol a learner, creating their account (without a password) if the e-mail is new.

    Idempotent: enrolling someone already enrolled returns their enrolment unchanged with 200.
    """

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        name = serializers.CharField(max_length=200, help_text="Used only when the account is new.")
        student_id = serializers.CharField(
            max_length=50, required=False, allow_blank=True, default=""
        )

        class Meta:
            ref_name = "EnrolmentCreate"

    OutputSerializer = OfferingEnrolmentListApi.OutputSerializer

    @extend_schema(
        operation_id="offering_enrolments_create",
        summary="Enrol a learner in an offering",
        description="Creates the learner's account if the e-mail is new (without a password; "
        "they are e-mailed a link to set one) and enrols them. Idempotent: enrolling someone "
        "already enrolled returns their enrolment unchanged with 200 (an existing account keeps "
        "its name, an existing enrolment its student id).",
        tags=["enrolments"],
        request=InputSerializer,
        responses={
            201: OpenApiResponse(OutputSerializer, description="Enrolled now."),
            200: OpenApiResponse(
                OutputSerializer, description="Already enrolled; nothing changed."
            ),
            **error_responses(
                bad_request="Field errors (`{field: [messages]}`), or `detail` when the "
                "offering is full.",
                not_found="There is no offering with this id.",
            ),
        },
    )
    def post(self, request, offering_id):
        offering = offering_in_scope(user=request.user, offering_id=offering_id)
        serializer = OfferingEnrolmentCreateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            learner = learner_for_enrolment(
                email=data["email"], full_name=data["name"], offering=offering
            )
            # Hold the offering's row (enrollment_create takes the same lock) so that
            # "already enrolled" below cannot change before the service runs.
            Offering.objects.select_for_update().filter(pk=offering.pk).first()
            created = not Enrollment.objects.filter(offering=offering, learner=learner).exists()
            try:
                enrollment = enrollment_create(
                    offering=offering,
                    learner=learner,
                    acting_user=request.user,
                    student_id=data["student_id"],
                )
            except EnrollmentRefused as exc:
                raise ValidationError({"detail": str(exc)})
        return Response(
            OfferingEnrolmentCreateApi.OutputSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class OfferingEnrolmentsApi(OfferingEnrolmentListApi, OfferingEnrolmentCreateApi):
    """`/offerings/<id>/enrolments` serves two actions on one URL; each keeps its own view above
    (their methods name their own serializers, so combining them here changes nothing)."""
