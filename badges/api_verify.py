"""POST /api/v1/verify: the /verify/ page's result as JSON, for anyone, rate-limited."""

import json

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsers import BoundedJSONParser, json_refusal

from .verification import MAX_INPUT_BYTES
from .views_verify import rate_limited, run


class CheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["pass", "fail", "warn", "unknown"])
    reason = serializers.CharField()
    code = serializers.CharField(allow_blank=True)


class BoundedJSONField(serializers.JSONField):
    """A JSON value. Sent as a multipart form field it arrives as text, which DRF's JSONField
    hands to json.loads: it is checked first, as BoundedJSONParser checks a body."""

    default_error_messages = {"costly": "The JSON {refusal}."}

    def to_internal_value(self, data):
        refusal = json_refusal(data) if isinstance(data, str) else None
        if refusal:
            self.fail("costly", refusal=refusal)
        return super().to_internal_value(data)


class VerifyApi(APIView):
    """Verify a badge: a baked image or file (multipart `file`), or JSON with `credential` (an
    object), `text` (JSON, a compact JWT or one of our badge URLs) — plus an optional
    `recipient_email` to check who earned it (any format). Nothing is stored or fetched."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(required=False)
        text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_INPUT_BYTES)
        credential = BoundedJSONField(required=False)
        recipient_email = serializers.EmailField(required=False, allow_blank=True)

        def validate(self, attrs):
            if not (attrs.get("file") or attrs.get("text") or attrs.get("credential")):
                raise serializers.ValidationError("Give a file, text or a credential to verify.")
            upload = attrs.get("file")
            if upload and upload.size > MAX_INPUT_BYTES:
                raise serializers.ValidationError({"file": "The file is larger than 2 MB."})
            return attrs

    class OutputSerializer(serializers.Serializer):
        format = serializers.CharField()
        verdict = serializers.ChoiceField(
            choices=["valid", "invalid", "revoked", "expired", "not_yet_valid", "unverifiable"]
        )
        summary = serializers.CharField()
        checks = CheckSerializer(many=True)
        issuer = serializers.DictField()
        achievement = serializers.DictField()
        recipient = serializers.DictField()
        results = serializers.ListField()
        issued_on = serializers.CharField(allow_null=True)
        expires_on = serializers.CharField(allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, 400: None, 429: None},
        examples=[OpenApiExample("A badge URL", value={"text": "https://…/public/assertions/…"})],
        summary="Verify a badge or credential",
    )
    def post(self, request):
        wait = rate_limited(request, scope="verify-api")
        if wait:
            return Response(
                {"detail": "Too many verifications from this address; wait a minute."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        text = data.get("text") or ""
        if "credential" in data:
            text = json.dumps(data["credential"])
        report = run(
            upload=data.get("file"), text=text, recipient_email=data.get("recipient_email") or ""
        )
        return Response(self.OutputSerializer(report.as_dict()).data)
