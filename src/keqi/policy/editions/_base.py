"""Building blocks shared by the editions: metadata records and small Ibis helpers.

Conventions for the columns an edition's ``build`` returns (``c`` is a criterion id):

- ``c__passed``: nullable boolean (NULL = the data cannot decide);
- ``c__min``, ``c__max``: integer points range (only for scored criteria);
- ``c__value``: float, the measured value, for display only (decisions use exact integers);
- ``c__threshold``: float, when the threshold depends on the row (else ``Criterion.threshold``);
- ``score_min``, ``score_max``: the total score range (NULL when the edition has no score);
- ``eligible``: nullable boolean, three-valued (SQL ``AND``/``OR`` are Kleene logic);
- ``route``: ``'score'``, ``'direct'`` or NULL;
- anything else (``grade``, ``tier`` …) is an edition-specific extra output.

All ratio thresholds are exact integer cross-multiplications (``a * 100 >= p * b``); products that
could exceed 64 bits are computed in ``DECIMAL(38, 0)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from keqi.policy.lazy import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir


Status = Literal["TEXT", "SECONDARY", "UNCONFIRMED", "SETTING"]


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: document, number, article and how sure we are (criteria.md legend)."""

    document: str
    number: str
    article: str
    status: Status

    def cite(self) -> str:
        return f"{self.number} {self.article}".strip()


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    source: Source
    threshold: float | None = None
    gate: bool = True  # failing it alone makes the firm ineligible
    controllable: bool = True  # False: nothing the firm controls can fix a failure (age, size, flags)
    scored: bool = False  # has a points range
    points: int | None = None  # the most points a scored criterion gives (the rulebook shows it); None: see settings
    # "setting.part" when the threshold is a setting's value (e.g. "thresholds.niche_years"): the rulebook shows
    # the setting's current value as the threshold
    threshold_setting: str = ""
    part_of: str | None = None  # e.g. the innovation parts of hnte
    fields: str = ""  # profile fields the criterion reads (for "missing data" gap notes)
    blocker_note: str = ""  # Chinese note when it fails and cannot be fixed


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    official: bool
    status: Status
    description: str
    choices: tuple[Any, ...] | None = None
    free_keys: bool = False  # a dict setting whose keys the bureau may change (e.g. band thresholds)

    def check(self, value: Any) -> Any:
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"setting {self.key!r} must be one of {self.choices}, got {value!r}")
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"setting {self.key!r} must be a boolean")
        elif isinstance(self.default, int) and not isinstance(self.default, bool):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"setting {self.key!r} must be an integer")
        elif isinstance(self.default, dict):
            if not isinstance(value, dict) or (not self.free_keys and set(value) != set(self.default)):
                raise ValueError(f"setting {self.key!r} must be an object with keys {sorted(self.default)}")
            for k, v in value.items():
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    raise ValueError(f"setting {self.key!r}.{k} must be a non-negative integer")
        return value


# Gap levers and their unit costs: how "smallest plan" is measured (see keqi.policy.gaps).
GAP_COST_SETTING = Setting(
    key="gap_costs",
    default={
        "rd_expense": 1,
        "tech_staff": 200_000,
        "ip.class1": 50_000,
        "ip.class2": 10_000,
        "hitech_revenue": 1,
    },
    official=False,
    status="SETTING",
    description=(
        "not official: yuan-equivalent cost of one unit of each lever (1 yuan of R&D, one tech hire, one "
        "Ⅰ类/Ⅱ类 IP item, 1 yuan of revenue shifted to high-tech products); the gap plan minimises the total"
    ),
)


