"""The API's OpenAPI schema, and its docs page served from this site alone under the CSP."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("/api/v1/offerings/{offering_id}/enrolments", "get"),
    ("/api/v1/offerings/{offering_id}/enrolments", "post"),
    ("/api/v1/results", "post"),
}


def test_the_schema_is_valid_openapi_3_and_describes_every_endpoint():
    response = APIClient().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on anything the OpenAPI 3 JSON Schema refuses

    operations = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) >= ENDPOINTS
    for key in ENDPOINTS:
        operation = operations[key]
        assert operation["summary"] and operation["description"]
        assert operation["security"] == [{"tokenAuth": []}]
        assert {"401", "403"} <= set(operation["responses"])
    for key in ENDPOINTS - {("/api/v1/offerings/{offering_id}/enrolments", "get")}:
        assert "requestBody" in operations[key]
        assert {"200", "201", "400"} <= set(operations[key]["responses"])
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


class References(HTMLParser):
    """Every URL the page loads or links to, and the bodies of its <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [attrs[name] for name in ("src", "href") if attrs.get(name)]
        if tag in ("script", "style"):
            self._in = tag
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline.append(f"{tag} attribute")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in and data.strip():
            self.inline.append(f"{self._in}: {data.strip()[:60]}")


def test_the_docs_page_loads_everything_from_this_site_and_nothing_inline():
    response = APIClient().get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    page = References()
    page.feed(html)

    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, re.IGNORECASE)
    assert page.inline == []  # the CSP refuses inline scripts and styles
    assert page.urls
    script_url = reverse("api-docs") + "?script="
    assets = [url for url in page.urls if url != script_url]
    assert len(assets) == len(page.urls) - 1  # the start-up script comes from the docs view
    for url in assets:
        assert url.startswith("/static/drf_spectacular_sidecar/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_docs_start_up_script_is_served_as_javascript_and_points_at_the_schema():
    response = APIClient().get(reverse("api-docs") + "?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert 'url: "/api/v1/schema/"' in script
    assert "validatorUrl" in script  # switched off: no badge from another origin
    assert not re.search(r"https?://", script)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_every_endpoint_under_the_csp(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    refused, foreign = [], []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith((page.base_url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(page.base_url + reverse("api-docs"))
    expect(page.get_by_text("Record a learner's result in an assessment")).to_be_visible()
    expect(page.get_by_text("Enrol a learner in an offering")).to_be_visible()
    expect(
        page.get_by_text("List an offering's learners and whether each completed")
    ).to_be_visible()
    page.get_by_text("Record a learner's result in an assessment").click()
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()  # its responses, opened
    assert refused == []
    assert foreign == []
