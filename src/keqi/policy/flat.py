"""The flat table: one row per firm, the only thing the rules read.

Every rule is an Ibis expression over this table, so the same rules run on DuckDB (in-process), on
PySpark or inside the database, and a single firm is simply a table of one row. The registry can
build this table straight from SQL rows: it only has to produce the columns of ``FLAT_SCHEMA`` (any
column may be NULL except ``uscc``, ``registered_on`` and ``assess_on``).

Fiscal years: ``y1_*`` is the latest year in ``financials``, ``y2_*`` the year before it and ``y3_*``
two years before it. A year that is missing from the profile leaves its columns NULL (a gap in the
series is missing data, not zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from keqi.policy.profile import Profile

__all__ = [
    "FINANCIAL_FIELDS",
    "FLAT_COLUMNS",
    "FLAT_SCHEMA",
    "MORE_FINANCIAL_FIELDS",
    "flat_row",
    "profiles_to_table",
    "rows_to_table",
]

FINANCIAL_FIELDS = (
    "revenue",
    "rd_expense",
    "rd_expense_domestic",
    "cost_total",
    "total_assets",
    "net_assets",
    "hitech_revenue",
)

# fiscal-year figures added for the upper rungs; their columns (y1_main_revenue …) follow the earlier ones
MORE_FINANCIAL_FIELDS = ("main_revenue", "net_profit", "equity_financing")

_SME_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("niche_years", pa.int64()),
    ("market_share_pct", pa.float64()),
    ("market_rank", pa.int64()),
    ("market_leading", pa.bool_()),
    ("quality_score", pa.float64()),
    ("rd_institution_level", pa.string()),
    ("chain_key_link", pa.bool_()),
    ("key_field", pa.bool_()),
    ("product_field", pa.string()),
    ("strategic_emerging", pa.bool_()),
    ("digital_level", pa.int64()),
    ("quality_items", pa.int64()),
    ("local_points", pa.int64()),
    ("quality_certified", pa.bool_()),
    ("own_brand", pa.bool_()),
    ("info_system", pa.bool_()),
    ("innovation_honour", pa.bool_()),
    ("award_national_top3", pa.bool_()),
    ("award_provincial_top3", pa.bool_()),
    ("award_any", pa.bool_()),
    ("chuangke", pa.string()),
    ("ip_class1_in_use", pa.bool_()),
    ("ip_class1_high_value", pa.int64()),
    ("title_tsme", pa.bool_()),
    ("title_innovative_sme", pa.bool_()),
    ("title_srdi", pa.bool_()),
    ("title_little_giant", pa.bool_()),
    ("rereview", pa.bool_()),
)

_STAR_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("invention_patents", pa.int64()),
    ("software", pa.bool_()),
    ("revenue_exempt", pa.bool_()),
    ("leading_tech", pa.bool_()),
    ("national_award", pa.bool_()),
    ("major_project", pa.bool_()),
    ("import_substitution", pa.bool_()),
    ("negative_list", pa.bool_()),
)

_EXPERT_FIELDS = (
    "tech_advancement",
    "core_support",
    "ip_quantity",
    "ip_acquisition",
    "ip_standards",
    "conversion",
    "rd_management",
    "net_asset_growth",
    "revenue_growth",
)

_FIELDS: list[tuple[str, pa.DataType]] = [
    ("uscc", pa.string()),
    ("name", pa.string()),
    ("district_code", pa.string()),
    ("legal_person", pa.bool_()),
    ("registered_on", pa.date32()),
    ("assess_on", pa.date32()),
    ("hitech_field", pa.string()),
    ("industry_code", pa.string()),
    ("staff_total", pa.int64()),
    ("tech_staff", pa.int64()),
    ("senior_tech_staff", pa.int64()),
]
for _k in (1, 2, 3):
    _FIELDS.append((f"y{_k}_year", pa.int64()))
    _FIELDS.extend((f"y{_k}_{name}", pa.int64()) for name in FINANCIAL_FIELDS)
_FIELDS += [
    ("ip_class1", pa.int64()),
    ("ip_class2", pa.int64()),
    ("ip_self_developed", pa.bool_()),
    ("conversions_3y", pa.int64()),
    ("flag_major_incident", pa.bool_()),
    ("flag_research_misconduct", pa.bool_()),
    ("flag_credit_blacklisted", pa.bool_()),
    ("flag_abnormal_operation", pa.bool_()),
    ("flag_prohibited_industry", pa.bool_()),
    ("direct_hnte_certificate_valid", pa.bool_()),
    ("direct_national_award_top3", pa.bool_()),
    ("direct_provincial_rd_institution", pa.bool_()),
    ("direct_led_standard", pa.bool_()),
    ("rd_accounting", pa.bool_()),
    ("rd_institution", pa.bool_()),
    ("conversion_incentives", pa.bool_()),
    ("talent_development", pa.bool_()),
    ("standards_participation", pa.bool_()),
    ("valuation_usd", pa.float64()),
    ("financing_usd", pa.float64()),
]
_FIELDS += [(f"expert_{name}", pa.int64()) for name in _EXPERT_FIELDS]
# added for the upper rungs (专精特新, 小巨人, 科创属性); appended so earlier columns keep their order
for _k in (1, 2, 3):
    _FIELDS.extend((f"y{_k}_{name}", pa.int64()) for name in MORE_FINANCIAL_FIELDS)
_FIELDS.append(("rd_staff", pa.int64()))
_FIELDS += [(f"sme_{name}", kind) for name, kind in _SME_FIELDS]
_FIELDS += [(f"star_{name}", kind) for name, kind in _STAR_FIELDS]
# 入库重庆市科技型企业 on the assessment day (knowledge-value credit grades only firms in that registry)
_FIELDS.append(("cq_tech_registered", pa.bool_()))

FLAT_SCHEMA = pa.schema(_FIELDS)
"""Arrow schema of the flat table (column order is part of the contract)."""

FLAT_COLUMNS: tuple[str, ...] = tuple(FLAT_SCHEMA.names)
"""The documented flat column list."""


def flat_row(profile: Profile) -> dict[str, Any]:
    """One profile as a flat row (a dict keyed by ``FLAT_COLUMNS``)."""
    row: dict[str, Any] = {
        "uscc": profile.uscc,
        "name": profile.name,
        "district_code": profile.district_code,
        "legal_person": profile.legal_person,
        "registered_on": profile.registered_on,
        "assess_on": profile.assess_on,
        "hitech_field": profile.hitech_field,
        "industry_code": profile.industry_code,
        "staff_total": profile.staff_total,
        "tech_staff": profile.tech_staff,
        "senior_tech_staff": profile.senior_tech_staff,
    }
    by_year = {f.year: f for f in profile.financials}
    latest = max(by_year) if by_year else None
    for k in (1, 2, 3):
        fin = by_year.get(latest - (k - 1)) if latest is not None else None
        row[f"y{k}_year"] = fin.year if fin is not None else None
        for name in (*FINANCIAL_FIELDS, *MORE_FINANCIAL_FIELDS):
            row[f"y{k}_{name}"] = getattr(fin, name) if fin is not None else None
    row.update(
        ip_class1=profile.ip.class1,
        ip_class2=profile.ip.class2,
        ip_self_developed=profile.ip.self_developed,
        conversions_3y=profile.conversions_3y,
        standards_participation=profile.standards_participation,
        valuation_usd=profile.valuation_usd,
        financing_usd=profile.financing_usd,
    )
    for name, value in profile.flags:
        row[f"flag_{name}"] = value
    for name, value in profile.direct:
        row[f"direct_{name}"] = value
    for name, value in profile.rd_management:
        row[name] = value
    for name, value in profile.expert:
        row[f"expert_{name}"] = value
    row["rd_staff"] = profile.rd_staff
    for name, value in profile.sme:
        row[f"sme_{name}"] = value
    for name, value in profile.star:
        row[f"star_{name}"] = value
    row["cq_tech_registered"] = profile.cq_tech_registered
    return row


def rows_to_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Flat rows (dicts; missing keys are NULL) as an Arrow table with ``FLAT_SCHEMA``."""
    rows = list(rows)
    columns = {name: [r.get(name) for r in rows] for name in FLAT_COLUMNS}
    return pa.Table.from_pydict(columns, schema=FLAT_SCHEMA)


def profiles_to_table(profiles: Iterable[Profile]) -> pa.Table:
    """Profiles as the flat Arrow table, one row per profile, same order."""
    return rows_to_table(flat_row(p) for p in profiles)