@dataclass(frozen=True)
class Edition:
    id: str
    title: str
    version: str
    sources: tuple[Source, ...]
    criteria: tuple[Criterion, ...]
    settings: tuple[Setting, ...]
    pass_mark: int | None
    build: Callable[[ir.Table, Mapping[str, Any]], ir.Table]
    # gap levers: field -> criterion id the lever serves (for the note), or several ids: the first one
    # the firm does not pass yet is named
    levers: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    options: Callable[..., list[dict[str, Any]]] | None = None  # gap breakpoints, see keqi.policy.gaps
    extras: tuple[str, ...] = ()  # extra output columns copied into the verdict
    helpers: tuple[str, ...] = ()  # extra output columns kept for the gap search
    doc: str = ""
    # the programme this edition is one version of ("srdi", "hnte" …): ``resolve(family, on=day)``
    # picks the family's edition in force that day
    family: str = ""
    # the days the edition applies to new evaluations, both ends inclusive; None = open end (no dated
    # start or end is known from the sources)
    in_force_from: date | None = None
    in_force_until: date | None = None
    in_force_source: Source | None = None  # where the interval comes from (None: no dated interval known)
    # re-reviews (复核) of titles granted under this edition keep it up to this day (inclusive), although
    # new applications use a later edition of the family: ``resolve(family, on=day, rereview=True)``
    rereview_until: date | None = None
    rereview_source: Source | None = None

    def in_force(self, on: date) -> bool:
        """Whether ``on`` lies in the edition's in-force interval (both ends inclusive)."""
        if self.in_force_from is not None and on < self.in_force_from:
            return False
        return self.in_force_until is None or on <= self.in_force_until

    def for_rereview(self, on: date) -> bool:
        """Whether re-reviews (复核) on ``on`` keep this edition (after its in-force start)."""
        if self.rereview_until is None or on > self.rereview_until:
            return False
        return self.in_force_from is None or on >= self.in_force_from

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def resolve_settings(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults merged with ``overrides``; unknown keys and bad values raise ``ValueError``."""
        known = {s.key: s for s in self.settings}
        resolved = {s.key: s.default for s in self.settings}
        for key, value in (overrides or {}).items():
            if key not in known:
                raise ValueError(f"unknown setting {key!r} for edition {self.id}; known: {sorted(known)}")
            resolved[key] = known[key].check(value)
        return resolved

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "family": self.family,
            "in_force_from": self.in_force_from.isoformat() if self.in_force_from else None,
            "in_force_until": self.in_force_until.isoformat() if self.in_force_until else None,
            "in_force_source": self.in_force_source.cite() if self.in_force_source else None,
            "rereview_until": self.rereview_until.isoformat() if self.rereview_until else None,
            "rereview_source": self.rereview_source.cite() if self.rereview_source else None,
            "pass_mark": self.pass_mark,
            "sources": [s.__dict__ | {"cite": s.cite()} for s in self.sources],
            "criteria": [
                {
                    "id": c.id,
                    "label": c.label,
                    "source": c.source.cite(),
                    "status": c.source.status,
                    "part_of": c.part_of,
                }
                for c in self.criteria
            ],
            "settings": [
                {
                    "key": s.key,
                    "default": s.default,
                    "official": s.official,
                    "status": s.status,
                    "description": s.description,
                    "choices": list(s.choices) if s.choices else None,
                }
                for s in self.settings
            ],
        }


# ---------------------------------------------------------------------------------------------
# Ibis helpers


def null_bool() -> ir.BooleanValue:
    """A boolean NULL (a function, not a constant: building it imports Ibis, which
    ``keqi.policy.lazy`` leaves until an expression is built)."""
    return ibis.null().cast("boolean")


def dec(x: ir.Value | int) -> ir.Value:
    """Exact wide integer arithmetic (DECIMAL(38, 0)) for products that may exceed 64 bits."""
    if isinstance(x, int):
        return ibis.literal(x).cast("decimal(38, 0)")
    return x.cast("decimal(38, 0)")


def ratio_ge(num: ir.Value, den: ir.Value, pct: int | ir.Value) -> ir.BooleanValue:
    """``num / den >= pct / 100`` exactly, for non-negative integers; NULL if either is NULL."""
    return num * 100 >= den * pct


def band_points(
    tests: list[tuple[ir.BooleanValue, int]], known: ir.BooleanValue, top: int
) -> tuple[ir.Value, ir.Value]:
    """Points range for a band table: the first test that holds gives its points, else 0.

    ``known`` says whether the data decide the band; when it does not, the range is 0..top.
    """
    exact = ibis.cases(*tests, else_=0)
    lo = known.ifelse(exact, 0)
    hi = known.ifelse(exact, top)
    return lo, hi


def range_band(
    tests: list[tuple[ir.BooleanValue, tuple[int, int]]],
    else_: tuple[int, int],
    known: ir.BooleanValue,
    unknown: tuple[int, int],
    expert: ir.Value | None = None,
) -> tuple[ir.Value, ir.Value]:
    """Points range for a band table whose bands are ranges (expert-judged items).

    When ``expert`` is given (non-NULL) it is clamped into the band's range and pins the points.
    """
    lo = ibis.cases(*[(t, r[0]) for t, r in tests], else_=else_[0])
    hi = ibis.cases(*[(t, r[1]) for t, r in tests], else_=else_[1])
    lo = known.ifelse(lo, unknown[0])
    hi = known.ifelse(hi, unknown[1])
    if expert is not None:
        pinned = ibis.least(ibis.greatest(expert, lo), hi)
        lo = expert.isnull().ifelse(lo, pinned)
        hi = expert.isnull().ifelse(hi, pinned)
    return lo, hi


def all3(*conds: ir.BooleanValue) -> ir.BooleanValue:
    """Three-valued AND (SQL semantics: FALSE wins over NULL)."""
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out


def any3(*conds: ir.BooleanValue) -> ir.BooleanValue:
    """Three-valued OR (TRUE wins over NULL)."""
    out = conds[0]
    for c in conds[1:]:
        out = out | c
    return out


def not_flag(flag: ir.BooleanValue) -> ir.BooleanValue:
    """An adverse flag as a pass: FALSE flag passes, TRUE fails, NULL stays undecided."""
    return ~flag


def score_pass(lo: ir.Value, hi: ir.Value, mark: int) -> ir.BooleanValue:
    """Passed if the whole range is at or above ``mark``, failed if all of it is below, else NULL."""
    return ibis.cases((lo >= mark, True), (hi < mark, False), else_=null_bool())


def full_years(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Completed years between two dates (integer, portable: year/month/day arithmetic only)."""
    before_anniversary = (end.month() * 100 + end.day()) < (start.month() * 100 + start.day())
    return end.year() - start.year() - before_anniversary.cast("int64")


def within_years(start: ir.DateValue, end: ir.DateValue, n: int) -> ir.BooleanValue:
    """``end`` is no later than the n-th anniversary of ``start`` ("成立n年以内")."""
    years = full_years(start, end)
    same_day = (end.month() * 100 + end.day()) == (start.month() * 100 + start.day())
    return (years < n) | ((years == n) & same_day)


def to_float_ratio(num: ir.Value, den: ir.Value) -> ir.Value:
    """Display-only ratio (NULL when the denominator is 0 or NULL)."""
    return (den > 0).ifelse(num.cast("float64") / den.cast("float64"), ibis.null().cast("float64"))


def ceil_div(a: int, b: int) -> int:
    """Exact ceiling division for Python ints (b > 0)."""
    return -((-a) // b)
