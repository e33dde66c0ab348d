"""Shared fixtures: users of every role and a logged-in client per role.

Under ``scripts/mutate.py`` (``KEQI_MUTATION_DB`` set) every test session also starts from a copy of
one migrated SQLite database instead of migrating (a mutant costs seconds, not a migration), with
Hypothesis derandomised (a mutant is killed or not, the same in every run) and with no cache carried
over from the process the mutant was forked from (see docs/testing.md).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

PASSWORD = "a-test-password-9"
MUTATION_DB = os.environ.get("KEQI_MUTATION_DB")

hypothesis_settings.register_profile("mutation", derandomize=True, database=None, print_blob=False)
hypothesis_settings.register_profile("fuzz", max_examples=2000, deadline=None)  # KEQI_FUZZ=1 (docs/testing.md)
if MUTATION_DB:
    hypothesis_settings.load_profile("mutation")
elif os.environ.get("KEQI_FUZZ"):
    hypothesis_settings.load_profile("fuzz")


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
                           MEDIA_ROOT=tmp_path / "media",
                           # tests sign users in by the hundred: a fast hash (production keeps Django's default)
                           PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


if MUTATION_DB:
    @pytest.fixture(scope="session")
    def django_db_setup(tmp_path_factory):
        """Mutation runs: the session's database is a copy of the migrated one made by scripts/mutate.py."""
        import shutil

        from django.conf import settings
        from django.db import connections

        folder = tmp_path_factory.mktemp("mutation")
        copy = folder / "db.sqlite3"
        shutil.copyfile(MUTATION_DB, copy)
        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"] = str(copy)
        home = settings.KEQI_HOME
        settings.KEQI_HOME = folder  # no SQL compiled under another mutant is read back (screening.sqlcache)
        _forget_caches()
        yield
        connection.close()
        settings.KEQI_HOME = home

    @pytest.fixture(scope="session", autouse=True)
    def _fresh_caches():
        """A forked mutant must compute again what the process it was forked from had cached."""
        _forget_caches()


def _forget_caches():
    import sys

    for name, module in list(sys.modules.items()):
        if not name.startswith("keqi.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
            elif isinstance(value, dict) and attr.startswith("_") and attr.endswith(("_cache", "_stored")):
                value.clear()


@pytest.fixture
def make_user(db):
    from keqi.accounts.services import ensure_user
    from keqi.registry.services import enterprise_id_of, unit_id_of

    def make(username: str, role: str, unit: str | None = None, uscc: str | None = None, organisation: str = ""):
        if role == "bank_officer" and not organisation:
            organisation = f"{username} 测试银行"  # every bank officer works for a bank
        return ensure_user(username=username, password=PASSWORD, role=role, organisation=organisation,
                           unit_id=unit_id_of(unit) if unit else None,
                           enterprise_id=enterprise_id_of(uscc) if uscc else None)

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
def registrar(make_user):
    """技术合同登记机构 of 渝北区."""
    return make_user("registrar-yubei", "contract_registrar", unit="渝北区")


@pytest.fixture
def nanan_registrar(make_user):
    return make_user("registrar-nanan", "contract_registrar", unit="南岸区")


@pytest.fixture
def bank_officer(make_user):
    return make_user("bank", "bank_officer", organisation="重庆农村商业银行")


@pytest.fixture
def bank_a(make_user):
    return make_user("bank-a", "bank_officer", organisation="重庆银行")


@pytest.fixture
def bank_b(make_user):
    return make_user("bank-b", "bank_officer", organisation="重庆农村商业银行")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing runtime skips the tests that need it; in CI (``CI=true``) it fails them,
    so that they cannot silently stop running (.ci/run installs what they need)."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: these tests must run; .ci/run installs what they need)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole test run (started only if a test asks: ≈10 s)."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        skip_or_fail("pyspark is in the dev extras (make install-dev)")
    if shutil.which("java") is None:
        skip_or_fail("Spark needs a Java runtime (17): apt-get install openjdk-17-jre-headless")
    from keqi.policy import spark

    session = spark.session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
