"""The rulebook as an officer reads it (issue #18 item 5): an edition's criteria in Chinese with their
thresholds, points, the article each implements and how sure that source is; the settings that stand in
for what the sources leave unconfirmed, with their current values; and two editions of one family side
by side, criterion by criterion.

Pure (no Django, no I/O): the command line (``keqi editions show / diff``) and the pages (/editions/)
only lay out what these functions return. Nothing here is an internal id a user would see: criteria,
settings and their parts are named in Chinese, amounts carry their unit, ratios are percentages. The
criterion id is kept in ``Line.key`` for matching two editions, never for display.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from keqi.policy import formats
from keqi.policy.editions import Criterion, Edition, Setting, Source, families, get
from keqi.policy.labels import EVIDENCE_NOTE, citation, edition_label, evidence_label

__all__ = [
    "EVIDENCE_NOTE",
    "Change",
    "Comparison",
    "Line",
    "Rulebook",
    "SettingLine",
    "compare",
    "family_of",
    "read",
    "settings_label",
    "threshold_text",
]

# ---------------------------------------------------------------------------------------------
# numbers as people read them: the one formatting module (keqi.policy.formats), as every page writes them


def money(value: float, currency: str = "元") -> str:
    """An amount in yuan (or dollars) in 万, as everywhere else: 15000000 → 1,500 万元; below 1万 in yuan
    (a unit cost of 1 元 is not 0 万元)."""
    if abs(value) < 10_000:
        return f"{formats.number(value)} {currency}"
    return formats.usd_wan_unit(value) if currency == "美元" else formats.wan_unit(value)


def percent(ratio: float) -> str:
    """A threshold ratio as a percentage, without decimals it does not have: 0.1 → 10%, 0.025 → 2.5%."""
    exact = Decimal(str(ratio)) * 100
    places = 0 if exact == exact.to_integral_value() else 2
    text = formats.percent(ratio, places)
    return text[:-1].rstrip("0").rstrip(".") + "%" if "." in text else text


_UNIT_AFTER = "年项分人家个倍"


def threshold_text(c: Criterion, settings: dict[str, Any] | None = None) -> str:
    """A criterion's threshold in words: 10%, 1,500 万元, 10,000 万美元, 3年, 50分 (empty without one).

    The unit is read as the pages read it (``formats.criterion_kind``: amounts in yuan, dollars when the
    criterion says 美元, fractions below 1 as percentages); a small count takes the unit that follows it
    in the criterion's own wording (3年以上 → 3年). A threshold kept in a setting
    (``Criterion.threshold_setting``) is that setting's current value."""
    if c.threshold_setting and settings is not None:
        key, _, part = c.threshold_setting.partition(".")
        value = settings.get(key, {}).get(part) if part else settings.get(key)
        unit = _SETTINGS.get(key, ("", {}, {}))[1].get(part, ("", ""))[1] if part else _UNITS.get(key, "")
        return _amount(value, unit) if value is not None else ""
    v = c.threshold
    if v is None:
        return ""
    kind = formats.criterion_kind(c.label, v)
    if kind == "share":
        return percent(v)
    if kind in ("money", "usd"):
        return money(v, "美元" if kind == "usd" else "元")
    n = formats.number(v)
    m = re.search(rf"(?<![\d.,]){re.escape(n.replace(',', ''))}\s*([{_UNIT_AFTER}])", c.label)
    return f"{n}{m.group(1)}" if m else n


# ---------------------------------------------------------------------------------------------
# settings in Chinese: what each one decides and the unit of each of its parts


