"""The one verifier (badges/verification.py) as the tests call it: on this site's sources."""

from badges import verification
from badges.verification_sources import SiteSources


def credential_report(credential, **options) -> verification.Report:
    return verification.verify_credential(credential, sources=SiteSources(), **options)


def jwt_report(token, **options) -> verification.Report:
    return verification.verify_jwt(token, sources=SiteSources(), **options)
