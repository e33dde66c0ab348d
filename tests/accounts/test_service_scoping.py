"""Every role against every reading service: what each service itself returns (not a page) is exactly
the slice the role may see. Two districts with firms, loans, contracts, screening runs, tasks and
funds in each; each service is asked by each kind of user, and the answer is compared with the
rules written in the services' docstrings (accounts.scope, contracts.access, credit.services):

- city administrator: everything;
- district officer: its own reporting unit only (firms, loans, contracts, runs, tasks, fund, units);
- enterprise user: its own firm (the contracts it sold or bought, its loans), no unit;
- bank officer: the loans of its own bank (any unit), no registry;
- contract registrar: the contracts of its own unit, no registry and no credit;
- a user without a role, and an anonymous visitor: nothing.

(The HTTP side — every URL and API operation for every role — is tests/security's enumeration.)
"""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from keqi.accounts.models import Membership
from keqi.accounts.scope import SYSTEM, Scope, scope_for
from keqi.applications import services as applications
from keqi.applications.models import AnnualFiling
from keqi.contracts import services as contracts
from keqi.contracts.categories import CATEGORIES
from keqi.contracts.models import ContractImport, TechContract
from keqi.credit import services as credit
from keqi.credit.models import Loan
from keqi.pipeline import services as pipeline
from keqi.pipeline.models import CultivationTask
from keqi.policy import workflows
from keqi.registry import flows
from keqi.registry import services as registry
from keqi.registry.models import Enterprise, ReportingUnit
from keqi.screening import services as screening
from keqi.screening.models import ScreeningRun
from keqi.targets import services as targets

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)
DENIED = "denied"
NOT_FOUND = "not found"
ROLES = ["city", "yubei", "nanan", "firm", "bank", "registrar", "nobody", "anonymous"]


@pytest.fixture
def world(tmp_path, make_user):
    """渝北区: firms A and B; 南岸区: firm N. In each unit a loan of 重庆银行, a contract and a task; a
    contract A bought from N registered in 南岸区; a screening run of each unit and one of the city;
    a fund contribution to each unit."""
    yubei_rows = report_rows(2, unit="渝北区", years=(2023, 2024), seed=301)
    nanan_rows = report_rows(1, unit="南岸区", years=(2023, 2024), seed=302)
    reports = pl.concat([yubei_rows, nanan_rows])
    quals = qualification_rows(reports, kind="科技型企业入库").with_columns(pl.lit(None, dtype=pl.Date).alias("valid_to"))
    assert flows.run_import(path=write_file(tmp_path / "w.xlsx", reports, quals), scope=SYSTEM).applied
    a, b = yubei_rows["uscc"].unique(maintain_order=True).to_list()
    (n,) = nanan_rows["uscc"].unique().to_list()
    firms = {code: Enterprise.objects.get(uscc=code) for code in (a, b, n)}
    units = {name: ReportingUnit.objects.get(name=name) for name in ("渝北区", "南岸区")}
    users = {
        "city": make_user("city", "city_admin"),
        "yubei": make_user("yubei", "district_officer", unit="渝北区"),
        "nanan": make_user("nanan", "district_officer", unit="南岸区"),
        "firm": make_user("firm", "enterprise_user", uscc=a),
        "bank": make_user("bank", "bank_officer", organisation="重庆银行"),
        "registrar": make_user("registrar", "contract_registrar", unit="渝北区"),
        "nobody": get_user_model().objects.create_user("nobody", password="x-password-1"),
    }
    loans = {}
    for code, bank in ((a, "重庆银行"), (n, "重庆银行"), (b, "重庆农村商业银行")):
        f = firms[code]
        loans[code] = Loan.objects.create(enterprise=f, reporting_unit_id=f.reporting_unit_id, bank=bank,
                                          amount=100_000, annual_rate=Decimal("0.03"), lpr_at_grant=Decimal("0.03"),
                                          granted_on=DAY, due_on=DAY + dt.timedelta(days=300), grade="C",
                                          credit_line=3_000_000)
    category, subs = next(iter(CATEGORIES.items()))

    def contract(number, seller, buyer_code, unit):
        return TechContract.objects.create(
            number=number, title="技术开发合同", category=category, sub_kind=subs[0], seller_uscc=seller.uscc,
            seller_name=seller.name, seller=seller, buyer_uscc=buyer_code, buyer_name="买方", signed_on=DAY,
            registered_on=DAY, contract_amount=1_000_000, technical_amount=800_000, reporting_unit=unit)

    contract("2025500112000001", firms[b], n, units["渝北区"])
    contract("2025500108000001", firms[n], a, units["南岸区"])  # A buys from N, registered in 南岸区
    contract("2025500108000002", firms[n], "91500108MA5U000000", units["南岸区"])
    runs = {}
    for key, unit in (("渝北区", units["渝北区"]), ("南岸区", units["南岸区"]), ("city", None)):
        runs[key] = ScreeningRun.objects.create(requested_by=users["city"], assess_on=DAY, reporting_unit=unit,
                                                status=ScreeningRun.Status.COMPLETE)
    for code in (a, b, n):
        CultivationTask.objects.create(enterprise=firms[code], kind="visit", title=f"走访{code[-4:]}",
                                       assigned_to=users["city"], created_by=users["city"], due_on=DAY)
    for unit in units.values():
        credit.contribute(scope=SYSTEM, unit_id=unit.pk, amount=1_000_000, on=DAY)
    wf, now = workflows.resolve(workflows.FILING, DAY), dt.datetime(2025, 6, 30, 9, tzinfo=dt.UTC)
    for code in (a, b, n):  # each firm's 2024 annual filing, a draft (a case of its firm and unit)
        f = firms[code]
        AnnualFiling.objects.create(enterprise=f, reporting_unit_id=f.reporting_unit_id, workflow=wf.id,
                                    state=wf.initial, state_since=now, updated_at=now, created_by=users["city"],
                                    fiscal_year=2024)
    for who in ("registrar", "city"):  # a contract file each, uploaded and not registered yet
        ContractImport.objects.create(uploaded_by=users[who], file=f"contract-imports/{who}.xlsx",
                                      original_name=f"{who}.xlsx")
    return {"a": a, "b": b, "n": n, "units": units, "users": users, "runs": runs}


