"""Reads and writes of the registry. Every function takes keyword-only arguments and a scope.

The import is split in two: :func:`plan_import` reads the database and works out, without
writing, what a parsed file would create, change or leave alone (that is the dry-run preview);
:func:`apply_plan` writes a plan in bulk, with audit history. The flow in :mod:`.flows` runs both
inside one transaction, so a file either lands whole or not at all, and importing the same file
twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from keqi.accounts.scope import Scope
from keqi.policy.lazy import polars as pl  # imported on first use (the import and export)

from . import bulk, industries, listing
from . import tiers as tiers_column
from .columns import QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, REPORT_COLUMNS, REPORT_SHEET
from .models import AnnualReport, Enterprise, Qualification, ReportingUnit, held_on
from .parsing import ROW, CellError, ParsedSheet
from .uploads import Progress, no_progress

REPORT_FIELDS = tuple(c.field for c in REPORT_COLUMNS if c.level == "report" and c.field != "fiscal_year")
QUALIFICATION_FIELDS = ("number", "valid_to", "source")
TEXT_FIELDS = {"name", "hitech_field", "industry_code", "number", "source"}
BATCH = 2000
IN_CHUNK = 5000


# ---------------------------------------------------------------- reporting units


def unit_lookup() -> dict[str, int]:
    """Every way officers name a reporting unit (name or GB/T 2260 code) → its id."""
    lookup: dict[str, int] = {}
    for pk, code, name in ReportingUnit.objects.values_list("pk", "code", "name"):
        lookup[name] = pk
        if code:
            lookup[code] = pk
    return lookup


def unit_id_of(name_or_code: str) -> int:
    """The reporting unit an officer names (name or GB/T 2260 code), or ``ValueError`` with a Chinese message."""
    unit_id = ReportingUnit.objects.filter(name=name_or_code).values_list("pk", flat=True).first()
    if unit_id is None:
        unit_id = ReportingUnit.objects.filter(code=name_or_code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise ValueError(f"未知的区县或功能区：{name_or_code}")
    return unit_id


def enterprise_id_of(uscc: str) -> int:
    """The stored enterprise with this code (any case), or ``ValueError`` with a Chinese message."""
    firm_id = Enterprise.objects.filter(uscc=uscc.strip().upper()).values_list("pk", flat=True).first()
    if firm_id is None:
        raise ValueError(f"系统中没有企业 {uscc}")
    return firm_id


def units_visible(*, scope: Scope) -> QuerySet:
    return scope.units(ReportingUnit.objects.all())


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str = ""
    unit_id: int | None = None
    hitech_field: str = ""
    status: str = ""
    qualification: str = ""  # firms holding one of this kind on ``held_on`` (default today)
    held_on: dt.date | None = None
    industry: str = ""  # a section letter of GB/T 4754-2017
    tier: str = ""  # a tier key of the ladder: firms whose highest tier today it is (the enterprise list)
    sort: str = ""  # a key of ENTERPRISE_SORTS, "-" before it for the other way


def enterprises(*, scope: Scope, filters: EnterpriseFilter | None = None) -> QuerySet:
    """The enterprises this scope may read, filtered; the one query behind lists and exports."""
    scope.require_read()
    qs = scope.enterprises(Enterprise.objects.select_related("reporting_unit"))
    f = filters or EnterpriseFilter()
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(uscc__istartswith=f.q.upper()))
    if f.unit_id:
        qs = qs.filter(reporting_unit_id=f.unit_id)
    if f.hitech_field:
        qs = qs.filter(hitech_field=f.hitech_field)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.qualification:  # one filter call: the same certificate is of the kind and held on the day
        day = f.held_on or timezone.localdate()
        qs = qs.filter(held_on(day, "qualifications__"), qualifications__kind=f.qualification).distinct()
    if f.industry:
        qs = qs.filter(industries.section_q(f.industry))
    return qs


#: the columns the enterprise list may be sorted by (the page's headers and the API's ``sort``)
ENTERPRISE_SORTS = {c.key: c for c in (
    listing.Column("name", "企业名称", ("name",)),
    listing.Column("uscc", "统一社会信用代码", ("uscc",)),
    listing.Column("unit", "所属区县", ("reporting_unit__name",)),
    listing.Column("registered_on", "成立日期", ("registered_on",)),
    listing.Column("tier", "当前梯次", ("tier_level",), largest_first=True),
    listing.Column("latest_year", "最近年报", ("latest_year",), numeric=True),
    listing.Column("qualifications", "资质数", ("qualification_count",), numeric=True),
)}


@dataclass(frozen=True)
class EnterpriseList:
    """The enterprise list: ``firms`` (lazy, ordered, annotated with ``tier_level``, ``latest_year``,
    ``qualification_count``), the ``sort`` checked, and the ``tiers`` column (labels of the levels)."""

    firms: QuerySet
    sort: listing.Sort
    tiers: tiers_column.TierColumn | None

    def tier_label(self, firm: Enterprise) -> str:
        return self.tiers.label(getattr(firm, "tier_level", None)) if self.tiers else "—"


def enterprise_list(*, scope: Scope, filters: EnterpriseFilter | None = None, on=None) -> EnterpriseList:
    """The enterprise list behind the page and the API: the firms of :func:`enterprises`, each with its
    current tier on ``on`` (default today), its latest report year and its number of qualifications, sorted
    by a column of :data:`ENTERPRISE_SORTS` (default the name). A filter value or sort key out of bounds
    is a ``ValidationError`` (per field, in Chinese)."""
    from django.core.exceptions import ValidationError
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .columns import HITECH_FIELDS

    on = on or timezone.localdate()
    f = replace(filters or EnterpriseFilter(), held_on=(filters.held_on if filters else None) or on)
    column = tiers_column.column(on=on)
    errors = {}
    if f.industry and f.industry not in industries.SECTIONS:
        errors["industry"] = "行业门类应为 A–T 中的一个字母（GB/T 4754-2017）"
    if f.hitech_field and f.hitech_field not in HITECH_FIELDS:
        errors["hitech_field"] = "不是《国家重点支持的高新技术领域》的八个领域之一"
    if f.status and f.status not in Enterprise.Status.values:
        errors["status"] = "没有这个经营状态"
    if f.qualification and f.qualification not in Qualification.Kind.values:
        errors["qualification"] = "没有这个资质类型"
    if f.tier and (column is None or column.level_of(f.tier) is None):
        errors["tier"] = "没有这个梯次"
    try:
        sort = listing.parse_sort(f.sort, ENTERPRISE_SORTS, "name")
    except ValidationError as exc:
        errors.update({k: "；".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    # Per-row figures as correlated subqueries: the database works them out for the rows of the page
    # only (unless sorted by one), not for every firm before paginating (a join + GROUP BY took ~1 s at
    # 100,000 firms).
    latest = AnnualReport.objects.filter(enterprise=OuterRef("pk")).order_by("-fiscal_year").values("fiscal_year")
    held = (Qualification.objects.filter(enterprise=OuterRef("pk")).order_by().values("enterprise")
            .annotate(n=Count("pk")).values("n"))
    qs = enterprises(scope=scope, filters=f).annotate(latest_year=Subquery(latest[:1]),
                                                      qualification_count=Coalesce(Subquery(held), 0))
    if column is not None:
        qs = qs.annotate(tier_level=column.level)
        if f.tier:
            qs = qs.filter(tier_level=column.level_of(f.tier))
    elif sort.key == "tier":
        sort = listing.Sort("name", False)
    return EnterpriseList(listing.sorted_by(qs, sort, ENTERPRISE_SORTS, ties=("name", "pk")), sort, column)


def enterprise(*, scope: Scope, uscc: str) -> Enterprise:
    """One enterprise by its code, or ``Enterprise.DoesNotExist`` when it is outside the scope."""
    return enterprises(scope=scope).get(uscc=uscc.upper())


AUDIT_ROWS = 50
AUDIT_SKIP = {"id", "enterprise", "created_at", "updated_at"}


def change_history(*, scope: Scope, enterprise: Enterprise, limit: int = AUDIT_ROWS) -> list[dict]:
    """Who changed what, when: the enterprise, its reports and its qualifications, newest first.

    Each change lists the fields that differ from the object's previous history row (old → new)."""
    scope.require_read()
    if not scope.enterprises(Enterprise.objects.filter(pk=enterprise.pk)).exists():
        raise Enterprise.DoesNotExist(enterprise.pk)
    rows = []
    for label, model, qs in (
        (_("Enterprise"), Enterprise, enterprise.history.all()),
        (_("Annual report"), AnnualReport, AnnualReport.history.filter(enterprise_id=enterprise.pk)),
        (_("Qualification"), Qualification, Qualification.history.filter(enterprise_id=enterprise.pk)),
    ):
        fields = [f for f in model._meta.concrete_fields if f.name not in AUDIT_SKIP]
        previous: dict[int, object] = {}
        for h in qs.select_related("history_user").order_by("history_date", "history_id"):
            old = previous.get(h.id)
            changes = [] if old is None else [
                {"field": f.verbose_name, "old": getattr(old, f.attname), "new": getattr(h, f.attname)}
                for f in fields if getattr(old, f.attname) != getattr(h, f.attname)]
            previous[h.id] = h
            what = label
            if model is AnnualReport:
                what = f"{label} {h.fiscal_year}"
            elif model is Qualification:
                what = f"{label} {h.get_kind_display()}"
            rows.append({"when": h.history_date, "who": h.history_user, "what": what,
                         "type": h.get_history_type_display(), "changes": changes,
                         "reason": h.history_change_reason})
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows[:limit]


