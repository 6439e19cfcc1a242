"""Security headers on every response, and the health check."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_responses_carry_the_security_headers(path):
    response = Client().get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_anonymous_users_are_sent_to_login():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_favicon_is_public():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert "favicon" in response["Location"]
