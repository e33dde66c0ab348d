"""Reads and writes of technology contracts. Keyword-only arguments, always with a scope.

The import mirrors the registry's: :func:`plan_import` works out, without writing, what a parsed
file would create, change or leave alone (the dry run) and applies the role rules;
:func:`apply_plan` writes it with audit history. :mod:`.flows` runs both in one transaction.

Statistics count contracts with status 已登记 by their 登记日期; "turnover" (技术合同成交额) is
the sum of 合同成交额, the public statistic (criteria.md §4.3); 技术交易额 is reported beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from keqi.accounts.scope import SYSTEM, Scope
from keqi.policy.uscc import normalise
from keqi.registry.bulk import history_reason
from keqi.registry.columns import HITECH_FIELDS
from keqi.registry.models import Enterprise, ReportingUnit
from keqi.registry.parsing import ROW, CellError, ParsedSheet

from .columns import COLUMNS, SHEET, header
from .models import TechContract
from .rules import contract_faults

STORED_FIELDS = ("title", "category", "sub_kind", "seller_uscc", "seller_name", "seller_id", "buyer_uscc",
                 "buyer_name", "buyer_id", "signed_on", "registered_on", "contract_amount", "technical_amount",
                 "reporting_unit_id", "hitech_field", "status")
CHUNK = 5000


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class ContractFilter:
    q: str = ""
    unit_id: int | None = None
    category: str = ""
    hitech_field: str = ""
    status: str = ""
    year: int | None = None


def contracts(*, scope: Scope, filters: ContractFilter | None = None) -> QuerySet:
    """The contracts this scope may read, filtered: the one query behind the list, export and statistics."""
    scope.require("contracts.read")
    qs = scope.contracts(TechContract.objects.select_related("reporting_unit"))
    f = filters or ContractFilter()
    if f.q:
        code = f.q.strip().upper()
        qs = qs.filter(Q(number__icontains=f.q) | Q(title__icontains=f.q) | Q(seller_name__icontains=f.q)
                       | Q(buyer_name__icontains=f.q) | Q(seller_uscc=code) | Q(buyer_uscc=code))
    if f.unit_id:
        qs = qs.filter(reporting_unit_id=f.unit_id)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.hitech_field:
        qs = qs.filter(hitech_field=f.hitech_field)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.year:
        qs = qs.filter(registered_on__year=f.year)
    return qs


def imports_awaiting(*, scope: Scope) -> QuerySet:
    """Contract files uploaded by this user (the city: by anyone) that are not registered yet: checked and
    waiting for the confirmation that registers them, still being checked, or with errors to correct;
    newest first."""
    from .models import ContractImport

    scope.require("contracts.write")
    waiting = (ContractImport.Status.PENDING, ContractImport.Status.CHECKING, ContractImport.Status.CHECKED,
               ContractImport.Status.INVALID)
    return scope.own_requests(ContractImport.objects.filter(status__in=waiting), "uploaded_by").order_by(
        "-created_at", "-pk")


def units_visible(*, scope: Scope) -> QuerySet:
    """The units a scope may filter contracts by."""
    scope.require("contracts.read")
    return scope.contract_units(ReportingUnit.objects.all())


def enterprise_contracts(*, scope: Scope, uscc: str) -> QuerySet:
    """The contracts a firm sold or bought, as far as ``scope`` may read them."""
    code = uscc.strip().upper()
    return contracts(scope=scope).filter(Q(seller_uscc=code) | Q(buyer_uscc=code))


def contract(*, scope: Scope, number: str) -> TechContract:
    """One contract by its registration number, or ``TechContract.DoesNotExist`` outside the scope."""
    return contracts(scope=scope).get(number=number.strip())


@dataclass(frozen=True)
class FirmContracts:
    """A firm's contracts for its page: totals as seller and buyer, and the latest ones."""

    sold_count: int
    sold_amount: int
    bought_count: int
    bought_amount: int
    latest: list[TechContract]
    uscc: str

    @property
    def count(self) -> int:
        return self.sold_count + self.bought_count


