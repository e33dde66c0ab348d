"""From the registry to the evaluation contract: the flat table the policy engine reads.

For an assessment day ``D`` (评价日), a firm is described by its **completed** fiscal years before
``D``'s year, the latest three of them (``y1`` = the latest, ``y2`` the year before it, ``y3`` two
years before it; a missing year stays empty, as in ``keqi.policy.flat``). Counts, IP, integrity
flags, direct-route facts, the R&D-management items and the upper-rung facts (``sme_*``, ``star_*``,
``rd_staff``) come from the latest of those reports: the annual filing is where officers record them.
``direct_hnte_certificate_valid`` and the titles ``sme_title_*`` (科技型中小企业, 创新型中小企业,
专精特新, 小巨人) come from the qualifications valid on ``D``.

The table is built with one query per kind of row and polars, so a district's thousands of firms,
or the whole city, take the same path as one firm on its page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa
from django.db.models import BooleanField, QuerySet

from keqi.policy.flat import FINANCIAL_FIELDS, FLAT_COLUMNS, FLAT_SCHEMA, MORE_FINANCIAL_FIELDS
from keqi.policy.lazy import polars as pl  # imported on first use (the database's flat table)

from .columns import CHUANGKE_CODES, DIGITAL_LEVEL_CODES, PRODUCT_FIELD_CODES, RD_INSTITUTION_CODES
from .models import AnnualReport, Qualification

LATEST_FIELDS = (
    "staff_total", "tech_staff", "senior_tech_staff", "ip_class1", "ip_class2", "ip_self_developed",
    "conversions_3y", "flag_major_incident", "flag_research_misconduct", "flag_credit_blacklisted",
    "flag_abnormal_operation", "flag_prohibited_industry", "direct_national_award_top3",
    "direct_provincial_rd_institution", "direct_led_standard", "rd_accounting", "rd_institution",
    "conversion_incentives", "talent_development", "standards_participation", "valuation_usd", "financing_usd",
)
# upper rungs (专精特新, 小巨人, 科创属性): latest-report facts, stored under their flat column names
UPPER_LATEST_FIELDS = tuple(
    f.name for f in AnnualReport._meta.concrete_fields if f.name == "rd_staff" or f.name.startswith(("sme_", "star_"))
)
# choice cells: the label officers see → the profile's code
CHOICE_CODES = {
    "sme_rd_institution_level": RD_INSTITUTION_CODES,
    "sme_product_field": PRODUCT_FIELD_CODES,
    "sme_digital_level": DIGITAL_LEVEL_CODES,
    "sme_chuangke": CHUANGKE_CODES,
}
# qualification kind → flat title column
TITLE_KINDS = {
    "cq_tech": "cq_tech_registered",
    "tsme": "sme_title_tsme",
    "innovative_sme": "sme_title_innovative_sme",
    "srdi": "sme_title_srdi",
    "little_giant": "sme_title_little_giant",
}
MAX_LOCAL_POINTS = 15
BOOL_FIELDS = frozenset(f.name for f in AnnualReport._meta.concrete_fields if isinstance(f, BooleanField))
CHUNK = 5000


def _frame(rows: Sequence[tuple], names: Sequence[str], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema={n: schema.get(n, pl.Int64) for n in names}, orient="row")


def flat_table(*, enterprises: QuerySet, assess_on: dt.date, draft: dict | None = None) -> pa.Table:
    """The flat Arrow table (``keqi.policy.flat.FLAT_SCHEMA``) of ``enterprises`` on ``assess_on``.

    Rows follow the order of ``enterprises``; the caller has already applied the user's scope.
    ``draft`` (``enterprise_id``, ``fiscal_year`` and report fields) stands in for that firm's stored
    report of that year: a firm's self-evaluation of figures it has not submitted yet.
    """
    ent_names = ("pk", "uscc", "name", "reporting_unit__code", "reporting_unit__name", "registered_on",
                 "hitech_field", "industry_code")
    ents = _frame(
        list(enterprises.values_list(*ent_names)), ent_names,
        {"uscc": pl.String, "name": pl.String, "reporting_unit__code": pl.String,
         "reporting_unit__name": pl.String, "registered_on": pl.Date, "hitech_field": pl.String,
         "industry_code": pl.String},
    ).rename({"pk": "enterprise_id"})
    ids = ents["enterprise_id"].to_list()
    rep_names = ("enterprise_id", "fiscal_year", *FINANCIAL_FIELDS, *MORE_FINANCIAL_FIELDS, *LATEST_FIELDS,
                 *UPPER_LATEST_FIELDS)
    rep_rows: list[tuple] = []
    hnte: set[int] = set()
    titles: dict[str, set[int]] = {kind: set() for kind in TITLE_KINDS}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        rep_rows += AnnualReport.objects.filter(enterprise_id__in=chunk, fiscal_year__lt=assess_on.year).values_list(
            *rep_names)
        held = Qualification.objects.held_on(assess_on).filter(enterprise_id__in=chunk, kind__in=["hnte", *TITLE_KINDS])
        for enterprise_id, kind in held.values_list("enterprise_id", "kind"):
            (hnte if kind == "hnte" else titles[kind]).add(enterprise_id)
    if draft is not None:
        key = (draft["enterprise_id"], draft["fiscal_year"])
        rep_rows = [r for r in rep_rows if (r[0], r[1]) != key]
        if draft["fiscal_year"] < assess_on.year:
            rep_rows.append(tuple(draft.get(n) for n in rep_names))
    reports = _frame(rep_rows, rep_names, {f: pl.Boolean for f in BOOL_FIELDS} | {f: pl.String for f in CHOICE_CODES})
    return flat_from_frames(ents, reports, hnte, assess_on, titles=titles)


def flat_from_frames(
    ents: pl.DataFrame, reports: pl.DataFrame, hnte: set, assess_on: dt.date, *, titles: dict | None = None
) -> pa.Table:
    """The flat table from an enterprise frame and a report frame (keyed by ``enterprise_id``).

    ``ents`` has ``enterprise_id, uscc, name, reporting_unit__code, reporting_unit__name,
    registered_on, hitech_field, industry_code``; ``reports`` has ``enterprise_id, fiscal_year`` and the
    report fields (any years: only those before ``assess_on``'s year are used); ``hnte`` holds the
    ids with a 高新技术企业 certificate valid on ``assess_on``; ``titles`` maps a qualification kind of
    ``TITLE_KINDS`` to the ids holding it on ``assess_on`` (None: the titles are not known, left empty).
    Report columns absent from ``reports`` are not known. Used for the database and for files.
    """
    # One lazy query: only the columns the flat table reads are taken from the reports (a file's carry
    # every column of the sheet), and no wide frame is made between the joins.
    known = set(reports.columns)
    reports = reports.lazy().filter(pl.col("fiscal_year") < assess_on.year)
    kinds = {f: pl.Boolean for f in BOOL_FIELDS} | {f: pl.String for f in CHOICE_CODES}
    reports = reports.with_columns(
        pl.lit(None, dtype=kinds.get(f, pl.Int64)).alias(f)
        for f in (*MORE_FINANCIAL_FIELDS, *UPPER_LATEST_FIELDS) if f not in known
    )
    latest = reports.group_by("enterprise_id").agg(pl.col("fiscal_year").max().alias("y1_year"))
    wide = ents.lazy().join(latest, on="enterprise_id", how="left", maintain_order="left")
    for k in (1, 2, 3):
        year_k = reports.select(
            "enterprise_id",
            pl.col("fiscal_year").alias(f"y{k}_year"),
            pl.lit(True).alias(f"y{k}_present"),
            *(pl.col(f).alias(f"y{k}_{f}") for f in (*FINANCIAL_FIELDS, *MORE_FINANCIAL_FIELDS)),
            *((pl.col(f) for f in (*LATEST_FIELDS, *UPPER_LATEST_FIELDS)) if k == 1 else ()),
        )
        if k > 1:
            wide = wide.with_columns((pl.col("y1_year") - (k - 1)).alias(f"y{k}_year"))
        wide = wide.join(year_k, on=["enterprise_id", f"y{k}_year"], how="left", maintain_order="left")
    flat = wide.with_columns(
        pl.coalesce("reporting_unit__code", "reporting_unit__name").alias("district_code"),
        pl.lit(None, dtype=pl.Boolean).alias("legal_person"),
        pl.lit(assess_on).alias("assess_on"),
        pl.col("hitech_field").replace("", None),
        pl.col("industry_code").replace("", None),
        pl.col("enterprise_id").is_in(list(hnte)).alias("direct_hnte_certificate_valid"),
        # A year without a report leaves all its columns empty, its year too (as keqi.policy.flat does).
        *(pl.when(pl.col(f"y{k}_present")).then(pl.col(f"y{k}_year")).alias(f"y{k}_year") for k in (1, 2, 3)),
        *(
            pl.col(f).replace_strict(codes, default=None, return_dtype=pl.Int64 if f == "sme_digital_level" else pl.String)
            for f, codes in CHOICE_CODES.items()
        ),
        pl.col("sme_market_share_pct").cast(pl.Float64),
        pl.col("sme_quality_score").cast(pl.Float64),
        # points above the indicator's maximum are a recording error: not known rather than extra points
        pl.when(pl.col("sme_local_points") <= MAX_LOCAL_POINTS).then(pl.col("sme_local_points")).alias(
            "sme_local_points"),
        *(
            (pl.col("enterprise_id").is_in(list(titles[kind])) if titles is not None else pl.lit(None, pl.Boolean))
            .alias(column)
            for kind, column in TITLE_KINDS.items()
        ),
    )
    names = set(flat.collect_schema().names())
    columns = [pl.col(c) if c in names else pl.lit(None).alias(c) for c in FLAT_COLUMNS]
    out = flat.select(columns).collect().to_arrow()
    return out.cast(FLAT_SCHEMA) if out.schema != FLAT_SCHEMA else out
