"""Qualification histories that follow the city's year-end counts, at a scale (``keqi demo``).

``population.generate`` draws the certificates valid on one day. A demo needs years: the trend of
高新技术企业 and 重庆市科技型企业 from before the plan's 2022 base to today, per reporting unit. This
module draws, for a population already generated, every certificate a firm held since 2019 so that
the number of holders on each 31 December is the city's count times the scale:

- 2021 and 2022 are published (../shared/reference/chongqing.md §6): 5,108 / 36,900 (2022 政府工作报告)
  and 6,348 / 42,989 (市科技局, 2023-03-31).
- Every other year is an *assumption* of the demo (marked so in :data:`HNTE_YEAR_END` and
  :data:`TECH_YEAR_END`): growth toward the plan's 2025 and 2027 targets (渝府办发〔2023〕26号), a
  little short of 2025's, 2019–2020 back-cast from the published 2021 growth (科技型 +40.1%).

A 科技型企业 registration (入库) lasts a year and is renewed on its anniversary; a 高企 certificate is
issued in a late-year batch (1 November to mid-December) and lasts three years less a day, then the
firm is re-certified or drops out. Each year some holders drop out (:data:`TECH_DROP_OUT`,
:data:`HNTE_DROP_OUT`) and new firms come in, as many as the year's count needs. Nothing is dated
after ``today``: in the current year only the entries made by then count.

Units grow at different speeds from 2023 on: each unit draws a growth factor (lognormal,
:data:`GROWTH_SIGMA`) that weights who comes in, so some units run ahead of their share of the
targets and some behind. Entrants are preferably firms whose figures meet the conditions (the
population's own holders), then any firm old enough.

Pure numpy + polars; deterministic for (population, scale, seed, today).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import polars as pl

from keqi.registry.columns import QUALIFICATION_COLUMNS, QUALIFICATION_KINDS

#: 高新技术企业 holders on 31 December, whole city (2021, 2022 published; the rest assumptions).
HNTE_YEAR_END = {2018: 2500, 2019: 3140, 2020: 4220, 2021: 5108, 2022: 6348,
                 2023: 7400, 2024: 8500, 2025: 9600, 2026: 11000, 2027: 12400}
#: 重庆市科技型企业 holders on 31 December (2021 "3.69万", 2022 42,989 published; the rest assumptions).
TECH_YEAR_END = {2019: 19500, 2020: 26300, 2021: 36900, 2022: 42989,
                 2023: 52000, 2024: 59500, 2025: 66200, 2026: 76500, 2027: 86500}
#: the published year-ends, with their sources (the others are the demo's assumptions)
PUBLISHED = {
    ("hnte", 2021): "2022年重庆市政府工作报告：高新技术企业5108家",
    ("cq_tech", 2021): "2022年重庆市政府工作报告：科技型企业3.69万家",
    ("hnte", 2022): "市科技局 2023-03-31（华龙网）：高新技术企业6348家",
    ("cq_tech", 2022): "市科技局 2023-03-31（华龙网）：科技型企业42989家",
}
#: growth per year after the last year in the tables (assumption)
LATER_GROWTH = Fraction(11, 10)
#: share of holders who drop out each year (科技型: of all holders; 高企: of those due for re-certification)
TECH_DROP_OUT = 0.06
HNTE_DROP_OUT = 0.15
#: spread of the units' growth factors from 2023 on (sigma of a lognormal around 1)
GROWTH_SIGMA = 0.55
FIRST_UNEVEN_YEAR = 2023
SOURCE = "合成数据，演示用"


def year_end(kind: str, year: int) -> int:
    """The city's holders of ``kind`` ("hnte" or "cq_tech") on 31 December of ``year``, full scale."""
    table = HNTE_YEAR_END if kind == "hnte" else TECH_YEAR_END
    if year in table:
        return table[year]
    last = max(table)
    if year < min(table):
        raise ValueError(f"no count before {min(table)}")
    return int(table[last] * LATER_GROWTH ** (year - last))


def scaled(n: int | Fraction, scale: Fraction) -> int:
    """``n`` times ``scale``, rounded half up (what the demo's targets and counts use)."""
    return int(Fraction(n) * scale + Fraction(1, 2))


def unit_growth(units: list[str], seed: int) -> dict[str, float]:
    """Each unit's growth factor from 2023 on (lognormal around 1, clipped to 0.25–4)."""
    rng = np.random.Generator(np.random.PCG64([seed, 20221231]))
    g = np.clip(np.exp(rng.normal(0.0, GROWTH_SIGMA, len(units))), 0.25, 4.0)
    return dict(zip(sorted(units), g.tolist(), strict=True))


