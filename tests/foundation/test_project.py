"""Project-wide behaviour: sign-in lands each role at home, settings refuse to run half
configured, the health check, and the Owners group."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError
from django.test import Client

from freelancers.access import is_owner
from tests import factories

PASSWORD = "correct horse battery staple"  # the factories' password
PROJECT = Path(__file__).resolve().parents[2]


# --- Sign-in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_sends_an_owner_to_the_dashboard():
    factories.OwnerFactory(username="olivia")
    response = Client().post("/accounts/login/", {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_login_sends_a_freelancer_to_the_portal():
    user = factories.UserFactory(username="fran")
    factories.ApprovedFreelancerFactory(user=user)
    response = Client().post("/accounts/login/", {"username": "fran", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"


@pytest.mark.django_db
def test_a_signed_in_user_opening_the_login_page_goes_home():
    user = factories.UserFactory(username="fran", password=None)
    factories.ApprovedFreelancerFactory(user=user)
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Settings -----------------------------------------------------------------------------


def _django_setup(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_a_missing_secret_key_when_debug_is_off():
    # An empty SECRET_KEY in the environment also wins over any .env file.
    result = _django_setup(DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is required" in result.stderr


def test_settings_load_with_a_secret_key_and_debug_off():
    result = _django_setup(DEBUG="0", SECRET_KEY="a-long-random-production-secret-for-the-test")
    assert result.returncode == 0, result.stderr


def test_settings_refuse_a_bad_number():
    result = _django_setup(DEBUG="1", OWNER_HOURLY_RATE="fifty")
    assert result.returncode != 0
    assert "OWNER_HOURLY_RATE" in result.stderr


# --- Health check -------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_as_json_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "eager", "unavailable")
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down():
    with mock.patch(
        "config.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"


# --- Owners group -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owners_group_exists_with_the_permissions_to_manage_the_network():
    group = Group.objects.get(name="Owners")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    for expected in [
        ("freelancers", "change_freelancer"),
        ("freelancers", "add_clientreview"),
        ("sops", "add_sopversion"),
        ("sops", "view_acknowledgment"),
        ("tasks", "change_task"),
        ("tasks", "add_payment"),
        ("tasks", "change_riskflag"),
    ]:
        assert expected in codenames, expected
    owner = factories.OwnerFactory(password=None)
    assert is_owner(owner)
    assert not is_owner(factories.UserFactory(password=None))