def firm_contracts(*, scope: Scope, uscc: str, latest: int = 10) -> FirmContracts | None:
    """Totals (registered contracts, 合同成交额) and the latest contracts of a firm, in two queries;
    ``None`` when the reader's role cannot read contracts."""
    if not scope.may("contracts.read"):
        return None
    code = uscc.strip().upper()
    qs = enterprise_contracts(scope=scope, uscc=code)
    registered = Q(status=TechContract.Status.REGISTERED)
    sold, bought = registered & Q(seller_uscc=code), registered & Q(buyer_uscc=code)
    t = qs.order_by().aggregate(sn=Count("pk", filter=sold), sa=Sum("contract_amount", filter=sold),
                                bn=Count("pk", filter=bought), ba=Sum("contract_amount", filter=bought))
    rows = list(qs.order_by("-registered_on", "number")[:latest])
    return FirmContracts(t["sn"], t["sa"] or 0, t["bn"], t["ba"] or 0, rows, code)


def export_frame(*, scope: Scope, queryset: QuerySet) -> pl.DataFrame:
    """Field-keyed rows of the given contracts, in the exchange format's fields (money in yuan)."""
    scope.require("contracts.read")
    qs = scope.contracts(queryset).order_by("registered_on", "number")
    names = ["number", "title", "category", "sub_kind", "seller_uscc", "seller_name", "buyer_uscc", "buyer_name",
             "signed_on", "registered_on", "contract_amount", "technical_amount", "reporting_unit__name",
             "hitech_field", "status"]
    rows = list(qs.values_list(*names))
    schema = {c.field: (pl.Date if c.kind == "date" else pl.Int64 if c.kind == "money" else pl.String)
              for c in COLUMNS}
    df = pl.DataFrame(rows, schema=schema, orient="row")
    return df.with_columns(pl.col("hitech_field").replace("", None))


# ---------------------------------------------------------------- statistics


def _registered(scope: Scope, year: int, unit_id: int | None) -> QuerySet:
    qs = contracts(scope=scope, filters=ContractFilter(year=year, unit_id=unit_id))
    return qs.filter(status=TechContract.Status.REGISTERED)


def turnover(*, scope: Scope, year: int, unit_id: int | None = None) -> int:
    """技术合同成交额 (yuan) of the contracts registered in ``year`` that ``scope`` may read."""
    return _registered(scope, year, unit_id).aggregate(s=Sum("contract_amount"))["s"] or 0


def turnover_by_unit(*, year: int) -> dict[int, int]:
    """技术合同成交额 (yuan) of the contracts registered in ``year`` per reporting unit, the whole city
    (the measure of targets' ``contract_turnover`` indicator: ``registry.measures``)."""
    rows = _registered(SYSTEM, year, None).order_by().values("reporting_unit_id").annotate(s=Sum("contract_amount"))
    return {r["reporting_unit_id"]: r["s"] or 0 for r in rows if r["reporting_unit_id"] is not None}


def technical_turnover(*, scope: Scope, year: int, unit_id: int | None = None) -> int:
    """技术交易额 (yuan) of the same contracts."""
    return _registered(scope, year, unit_id).aggregate(s=Sum("technical_amount"))["s"] or 0


BREAKDOWNS = {
    "month": ExtractMonth("registered_on"),
    "unit": F("reporting_unit__name"),
    "category": F("category"),
    "field": F("hitech_field"),
}


def turnover_by(*, scope: Scope, year: int, by: str, unit_id: int | None = None) -> list[dict]:
    """Plain rows ``{key, contracts, contract_amount, technical_amount}`` of one year, by month, unit,
    category or 高新技术领域 (key ``""`` = not given), largest turnover first except months in order."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}; use one of {', '.join(BREAKDOWNS)}")
    qs = _registered(scope, year, unit_id).order_by()
    qs = qs.annotate(key=BREAKDOWNS[by])
    rows = [
        {"key": r["key"] if r["key"] is not None else "", "contracts": r["n"], "contract_amount": r["c"] or 0,
         "technical_amount": r["t"] or 0}
        for r in qs.values("key").annotate(n=Count("pk"), c=Sum("contract_amount"), t=Sum("technical_amount"))
    ]
    if by == "month":
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (-r["contract_amount"], str(r["key"])))


def years_with_contracts(*, scope: Scope) -> list[int]:
    qs = contracts(scope=scope).order_by().annotate(y=ExtractYear("registered_on")).values_list("y", flat=True)
    return sorted(set(qs), reverse=True)


# ---------------------------------------------------------------- import: check


TEXT_FIELDS = ("number", "title", "seller_name", "buyer_name")


def length_faults(values: dict) -> dict[str, str]:
    """Text longer than its column holds (the database would refuse it); a file's cells are checked by the parser."""
    faults = {}
    for name in TEXT_FIELDS:
        limit = TechContract._meta.get_field(name).max_length
        if isinstance(values.get(name), str) and len(values[name]) > limit:
            faults[name] = f"不能超过{limit}个字符"
    return faults


