"""LinkedIn's "Add to profile" link for a certification, prefilled from a badge.

The parameters are those of LinkedIn's Add to Profile for certifications: `startTask`
CERTIFICATION_NAME, `name`, `organizationId` or `organizationName`, `issueYear` and `issueMonth`,
`expirationYear` and `expirationMonth`, `certUrl` and `certId`. Nothing is sent to LinkedIn
until the learner follows the link, so the page itself loads nothing from LinkedIn.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(
    *,
    name: str,
    organization_name: str,
    issued_on: datetime,
    expires_on: datetime | None,
    cert_url: str,
    cert_id: str,
    organization_id: str | int | None = None,
) -> str:
    """The add-to-profile URL. With an `organization_id` (the centre's LinkedIn page) LinkedIn
    shows the centre's logo; without one it shows the organisation's name as given."""
    issued = timezone.localtime(issued_on) if timezone.is_aware(issued_on) else issued_on
    params = {"startTask": "CERTIFICATION_NAME", "name": name}
    if organization_id:
        params["organizationId"] = str(organization_id)
    else:
        params["organizationName"] = organization_name
    params |= {"issueYear": issued.year, "issueMonth": issued.month}
    if expires_on is not None:
        expires = timezone.localtime(expires_on) if timezone.is_aware(expires_on) else expires_on
        params |= {"expirationYear": expires.year, "expirationMonth": expires.month}
    params |= {"certUrl": cert_url, "certId": cert_id}
    return f"{ADD_TO_PROFILE}?{urlencode(params)}"


def add_to_profile_url_for(assertion, *, verification_url: str) -> str:
    """The link for one issued badge: its verification page is the credential URL, so whoever
    follows it from LinkedIn sees the badge's status as it is now. With LINKEDIN_ORGANIZATION_ID
    set the certification is tied to the centre's LinkedIn page (and shows its logo)."""
    version = assertion.badge_version  # the badge as issued
    return add_to_profile_url(
        name=version.name,
        organization_name=version.issuer_name,
        organization_id=settings.LINKEDIN_ORGANIZATION_ID,
        issued_on=assertion.issued_on,
        expires_on=assertion.expires_on,
        cert_url=verification_url,
        cert_id=str(assertion.pk),
    )
