import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

from .factories import PASSWORD, UserFactory, make_dean

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password}, follow=True)


def test_sign_in_is_case_insensitive_and_lands_on_the_dashboard(client):
    UserFactory(email="ayesha@example.org", full_name="Ayesha Malik")
    response = sign_in(client, "AYESHA@Example.org")
    assert response.redirect_chain[-1][0] == reverse("accounts:dashboard")
    assert "Welcome, Ayesha" in response.content.decode()


def test_wrong_password_says_so_without_naming_which_part_was_wrong(client):
    UserFactory(email="ayesha@example.org")
    response = sign_in(client, "ayesha@example.org", "not-the-password")
    page = response.content.decode()
    assert "do not match an account" in page
    unknown = sign_in(client, "nobody@example.org", "not-the-password").content.decode()
    assert "do not match an account" in unknown
    assert "_auth_user_id" not in client.session


def test_dashboard_shows_one_panel_per_role_held(client):
    dean = make_dean(is_course_leader=True, is_learner=False)
    sign_in(client, dean.email)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-role="course_leader"' in page
    assert 'data-role="dean"' in page
    assert 'data-role="learner"' not in page
    assert 'data-role="leads_admin"' not in page


def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_reset_mails_a_working_link_built_from_site_url(client, settings):
    settings.SITE_URL = "https://centre.example"
    UserFactory(email="ayesha@example.org")
    response = client.post(
        reverse("password_reset"), {"email": "Ayesha@example.org"}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https://centre\.example(/accounts/reset/\S+)", body).group(1)
    assert "evil.example" not in body

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert User.objects.get(email="ayesha@example.org").check_password("a-new-long-passphrase")


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    UserFactory(email="ayesha@example.org")
    known = client.post(reverse("password_reset"), {"email": "ayesha@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert len(mail.outbox) == 1


def test_pages_use_local_assets_only(client):
    page = client.get(reverse("home")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    # Stylesheets and scripts come from this site: the centre works with no internet.
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)


def test_an_invited_person_who_never_set_a_password_can_ask_for_a_new_link(client):
    from accounts.services import user_create

    user_create(email="invited@example.org", full_name="Invited Learner")  # no password
    client.post(reverse("password_reset"), {"email": "invited@example.org"})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