def export_frames(*, scope: Scope, queryset: QuerySet) -> dict[str, pl.DataFrame]:
    """Field-keyed frames of the given enterprises (one row per enterprise and year; their certificates)."""
    scope.require_read()
    ids = scope.enterprises(queryset).values("pk")
    ent_cols = ["uscc", "name", "reporting_unit__name", "registered_on", "hitech_field", "industry_code", "status"]
    reports = AnnualReport.objects.filter(enterprise__in=ids).order_by("enterprise__name", "enterprise__uscc", "fiscal_year")
    rows = list(reports.values_list(*[f"enterprise__{c}" for c in ent_cols], "fiscal_year", *REPORT_FIELDS))
    names = ["uscc", "name", "district", "registered_on", "hitech_field", "industry_code", "status", "fiscal_year",
             *REPORT_FIELDS]
    schema = _export_schema(names)
    report_df = pl.DataFrame(rows, schema=schema, orient="row")
    report_df = report_df.with_columns(
        pl.col(c).replace("", None) for c in ("hitech_field", "industry_code")
    )
    quals = Qualification.objects.filter(enterprise__in=ids).order_by("enterprise__uscc", "kind", "valid_from")
    qrows = list(quals.values_list("enterprise__uscc", "kind", "number", "valid_from", "valid_to", "source"))
    labels = dict(Qualification.Kind.choices)
    qual_df = pl.DataFrame(
        [(u, labels[k], n or None, f, t, s or None) for u, k, n, f, t, s in qrows],
        schema={"uscc": pl.String, "kind": pl.String, "number": pl.String, "valid_from": pl.Date,
                "valid_to": pl.Date, "source": pl.String},
        orient="row",
    )
    return {REPORT_SHEET: report_df, QUALIFICATION_SHEET: qual_df}