def check_sheet(parsed: ParsedSheet, today: dt.date) -> None:
    """Cross-cell and cross-row rules (:mod:`.rules`, unique numbers); appends to ``parsed.errors``."""
    df = parsed.data
    if df.is_empty():
        return
    bad_cells = {(e.row, e.column) for e in parsed.errors}
    for rec in df.iter_rows(named=True):
        faults = contract_faults(
            category=rec.get("category"), sub_kind=rec.get("sub_kind"), seller_uscc=rec.get("seller_uscc"),
            buyer_uscc=rec.get("buyer_uscc"), signed_on=rec.get("signed_on"),
            registered_on=rec.get("registered_on"), contract_amount=rec.get("contract_amount"),
            technical_amount=rec.get("technical_amount"), today=today,
        )
        for name, reason in faults.items():
            col = header(name)
            if (rec[ROW], col) in bad_cells:
                continue  # the cell itself is already reported (blank or unreadable)
            parsed.errors.append(CellError(SHEET, rec[ROW], col, parsed.typed_text(rec[ROW], col), reason))
    keyed = df.filter(pl.col("number").is_not_null())
    first = keyed.group_by("number").agg(pl.col(ROW).min().alias("_first"))
    dupes = keyed.join(first, on="number").filter(pl.col(ROW) != pl.col("_first"))
    for row, number, f in dupes.select(ROW, "number", "_first").iter_rows():
        parsed.errors.append(CellError(SHEET, row, header("number"), number, f"合同登记号与第{f}行重复"))
    parsed.errors.sort(key=lambda e: (e.row, e.column))


# ---------------------------------------------------------------- import: plan and apply


@dataclass
class ContractPlan:
    errors: list[CellError] = field(default_factory=list)
    rows: int = 0
    new: list[TechContract] = field(default_factory=list)
    changed: list[TechContract] = field(default_factory=list)
    fields_changed: set[str] = field(default_factory=set)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {"rows": self.rows, "errors": len(self.errors), "created": len(self.new),
                "updated": len(self.changed), "unchanged": self.unchanged}


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def plan_import(*, scope: Scope, parsed: ParsedSheet) -> ContractPlan:
    """What ``parsed`` would do; refuses rows of a unit the scope may not register for."""
    scope.require("contracts.write")
    plan = ContractPlan(rows=parsed.data.height, errors=list(parsed.errors))
    if plan.errors or parsed.data.is_empty():
        return plan
    data = parsed.data
    present = set(parsed.present)
    numbers = data["number"].to_list()
    current: dict[str, TechContract] = {}
    for chunk in _chunks(numbers):
        for c in TechContract.objects.filter(number__in=chunk).select_related("reporting_unit"):
            current[c.number] = c
    codes = sorted(set(data["seller_uscc"].to_list()) | set(data["buyer_uscc"].to_list()))
    firms: dict[str, int] = {}
    for chunk in _chunks(codes):
        firms.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", "pk"))
    unit_names = dict(ReportingUnit.objects.values_list("pk", "name"))
    own = unit_names.get(scope.unit_id, "")
    for rec in data.iter_rows(named=True):
        row, unit_id = rec[ROW], rec["unit"]
        old = current.get(rec["number"])
        if old is not None and not scope.may_register_contracts(old.reporting_unit_id):
            plan.errors.append(CellError(SHEET, row, header("number"), rec["number"],
                                         f"该合同已由{old.reporting_unit.name}登记，您无权修改"))
            continue
        if not scope.may_register_contracts(unit_id):
            plan.errors.append(CellError(SHEET, row, header("unit"), unit_names.get(unit_id),
                                         f"您只能登记本机构所在区县（{own}）的合同"))
            continue
        values = {
            "title": rec["title"], "category": rec["category"], "sub_kind": rec["sub_kind"],
            "seller_uscc": rec["seller_uscc"], "seller_name": rec["seller_name"],
            "seller_id": firms.get(rec["seller_uscc"]), "buyer_uscc": rec["buyer_uscc"],
            "buyer_name": rec["buyer_name"], "buyer_id": firms.get(rec["buyer_uscc"]),
            "signed_on": rec["signed_on"], "registered_on": rec["registered_on"],
            "contract_amount": rec["contract_amount"], "technical_amount": rec["technical_amount"],
            "reporting_unit_id": unit_id,
        }
        if "hitech_field" in present:
            values["hitech_field"] = rec["hitech_field"] or ""
        if "status" in present:
            values["status"] = rec["status"] or TechContract.Status.REGISTERED
        if old is None:
            values.setdefault("hitech_field", "")
            values.setdefault("status", TechContract.Status.REGISTERED)
            plan.new.append(TechContract(number=rec["number"], **values))
            continue
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(old, k, v)
            plan.changed.append(old)
            plan.fields_changed.update(changed)
        else:
            plan.unchanged += 1
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def apply_plan(*, plan: ContractPlan, user=None, reason: str = "") -> None:
    """Write a plan without errors, with a history row for every contract written (call in a transaction)."""
    if plan.errors:
        raise ValueError("a plan with errors cannot be applied")
    reason = history_reason(reason)
    if plan.new:
        bulk_create_with_history(plan.new, TechContract, batch_size=1000, default_user=user,
                                 default_change_reason=reason)
    if plan.changed:
        bulk_update_with_history(plan.changed, TechContract, sorted(plan.fields_changed), batch_size=1000,
                                 default_user=user, default_change_reason=reason)


