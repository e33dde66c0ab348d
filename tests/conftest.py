"""Shared fixtures: users of every role and a logged-in client per role."""

from __future__ import annotations

import pytest

PASSWORD = "a-test-password-9"


@pytest.fixture(autouse=True)
def _isolated(request, tmp_path):
    """Background tasks run inline, and uploads land in a temporary folder.

    Pure tests (the policy package, the synthetic population) also run without Django
    (``pytest -p no:django``); they skip this.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.test import override_settings

    # Not pytest-django's ``settings`` fixture: a test may have a parameter of that name.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
                           MEDIA_ROOT=tmp_path / "media"):
        yield


@pytest.fixture
def make_user(db):
    from keqi.accounts.services import ensure_user

    def make(username: str, role: str, unit: str | None = None, uscc: str | None = None, organisation: str = ""):
        if role == "bank_officer" and not organisation:
            organisation = f"{username} 测试银行"  # every bank officer works for a bank
        return ensure_user(username=username, password=PASSWORD, role=role, unit=unit, uscc=uscc,
                           organisation=organisation)

    return make


@pytest.fixture
def city_admin(make_user):
    return make_user("city", "city_admin")


@pytest.fixture
def yubei_officer(make_user):
    return make_user("yubei", "district_officer", unit="渝北区")


@pytest.fixture
def nanan_officer(make_user):
    return make_user("nanan", "district_officer", unit="南岸区")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole test run (started only if a test asks: ≈10 s)."""
    pytest.importorskip("pyspark", reason="pyspark is in the dev extras")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (17)")
    from keqi.policy import spark

    session = spark.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