def _export_schema(names: Sequence[str]) -> dict[str, pl.DataType]:
    kinds = {c.field: c.kind for c in REPORT_COLUMNS}
    dtypes = {"count": pl.Int64, "money": pl.Int64, "usd": pl.Int64, "bool": pl.Boolean, "date": pl.Date,
              "year": pl.Int64}
    return {n: dtypes.get(kinds.get(n, "text"), pl.String) for n in names}


# ---------------------------------------------------------------- import: plan


def _no_rows() -> pl.DataFrame:
    return pl.DataFrame(schema={"uscc": pl.String})


@dataclass
class ImportPlan:
    """What a parsed file would do to the registry; nothing is written until it is applied."""

    errors: list[CellError] = field(default_factory=list)
    rows: int = 0
    #: a polars frame: uscc + field values (attnames), one row per new enterprise (empty: ``_no_rows()``)
    new_enterprises: pl.DataFrame = field(default_factory=lambda: _no_rows())
    changed_enterprises: list[Enterprise] = field(default_factory=list)
    enterprise_fields_changed: set[str] = field(default_factory=set)
    #: a polars frame: uscc + fiscal_year + the file's report fields, one row per new report, in file order
    new_reports: pl.DataFrame = field(default_factory=lambda: _no_rows())
    #: the stored enterprises of the file's codes when planned (uscc, id): the new rows' firms
    enterprise_ids: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"uscc": pl.String, "id": pl.Int64}))
    changed_reports: list[AnnualReport] = field(default_factory=list)
    report_fields_changed: set[str] = field(default_factory=set)
    new_qualifications: list[dict] = field(default_factory=list)
    changed_qualifications: list[Qualification] = field(default_factory=list)
    qualification_fields_changed: set[str] = field(default_factory=set)
    unchanged_reports: int = 0
    unchanged_enterprises: int = 0
    unchanged_qualifications: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "errors": len(self.errors),
            "enterprises": {"created": len(self.new_enterprises), "updated": len(self.changed_enterprises),
                            "unchanged": self.unchanged_enterprises},
            "reports": {"created": len(self.new_reports), "updated": len(self.changed_reports),
                        "unchanged": self.unchanged_reports},
            "qualifications": {"created": len(self.new_qualifications), "updated": len(self.changed_qualifications),
                               "unchanged": self.unchanged_qualifications},
        }


