"""Reported indicator values (R&D intensity, S&T service revenue growth, STAR listings, turnover
entered by hand): reading, checking and recording them, one by one or from an xlsx sheet
(all or nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from keqi.accounts.scope import Scope
from keqi.registry.background import import_lock
from keqi.registry.parsing import CellError
from keqi.registry.uploads import ImportResult, Progress, no_progress

from .models import SOURCE_LENGTH, Indicator, IndicatorValue
from .services import MAX_VALUE, unit_names, visible_scope_keys
from .zones import PLAN_ZONES

REPORTED = (Indicator.RD_INTENSITY, Indicator.CONTRACT_TURNOVER, Indicator.SNT_REVENUE_GROWTH,
            Indicator.STAR_LISTINGS)


def indicator_values(*, scope: Scope, indicator: str = "", year: int | None = None):
    scope.require_read()
    qs = IndicatorValue.objects.select_related("entered_by").order_by("-as_of", "-pk")
    keys = visible_scope_keys(scope=scope)
    if keys is not None:
        qs = qs.filter(scope_key__in=keys)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if year:
        qs = qs.filter(year=year)
    return qs


def check_value(*, indicator: str, year, scope_key: str, as_of, value, source: str,
                zones: tuple[str, ...] = PLAN_ZONES, units: set[int] | None = None) -> list[tuple[str, str]]:
    """What is wrong with one value: a list of (field, reason), empty when it may be recorded."""
    faults = []
    if indicator not in REPORTED:
        faults.append(("indicator", f"不是填报类指标：{indicator}（可填：{', '.join(REPORTED)}）"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        faults.append(("year", f"年度应为 2000–2100 的整数：{year}"))
    kind, _sep, rest = (scope_key or "").partition(":")
    if not (scope_key == "city" or (kind == "zone" and rest in zones)
            or (kind == "unit" and rest.isdigit() and (units is None or int(rest) in units))):
        faults.append(("scope_key", f"范围应为 city、zone:片区名 或 unit:区县编号：{scope_key}"))
    if not isinstance(as_of, dt.date):
        faults.append(("as_of", f"截至日期不是日期：{as_of}"))
    if not isinstance(value, Decimal) or not value.is_finite():
        faults.append(("value", f"数值不是数字：{value}"))
    elif value.as_tuple().exponent < -4:
        faults.append(("value", f"数值最多四位小数：{value}"))
    elif abs(value) >= MAX_VALUE:
        faults.append(("value", f"数值超出可记录的范围（绝对值小于 {MAX_VALUE:,}）：{value}"))
    if not (source or "").strip():
        faults.append(("source", "来源不能为空"))
    elif len(source.strip()) > SOURCE_LENGTH:
        faults.append(("source", f"来源最多 {SOURCE_LENGTH} 个字（现有 {len(source.strip())} 个）"))
    return faults


def record_value(*, scope: Scope, user, indicator: str, year: int, scope_key: str, as_of: dt.date, value: Decimal,
                 source: str) -> IndicatorValue:
    """Record a dated value of a reported indicator (city administrator only)."""
    scope.require("targets.record_values")
    faults = check_value(indicator=indicator, year=year, scope_key=scope_key, as_of=as_of, value=value,
                         source=source, units=set(unit_names()))
    if faults:
        raise ValidationError([f"{field}: {why}" for field, why in faults])
    v = IndicatorValue(indicator=indicator, year=year, scope_key=scope_key, as_of=as_of, value=value,
                       source=source.strip(), entered_by=user)
    v._history_user = user
    v.save()
    return v




# ---------------------------------------------------------------- importing reported values (xlsx)

VALUE_SHEET = "指标数值"
VALUE_HEADERS = {"indicator": "指标", "year": "年度", "scope": "范围", "as_of": "截至日期", "value": "数值",
                 "source": "来源"}
REPORTED_ZH = {  # the names officers write in the sheet (the keys work too)
    Indicator.RD_INTENSITY: "研发经费投入强度",
    Indicator.CONTRACT_TURNOVER: "技术合同成交额",
    Indicator.SNT_REVENUE_GROWTH: "科学研究和技术服务业营业收入增速",
    Indicator.STAR_LISTINGS: "科创板上市企业数",
}


@dataclass
class ValuePlan:
    """What a sheet of values would record: the rows, or the errors (registry's ``CellError``, by row and column)."""

    values: list[dict] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.values)

    def summary(self) -> dict:
        return {"rows": self.rows, "created": 0 if self.errors else self.rows, "updated": 0, "unchanged": 0}


def _scope_key_of(text: str, units: dict[str, int]) -> str | None:
    text = text.strip()
    if text in ("全市", "city"):
        return "city"
    zone = text.removeprefix("zone:")
    if zone in PLAN_ZONES:
        return f"zone:{zone}"
    if text.startswith("unit:") and text[5:].isdigit() and int(text[5:]) in units.values():
        return text
    return f"unit:{units[text]}" if text in units else None


