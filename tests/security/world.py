"""A small city with one of everything, in two units, two firms of one unit and two banks, so that every
page and API operation can be tried by every role against objects that are *not* its own.

Everything that belongs to 南岸区 (the other unit), to 乙银行 (the other bank) or to the neighbour firm
carries a marker in its text (``保密`` or ``邻居``) that must never reach a response of a role that may
not read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from keqi.accounts.scope import SYSTEM
from keqi.accounts.services import ensure_user
from keqi.accounts.tokens import create_token
from keqi.registry.services import enterprise_id_of, unit_id_of

from support import report_rows, write_file

PASSWORD = "a-test-password-9"
DAY = dt.date(2025, 6, 30)
HOME, OTHER = "渝北区", "南岸区"
OWN_FIRM = "渝北甲科技有限公司"
NEIGHBOUR_FIRM = "渝北乙邻居科技有限公司"
OTHER_FIRM = "南岸丙保密科技有限公司"
OTHER_BANK = "乙银行保密分行"
OTHER_CONTRACT = "南岸保密技术合同"
OTHER_TASK = "南岸保密走访"
OTHER_MEMO = "南岸保密出资"
OTHER_SOURCE = "南岸保密数值来源"

ROLES = ("city_admin", "district_officer", "enterprise_user", "bank_officer", "contract_registrar", "no_role",
         "anonymous")


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    home_unit: int = 0
    other_unit: int = 0
    own_firm: str = ""
    neighbour_firm: str = ""
    other_firm: str = ""
    own_loan: int = 0
    other_loan: int = 0
    own_contract: str = ""
    other_contract: str = ""
    own_task: int = 0
    other_task: int = 0
    other_run: int = 0
    other_batch: int = 0
    other_contract_import: int = 0
    other_value_import: int = 0
    other_value: int = 0
    other_application: int = 0
    other_filing: int = 0

    def forbidden(self, role: str) -> set[str]:
        """The markers a role must never see (in any response)."""
        everything = {OTHER_FIRM, OTHER_BANK, OTHER_CONTRACT, OTHER_TASK, OTHER_MEMO, OTHER_SOURCE, NEIGHBOUR_FIRM,
                      self.other_firm, self.neighbour_firm, self.other_contract}
        if role == "city_admin":
            return set()
        if role == "district_officer":  # its own unit: the neighbour is its business
            return everything - {NEIGHBOUR_FIRM, self.neighbour_firm}
        if role == "bank_officer":  # may look up any firm's grade, so firm names and codes are not secret to it
            return everything - {OTHER_FIRM, NEIGHBOUR_FIRM, self.other_firm, self.neighbour_firm}
        return everything


def build(tmp_path) -> World:
    """Create the world (inside the caller's database transaction)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from keqi.contracts.models import ContractImport, TechContract
    from keqi.credit.models import FundEntry, Loan
    from keqi.pipeline.models import CultivationTask
    from keqi.registry import flows
    from keqi.registry.models import Enterprise, ImportBatch, ReportingUnit
    from keqi.screening import flows as screening_flows
    from keqi.screening.models import ScreeningRun
    from keqi.targets.models import IndicatorValue, Target

    home = report_rows(2, unit=HOME, years=(2023, 2024), seed=131)
    other = report_rows(1, unit=OTHER, years=(2023, 2024), seed=132)
    codes = home["uscc"].unique(maintain_order=True).to_list()
    names = {codes[0]: OWN_FIRM, codes[1]: NEIGHBOUR_FIRM}
    home = home.with_columns(pl.col("uscc").replace_strict(names, default=None).alias("name"))
    other = other.with_columns(pl.lit(OTHER_FIRM).alias("name"))
    rows = pl.concat([home, other])
    quals = pl.DataFrame([{"uscc": c, "kind": "科技型企业入库", "number": f"CQKJ2023{i:05d}",
                           "valid_from": dt.date(2023, 1, 1), "valid_to": None, "source": "测试"}
                          for i, c in enumerate(rows["uscc"].unique(maintain_order=True).to_list())],
                         schema_overrides={"valid_to": pl.Date})
    result = flows.run_import(path=write_file(tmp_path / "world.xlsx", rows, quals), scope=SYSTEM)
    assert not result.errors, result.errors[:3]

    w = World()
    w.home_unit = ReportingUnit.objects.get(name=HOME).pk
    w.other_unit = ReportingUnit.objects.get(name=OTHER).pk
    w.own_firm, w.neighbour_firm = codes
    w.other_firm = other["uscc"][0]
    firms = {e.uscc: e for e in Enterprise.objects.all()}

    make = {
        "city_admin": dict(role="city_admin"),
        "district_officer": dict(role="district_officer", unit=HOME),
        "other_officer": dict(role="district_officer", unit=OTHER),
        "enterprise_user": dict(role="enterprise_user", uscc=w.own_firm),
        "bank_officer": dict(role="bank_officer", organisation="甲银行重庆分行"),
        "other_bank": dict(role="bank_officer", organisation=OTHER_BANK),
        "contract_registrar": dict(role="contract_registrar", unit=HOME, organisation="渝北区技术合同登记点"),
    }
    for role, kwargs in make.items():
        unit, uscc = kwargs.pop("unit", None), kwargs.pop("uscc", None)
        w.users[role] = ensure_user(username=f"w-{role}", password=PASSWORD, **kwargs,
                                    unit_id=unit_id_of(unit) if unit else None,
                                    enterprise_id=enterprise_id_of(uscc) if uscc else None)
    w.users["no_role"] = get_user_model().objects.create_user("w-no-role", password=PASSWORD)
    for role, user in w.users.items():
        w.tokens[role] = create_token(user=user, name="world")[1]

    screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    w.other_run = screening_flows.request_screening(scope=SYSTEM, user=w.users["other_officer"], assess_on=DAY,
                                                    unit_id=w.other_unit).pk
    ScreeningRun.objects.filter(pk=w.other_run).update(status=ScreeningRun.Status.FAILED)

    def contract(number, title, unit, seller):
        return TechContract.objects.create(
            number=number, title=title, category="技术开发", sub_kind="委托开发", seller_uscc=seller,
            seller_name=firms[seller].name, seller=firms[seller], buyer_uscc="91110108MA01234567",
            buyer_name="北京买方有限公司", signed_on=dt.date(2024, 3, 1), registered_on=dt.date(2024, 3, 20),
            contract_amount=1_000_000, technical_amount=800_000, reporting_unit_id=unit).number

    w.own_contract = contract("2024500101000001", "渝北技术合同", w.home_unit, w.own_firm)
    w.other_contract = contract("2024500102000009", OTHER_CONTRACT, w.other_unit, w.other_firm)

    def loan(firm, bank, user):
        return Loan.objects.create(
            enterprise=firms[firm], reporting_unit_id=firms[firm].reporting_unit_id, bank=bank, amount=500_000,
            annual_rate=Decimal("0.0345"), lpr_at_grant=Decimal("0.0310"), granted_on=dt.date(2025, 1, 10),
            due_on=dt.date(2025, 12, 31), grade="C", credit_line=1_000_000, recorded_by=user).pk

    w.own_loan = loan(w.own_firm, "甲银行重庆分行", w.users["bank_officer"])
    w.other_loan = loan(w.other_firm, OTHER_BANK, w.users["other_bank"])
    FundEntry.objects.create(reporting_unit_id=w.other_unit, kind=FundEntry.Kind.CONTRIBUTION, amount=1_000_000,
                             city_part=400_000, district_part=600_000, entry_on=dt.date(2025, 1, 2), memo=OTHER_MEMO)

    def task(firm, title, user):
        return CultivationTask.objects.create(enterprise=firms[firm], kind=CultivationTask.Kind.VISIT, title=title,
                                              assigned_to=user, due_on=dt.date(2025, 9, 1), created_by=user).pk

    w.own_task = task(w.own_firm, "渝北走访", w.users["district_officer"])
    w.other_task = task(w.other_firm, OTHER_TASK, w.users["other_officer"])

    Target.objects.create(indicator="hnte_count", year=2027, scope_key=f"unit:{w.other_unit}", value=123,
                          source=OTHER_SOURCE)
    w.other_value = IndicatorValue.objects.create(indicator="rd_intensity", year=2024,
                                                  scope_key=f"unit:{w.other_unit}", as_of=DAY, value=Decimal("2.5"),
                                                  source=OTHER_SOURCE).pk
    w.other_batch = ImportBatch.objects.create(uploaded_by=w.users["other_officer"], file="imports/x.xlsx",
                                               original_name=f"{OTHER_SOURCE}.xlsx", sha256="0" * 64,
                                               status=ImportBatch.Status.INVALID,
                                               finished_at=timezone.now()).pk
    from keqi.targets.models import ValueImport

    w.other_value_import = ValueImport.objects.create(
        uploaded_by=w.users["other_officer"], file="value-imports/x.xlsx", original_name=f"{OTHER_SOURCE}.xlsx",
        status=ValueImport.Status.INVALID).pk
    w.other_contract_import = ContractImport.objects.create(
        uploaded_by=w.users["other_officer"], file="contract-imports/x.xlsx", original_name=f"{OTHER_SOURCE}.xlsx",
        status=ContractImport.Status.INVALID if hasattr(ContractImport.Status, "INVALID") else "invalid").pk
    from keqi.applications.models import AnnualFiling, Application
    from keqi.policy import workflows

    now = timezone.now()
    other_firm = firms[w.other_firm]
    common = dict(enterprise=other_firm, reporting_unit_id=w.other_unit, state="draft", state_since=now,
                  updated_at=now, created_by=w.users["other_officer"])
    w.other_filing = AnnualFiling.objects.create(workflow=workflows.resolve(workflows.FILING, DAY).id,
                                                 fiscal_year=2024, **common).pk
    w.other_application = Application.objects.create(workflow=workflows.resolve("cq-tech", DAY).id,
                                                     programme="cq-tech", year=2025, **common).pk
    return w
