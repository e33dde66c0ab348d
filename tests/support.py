"""Test helpers shared by the suites: small valid populations and files in the exchange format."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl

from keqi.policy.flat import FINANCIAL_FIELDS
from keqi.policy.profile import Profile
from keqi.policy.uscc import make_uscc
from keqi.registry.columns import QUALIFICATION_COLUMNS, QUALIFICATION_SHEET, REPORT_COLUMNS, REPORT_SHEET
from keqi.registry.workbook import fields_to_display, write_tables


def report_rows(n_firms: int = 3, *, unit: str = "渝北区", years=(2023, 2024), seed: int = 7) -> pl.DataFrame:
    """Field-keyed rows: ``n_firms`` valid firms of ``unit``, one row per fiscal year."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_firms):
        code = make_uscc(rng, region="500112")
        staff = rng.randint(10, 400)
        for y in years:
            revenue = rng.randint(1_000_000, 90_000_000)
            rd = revenue * rng.randint(1, 9) // 100 + rng.randint(0, 9999)
            rows.append({
                "uscc": code, "name": f"重庆测试{i:03d}科技有限公司", "district": unit,
                "registered_on": dt.date(2015, 3, 1 + i % 28), "hitech_field": "电子信息", "industry_code": "I6513",
                "status": "存续", "fiscal_year": y, "staff_total": staff, "tech_staff": staff // 4,
                "senior_tech_staff": 1, "revenue": revenue, "rd_expense": rd, "rd_expense_domestic": rd,
                "cost_total": revenue * 9 // 10, "total_assets": revenue * 2, "net_assets": revenue - 12_345,
                "hitech_revenue": revenue * 7 // 10, "ip_class1": i % 2, "ip_class2": 3, "ip_self_developed": True,
                "conversions_3y": 4, "flag_major_incident": False, "flag_research_misconduct": False,
                "flag_credit_blacklisted": False, "flag_abnormal_operation": False, "flag_prohibited_industry": False,
                "direct_national_award_top3": False, "direct_provincial_rd_institution": None,
                "direct_led_standard": False, "rd_accounting": True, "rd_institution": True,
                "conversion_incentives": False, "talent_development": None, "standards_participation": False,
                "valuation_usd": None, "financing_usd": None,
            })
    return pl.DataFrame(rows)


def qualification_rows(reports: pl.DataFrame, kind: str = "高新技术企业") -> pl.DataFrame:
    codes = reports["uscc"].unique(maintain_order=True).to_list()
    return pl.DataFrame([
        {"uscc": c, "kind": kind, "number": f"GR2023500{i:05d}", "valid_from": dt.date(2023, 11, 1),
         "valid_to": dt.date(2026, 10, 31), "source": "测试"}
        for i, c in enumerate(codes)
    ])


def display(reports: pl.DataFrame) -> pl.DataFrame:
    return fields_to_display(reports, REPORT_COLUMNS)


def write_file(path: Path, reports: pl.DataFrame, qualifications: pl.DataFrame | None = None, *,
               raw: bool = False) -> Path:
    """Write field-keyed frames (or, with ``raw``, a header-keyed frame as is) to ``path``."""
    sheets = {REPORT_SHEET: (reports if raw else display(reports), REPORT_COLUMNS)}
    if qualifications is not None:
        sheets[QUALIFICATION_SHEET] = (fields_to_display(qualifications, QUALIFICATION_COLUMNS), QUALIFICATION_COLUMNS)
    return write_tables(path, sheets)


def header(field: str) -> str:
    return next(c.header for c in REPORT_COLUMNS if c.field == field)


def profile_from_rows(rows: pl.DataFrame, assess_on: dt.date, hnte_valid: bool) -> Profile:
    """What firm-profile.md says the firm is, written out by hand from the imported rows."""
    used = rows.filter(pl.col("fiscal_year") < assess_on.year).sort("fiscal_year", descending=True).head(3)
    last = used.row(0, named=True)
    return Profile(
        uscc=last["uscc"], name=last["name"], district_code="500112", registered_on=last["registered_on"],
        assess_on=assess_on, hitech_field=last["hitech_field"], industry_code=last["industry_code"],
        staff_total=last["staff_total"], tech_staff=last["tech_staff"], senior_tech_staff=last["senior_tech_staff"],
        financials=[{"year": r["fiscal_year"], **{f: r[f] for f in FINANCIAL_FIELDS}} for r in used.iter_rows(named=True)],
        ip={"class1": last["ip_class1"], "class2": last["ip_class2"], "self_developed": last["ip_self_developed"]},
        conversions_3y=last["conversions_3y"],
        flags={k: last[f"flag_{k}"] for k in ("major_incident", "research_misconduct", "credit_blacklisted",
                                              "abnormal_operation", "prohibited_industry")},
        direct={"hnte_certificate_valid": hnte_valid, "national_award_top3": last["direct_national_award_top3"],
                "provincial_rd_institution": last["direct_provincial_rd_institution"],
                "led_standard": last["direct_led_standard"]},
        rd_management={k: last[k] for k in ("rd_accounting", "rd_institution", "conversion_incentives",
                                            "talent_development")},
        standards_participation=last["standards_participation"],
        # the registry knows the titles it holds: none of the upper-rung titles unless a qualification says so
        sme={"title_tsme": False, "title_innovative_sme": False, "title_srdi": False, "title_little_giant": False},
        cq_tech_registered=False,  # and not in the 重庆市科技型企业 registry unless a qualification says so
    )