# key → (what it decides, {part: (name, unit)}, {value: words}); unit: 元, %, 分, 人, 年, 项, 期
_SETTINGS: dict[str, tuple[str, dict[str, tuple[str, str]], dict[Any, str]]] = {
    "gap_costs": (
        "差距方案的单位成本（非官方口径，只用于比较方案大小，不影响是否符合条件）",
        {
            "rd_expense": ("每元研发费用", "元"),
            "tech_staff": ("每名科技人员", "元"),
            "ip.class1": ("每项Ⅰ类知识产权", "元"),
            "ip.class2": ("每项Ⅱ类知识产权", "元"),
            "hitech_revenue": ("每元转为高新技术产品（服务）的收入", "元"),
        },
        {},
    ),
    "negative_net_assets": (
        "期初或第二年净资产为负时，净资产增长率如何计分",
        {},
        {"range": "无法判定，计0至10分", "zero": "计0分"},
    ),
    "rd_management_true_floor": (
        "研究开发组织管理水平分项回答“是”时的最低得分（上限为该分项满分）",
        {},
        {},
    ),
    "legal_person_from_uscc": (
        "法人资格未知时，统一社会信用代码以91开头（市场监管登记的企业）视为独立法人",
        {},
        {},
    ),
    "unconfirmed_rd_alternative": (
        "接受2016年版的替代条件（科技人员占比、研发费用占销售收入比重、知识产权项数同时达到下列标准）",
        {},
        {},
    ),
    "alt_tech_staff_pct": ("替代条件：科技人员占职工总数比例不低于", {}, {}),
    "alt_rd_revenue_pct": ("替代条件：研发费用占销售收入比重不低于", {}, {}),
    "alt_min_ip": ("替代条件：知识产权不少于", {}, {}),
    "cagr_periods": ("近3年复合增长率的计算期数（2期为前年至上年两期，1期为上年一期）", {}, {}),
    "new_economy_field": (
        "是否属于新技术、新产业、新业态领域",
        {},
        {"undecided": "无法由数据判定（待官员核实）", "assume_met": "视为满足（已另行核实）"},
    ),
    "kv_ip_points": (
        "知识产权（基础指标）计分",
        {"class1": ("每项Ⅰ类知识产权", "分"), "class2": ("每项Ⅱ类知识产权", "分"), "cap": ("本项最高", "分")},
        {},
    ),
    "kv_rd_bands": ("研发投入（基础指标）按研发费用占营业收入比重分档计分", {}, {}),
    "kv_talent_points": (
        "科技人才（加分指标）计分",
        {
            "share_pct": ("科技人员占比达到", "%"),
            "share_points": ("达到该占比的得分", "分"),
            "senior_points": ("有副高级及以上职称科技人员的得分", "分"),
        },
        {},
    ),
    "kv_product_points": (
        "创新产品（加分指标）计分",
        {"share_pct": ("高新技术产品（服务）收入占比达到", "%"), "points": ("得分", "分")},
        {},
    ),
    "kv_enterprise_points": (
        "创新企业（加分指标）计分",
        {"hnte": ("持有有效高新技术企业证书的得分", "分")},
        {},
    ),
    "kv_grade_cutoffs": (
        "各信用等级的最低总分",
        {g: (f"{g}级", "分") for g in "ABCDE"},
        {},
    ),
    "special_thresholds": (
        "专项条件的金额标准",
        {
            "rd_avg_2y": ("近两年研发费用总额均值不低于", "元"),
            "equity_2y": ("近两年新增股权融资总额不低于", "元"),
        },
        {},
    ),
    "thresholds": (
        "认定标准中的各项数值",
        {
            "niche_years": ("从事特定细分市场年限不少于", "年"),
            "main_pct": ("主营业务收入占营业收入比重不低于", "%"),
            "main_growth_pct": ("近2年主营业务收入平均增长率不低于", "%"),
            "debt_pct": ("资产负债率不高于", "%"),
            "share_pct": ("主导产品全国细分市场占有率不低于", "%"),
            "revenue_large": ("营业收入较高一档的下限", "元"),
            "revenue_mid": ("营业收入中间一档的下限", "元"),
            "rd_pct_large": ("较高一档企业近2年研发强度不低于", "%"),
            "rd_pct_mid": ("中间一档企业近2年研发强度不低于", "%"),
            "equity_small": ("较小企业近2年新增股权融资不低于", "元"),
            "rd_total_small": ("较小企业近2年研发费用总额不低于", "元"),
            "rd_staff_pct_small": ("较小企业研发人员占比不低于", "%"),
            "ip_class1": ("与主导产品相关的Ⅰ类知识产权不少于", "项"),
        },
        {},
    ),
    "patent_exception": (
        "例外条款“发明专利合计50项以上”是否保留",
        {},
        {"kept": "保留", "deleted": "删除"},
    ),
    "size_limits": ("中小企业划型标准：各行业的上限（任一指标低于上限即属中小微型企业）", {}, {}),
}
# a single-valued setting's unit
_UNITS = {
    "rd_management_true_floor": "分",
    "alt_tech_staff_pct": "%",
    "alt_rd_revenue_pct": "%",
    "alt_min_ip": "项",
    "cagr_periods": "期",
}
_SIZE_PARTS = {"staff": ("从业人员", "人"), "revenue": ("营业收入", "元"), "assets": ("资产总额", "元")}


