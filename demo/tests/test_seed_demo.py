import pytest
from django.apps import apps
from django.core.management import call_command

from demo.people import DEMO_PASSWORD, PEOPLE

pytestmark = pytest.mark.django_db


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_demo_twice_changes_nothing_the_second_time(capsys):
    call_command("seed_demo")
    first = row_counts()
    call_command("seed_demo")
    assert row_counts() == first
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert "Worth opening:" in out


def test_every_demo_person_can_sign_in_with_the_printed_password(client):
    call_command("seed_demo")
    for person in PEOPLE:
        assert client.login(username=person.email, password=DEMO_PASSWORD), person.email
        client.logout()
