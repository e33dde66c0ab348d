"""Every role rule, enumerated: each action of ``accounts.scope.RULES`` for each role, as the apps
decided them before the rules were gathered in one Scope (registry, contracts/access.py, credit's
inline checks, targets' and screening's views)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template

from keqi.accounts.models import Role
from keqi.accounts.scope import RULES, Rule, Scope, _rule

CITY, DISTRICT, ENTERPRISE, BANK, REGISTRAR, NONE = (
    "city_admin", "district_officer", "enterprise_user", "bank_officer", "contract_registrar", "none")
ROLES = (CITY, DISTRICT, ENTERPRISE, BANK, REGISTRAR, NONE)

# who may take each action (a bank officer: with its bank's name on the membership)
EXPECTED = {
    "registry.read": {CITY, DISTRICT, ENTERPRISE},
    "registry.write": {CITY, DISTRICT},
    "contracts.read": {CITY, DISTRICT, ENTERPRISE, REGISTRAR},
    "contracts.write": {CITY, REGISTRAR},
    "credit.read": {CITY, DISTRICT, ENTERPRISE, BANK},
    "credit.overview": {CITY, DISTRICT, BANK},
    "credit.lend": {BANK},
    "credit.change_loans": {CITY, BANK},
    "credit.funds": {CITY, DISTRICT},
    "credit.contribute": {CITY},
    "credit.settings": {CITY},
    "targets.read": {CITY, DISTRICT, ENTERPRISE},
    "targets.ranking": {CITY, DISTRICT},
    "targets.allocations": {CITY, DISTRICT},
    "targets.set": {CITY},
    "targets.record_values": {CITY},
    "targets.report": {CITY, DISTRICT},
}
REFUSALS = {  # what a refused user reads (zh-hans)
    "registry.read": "您的角色无权查看企业库。",
    "contracts.write": "您的角色无权登记技术合同。",
    "credit.read": "您的角色无权查看知识价值信用贷款。",
    "credit.settings": "只有市科技局管理员可以修改知识价值信用贷款设置。",
    "targets.report": "您的角色无权查看数读报告。",
}


def scope(role: str, **kw) -> Scope:
    defaults = {"unit_id": 7 if role in (DISTRICT, REGISTRAR) else None,
                "enterprise_id": 3 if role == ENTERPRISE else None,
                "organisation": "重庆银行" if role == BANK else "", "user_id": 1}
    return Scope(role=role, **{**defaults, **kw})


def test_every_rule_is_enumerated():
    assert set(RULES) == set(EXPECTED)
    assert {r.value for r in Role} | {NONE} == set(ROLES)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what(action, role):
    s = scope(role)
    allowed = role in EXPECTED[action]
    assert s.may(action) is allowed
    if allowed:
        s.require(action)
    else:
        with pytest.raises(PermissionDenied):
            s.require(action)


@pytest.mark.parametrize("action", ["credit.lend", "credit.change_loans"])
def test_a_bank_officer_without_a_bank_may_not_lend(action):
    assert scope(BANK, organisation="  ").may(action) is False
    assert scope(BANK).bank == "重庆银行" and scope(CITY, organisation="重庆银行").bank == ""


@pytest.mark.parametrize("action", sorted(REFUSALS))
def test_a_refusal_says_why_in_chinese(action):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        scope(NONE).require(action)
    assert REFUSALS[action] in str(refused.value)


@pytest.mark.parametrize("role", ROLES)
def test_units_a_role_works_on(role):
    s = scope(role)
    assert s.may_write_unit(7) is (role in (CITY, DISTRICT))
    assert s.may_write_unit(8) is (role == CITY)
    assert s.may_register_contracts(7) is (role in (CITY, REGISTRAR))
    assert s.may_register_contracts(8) is (role == CITY)
    assert s.may_register_contracts(None) is (role == CITY)
    assert s.default_contract_unit == (7 if role == REGISTRAR else None)
    assert s.unit_bound is (role in (DISTRICT, REGISTRAR))
    assert s.may_see_firm_contracts(3) is True
    assert s.may_see_firm_contracts(4) is (role != ENTERPRISE)


@pytest.mark.parametrize("role", ROLES)
def test_unit_pages_a_role_may_open(role):
    """A unit's own page (targets, progress): the city any unit's, a district officer only its own, with
    the reason in Chinese."""
    from django.utils import translation

    s = scope(role)
    for unit, allowed in ((7, role in (CITY, DISTRICT)), (8, role == CITY)):
        if allowed:
            s.require_unit_page(unit)
            continue
        with translation.override("zh-hans"), pytest.raises(PermissionDenied, match="^您只能查看本单位。$"):
            s.require_unit_page(unit)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_a_screening(role):
    from django.utils import translation

    s = scope(role)
    if role in (CITY, DISTRICT):
        s.require_screen()
    else:
        with pytest.raises(PermissionDenied):
            s.require_screen()
    # an enterprise user reads the registry but is bound to no unit: told why, in Chinese
    with translation.override("zh-hans"), pytest.raises(PermissionDenied, match="^您的角色无权进行筛选。$"):
        scope(ENTERPRISE, unit_id=None).require_screen()


@pytest.mark.parametrize("role", ROLES)
def test_whose_loans_an_officer_may_change(role):
    """The loan page's buttons: only on a loan of the officer's own bank."""
    s = scope(role)
    assert s.owns_loan("重庆银行") is (role == BANK)
    assert s.owns_loan("重庆农村商业银行") is False
    assert s.owns_loan("") is False
    assert scope(role, organisation=" ").owns_loan("") is False  # a bank officer without a bank owns none


# As whom each role acts on a case (an application, a filing) of firm 3 or 4 in unit 7 or 8, or of no
# unit/firm: every scope below also carries the other kind of id (a unit on a firm's user, a firm on an
# officer's), which must not count for its role.
ACTS = {
    CITY: lambda unit, firm: "city",
    DISTRICT: lambda unit, firm: "district" if unit == 7 else None,
    ENTERPRISE: lambda unit, firm: "firm" if firm == 3 else None,
}


@pytest.mark.parametrize("role", ROLES)
def test_as_whom_a_role_acts_on_a_case(role):
    s = scope(role, unit_id=7, enterprise_id=3)
    for unit in (7, 8, None):
        for firm in (3, 4, None):
            want = ACTS.get(role, lambda unit, firm: None)(unit, firm)
            assert s.actor_for(unit_id=unit, enterprise_id=firm) == want, (role, unit, firm)
    # a scope without a unit or firm acts on no case without one either
    bare = Scope(role=role, user_id=1)
    assert bare.actor_for(unit_id=None, enterprise_id=None) == ("city" if role == CITY else None)


def test_a_rule_is_its_roles_and_its_refusal():
    """RULES are built by _rule (once, at import: the enumeration above checks the table it built)."""
    assert _rule([CITY, DISTRICT, CITY], "不可以") == Rule(frozenset({CITY, DISTRICT}), "不可以", needs_bank=False)
    assert _rule((BANK,), "只有银行", needs_bank=True) == Rule(frozenset({BANK}), "只有银行", needs_bank=True)


def test_an_unknown_action_in_a_template_names_itself():
    with pytest.raises(KeyError, match="nonsense"):
        scope(CITY).can["nonsense"]


@pytest.mark.parametrize("role", ROLES)
def test_templates_ask_the_same_rules(role):
    s = scope(role)
    text = Template("{% if scope.can.contracts.read %}c{% endif %}{% if scope.can.credit.overview %}k{% endif %}"
                    "{% if scope.can.targets.report %}r{% endif %}{% if scope.can.nonsense.rule %}x{% endif %}"
                    ).render(Context({"scope": s}))
    assert text == ("c" if role in EXPECTED["contracts.read"] else "") + (
        "k" if role in EXPECTED["credit.overview"] else "") + ("r" if role in EXPECTED["targets.report"] else "")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_row_filters_per_role(role, make_user, tmp_path):
    """The firms, units and contract units each role sees, by the rows they keep."""
    import polars as pl

    from keqi.accounts.scope import SYSTEM, scope_for
    from keqi.registry import flows
    from keqi.registry.models import Enterprise, ReportingUnit

    from support import report_rows, write_file

    rows = pl.concat([report_rows(3, unit="渝北区", seed=1), report_rows(2, unit="南岸区", seed=2)])
    flows.run_import(path=write_file(tmp_path / "seed.xlsx", rows), scope=SYSTEM)

    yubei = ReportingUnit.objects.get(name="渝北区")
    firm = Enterprise.objects.filter(reporting_unit=yubei).order_by("uscc").first()
    user = make_user(f"u-{role}", role if role != NONE else CITY,
                     unit="渝北区" if role in (DISTRICT, REGISTRAR) else None,
                     uscc=firm.uscc if role == ENTERPRISE else None)
    s = scope_for(user) if role != NONE else Scope(role=NONE, user_id=user.pk)
    firms = s.enterprises(Enterprise.objects.all())
    units = s.units(ReportingUnit.objects.all())
    if role == CITY:
        assert firms.count() == Enterprise.objects.count() and units.count() == ReportingUnit.objects.count()
    elif role == DISTRICT:
        assert set(firms.values_list("reporting_unit", flat=True)) == {yubei.pk}
        assert list(units) == [yubei]
    elif role == ENTERPRISE:
        assert list(firms) == [firm] and not units.exists()
    else:
        assert not firms.exists() and not units.exists()
    credit_firms = s.credit_firms(Enterprise.objects.all())
    assert credit_firms.count() == (Enterprise.objects.count() if role == BANK else firms.count())
    contract_units = s.contract_units(ReportingUnit.objects.all())
    assert contract_units.count() == {CITY: ReportingUnit.objects.count(), DISTRICT: 1, REGISTRAR: 1}.get(role, 0)
