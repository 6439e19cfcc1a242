"""Sign-in hardening: Argon2, account lockout that a forged X-Forwarded-For cannot dodge,
a new session key at login, and a logout that ends the session on the server."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.test import Client

from tests.factories import OwnerFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings):
    from config.settings import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS  # the suite swaps in a fast hasher
    owner = OwnerFactory()
    assert identify_hasher(owner.password).algorithm == "argon2"


def test_login_changes_the_session_key():
    OwnerFactory(username="olivia")
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post("/accounts/login/", {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before


def test_logout_ends_the_session_on_the_server():
    OwnerFactory(username="olivia")
    client = Client()
    client.post("/accounts/login/", {"username": "olivia", "password": PASSWORD})
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302  # back to the login page


def test_repeated_failures_lock_the_account_even_with_forged_forwarded_for(settings):
    OwnerFactory(username="olivia")
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "olivia", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    # The right password from yet another forged address is still refused: the account is locked.
    response = client.post(
        "/accounts/login/",
        {"username": "olivia", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_failed_login_says_so_and_keeps_the_username():
    OwnerFactory(username="olivia")
    response = Client().post("/accounts/login/", {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="olivia"' in response.content
