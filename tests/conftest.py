"""Personas shared by every test: an owner, a freelancer, another freelancer, an admin.

Log in with ``client.force_login`` (django-axes needs a request for ``client.login``).
"""

import os

import pytest

from tests import factories


@pytest.fixture
def owner(db):
    return factories.OwnerFactory(username="olivia", first_name="Olivia")


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def freelancer(db):
    """Approved freelancer Fran, with a portal login."""
    user = factories.UserFactory(username="fran")
    return factories.ApprovedFreelancerFactory(name="Fran Lopez", user=user)


@pytest.fixture
def other_freelancer(db):
    user = factories.UserFactory(username="otto")
    return factories.ApprovedFreelancerFactory(name="Otto Berg", user=user)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def freelancer_client(client, freelancer):
    client.force_login(freelancer.user)
    return client


@pytest.fixture
def other_freelancer_client(client, other_freelancer):
    client.force_login(other_freelancer.user)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def require_service(name: str, reason: str):
    """Fail under CI=true when a required service is missing; elsewhere skip with the reason."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_jobs_in_process():
    """Jobs run in-process in tests even when CELERY_BROKER_URL is set (as in CI).

    Only the worker integration tests talk to the real broker: they turn this off for their
    own duration (and the broker URL stays in the environment for them).
    """
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_acknowledgment_guard():
    """Transactional tests (the browser tests) end by emptying every table; the database guard
    on acknowledgements (sops migration 0002) refuses TRUNCATE and DELETE. Lift it for that
    flush only, and put it back straight after."""
    import importlib
    from contextlib import contextmanager

    from django.db import connections
    from django.test import TransactionTestCase

    guard = importlib.import_module("sops.migrations.0002_acknowledgment_immutable")
    original = TransactionTestCase._fixture_teardown

    @contextmanager
    def lifted(connection):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE sops_acknowledgment DISABLE TRIGGER USER")
            try:
                yield
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("ALTER TABLE sops_acknowledgment ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for statement in guard.SQLITE_BACKWARD:
                    cursor.execute(statement)
            try:
                yield
            finally:
                with connection.cursor() as cursor:
                    for statement in guard.SQLITE_FORWARD:
                        cursor.execute(statement)
        else:
            yield

    def teardown(self):
        with lifted(connections["default"]):
            original(self)

    TransactionTestCase._fixture_teardown = teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 is slow on purpose; tests create many users. tests/security checks that the real
    settings hash with Argon2 (it restores them with the ``settings`` fixture)."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    production = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    yield
    settings.PASSWORD_HASHERS = production
    get_hashers.cache_clear()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the dashboard caches its flag figures)."""
    from django.core.cache import cache

    cache.clear()
    yield
