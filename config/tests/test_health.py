import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_cache(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


@pytest.mark.worker
def test_health_sees_a_real_worker_and_the_worker_uses_our_database(celery_worker, client):
    from django.db import connection

    from config.tasks import ping

    reply = ping.delay().get(timeout=20)
    assert reply == {"pong": True, "database": connection.settings_dict["NAME"]}

    body = client.get(reverse("health") + "?worker=1").json()
    assert body["tasks"] == "worker"
    assert body["checks"]["worker"]["ok"] is True
