"""The Content-Security-Policy header, built once per process.

django-csp builds the header from the settings for every response, a third of a millisecond: as
much as serving a kept verification page from Redis (BENCHMARKS.md). No view of ours tailors the
policy (no nonce, no csp_update/csp_replace/csp_exempt), so the header is the same text every
time; a response or request that does tailor it goes through django-csp unchanged.
"""

from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_TAILORING = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
_built: dict[bool, str] = {}


def _tailored(request, response) -> bool:
    if getattr(request, "_csp_nonce", None) is not None:
        return True
    return any(hasattr(response, name + suffix) for name in _TAILORING for suffix in ("", "_ro"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if _tailored(request, response) or HEADER in response or HEADER_REPORT_ONLY in response:
            return super().process_response(request, response)
        if self._excluded(request):
            return super().process_response(request, response)
        for report_only, header in ((False, HEADER), (True, HEADER_REPORT_ONLY)):
            policy = self._site_policy(request, response, report_only)
            if policy:
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _site_policy(self, request, response, report_only):
        if report_only not in _built:
            parts = self.get_policy_parts(
                request=request, response=response, report_only=report_only
            )
            _built[report_only] = build_policy(**asdict(parts), report_only=report_only)
        return _built[report_only]

    @staticmethod
    def _excluded(request) -> bool:
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if prefixes and request.path_info.startswith(tuple(prefixes)):
                return True
        return False


@receiver(setting_changed)
def _forget_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()