# ---------------------------------------------------------------- registering one contract (API)


class ContractError(ValueError):
    """A contract breaks a rule; ``faults`` maps each field to the reason (Chinese)."""

    def __init__(self, faults: dict[str, str]):
        super().__init__("；".join(f"{k}：{v}" for k, v in faults.items()))
        self.faults = faults


REQUIRED = ("number", "title", "category", "sub_kind", "seller_uscc", "seller_name", "buyer_uscc", "buyer_name",
            "signed_on", "registered_on", "contract_amount", "technical_amount")


def register_contract(*, scope: Scope, values: dict, unit_id: int | None = None, user=None,
                      today: dt.date | None = None) -> TechContract:
    """Register one new contract (the API's create): the import's rules, one row.

    ``unit_id`` defaults to a registrar's own unit; a registrar may not register for another unit.
    Raises :class:`ContractError` with every fault found (nothing is written), ``PermissionDenied``
    when the role cannot register contracts.
    """
    scope.require("contracts.write")
    today = today or timezone.localdate()
    v = {k: (x.strip() if isinstance(x, str) else x) for k, x in values.items()}
    for name in ("seller_uscc", "buyer_uscc"):
        v[name] = normalise(v.get(name) or "")
    v.setdefault("hitech_field", "")
    v["hitech_field"] = v["hitech_field"] or ""
    v["status"] = v.get("status") or TechContract.Status.REGISTERED
    faults = {name: "必填" for name in REQUIRED if v.get(name) in (None, "")}
    faults.update({k: r for k, r in contract_faults(
        category=v.get("category"), sub_kind=v.get("sub_kind"), seller_uscc=v.get("seller_uscc"),
        buyer_uscc=v.get("buyer_uscc"), signed_on=v.get("signed_on"), registered_on=v.get("registered_on"),
        contract_amount=v.get("contract_amount"), technical_amount=v.get("technical_amount"), today=today,
    ).items() if k not in faults})
    faults.update(length_faults(v))
    if v["hitech_field"] and v["hitech_field"] not in HITECH_FIELDS:
        faults["hitech_field"] = f"未知的高新技术领域（可选：{'、'.join(HITECH_FIELDS)}）"
    if v["status"] not in TechContract.Status.values:
        faults["status"] = f"未知的登记状态（可选：{'、'.join(TechContract.Status.values)}）"
    if unit_id is None:
        unit_id = scope.default_contract_unit
    if unit_id is None or not ReportingUnit.objects.filter(pk=unit_id).exists():
        faults["unit"] = "请指定登记机构所在区县"
    elif not scope.may_register_contracts(unit_id):
        raise PermissionDenied(_("You may only register contracts of your own unit."))
    if v.get("number") and TechContract.objects.filter(number=v["number"]).exists():
        faults["number"] = "该合同登记号已登记"
    if faults:
        raise ContractError(faults)
    links = dict(Enterprise.objects.filter(uscc__in=[v["seller_uscc"], v["buyer_uscc"]]).values_list("uscc", "pk"))
    c = TechContract(**{k: v[k] for k in (*REQUIRED, "hitech_field", "status")}, reporting_unit_id=unit_id,
                     seller_id=links.get(v["seller_uscc"]), buyer_id=links.get(v["buyer_uscc"]))
    c._history_user = user
    try:
        with transaction.atomic():
            c.save()
    except IntegrityError:  # registered by someone else in the meantime
        raise ContractError({"number": "该合同登记号已登记"}) from None
    return c
