from django import template

from sso.providers import providers

register = template.Library()


@register.inclusion_tag("sso/_sign_in_buttons.html")
def sso_sign_in_buttons(next_url=""):
    """One button per identity provider, by the name people know it by."""
    return {"providers": list(providers().values()), "next": next_url}
