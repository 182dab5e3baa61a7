"""The VLE's results API: record a learner's result in an assessment and report completion.

The view checks the token's scope, finds the enrollment and the assessment the body names, and
calls `record_result`; the rules (history, idempotency, completion) live in the service.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_tokens import token_scope_allows, token_scope_check
from courses.api import error_responses
from courses.models import Enrollment, Offering

from .models import Assessment, AssessmentRecord
from .services import RecordRefused, may_record, record_result


def result_scope_check(*, user, offering) -> None:
    """A token records results on its unit's courses (or any, for a LEADS admin), and also where
    its account may record them as an instructor of the offering (accounts/api_tokens.py)."""
    in_scope = token_scope_allows(user=user, course=offering.course) or may_record(
        user=user, offering=offering
    )
    token_scope_check(user=user, course=offering.course, also_allowed=in_scope)


def assessment_by_id_or_title(*, course_id, value: str) -> Assessment:
    """The course's assessment with this id, or else with this title (whatever its case)."""
    value = value.strip()
    assessments = Assessment.objects.filter(course_id=course_id)
    if value.isdigit():
        found = assessments.filter(pk=int(value)).first()
        if found:
            return found
    matches = list(assessments.filter(title__iexact=value)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValidationError(
            {"assessment": [f"This course has several assessments called “{value}”; give its id."]}
        )
    titles = ", ".join(f"{a.title} (id {a.pk})" for a in assessments) or "none"
    raise ValidationError(
        {"assessment": [f"This course has no assessment “{value}”. Its assessments: {titles}."]}
    )


class ResultRecordApi(APIView):
    """Record a learner's result in one assessment of their offering's course.

    Idempotent: the same result again (same result, score, evidence and feedback) changes
    nothing and returns the current record with 200. A different one is kept as a new record and
    the earlier one stays in the history. `completed` says whether the learner has now completed
    the course (every learning outcome shown by a passed summative assessment).
    """

    class InputSerializer(serializers.Serializer):
        offering = serializers.IntegerField(min_value=1, help_text="The offering's id.")
        email = serializers.EmailField(max_length=254, help_text="The enrolled learner's e-mail.")
        assessment = serializers.CharField(
            max_length=200, help_text="The assessment's id, or its title within the course."
        )
        result = serializers.ChoiceField(choices=AssessmentRecord.Result.choices)
        score = serializers.DecimalField(
            max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True
        )
        evidence_url = serializers.URLField(
            max_length=500, required=False, allow_blank=True, default=""
        )
        evidence_text = serializers.CharField(
            required=False, allow_blank=True, default="", trim_whitespace=False
        )
        feedback = serializers.CharField(
            required=False, allow_blank=True, default="", trim_whitespace=False
        )
        assessed_on = serializers.DateField(
            required=False, allow_null=True, help_text="Defaults to today."
        )

        class Meta:
            ref_name = "ResultRecord"

    class OutputSerializer(serializers.Serializer):
        class AssessmentSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            title = serializers.CharField()

            class Meta:
                ref_name = "ResultAssessment"

        id = serializers.IntegerField()
        offering = serializers.IntegerField(source="enrollment.offering_id")
        email = serializers.EmailField(source="enrollment.learner.email")
        assessment = AssessmentSerializer()
        result = serializers.CharField()
        score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
        evidence_url = serializers.CharField()
        evidence_text = serializers.CharField()
        feedback = serializers.CharField()
        assessed_on = serializers.DateField()
        recorded_at = serializers.DateTimeField()
        source = serializers.CharField()
        completed = serializers.BooleanField(
            source="enrollment.is_complete",
            help_text="Whether the learner has completed the course (after this result).",
        )
        completed_at = serializers.DateTimeField(source="enrollment.completed_at", allow_null=True)

        class Meta:
            ref_name = "Result"

    @extend_schema(
        operation_id="results_record",
        summary="Record a learner's result in an assessment",
        tags=["results"],
        request=InputSerializer,
        responses={
            201: OpenApiResponse(OutputSerializer, description="Recorded."),
            200: OpenApiResponse(
                OutputSerializer, description="The same result was already recorded."
            ),
            **error_responses(
                bad_request="Field errors (`{field: [messages]}`): malformed values, no such "
                "offering, a learner not enrolled in it, or an assessment the course does not "
                "have."
            ),
        },
    )
    def post(self, request):
        serializer = ResultRecordApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        offering = Offering.objects.select_related("course").filter(pk=data["offering"]).first()
        if offering is None:
            raise ValidationError({"offering": [f"There is no offering {data['offering']}."]})
        result_scope_check(user=request.user, offering=offering)
        enrollment = Enrollment.objects.filter(
            offering=offering, learner__email__iexact=data["email"]
        ).first()
        if enrollment is None:
            raise ValidationError(
                {"email": [f"{data['email']} is not enrolled in offering {offering.pk}."]}
            )
        assessment = assessment_by_id_or_title(
            course_id=offering.course_id, value=data["assessment"]
        )

        with transaction.atomic():
            # Lock as record_result does, so "was it new?" is answered about the same state.
            enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
            before = (
                AssessmentRecord.objects.filter(
                    enrollment=enrollment, assessment=assessment, is_current=True
                )
                .values_list("pk", flat=True)
                .first()
            )
            try:
                record = record_result(
                    enrollment=enrollment,
                    assessment=assessment,
                    result=data["result"],
                    acting_user=request.user,
                    assessed_on=data.get("assessed_on"),
                    score=data.get("score"),
                    evidence_url=data["evidence_url"],
                    evidence_text=data["evidence_text"],
                    feedback=data["feedback"],
                    source=AssessmentRecord.Source.API,
                )
            except RecordRefused as exc:
                raise ValidationError({"detail": str(exc)})
        record.enrollment = Enrollment.objects.select_related("learner").get(pk=enrollment.pk)
        return Response(
            ResultRecordApi.OutputSerializer(record).data,
            status=status.HTTP_200_OK if record.pk == before else status.HTTP_201_CREATED,
        )