def scope_of(world, role):
    return scope_for(AnonymousUser() if role == "anonymous" else world["users"][role])


def answer(call):
    try:
        return call()
    except PermissionDenied:
        return DENIED
    except ObjectDoesNotExist:
        return NOT_FOUND


def names(qs):
    return {x.name for x in qs}


# service → (how to ask it, what each role gets). Codes: a, b (渝北区), n (南岸区).
ALL_UNITS = "all units"
SERVICES = {
    "registry.enterprises": (
        lambda s, w: {e.uscc for e in registry.enterprises(scope=s)},
        {"city": {"a", "b", "n"}, "yubei": {"a", "b"}, "nanan": {"n"}, "firm": {"a"}, "bank": DENIED,
         "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "registry.units_visible": (
        lambda s, w: names(registry.units_visible(scope=s)),
        {"city": ALL_UNITS, "yubei": {"渝北区"}, "nanan": {"南岸区"}, "firm": set(), "bank": set(),
         "registrar": set(), "nobody": set(), "anonymous": set()}),
    "pipeline.tasks": (
        lambda s, w: {t.enterprise.uscc for t in pipeline.tasks(scope=s, today=DAY)},
        {"city": {"a", "b", "n"}, "yubei": {"a", "b"}, "nanan": {"n"}, "firm": {"a"}, "bank": DENIED,
         "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "screening.runs_visible": (
        lambda s, w: {r.reporting_unit.name if r.reporting_unit else "city" for r in screening.runs_visible(scope=s)},
        {"city": {"渝北区", "南岸区", "city"}, "yubei": {"渝北区"}, "nanan": {"南岸区"}, "firm": set(),
         "bank": DENIED, "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "credit.loans": (
        lambda s, w: {x.enterprise.uscc for x in credit.loans(scope=s)},
        {"city": {"a", "b", "n"}, "yubei": {"a", "b"}, "nanan": {"n"}, "firm": {"a"}, "bank": {"a", "n"},
         "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "credit.units_visible": (
        lambda s, w: names(credit.units_visible(scope=s)),
        {"city": ALL_UNITS, "yubei": {"渝北区"}, "nanan": {"南岸区"}, "firm": set(), "bank": set(),
         "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "credit.funds": (
        lambda s, w: {f.unit.name for f in credit.funds(scope=s)},
        {"city": {"渝北区", "南岸区"}, "yubei": {"渝北区"}, "nanan": {"南岸区"}, "firm": set(), "bank": set(),
         "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "credit.fund(南岸区)": (
        lambda s, w: credit.fund(scope=s, unit_id=w["units"]["南岸区"].pk).contributions,
        {"city": 1_000_000, "yubei": DENIED, "nanan": 1_000_000, "firm": DENIED, "bank": DENIED,
         "registrar": DENIED, "nobody": DENIED, "anonymous": DENIED}),
    "contracts.contracts": (
        lambda s, w: {c.number[-9:] for c in contracts.contracts(scope=s)},
        {"city": {"112000001", "108000001", "108000002"}, "yubei": {"112000001"},
         "nanan": {"108000001", "108000002"}, "firm": {"108000001"}, "bank": DENIED,
         "registrar": {"112000001"}, "nobody": DENIED, "anonymous": DENIED}),
    "applications.filings": (
        lambda s, w: {f.enterprise.uscc for f in applications.filings(scope=s)},
        {"city": {"a", "b", "n"}, "yubei": {"a", "b"}, "nanan": {"n"}, "firm": {"a"}, "bank": set(),
         "registrar": set(), "nobody": set(), "anonymous": set()}),
    "contracts.imports_awaiting": (
        lambda s, w: {i.original_name for i in contracts.imports_awaiting(scope=s)},
        {"city": {"city.xlsx", "registrar.xlsx"}, "yubei": DENIED, "nanan": DENIED, "firm": DENIED, "bank": DENIED,
         "registrar": {"registrar.xlsx"}, "nobody": DENIED, "anonymous": DENIED}),
    "contracts.units_visible": (
        lambda s, w: names(contracts.units_visible(scope=s)),
        {"city": ALL_UNITS, "yubei": {"渝北区"}, "nanan": {"南岸区"}, "firm": set(), "bank": DENIED,
         "registrar": {"渝北区"}, "nobody": DENIED, "anonymous": DENIED}),
}


def expected_value(world, value):
    if value == ALL_UNITS:
        return set(ReportingUnit.objects.values_list("name", flat=True))
    if isinstance(value, set):
        return {world.get(v, v) for v in value}
    return value


@pytest.mark.parametrize("service", list(SERVICES))
def test_each_reading_service_returns_each_role_its_own_slice(world, service):
    ask, expected = SERVICES[service]
    assert set(expected) == set(ROLES), f"{service}: every role must be listed"
    wrong = {}
    for role in ROLES:
        got = answer(lambda role=role: ask(scope_of(world, role), world))
        want = expected_value(world, expected[role])
        if got != want:
            wrong[role] = (got, want)
    assert not wrong, f"{service}: role → (got, expected): {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_one_firm_outside_the_scope_is_not_found_by_code(world, role):
    """Asking for a firm of another unit by its code finds nothing (or is refused), for every role but the city."""
    s = scope_of(world, role)
    got = answer(lambda: registry.enterprise(scope=s, uscc=world["n"]).uscc)
    assert got == (world["n"] if role in ("city", "nanan") else NOT_FOUND if role in ("yubei", "firm") else DENIED)


def test_the_firms_own_lookups_by_code(world):
    """An officer or the firm itself finds a firm of its scope by code; another unit's firm is not found."""
    yubei = scope_of(world, "yubei")
    assert registry.enterprise(scope=yubei, uscc=world["a"]).uscc == world["a"]
    with pytest.raises(Enterprise.DoesNotExist):
        registry.enterprise(scope=yubei, uscc=world["n"])
    firm = scope_of(world, "firm")
    with pytest.raises(Enterprise.DoesNotExist):
        registry.enterprise(scope=firm, uscc=world["b"])
    with pytest.raises(Enterprise.DoesNotExist):
        credit.standing(scope=yubei, uscc=world["n"])


@pytest.mark.parametrize(("role", "keys"), [
    ("city", None),
    ("yubei", {"city", "unit:渝北区", "zone"}),
    ("registrar", {"city", "unit:渝北区", "zone"}),
    ("nanan", {"city", "unit:南岸区", "zone"}),
])
def test_targets_a_role_may_see(world, role, keys):
    got = targets.visible_scope_keys(scope=scope_of(world, role))
    if keys is None:
        assert got is None
        return
    unit = world["units"]["渝北区" if "unit:渝北区" in keys else "南岸区"]
    assert {k for k in got if not k.startswith("zone:")} == {"city", f"unit:{unit.pk}"}
    assert len([k for k in got if k.startswith("zone:")]) == 1


WRITERS = {"city": {"渝北区", "南岸区"}, "yubei": {"渝北区"}, "nanan": {"南岸区"}}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_which_units_registry(world, role):
    s = scope_of(world, role)
    for name, unit in world["units"].items():
        allowed = name in WRITERS.get(role, set())
        assert s.may_write_unit(unit.pk) is allowed, (role, name)
        if allowed:
            s.require_write_unit(unit.pk)
        else:
            with pytest.raises(PermissionDenied, match="只能修改本区县的企业"):
                s.require_write_unit(unit.pk)
    if role in WRITERS:
        s.require_write()
    else:
        with pytest.raises(PermissionDenied, match="无权修改企业库"):
            s.require_write()
    assert (s.is_city, s.can_read_registry, s.can_write_registry) == (
        role == "city", role in ("city", "yubei", "nanan", "firm"), role in WRITERS)


@pytest.mark.parametrize(("role", "firms"), [
    ("city", {"a", "b", "n"}), ("yubei", {"a", "b"}), ("nanan", {"n"}), ("firm", {"a"}), ("bank", set()),
    ("registrar", set()), ("nobody", set()), ("anonymous", set()),
])
def test_the_condition_on_rows_that_point_at_a_firm(world, role, firms):
    """Scope.enterprise_q, the filter of every count of reports and certificates (the start page's figures)."""
    from keqi.registry.models import AnnualReport

    s = scope_of(world, role)
    got = set(AnnualReport.objects.filter(s.enterprise_q()).values_list("enterprise__uscc", flat=True))
    assert got == {world[f] for f in firms}
    through = set(Enterprise.objects.filter(s.enterprise_q(path="")).values_list("uscc", flat=True))
    assert through == {world[f] for f in firms}


def test_a_superuser_is_the_city_and_a_member_keeps_its_ids(world, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="x-password-1")
    assert scope_for(boss).is_city and scope_for(boss).user_id == boss.pk
    firm_user = world["users"]["firm"]
    s = scope_for(firm_user)
    assert (s.role, s.user_id, s.enterprise_id, s.unit_id) == (
        "enterprise_user", firm_user.pk, Enterprise.objects.get(uscc=world["a"]).pk, None)
    officer = scope_for(world["users"]["yubei"])
    assert (officer.unit_id, officer.enterprise_id) == (world["units"]["渝北区"].pk, None)


def test_no_user_no_role_and_anonymous_get_the_empty_scope(world):
    from keqi.accounts.scope import Scope

    nobody = world["users"]["nobody"]
    assert scope_for(None) == scope_for(AnonymousUser()) == Scope(role="none")
    assert scope_for(nobody) == Scope(role="none", user_id=nobody.pk)
    for s in (scope_for(None), scope_for(nobody)):
        with pytest.raises(PermissionDenied, match="^您的角色无权查看企业库。$"):
            s.require_read()


def test_ids_a_membership_carries_for_another_role_widen_nothing(world):
    """The admin form lets a membership name a unit or a firm its role does not use (a unit on a firm's
    user, a unit and a firm on a bank officer's): neither reads that unit's or that firm's contracts."""
    a = Enterprise.objects.get(uscc=world["a"])
    yubei = world["units"]["渝北区"]
    Membership.objects.filter(user=world["users"]["firm"]).update(reporting_unit=yubei)
    Membership.objects.filter(user=world["users"]["bank"]).update(reporting_unit=yubei, enterprise=a)
    firm, bank = scope_of(world, "firm"), scope_of(world, "bank")
    assert (firm.unit_id, bank.unit_id, bank.enterprise_id) == (yubei.pk, yubei.pk, a.pk)
    assert names(contracts.units_visible(scope=firm)) == set()
    assert {c.number[-9:] for c in contracts.contracts(scope=firm)} == {"108000001"}  # still its own, by code
    assert not bank.contract_units(ReportingUnit.objects.all()).exists()
    assert not bank.contracts(TechContract.objects.all()).exists()  # the Scope itself (the services refuse first)


def test_a_firm_reads_contracts_through_its_users_membership(world):
    """An enterprise scope reads a firm's contracts only when its user is a member of that firm: a scope
    naming another firm than its user's membership (the membership moved since) reads neither firm's."""
    a, b = (Enterprise.objects.get(uscc=world[k]) for k in ("a", "b"))
    firm_user, officer = world["users"]["firm"], world["users"]["yubei"]
    every = TechContract.objects.all()
    assert {c.number[-9:] for c in Scope(role="enterprise_user", user_id=firm_user.pk, enterprise_id=a.pk)
            .contracts(every)} == {"108000001"}
    assert not Scope(role="enterprise_user", user_id=firm_user.pk, enterprise_id=b.pk).contracts(every).exists()
    assert not Scope(role="enterprise_user", user_id=officer.pk, enterprise_id=a.pk).contracts(every).exists()


def test_a_bank_officer_whose_bank_was_cleared_lends_nothing_and_sees_no_loans(world):
    """A bank officer's membership without a bank's name (blanked in the admin form): no bank, no lending,
    no loans — not even a loan row that carries no bank's name either."""
    bank = world["users"]["bank"]
    Membership.objects.filter(user=bank).update(organisation="")
    s = scope_for(bank)
    assert (s.organisation, s.bank) == ("", "")
    assert not s.may("credit.lend") and not s.may("credit.change_loans")
    firm = Enterprise.objects.get(uscc=world["a"])
    Loan.objects.create(enterprise=firm, reporting_unit_id=firm.reporting_unit_id, bank="", amount=100_000,
                        annual_rate=Decimal("0.03"), lpr_at_grant=Decimal("0.03"), granted_on=DAY,
                        due_on=DAY + dt.timedelta(days=300), grade="C", credit_line=3_000_000)
    assert list(credit.loans(scope=s)) == []
    assert {x.enterprise.uscc for x in credit.loans(scope=SYSTEM)} == {world["a"], world["b"], world["n"]}
