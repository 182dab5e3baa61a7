"""``{% edc_downloads assertion %}``: a badge's European Digital Credential files (sealed and
uploadable to Europass), with what the seal is; nothing for a revoked badge (its EDC URLs answer
410 Gone, views_edc.py)."""

from django import template
from django.utils.text import slugify

from badges import edc

register = template.Library()


@register.inclusion_tag("badges/_edc_downloads.html")
def edc_downloads(assertion, style="page"):
    if assertion.revoked:
        return {"show": False}
    stem = slugify(assertion.badge_version.name)[:60] or "badge"
    return {
        "show": True,
        "style": style,
        "links": edc.edc_links(assertion),
        "seal": edc.seal_state(),
        "stem": stem,
    }