def settings_label(key: str) -> str:
    """What a setting decides, in Chinese (a setting not in the table is never shown by its key)."""
    return _SETTINGS.get(key, ("其他设置", {}, {}))[0]


def _amount(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if not isinstance(value, int | float):
        return "其他取值"
    if unit == "元":
        return money(value)
    if unit == "%":
        return f"{formats.number(value)}%"
    return f"{formats.number(value)}{unit}"


def _parts(key: str, value: dict) -> list[str]:
    if key == "size_limits":
        from keqi.policy.editions.sme_size_2011 import INDUSTRIES

        out = []
        for part, v in value.items():
            industry, _, indicator = part.partition(".")
            name = INDUSTRIES[industry][0] if industry in INDUSTRIES else "其他行业"
            what, unit = _SIZE_PARTS.get(indicator, ("其他指标", ""))
            out.append(f"{name}{what}{_amount(v, unit)}")
        return out
    if key == "kv_rd_bands":
        return [f"不低于{formats.number(k)}%：{_amount(v, '分')}" for k, v in value.items() if _is_number(k)]
    names = _SETTINGS.get(key, ("", {}, {}))[1]
    return [
        f"{names[k][0]}{_amount(v, names[k][1])}" if k in names else f"其他项{_amount(v, '')}"
        for k, v in value.items()
    ]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def value_text(key: str, value: Any) -> str:
    """A setting's value in words: 是/否, a named choice, an amount with its unit, or its parts."""
    if isinstance(value, dict):
        return "；".join(_parts(key, value))
    words = _SETTINGS.get(key, ("", {}, {}))[2]
    if not isinstance(value, bool) and value in words:
        return words[value]
    return _amount(value, _UNITS.get(key, ""))


# ---------------------------------------------------------------------------------------------
# an edition as a rulebook


@dataclass(frozen=True)
class Line:
    """One criterion as read: its wording, threshold, points, kind, article and evidence."""

    key: str  # the criterion id: for matching two editions, never shown
    label: str
    threshold: str
    points: str
    kind: str
    part_of: str
    source: str
    evidence: str


@dataclass(frozen=True)
class SettingLine:
    label: str
    value: str
    evidence: str
    official: bool


@dataclass(frozen=True)
class Rulebook:
    edition_id: str
    title: str
    family: str
    in_force: str
    rereview: str
    pass_mark: str
    sources: tuple[str, ...]
    lines: tuple[Line, ...]
    settings: tuple[SettingLine, ...]  # the settings that stand in for the sources, with their values
    scored: bool


def _kind(c: Criterion) -> str:
    if c.scored and c.points is None and c.threshold is not None:
        return "分项得分要求"
    if c.scored:
        return "评分项"
    if c.gate:
        return "必备条件"
    return "组合条件（与其他条件合并判定）"


def _points(c: Criterion) -> str:
    if not c.scored or (c.points is None and c.threshold is not None):
        return ""
    return f"最高{c.points}分" if c.points is not None else "分值见局设置"


def _cite(source: Source) -> str:
    """Document, number and article (the document once when the number already names it)."""
    cite = source.cite()
    return citation(cite if source.document in cite else f"{source.document} {cite}".strip())


def _source(c: Criterion) -> str:
    return _cite(c.source)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _span(e: Edition) -> str:
    start = _day(e.in_force_from) if e.in_force_from else ""
    end = _day(e.in_force_until) if e.in_force_until else ""
    if start and end:
        text = f"{start}至{end}"
    elif start:
        text = f"自{start}起施行"
    elif end:
        text = f"施行至{end}"
    else:
        text = "未规定起止日期"
    if e.in_force_source is not None:
        text += f"（依据：{citation(e.in_force_source.cite())}）"
    return text


def _line(e: Edition, c: Criterion, settings: dict[str, Any]) -> Line:
    parent = ""
    if c.part_of:
        try:
            parent = e.criterion(c.part_of).label
        except KeyError:
            parent = ""
    return Line(
        key=c.id,
        label=c.label,
        threshold=threshold_text(c, settings),
        points=_points(c),
        kind=_kind(c),
        part_of=parent,
        source=_source(c),
        evidence=evidence_label(c.source.status),
    )


def family_of(edition_id: str) -> list[str]:
    """The ids of the editions of ``edition_id``'s family, oldest first (itself included)."""
    return families()[get(edition_id).family]


def read(edition_id: str, settings: dict[str, Any] | None = None) -> Rulebook:
    """An edition as a rulebook; ``settings`` overrides the defaults (``KeyError``: unknown edition)."""
    e = get(edition_id)
    values = e.resolve_settings(settings)
    rereview = ""
    if e.rereview_until is not None:
        rereview = f"复核企业沿用本标准至{_day(e.rereview_until)}"
        if e.rereview_source is not None:
            rereview += f"（依据：{citation(e.rereview_source.cite())}）"
    return Rulebook(
        edition_id=e.id,
        title=edition_label(e.id),
        family=e.family,
        in_force=_span(e),
        rereview=rereview,
        pass_mark=f"总分不低于{e.pass_mark}分" if e.pass_mark is not None else "",
        sources=tuple(f"{_cite(s)}（{evidence_label(s.status)}）" for s in e.sources),
        lines=tuple(_line(e, c, values) for c in e.criteria),
        settings=tuple(_setting_line(s, values[s.key]) for s in e.settings),
        scored=e.pass_mark is not None or any(c.scored for c in e.criteria),
    )


def _setting_line(s: Setting, value: Any) -> SettingLine:
    return SettingLine(
        label=settings_label(s.key),
        value=value_text(s.key, value),
        evidence=evidence_label(s.status),
        official=s.official,
    )


# ---------------------------------------------------------------------------------------------
# two editions of one family


ADDED, REMOVED, THRESHOLD, POINTS, WORDING, UNCHANGED = (
    "added",
    "removed",
    "threshold",
    "points",
    "wording",
    "same",
)
CHANGE_LABELS = {
    ADDED: "新增",
    REMOVED: "删除",
    THRESHOLD: "门槛变化",
    POINTS: "分值变化",
    WORDING: "表述或依据变化",
    UNCHANGED: "未变",
}


@dataclass(frozen=True)
class Change:
    kind: str  # one of ADDED … UNCHANGED (for tests and styling; ``what`` says it in words)
    what: str
    old: Line | None
    new: Line | None

    @property
    def label(self) -> str:
        return (self.new or self.old).label  # type: ignore[union-attr]


@dataclass(frozen=True)
class Comparison:
    old: Rulebook
    new: Rulebook
    changes: tuple[Change, ...]
    settings_old: tuple[SettingLine, ...]
    settings_new: tuple[SettingLine, ...]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(CHANGE_LABELS.values(), 0)
        for c in self.changes:
            out[c.what] += 1
        return {k: n for k, n in out.items() if n}


def _change(old: Line | None, new: Line | None) -> Change:
    if old is None:
        kind = ADDED
    elif new is None:
        kind = REMOVED
    elif old.threshold != new.threshold:
        kind = THRESHOLD
    elif old.points != new.points:
        kind = POINTS
    elif old.label != new.label:
        kind = WORDING
    else:
        kind = UNCHANGED
    return Change(kind=kind, what=CHANGE_LABELS[kind], old=old, new=new)


def compare(a: str, b: str) -> Comparison:
    """Editions ``a`` and ``b`` of one family side by side, the older first whatever the order given.

    Criteria are matched by what they are (the edition's criterion id): each is 新增, 删除, 门槛变化,
    分值变化, 表述或依据变化 (same threshold and points, other wording) or 未变. ``KeyError``: unknown
    edition; ``ValueError``: not the same family (or the same edition twice), in Chinese."""
    ea, eb = get(a), get(b)
    if ea.id == eb.id:
        raise ValueError("请选择同一类别的两个不同版本进行对比")
    if ea.family != eb.family:
        raise ValueError(f"{edition_label(ea.id)}与{edition_label(eb.id)}不属于同一类别，无法逐条对比")
    order = family_of(ea.id)
    if order.index(ea.id) > order.index(eb.id):
        ea, eb = eb, ea
    old, new = read(ea.id), read(eb.id)
    old_lines = {line.key: line for line in old.lines}
    new_lines = {line.key: line for line in new.lines}
    changes = [_change(old_lines.get(k), line) for k, line in new_lines.items()]
    changes += [_change(line, None) for k, line in old_lines.items() if k not in new_lines]
    return Comparison(
        old=old, new=new, changes=tuple(changes), settings_old=old.settings, settings_new=new.settings
    )