class _Draw:
    """Who comes in: preferred firms first, then anyone old enough, weighted by the unit's growth."""

    def __init__(self, rng, unit_index: np.ndarray, growth: np.ndarray, preferred: np.ndarray, technical: np.ndarray):
        self.rng, self.unit, self.growth, self.preferred, self.technical = rng, unit_index, growth, preferred, technical

    def take(self, k: int, free: np.ndarray, year: int, also: np.ndarray | None = None) -> np.ndarray:
        """``k`` firms among ``free`` (bool), tiers: preferred (and ``also``), preferred, firms of a
        technology field, the rest."""
        w = self.growth[self.unit] if year >= FIRST_UNEVEN_YEAR else np.ones(len(self.unit))
        tiers = [self.preferred & also] if also is not None else []
        tiers += [self.preferred, self.technical, np.ones(len(free), dtype=bool)]
        chosen: list[np.ndarray] = []
        taken = np.zeros(len(free), dtype=bool)
        for tier in tiers:
            if k <= 0:
                break
            pool = np.flatnonzero(free & tier & ~taken)
            if not len(pool):
                continue
            n = min(k, len(pool))
            p = w[pool] / w[pool].sum()
            pick = self.rng.choice(pool, size=n, replace=False, p=p)
            taken[pick] = True
            chosen.append(pick)
            k -= n
        return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)


def _day(year: int, offset: np.ndarray) -> np.ndarray:
    """Dates in ``year`` at day offsets 0–364 of a common (non-leap) calendar."""
    base = np.datetime64(f"{year}-01-01", "D")
    doy = np.datetime64("2023-01-01", "D") + offset.astype("timedelta64[D]")  # month and day, no 29 February
    month_day = (doy - doy.astype("datetime64[Y]")).astype(int)
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    return base + (month_day + (leap & (month_day >= 59))).astype("timedelta64[D]")


def history(
    firms: pl.DataFrame,
    preferred: pl.DataFrame,
    *,
    scale: Fraction,
    seed: int,
    today: date,
) -> pl.DataFrame:
    """Every 科技型企业 and 高企 certificate of ``firms`` (uscc, district, registered_on, optionally
    hitech_field: firms of a technology field come in before the others) up to ``today``.

    ``preferred`` holds certificates (uscc, kind label) whose firms are drawn first, e.g. the ones
    ``population.generate`` found eligible. Returns rows in ``QUALIFICATION_COLUMNS`` fields, kinds as
    their Chinese labels (what ``population.write`` stores).
    """
    rng = np.random.Generator(np.random.PCG64([seed, 2019]))
    firms = firms.unique("uscc", keep="first", maintain_order=True).sort("uscc")
    uscc = firms["uscc"].to_numpy().astype(str)
    registered = firms["registered_on"].to_numpy().astype("datetime64[D]")
    units = sorted(set(firms["district"].to_list()))
    unit_index = np.array([units.index(u) for u in firms["district"].to_list()])
    growth = unit_growth(units, seed)
    g = np.array([growth[u] for u in units])
    technical = (firms["hitech_field"].is_not_null().to_numpy() if "hitech_field" in firms.columns
                 else np.ones(len(firms), dtype=bool))
    today64 = np.datetime64(today, "D")
    last_year = today.year
    n = len(uscc)

    def prefers(kind: str) -> np.ndarray:
        label = QUALIFICATION_KINDS[kind]
        return np.isin(uscc, preferred.filter(pl.col("kind") == label)["uscc"].to_numpy().astype(str))

    # --- 科技型企业入库: yearly, renewed on the anniversary
    draw = _Draw(rng, unit_index, g, prefers("cq_tech"), technical)
    anniversary = rng.integers(0, 365, n)
    t_start = np.full(n, -1)
    t_end = np.full(n, -1)  # first year not renewed (exclusive); -1 while holding
    first = min(TECH_YEAR_END)
    rows_t: list[tuple[np.ndarray, np.ndarray]] = []  # (firm indices, valid_from)
    for year in range(first, last_year + 1):
        holding = (t_start >= 0) & (t_end < 0)
        if year > first:
            leave = holding & (rng.random(n) < TECH_DROP_OUT)
            t_end[leave] = year
            holding &= ~leave
        need = scaled(year_end("cq_tech", year), scale) - int(holding.sum())
        day = _day(year, anniversary)
        old_enough = registered + np.timedelta64(30, "D") <= day
        come = draw.take(need, (t_start < 0) & old_enough, year)
        t_start[come] = year
        holding[come] = True
        issued = holding & (day <= today64)
        rows_t.append((np.flatnonzero(issued), day[issued]))

    # --- 高新技术企业: issued in a late-year batch, three years, then re-certified or not
    draw = _Draw(rng, unit_index, g, prefers("hnte"), technical)
    batch = rng.integers(0, 46, n)
    h_issue = np.full(n, -1)  # year of the certificate held
    h_end = np.full(n, -1)
    first = min(HNTE_YEAR_END)
    rows_h: list[tuple[np.ndarray, np.ndarray]] = []
    t_holds_at = {year: np.zeros(n, dtype=bool) for year in range(min(TECH_YEAR_END), last_year + 1)}
    for year, (idx, _d) in zip(range(min(TECH_YEAR_END), last_year + 1), rows_t, strict=True):
        t_holds_at[year][idx] = True
    for year in range(first, last_year + 1):
        day = np.datetime64(f"{year}-11-01", "D") + batch.astype("timedelta64[D]")
        holding = (h_issue >= 0) & (h_end < 0)
        due = holding & (year - h_issue >= 3)
        leave = due & (rng.random(n) < HNTE_DROP_OUT)
        h_end[leave] = year
        holding &= ~leave
        renew = due & ~leave
        need = scaled(year_end("hnte", year), scale) - int(holding.sum())
        old_enough = registered + np.timedelta64(365, "D") <= day
        if year == first:  # the stock on the first year-end was certified over the three years before
            come = draw.take(need, old_enough & (h_end < 0), year)
            h_issue[come] = year - rng.integers(0, 3, len(come))
            for back in (2, 1, 0):
                idx = come[h_issue[come] == year - back]
                d = np.datetime64(f"{year - back}-11-01", "D") + batch[idx].astype("timedelta64[D]")
                ok = registered[idx] + np.timedelta64(365, "D") <= d
                h_issue[idx[~ok]] = year  # too young then: certified this year
                rows_h.append((idx[ok], d[ok]))  # (back 0 comes last: it takes those too young before)
            continue
        also = t_holds_at.get(year, np.ones(n, dtype=bool))
        come = draw.take(need, (h_issue < 0) & old_enough, year, also=also)
        new = np.zeros(n, dtype=bool)
        new[come] = True
        issue = (renew | new) & (day <= today64)
        h_issue[renew | new] = year
        rows_h.append((np.flatnonzero(issue), day[issue]))

    return _frame(uscc, rows_t, rows_h, rng)