def read_values(*, path) -> tuple[list[dict], list[CellError]]:
    """Parse a sheet of reported values; every fault is reported with its row, column and reason."""
    from keqi.registry.reading import UnreadableFile, read_sheets

    try:  # within the limits of every spreadsheet (keqi.registry.limits)
        frames, formulas = read_sheets(path, [VALUE_SHEET])
    except UnreadableFile as exc:
        return [], [CellError(VALUE_SHEET, 0, "", "", f"无法读取工作表“{VALUE_SHEET}”：{exc}")]
    if VALUE_SHEET not in frames:
        return [], [CellError(VALUE_SHEET, 0, "", "", f"文件中没有工作表“{VALUE_SHEET}”：请使用下载的模板填写")]
    if formulas:
        return [], [CellError(VALUE_SHEET, e.row, e.column, "", e.reason) for e in formulas]
    df = frames[VALUE_SHEET]
    missing = [h for h in VALUE_HEADERS.values() if h not in df.columns]
    if missing:
        return [], [CellError(VALUE_SHEET, 1, h, "", "缺少此列") for h in missing]
    by_name = {v: k for k, v in REPORTED_ZH.items()} | {str(k): k for k in REPORTED}
    units = {name: pk for pk, name in unit_names().items()}
    rows, errors = [], []
    for i, raw in enumerate(df.iter_rows(named=True), start=2):
        cells = {f: (raw[h] or "").strip() for f, h in VALUE_HEADERS.items()}
        if not any(cells.values()):
            continue
        fault = len(errors)

        def bad(field: str, reason: str, i=i, cells=cells) -> None:
            errors.append(CellError(VALUE_SHEET, i, VALUE_HEADERS[field], cells[field], reason))

        indicator = by_name.get(cells["indicator"])
        if indicator is None:
            bad("indicator", "不是填报类指标（可填：" + "、".join(REPORTED_ZH.values()) + "）")
        year = int(cells["year"]) if cells["year"].isdigit() else None
        if year is None or not 2000 <= year <= 2100:
            bad("year", "应为 2000–2100 的年份")
        key = _scope_key_of(cells["scope"], units)
        if key is None:
            bad("scope", "应为 全市、片区名（中心城区、主城新区、两群）或区县名称")
        try:
            as_of = dt.date.fromisoformat(cells["as_of"][:10])
        except ValueError:
            as_of = None
            bad("as_of", "应为日期（YYYY-MM-DD）")
        try:
            value = Decimal(cells["value"].replace(",", ""))
            if not value.is_finite() or value.as_tuple().exponent < -4:
                raise InvalidOperation
        except InvalidOperation:
            value = None
            bad("value", "应为数字（最多四位小数）")
        if not cells["source"]:
            bad("source", "来源不能为空（文件名称和文号，或统计公报及日期）")
        if len(errors) == fault:
            rows.append({"indicator": indicator, "year": year, "scope_key": key, "as_of": as_of, "value": value,
                         "source": cells["source"]})
    return rows, errors


def run_import(*, path, scope: Scope, user=None, dry_run: bool = False, progress: Progress = no_progress,
               reason: str = "") -> ImportResult:
    """Record every value of the sheet, or none when any row is wrong (city administrator only).

    The one path of a sheet of values (the upload lifecycle's check and import, ``import_values``).
    ``reason`` (the upload lifecycle's "导入 <file>") is not stored: a value's history names who entered it.
    """
    scope.require("targets.record_values")
    progress("read", 0, 1)
    rows, errors = read_values(path=path)
    progress("check", 1, 1)
    plan = ValuePlan(values=rows, errors=errors)
    if dry_run or errors:
        return ImportResult(plan, False)
    with transaction.atomic():
        import_lock()
        for n, r in enumerate(rows, start=1):
            record_value(scope=scope, user=user, **r)
            progress("write", n, len(rows))
    return ImportResult(plan, True)


def import_values(*, scope: Scope, user, path) -> tuple[int, list[CellError]]:
    """Import a sheet at once (no upload kept): how many values were recorded, or the errors."""
    result = run_import(path=path, scope=scope, user=user)
    return (result.plan.rows if result.applied else 0), result.errors


def write_values_template(*, path) -> None:
    """The empty sheet for reported values, with an example row and what each column takes."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1})
    text = book.add_format({"num_format": "@"})
    ws = book.add_worksheet(VALUE_SHEET)
    for c, h in enumerate(VALUE_HEADERS.values()):
        ws.write_string(0, c, h, head)
        ws.set_column(c, c, 22, text)
    ws.write_row(1, 0, ["研发经费投入强度", "2024", "全市", "2024-12-31", "2.41", "示例：统计公报名称及发布日期"])
    notes = book.add_worksheet("填写说明")
    lines = [("指标", "、".join(REPORTED_ZH.values())),
             ("年度", "数值所属年度，如 2024"),
             ("范围", "全市；片区名（中心城区、主城新区、两群）；或区县名称（如 渝北区）"),
             ("截至日期", "数值的统计截止日，YYYY-MM-DD"),
             ("数值", "研发强度、增速填百分数的数值（2.41 表示 2.41%）；成交额填元；上市企业填家数"),
             ("来源", "必填：文件名称和文号，或统计公报名称及日期"),
             ("规则", "任何一行有错，整个文件都不导入；错误按行、列列出")]
    for r, (k, v) in enumerate(lines):
        notes.write_string(r, 0, k, head)
        notes.write_string(r, 1, v)
    notes.set_column(0, 0, 12)
    notes.set_column(1, 1, 80)
    book.close()