def _chunks(items: Sequence, size: int = IN_CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _attnames(model) -> tuple[str, ...]:
    """Every stored column of ``model`` (a changed row is rebuilt whole, so its history row is complete)."""
    return tuple(f.attname for f in model._meta.concrete_fields)


def _stored(model, row: dict):
    """An instance of ``model`` as stored, from a row holding every column (:func:`_attnames`)."""
    return model(**{a: row[a] for a in _attnames(model)})


def _normal(name: str, value):
    """Blank text is stored as '' (Django's convention for text), everything else as is."""
    if name in TEXT_FIELDS and value is None:
        return ""
    return value


def plan_import(
    *, scope: Scope, reports: ParsedSheet, qualifications: ParsedSheet | None, progress: Progress = no_progress
) -> ImportPlan:
    scope.require_write()
    plan = ImportPlan(rows=reports.data.height + (qualifications.data.height if qualifications else 0))
    plan.errors.extend(reports.errors)
    if qualifications is not None:
        plan.errors.extend(qualifications.errors)
    if reports.data.is_empty() and (qualifications is None or qualifications.data.is_empty()):
        return plan
    progress("plan", 0, 3)
    present = set(reports.present)
    existing = _existing_enterprises(reports, qualifications)
    plan.enterprise_ids = existing.select("uscc", "id")
    _plan_enterprises(plan, scope, reports, present, existing)
    progress("plan", 1, 3)
    _plan_reports(plan, reports, present, existing)
    progress("plan", 2, 3)
    if qualifications is not None and not qualifications.data.is_empty():
        _plan_qualifications(plan, scope, reports, qualifications, existing)
    progress("plan", 3, 3)
    plan.errors.sort(key=lambda e: (e.sheet != REPORT_SHEET, e.row, e.column))
    return plan


def _existing_enterprises(reports: ParsedSheet, qualifications: ParsedSheet | None) -> pl.DataFrame:
    """The stored enterprises of the file's codes, as a frame (one raw query per 5,000 codes, no Django
    converters): ``id``, the columns an import compares, and ``unit_name`` (their reporting unit's)."""
    codes: set[str] = set()
    for sheet in (reports, qualifications):
        if sheet is not None and "uscc" in sheet.data.columns:
            codes.update(c for c in sheet.data["uscc"].unique().to_list() if c)
    qn = connection.ops.quote_name
    columns = ("id", "uscc", "name", "reporting_unit_id", "registered_on", "hitech_field", "industry_code", "status")
    head = (f"SELECT {', '.join('e.' + qn(c) for c in columns)}, u.{qn('name')} FROM {qn(Enterprise._meta.db_table)} e "
            f"JOIN {qn(ReportingUnit._meta.db_table)} u ON u.{qn('id')} = e.{qn('reporting_unit_id')} "
            f"WHERE e.{qn('uscc')} IN ")
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(codes)):
            cursor.execute(f"{head}({', '.join(['%s'] * len(chunk))})", list(chunk))
            rows.extend(cursor.fetchall())
    schema = {"id": pl.Int64, "uscc": pl.String, "name": pl.String, "reporting_unit_id": pl.Int64,
              "registered_on": pl.Date,  # SQLite too: Django's connection converts declared date columns
              "hitech_field": pl.String, "industry_code": pl.String, "status": pl.String, "unit_name": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _enterprise_rows(reports: ParsedSheet) -> pl.DataFrame:
    data = reports.data.filter(pl.col("uscc").is_not_null())
    fields = [c.field for c in REPORT_COLUMNS if c.level == "enterprise" and c.field in data.columns]
    return data.sort(ROW).group_by("uscc", maintain_order=True).agg(
        pl.col(ROW).first(), *(pl.col(f).first() for f in fields if f != "uscc")
    )


def _plan_enterprises(
    plan: ImportPlan, scope: Scope, reports: ParsedSheet, present: set[str], existing: pl.DataFrame
) -> None:
    """New, changed and unchanged enterprises, column-wise: the file's first row of each firm joined with
    what is stored; only refused rows (scope) and changed firms are visited one by one."""
    district_header = next(c.header for c in REPORT_COLUMNS if c.field == "district")
    units = dict(ReportingUnit.objects.values_list("pk", "name"))
    ent = _enterprise_rows(reports)
    if ent.is_empty():
        return

    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in ent.columns else pl.lit(None)

    values = [col("name").cast(pl.String).alias("name"), col("district").cast(pl.Int64).alias("reporting_unit_id"),
              col("registered_on").cast(pl.Date).alias("registered_on")]
    for f in ("hitech_field", "industry_code"):
        if f in present:
            values.append(col(f).cast(pl.String).fill_null("").alias(f))  # blank text is stored as ''
    if "status" in present:
        values.append(col("status").cast(pl.String).fill_null(Enterprise.Status.ACTIVE).alias("status"))
    names = [v.meta.output_name() for v in values]
    old = existing.select("uscc", "id", "unit_name",
                          *(pl.col(n).alias(f"__old__{n}") for n in names))
    rows = ent.select("uscc", ROW, *values).join(old, on="uscc", how="left", maintain_order="left")
    candidates = set(rows["reporting_unit_id"].drop_nulls().to_list()) | set(
        rows["__old__reporting_unit_id"].drop_nulls().to_list())
    allowed = pl.Series([u for u in candidates if scope.may_write_unit(u)], dtype=pl.Int64).implode()
    is_old = pl.col("id").is_not_null()
    refused_old = is_old & ~pl.col("__old__reporting_unit_id").is_in(allowed)
    refused_new = ~refused_old & pl.col("reporting_unit_id").is_not_null() & ~pl.col("reporting_unit_id").is_in(allowed)
    rows = rows.with_columns(refused_old.alias("__refused_old__"), refused_new.alias("__refused_new__"))
    refused = rows.filter(pl.col("__refused_old__") | pl.col("__refused_new__"))
    for rec in refused.select(ROW, "reporting_unit_id", "unit_name", "__refused_old__").iter_rows(named=True):
        if rec["__refused_old__"]:
            reason = f"该企业已登记在{rec['unit_name']}，您无权修改其他区县的企业"
        else:
            reason = f"您只能导入本区县（{units.get(scope.unit_id, '')}）的企业"
        plan.errors.append(CellError(REPORT_SHEET, rec[ROW], district_header, units.get(rec["reporting_unit_id"]),
                                     reason))
    rows = rows.filter(~pl.col("__refused_old__") & ~pl.col("__refused_new__"))
    plan.new_enterprises = rows.filter(~is_old).select("uscc", *names)
    differs = [pl.col(n).is_not_null() & pl.col(n).ne_missing(pl.col(f"__old__{n}")) for n in names]
    changed = rows.filter(is_old & pl.any_horizontal(differs))
    plan.unchanged_enterprises += rows.filter(is_old).height - changed.height
    if changed.is_empty():
        return
    objects = Enterprise.objects.in_bulk(changed["id"].to_list())
    for rec in changed.select("id", *names, *(f"__old__{n}" for n in names)).iter_rows(named=True):
        ent_obj = objects[rec["id"]]
        diff = {n: rec[n] for n in names if rec[n] is not None and rec[n] != rec[f"__old__{n}"]}
        for k, v in diff.items():
            setattr(ent_obj, k, v)
        plan.changed_enterprises.append(ent_obj)
        plan.enterprise_fields_changed.update(diff)


def _plan_reports(plan: ImportPlan, reports: ParsedSheet, present: set[str], existing: pl.DataFrame) -> None:
    """New, changed and unchanged reports, compared with what is stored column-wise in polars (a Python
    loop over 100,000 stored rows was most of a re-import); only the changed rows become model objects."""
    fields = [f for f in REPORT_FIELDS if f in present]
    data = reports.data.filter(pl.col("uscc").is_not_null() & pl.col("fiscal_year").is_not_null())
    data = data.select("uscc", "fiscal_year", *fields).with_row_index("__order__")
    keys = existing.select("uscc", pl.col("id").alias("enterprise_id"))
    names = ("id", "enterprise_id", "fiscal_year", *fields)
    # SQLite hands booleans back as 0/1: each stored column takes the type of the file's column.
    typed = [pl.col("id", "enterprise_id", "fiscal_year").cast(pl.Int64),
             *(pl.col(f).cast(data.schema[f]).alias(f"__old__{f}") for f in fields)]
    parts = [pl.DataFrame(schema=list(names), orient="row").select(typed)]  # one frame a chunk: no rows kept
    for rows in _stored_reports(existing["id"].sort().to_list(), names):
        # column by column (faster than from_rows); the raw types, then the file's
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        frame = pl.DataFrame([pl.Series(n, v, dtype=_raw_dtype(data.schema.get(n, pl.Int64)))
                              for n, v in zip(names, columns, strict=True)])
        parts.append(frame.select(typed))
    old = pl.concat(parts)
    joined = (data.with_columns(pl.col("fiscal_year").cast(pl.Int64))
              .join(keys, on="uscc", how="left")
              .join(old, on=["enterprise_id", "fiscal_year"], how="left")
              .sort("__order__"))
    is_new = pl.col("id").is_null()
    differs = pl.any_horizontal(pl.col(f).ne_missing(pl.col(f"__old__{f}")) for f in fields) if fields else pl.lit(False)
    joined = joined.with_columns(is_new.alias("__new__"), (~is_new & differs).alias("__changed__"))
    plan.new_reports = joined.filter("__new__").select(data.columns[1:])
    changed = joined.filter("__changed__")
    plan.unchanged_reports += joined.height - changed.height - len(plan.new_reports)
    if changed.is_empty():
        return
    objects = AnnualReport.objects.in_bulk(changed["id"].to_list())
    for rec in changed.select("id", *fields).iter_rows(named=True):
        report = objects[rec["id"]]
        diff = {f: rec[f] for f in fields if getattr(report, f) != rec[f]}
        for k, v in diff.items():
            setattr(report, k, v)
        plan.changed_reports.append(report)
        plan.report_fields_changed.update(diff)


def _raw_dtype(dtype) -> pl.DataType:
    """The type a stored column comes back as from the cursor: booleans as 0/1 on SQLite, numbers as Int64."""
    if dtype == pl.Boolean:
        return pl.Boolean if connection.vendor == "postgresql" else pl.Int64
    return pl.Int64 if dtype.is_integer() else dtype


def _stored_reports(firm_ids: Sequence[int], names: Sequence[str]) -> Iterable[list[tuple]]:
    """The stored reports of these firms (sorted ids), ``names`` columns, per 5,000 firms: raw SQL, no Django
    converters; a run of ids that is dense is read by range (``BETWEEN``, then kept to the firms asked for),
    a sparse one by an ``IN`` list."""
    qn = connection.ops.quote_name
    table = AnnualReport._meta
    cols = ", ".join(qn(table.get_field(n).column) if n != "id" else qn("id") for n in names)
    head = f"SELECT {cols} FROM {qn(table.db_table)} WHERE {qn('enterprise_id')} "
    at = names.index("enterprise_id")
    with connection.cursor() as cursor:
        for chunk in _chunks(firm_ids):
            if chunk[-1] - chunk[0] + 1 <= 2 * len(chunk):
                cursor.execute(f"{head}BETWEEN %s AND %s", [chunk[0], chunk[-1]])
                rows = cursor.fetchall()
                if chunk[-1] - chunk[0] + 1 != len(chunk):
                    wanted = set(chunk)
                    rows = [r for r in rows if r[at] in wanted]
            else:
                cursor.execute(f"{head}IN ({', '.join(['%s'] * len(chunk))})", list(chunk))
                rows = cursor.fetchall()
            yield rows


def _plan_qualifications(
    plan: ImportPlan, scope: Scope, reports: ParsedSheet, quals: ParsedSheet, stored: pl.DataFrame
) -> None:
    in_quals = set(quals.data["uscc"].drop_nulls().to_list()) if "uscc" in quals.data.columns else set()
    existing = {uscc: {"pk": pk, "reporting_unit_id": unit, "reporting_unit__name": name}
                for uscc, pk, unit, name in stored.filter(pl.col("uscc").is_in(list(in_quals)))
                .select("uscc", "id", "reporting_unit_id", "unit_name").iter_rows()}
    in_file = set(reports.data["uscc"].drop_nulls().to_list()) if "uscc" in reports.data.columns else set()
    uscc_header = next(c.header for c in QUALIFICATION_COLUMNS if c.field == "uscc")
    present = set(quals.present)
    ids = sorted(v["pk"] for v in existing.values())
    current: dict[tuple, dict] = {}
    for chunk in _chunks(ids):
        for row in Qualification.objects.filter(enterprise_id__in=chunk).values(*_attnames(Qualification)):
            current[(row["enterprise_id"], row["kind"], row["valid_from"])] = row
    fields = [f for f in QUALIFICATION_FIELDS if f in present]
    data = quals.data.filter(pl.col("uscc").is_not_null() & pl.col("kind").is_not_null()
                             & pl.col("valid_from").is_not_null())
    for rec in data.iter_rows(named=True):
        uscc = rec["uscc"]
        ent = existing.get(uscc)
        if ent is None and uscc not in in_file:
            plan.errors.append(CellError(QUALIFICATION_SHEET, rec[ROW], uscc_header, uscc,
                                         "该企业既不在本文件的企业年报中，也未在系统中登记"))
            continue
        if ent is not None and not scope.may_write_unit(ent["reporting_unit_id"]):
            plan.errors.append(CellError(QUALIFICATION_SHEET, rec[ROW], uscc_header, uscc,
                                         f"该企业已登记在{ent['reporting_unit__name']}，您无权修改其他区县的企业"))
            continue
        values = {f: _normal(f, rec.get(f)) for f in fields}
        old = current.get((ent["pk"], rec["kind"], rec["valid_from"])) if ent else None
        if old is None:
            plan.new_qualifications.append({"uscc": uscc, "kind": rec["kind"], "valid_from": rec["valid_from"], **values})
            continue
        changed = {k: v for k, v in values.items() if old[k] != v}
        if changed:
            q = _stored(Qualification, old)
            for k, v in changed.items():
                setattr(q, k, v)
            plan.changed_qualifications.append(q)
            plan.qualification_fields_changed.update(changed)
        else:
            plan.unchanged_qualifications += 1


# ---------------------------------------------------------------- import: apply


def apply_plan(*, plan: ImportPlan, user=None, reason: str = "", progress: Progress = no_progress) -> None:
    """Write a plan without errors. Call inside ``transaction.atomic()`` (the flow does).

    New rows go through :mod:`.bulk` (plain tuples, COPY on PostgreSQL; their history copied inside the
    database), changed rows through ``bulk_update_with_history``; either way every row written gets its
    history row.
    """
    if plan.errors:
        raise ValueError("a plan with errors cannot be applied")
    now = bulk.now()
    reason = bulk.history_reason(reason)
    uid = user.pk if user is not None and user.pk else None
    total = (len(plan.new_enterprises) + len(plan.changed_enterprises) + len(plan.new_reports)
             + len(plan.changed_reports) + len(plan.new_qualifications) + len(plan.changed_qualifications))
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress("write", done, total)

    def created(model, rows: list[dict], key_fields: tuple[str, ...], existing: Callable[[], Iterable]) -> None:
        """Insert ``rows``, look up their new ids by natural key, and write their history."""
        for chunk in _chunks(rows, bulk.CHUNK * 4):
            bulk.insert(model, chunk, now=now)
            step(len(chunk))
        ids = {tuple(k): pk for *k, pk in existing()}
        new_ids = [ids[tuple(r[f] for f in key_fields)] for r in rows]
        bulk.copy_history(model, new_ids, now=now, user_id=uid, reason=reason)

    def created_frame(model, rows: pl.DataFrame, key_fields: tuple[str, ...]) -> pl.DataFrame:
        """Insert a frame of new rows, then take their ids in one query (the rows above the highest id
        before, matched on the natural key) and write their history. Returns the ids and keys."""
        last = bulk.last_id(model)
        for part in rows.iter_slices(bulk.CHUNK * 4):
            bulk.insert_frame(model, part, now=now)
            step(part.height)
        made = bulk.inserted_after(model, last, key_fields).join(rows.select(key_fields), on=list(key_fields),
                                                                 how="semi")
        if made.height != rows.height:
            raise RuntimeError(f"{model.__name__}: {rows.height} rows written, {made.height} found")
        bulk.copy_history(model, made["id"].to_list(), now=now, user_id=uid, reason=reason)
        return made

    def updated(model, objs: list, fields: set[str]) -> None:
        for chunk in _chunks(objs, BATCH):
            bulk_update_with_history(list(chunk), model, sorted(fields), batch_size=BATCH, default_user=user,
                                     default_change_reason=reason, default_date=now)
            step(len(chunk))

    firm_ids = plan.enterprise_ids.select("uscc", "id")
    if not plan.new_enterprises.is_empty():
        made = created_frame(Enterprise, plan.new_enterprises, ("uscc",))
        firm_ids = pl.concat([firm_ids, made.select("uscc", "id")])
    if plan.changed_enterprises:
        for e in plan.changed_enterprises:
            e.updated_at = now
        updated(Enterprise, plan.changed_enterprises, plan.enterprise_fields_changed | {"updated_at"})

    codes = set(plan.new_reports["uscc"].to_list()) | {q["uscc"] for q in plan.new_qualifications}
    missing = sorted(codes - set(firm_ids["uscc"].to_list()))  # a plan made elsewhere (applications)
    if missing:
        found = [row for chunk in _chunks(missing)
                 for row in Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", "pk")]
        firm_ids = pl.concat([firm_ids, pl.DataFrame(found, schema=firm_ids.schema, orient="row")])

    if not plan.new_reports.is_empty():
        new = plan.new_reports.join(firm_ids.rename({"id": "enterprise_id"}), on="uscc", how="left",
                                    maintain_order="left").drop("uscc")
        created_frame(AnnualReport, new, ("enterprise_id", "fiscal_year"))
    if plan.changed_reports:
        updated(AnnualReport, plan.changed_reports, plan.report_fields_changed)

    if plan.new_qualifications or plan.changed_qualifications:
        ids = dict(firm_ids.filter(pl.col("uscc").is_in(list({q["uscc"] for q in plan.new_qualifications})))
                   .iter_rows())
        touched = sorted(set(ids.values()))

        def keyed_qualifications() -> Iterable[tuple]:
            """The (natural key…, id) rows of the qualifications of the enterprises this import touches."""
            for chunk in _chunks(touched):
                yield from Qualification.objects.filter(enterprise_id__in=chunk).values_list(
                    "enterprise_id", "kind", "valid_from", "pk")

        if plan.new_qualifications:
            for r in plan.new_qualifications:  # the plan's own rows take their firm's id
                r["enterprise_id"] = ids[r["uscc"]]
            created(Qualification, plan.new_qualifications, ("enterprise_id", "kind", "valid_from"),
                    existing=keyed_qualifications)
        if plan.changed_qualifications:
            updated(Qualification, plan.changed_qualifications, plan.qualification_fields_changed)