def _frame(uscc: np.ndarray, rows_t, rows_h, rng) -> pl.DataFrame:
    def frame(rows, years_valid: int, kind: str) -> pl.DataFrame:
        idx = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.int64)
        start = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, dtype="datetime64[D]")
        return pl.DataFrame([
            pl.Series("uscc", uscc[idx], dtype=pl.String),
            pl.Series("valid_from", start, dtype=pl.Date),
        ]).with_columns(valid_to=pl.col("valid_from").dt.offset_by(f"{years_valid}y").dt.offset_by("-1d"),
                        kind=pl.lit(QUALIFICATION_KINDS[kind]))

    t = frame(rows_t, 1, "cq_tech")
    h = frame(rows_h, 3, "hnte")
    year = pl.col("valid_from").dt.year().cast(pl.String)
    serial = pl.col("valid_from").rank("ordinal").over(pl.col("valid_from").dt.year()).cast(pl.String).str.zfill(6)
    t = t.sort("valid_from", "uscc").with_columns(
        number=pl.concat_str(pl.lit("CQKJ"), year, serial),
        source=pl.concat_str(pl.lit("重庆市科技型企业入库（"), pl.lit(SOURCE), pl.lit("）")),
    )
    h = h.sort("valid_from", "uscc").with_columns(
        number=pl.concat_str(pl.lit("GR"), year, pl.lit("50"), serial),
        source=pl.concat_str(pl.lit("重庆市"), year, pl.lit(f"年高新技术企业认定备案（{SOURCE}）")),
    )
    order = [c.field for c in QUALIFICATION_COLUMNS]
    return pl.concat([t.select(order), h.select(order)], how="vertical")


def holders(quals: pl.DataFrame, *, kind: str, on: date) -> pl.DataFrame:
    """Firms holding ``kind`` on ``on`` in a frame of certificates (the demo's own check)."""
    return quals.filter(
        pl.col("kind") == QUALIFICATION_KINDS[kind], pl.col("valid_from") <= on,
        pl.col("valid_to").is_null() | (pl.col("valid_to") >= on),
    ).select("uscc").unique()