def table_rows(html: str) -> int:
    """Rows of the page's tables (``<tr`` in a ``<tbody>``): what a list page shows."""
    return sum(body.split("</tbody>")[0].count("<tr") for body in html.split("<tbody")[1:])


def assert_fixed_queries(client, url: str, grow, *, n: int = 3, shows=None, per_row: int | None = 1
                         ) -> tuple[int, int]:
    """A list page makes as many queries for ``3n`` rows as for ``n``, and shows them all.

    ``grow(k)`` adds ``k`` more rows to the list. The page is rendered once to warm up (sessions,
    content types), then with ``n`` rows and with ``3n`` rows; the query counts must be equal (the
    message lists the queries of both renders), and the second render must show ``2n × per_row``
    more rows than the first (``shows(response)`` counts them; by default the rows of its tables;
    ``per_row=None``: only more), so that a page which stopped listing anything cannot pass. Returns
    the two query counts.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def render():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, f"{url}: HTTP {response.status_code}"
        return [q["sql"] for q in captured.captured_queries], response

    shows = shows or (lambda response: table_rows(response.content.decode()))
    grow(n)
    render()
    small, small_html = render()
    grow(2 * n)
    large, large_html = render()
    if len(small) != len(large):
        listing = "\n".join(f"  {i}. {sql[:300]}" for i, sql in enumerate(large, 1))
        raise AssertionError(f"{url}: {len(small)} queries with {n} rows but {len(large)} with {3 * n}:\n{listing}")
    before, after = shows(small_html), shows(large_html)
    grew = after > before >= 1 if per_row is None else (before >= n * per_row and after - before == 2 * n * per_row)
    assert grew, (
        f"{url}: {before} rows shown with {n} added, {after} with {3 * n}: the page does not list what was added")
    return len(small), len(large)


# ---------------------------------------------------------------- a small population for the counts

#: the day a certificate of the population expires (渝北区's firm B: 科技型企业入库 until 2026-08-29)
EXPIRY = dt.date(2026, 8, 29)


def figures_population() -> dict[str, int]:
    """Seven firms whose counts differ by definition (written directly, through the model signals).

    渝北区: A 高企 + 科技型企业入库 (highest 高企); B 科技型企业入库 until :data:`EXPIRY`; C 高企 + 瞪羚
    (highest 高成长); D nothing (储备); G 科技型企业入库 revoked on 2026-03-10.
    南岸区: E 科技型中小企业 (科技型企业 tier, not 入库); F registered 2026-09-01, 入库 from 2026-09-15.
    Returns name → enterprise id.
    """
    from keqi.policy.uscc import make_uscc
    from keqi.registry.models import Enterprise, Qualification, ReportingUnit

    rng = random.Random(1414)
    units = dict(ReportingUnit.objects.values_list("name", "pk"))
    d = dt.date
    firms = {
        "A": ("渝北区", d(2015, 1, 5), [("hnte", d(2023, 11, 1), d(2026, 10, 31)), ("cq_tech", d(2022, 1, 1), None)]),
        "B": ("渝北区", d(2016, 2, 1), [("cq_tech", d(2022, 5, 1), EXPIRY)]),
        "C": ("渝北区", d(2017, 3, 1), [("hnte", d(2022, 12, 1), d(2025, 11, 30)), ("hnte", d(2025, 12, 1), None),
                                        ("gazelle", d(2024, 6, 1), d(2027, 5, 31))]),
        "D": ("渝北区", d(2018, 4, 1), []),
        "G": ("渝北区", d(2019, 5, 1), [("cq_tech", d(2023, 1, 1), d(2026, 3, 10))]),
        "E": ("南岸区", d(2020, 6, 1), [("tsme", d(2024, 4, 1), d(2027, 12, 31))]),
        "F": ("南岸区", d(2026, 9, 1), [("cq_tech", d(2026, 9, 15), None)]),
    }
    ids = {}
    for name, (unit, registered, quals) in firms.items():
        firm = Enterprise.objects.create(uscc=make_uscc(rng, region="500112"), name=f"重庆计数{name}科技有限公司",
                                         reporting_unit_id=units[unit], registered_on=registered)
        for kind, start, end in quals:
            Qualification.objects.create(enterprise=firm, kind=kind, valid_from=start, valid_to=end,
                                         number=f"{kind}-{name}-{start:%Y}")
        ids[name] = firm.pk
    return ids
