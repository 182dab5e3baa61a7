from django.conf import settings


def centre(request):
    """The site's and the centre's names, which every page shows."""
    return {"SITE_NAME": settings.SITE_NAME, "CENTRE_NAME": settings.CENTRE_NAME}
