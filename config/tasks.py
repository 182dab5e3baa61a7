"""Tasks that belong to the running centre rather than to one app."""

from celery import shared_task
from django.db import connection


@shared_task(name="centre.ping")
def ping():
    """Answer from a worker with the database it uses, so a health check proves the round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": True, "database": str(connection.settings_dict["NAME"])}
