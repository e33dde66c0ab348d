"""Roles are enforced in the service layer, whatever front calls it."""

import pytest
from django.core.exceptions import PermissionDenied

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.accounts.services import ensure_user
from keqi.registry import flows, services
from keqi.registry.models import Enterprise
from keqi.registry.services import enterprise_id_of, unit_id_of

from support import report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(tmp_path):
    import polars as pl

    rows = pl.concat([report_rows(2, unit="渝北区", seed=1), report_rows(3, unit="南岸区", seed=2)])
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows), scope=SYSTEM)
    return rows


def visible(user):
    return set(services.enterprises(scope=scope_for(user)).values_list("reporting_unit__name", flat=True))


def test_each_role_reads_its_own_slice(firms, city_admin, yubei_officer, make_user):
    assert visible(city_admin) == {"渝北区", "南岸区"}
    assert visible(yubei_officer) == {"渝北区"}
    firm = Enterprise.objects.filter(reporting_unit__name="南岸区").first()
    user = make_user("firm", "enterprise_user", uscc=firm.uscc)
    assert list(services.enterprises(scope=scope_for(user))) == [firm]


@pytest.mark.parametrize("role", ["bank_officer", "contract_registrar"])
def test_other_roles_cannot_read_the_registry_yet(firms, make_user, role):
    user = make_user(role, role, unit="渝北区")
    with pytest.raises(PermissionDenied):
        services.enterprises(scope=scope_for(user))


def test_user_without_role_or_anonymous_sees_nothing(firms, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    plain = django_user_model.objects.create_user("plain", password="x")
    for user in (plain, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.enterprises(scope=scope_for(user))


def test_ensure_user_is_idempotent_and_validates(db):
    ensure_user(username="u", password="p", role="district_officer", unit_id=unit_id_of("500112"))
    user = ensure_user(username="u", password="q", role="district_officer", unit_id=unit_id_of("渝北区"))
    assert user.membership.reporting_unit.name == "渝北区" and user.check_password("q")
    with pytest.raises(ValueError):
        ensure_user(username="v", password="p", role="district_officer")
    with pytest.raises(ValueError):
        ensure_user(username="w", password="p", role="wizard")
    with pytest.raises(ValueError, match="未知的区县或功能区：火星区"):
        unit_id_of("火星区")
    with pytest.raises(ValueError, match="系统中没有企业"):
        enterprise_id_of("91500000MA5U000000")


def test_a_bank_officer_needs_a_bank(db):
    with pytest.raises(ValueError):
        ensure_user(username="b", password="p", role="bank_officer")
    user = ensure_user(username="b", password="p", role="bank_officer", organisation="示例银行")
    assert user.membership.organisation == "示例银行"
