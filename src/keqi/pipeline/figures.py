"""The counts every page, export, API endpoint and command shows: one service, one definition.

For a day D and a scope (the city, one of the plan's three zones, one reporting unit), per
qualification kind and per tier of the ladder:

- **firms** — firms registered on or before D (the population of D);
- **holders of a qualification kind** — of those, firms holding one on D (``registry.models.held_on``:
  issued on or before D, expiry day included, a revoked one ends on the day it was revoked);
- **holders of a tier** — firms holding a qualification that places a firm on that tier
  (``LadderTier.qualification_kinds``), whatever else they hold;
- **firms whose highest tier is X** — each firm counted once, on the highest tier it holds on D;
  firms holding none stand on the first tier (储备). These add up to *firms*.

The two tier figures legitimately differ (a 高企 that is also a 瞪羚 is a holder of 高企 but stands
on the 高成长 tier): where both appear they carry the names :func:`holders_label` and
:func:`highest_label`, so a reader sees why. The targets (高新技术企业数, 科技型企业数) are holders of
a qualification kind; the tier funnel is firms by highest tier.

The counts per reporting unit are computed in the database (four grouped queries per day) and kept
in the cache until a firm, a qualification or the ladder changes (:func:`cached`). The fronts
(``web``, ``api``, ``cli``) and the targets' dashboards, report and exports call :func:`counts` or
:func:`holders_by_unit`; none counts on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Value, When
from django.utils.translation import gettext as _

from keqi.accounts.scope import Scope
from keqi.policy.ladder import Ladder
from keqi.registry.columns import QUALIFICATION_KINDS
from keqi.registry.models import Enterprise, Qualification, ReportingUnit
from keqi.registry.units import PLAN_ZONES, plan_zone

from . import memo
from .models import LadderTier
from .services import current_ladder

CACHE_SECONDS = 6 * 3600
memo.forget_on_change(Enterprise, Qualification, ReportingUnit, LadderTier)


# ---------------------------------------------------------------- the cache


def data_version() -> tuple:
    """Changes whenever a firm, a qualification or the ladder is written (every write leaves a history row);
    read once per web request (:mod:`keqi.pipeline.memo`)."""
    return memo.once("data_version", _data_version)


def _data_version() -> tuple:
    with connection.cursor() as cursor:  # one round trip: this runs before every cached aggregate
        cursor.execute(_data_version_sql())
        return tuple(cursor.fetchone())


@functools.cache
def _data_version_sql() -> str:
    """Built once: ``Model.history`` makes a new manager class at each access (simple_history)."""
    tables = (Qualification.history.model._meta.db_table, Enterprise.history.model._meta.db_table,
              LadderTier.history.model._meta.db_table)
    parts = [f"(SELECT CAST(history_id AS TEXT) || '@' || CAST(history_date AS TEXT) FROM {table} "
             f"ORDER BY history_id DESC LIMIT 1)" for table in tables]
    return "SELECT " + ", ".join(parts)


def cached(name: str, args: tuple, compute: Callable):
    """An aggregate over the registry, kept until the registry or the ladder changes (:func:`data_version`);
    within a web request the value read from the cache is kept too (:mod:`keqi.pipeline.memo`: a page
    asks for the same day's counts several times, and each cache read unpickles them again)."""
    raw = ":".join(map(str, (*args, *data_version())))
    key = f"figures:{name}:" + hashlib.sha256(raw.encode()).hexdigest()
    return memo.once(key, functools.partial(_from_cache, key, compute))


def _from_cache(key: str, compute: Callable):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# ---------------------------------------------------------------- scopes


def unit_zones() -> dict[int, str | None]:
    """Every reporting unit → the plan zone its firms count in (None: none)."""
    return memo.once("unit_zones", lambda: {
        pk: plan_zone(name, zone) for pk, name, zone in ReportingUnit.objects.values_list("pk", "name", "zone")})


def unit_names() -> dict[int, str]:
    return memo.once("unit_names", lambda: dict(ReportingUnit.objects.values_list("pk", "name")))


def visible_scope_keys(*, scope: Scope) -> set[str] | None:
    """The scopes whose figures a user may see (None = all): the city, its zone and its own unit."""
    if scope.is_city:
        return None
    if scope.unit_id is None:
        return {"city"}
    unit = ReportingUnit.objects.get(pk=scope.unit_id)
    zone = plan_zone(unit.name, unit.zone)
    return {"city", f"unit:{unit.pk}"} | ({f"zone:{zone}"} if zone else set())


def default_scope_key(*, scope: Scope) -> str:
    """The scope a user's pages show by default: its own unit for a unit-bound officer, else the city."""
    return f"unit:{scope.unit_id}" if not scope.is_city and scope.unit_id else "city"


def require_scope_key(*, scope: Scope, scope_key: str) -> None:
    """``ValidationError`` for a key that names no scope, ``PermissionDenied`` for one outside the user's."""
    kind, _sep, rest = scope_key.partition(":")
    if not (scope_key == "city" or (kind == "zone" and rest in PLAN_ZONES)
            or (kind == "unit" and rest.isdigit() and len(rest) < 19 and int(rest) in unit_names())):
        raise ValidationError(f"范围应为 city、zone:片区名 或 unit:区县编号：{scope_key}")
    keys = visible_scope_keys(scope=scope)
    if keys is not None and scope_key not in keys:
        raise PermissionDenied(_("This scope is outside yours."))


def units_of(scope_key: str, zones: dict[int, str | None]) -> list[int]:
    """The reporting units a scope key covers (``zones``: :func:`unit_zones`)."""
    if scope_key == "city":
        return list(zones)
    kind, _sep, value = scope_key.partition(":")
    if kind == "zone":
        return [u for u, z in zones.items() if z == value]
    return [int(value)]


def aggregate(by_unit: dict[int, int], scope_key: str, zones: dict[int, str | None]) -> int:
    """A per-unit figure summed over a scope."""
    if scope_key == "city":
        return sum(by_unit.values())
    return sum(by_unit.get(u, 0) for u in units_of(scope_key, zones))


def scope_label(scope_key: str, units: dict[int, str]) -> str:
    if scope_key == "city":
        return "全市"
    kind, _sep, value = scope_key.partition(":")
    return value if kind == "zone" else units.get(int(value), scope_key)


# ---------------------------------------------------------------- names on screen


def holders_label(kind_or_label: str) -> str:
    """The name of "firms holding a valid qualification of this kind (or tier) on the day"."""
    label = QUALIFICATION_KINDS.get(kind_or_label, kind_or_label)
    return f"持有有效“{label}”资格的企业"


def highest_label(tier_label: str) -> str:
    """The name of "firms whose highest tier on the day is this one" (each firm counted once)."""
    return f"最高梯次为“{tier_label}”的企业"


# ---------------------------------------------------------------- the counts per unit


@dataclass(frozen=True)
class UnitCounts:
    """One reporting unit's counts on a day (see the module's docstring for each figure)."""

    firms: int = 0
    holders: dict[str, int] = field(default_factory=dict)  # qualification kind → firms holding one
    tier_holders: dict[str, int] = field(default_factory=dict)  # tier key → firms holding one of its kinds
    highest: dict[str, int] = field(default_factory=dict)  # tier key → firms whose highest tier it is


def _ladder_key(ladder: Ladder) -> tuple:
    return tuple((t.level, t.key, t.qualifications) for t in ladder.tiers)


def unit_counts(*, on: dt.date, ladder: Ladder | None = None) -> dict[int, UnitCounts]:
    """Every reporting unit's counts on ``on`` (units without a firm are left out). Not scoped: the
    scoped reads are :func:`counts` and :func:`holders_by_unit`."""
    ladder = ladder or current_ladder()
    return cached("units", (on, _ladder_key(ladder)), lambda: _compute(on, ladder))


def _compute(on: dt.date, ladder: Ladder) -> dict[int, UnitCounts]:
    level_of = {kind: t.level for t in ladder.tiers for kind in t.qualifications}
    key_of = {t.level: t.key for t in ladder.tiers}
    base = ladder.tiers[0].level
    unit = F("enterprise__reporting_unit_id")
    held = Qualification.objects.held_on(on).filter(enterprise__registered_on__lte=on).order_by()
    firms = dict(Enterprise.objects.filter(registered_on__lte=on).order_by().values("reporting_unit_id")
                 .annotate(n=Count("pk")).values_list("reporting_unit_id", "n"))
    holders: dict[int, dict[str, int]] = {}
    for u, kind, n in (held.values(u=unit, k=F("kind")).annotate(n=Count("enterprise_id", distinct=True))
                       .values_list("u", "k", "n")):
        holders.setdefault(u, {})[kind] = n
    tier_holders: dict[int, dict[str, int]] = {}
    highest: dict[int, dict[str, int]] = {}
    if level_of:
        level = Case(*(When(kind=k, then=Value(lv)) for k, lv in level_of.items()), output_field=IntegerField())
        on_tiers = held.filter(kind__in=list(level_of))
        for u, lv, n in (on_tiers.values(u=unit, lv=level).annotate(n=Count("enterprise_id", distinct=True))
                         .values_list("u", "lv", "n")):
            tier_holders.setdefault(u, {})[key_of[lv]] = n
        per_firm = on_tiers.values(firm=F("enterprise_id"), u=unit).annotate(lv=Max(level))
        sql, params = per_firm.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT u, lv, COUNT(*) FROM ({sql}) per_firm GROUP BY u, lv", params)
            for u, lv, n in cursor.fetchall():
                highest.setdefault(u, {})[key_of[lv]] = n
    out = {}
    for u, n in firms.items():
        top = highest.get(u, {})
        ranked = {t.key: top.get(t.key, 0) for t in ladder.tiers}
        ranked[key_of[base]] += n - sum(top.values())  # holding no tier's qualification: the first tier
        out[u] = UnitCounts(firms=n, holders={k: holders.get(u, {}).get(k, 0) for k in QUALIFICATION_KINDS},
                            tier_holders={t.key: tier_holders.get(u, {}).get(t.key, 0) for t in ladder.tiers},
                            highest=ranked)
    return out


def tier_column(*, on: dt.date, ladder: Ladder | None = None):
    """Each firm's highest tier on ``on``, as an expression on enterprise rows (the lists' 当前梯次 column,
    registered as ``registry.tiers``' provider): the same definition as :func:`unit_counts`' "highest" —
    the highest level among the qualifications it holds on ``on`` (``held_on``), the first tier when none."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from keqi.registry.tiers import TierColumn

    ladder = ladder or current_ladder()
    level_of = {kind: t.level for t in ladder.tiers for kind in t.qualifications}
    base = ladder.tiers[0].level
    tiers = [(t.level, t.key, t.label) for t in ladder.tiers]
    if not level_of:
        return TierColumn(Value(base, output_field=IntegerField()), tiers)
    level = Case(*(When(kind=k, then=Value(lv)) for k, lv in level_of.items()), output_field=IntegerField())
    held = (Qualification.objects.held_on(on).filter(enterprise_id=OuterRef("pk"), kind__in=list(level_of))
            .annotate(lv=level).order_by("-lv").values("lv")[:1])
    return TierColumn(Coalesce(Subquery(held, output_field=IntegerField()), Value(base)), tiers)


# ---------------------------------------------------------------- the counts per scope


@dataclass(frozen=True)
class TierCount:
    key: str
    label: str
    highest: int  # firms whose highest tier on the day is this one
    holders: int  # firms holding a qualification of this tier on the day (the first tier: as ``highest``)

    @property
    def highest_label(self) -> str:
        return highest_label(self.label)

    @property
    def holders_label(self) -> str:
        return holders_label(self.label)


@dataclass(frozen=True)
class Counts:
    """A scope's counts on a day."""

    on: dt.date
    scope_key: str
    scope_label: str
    firms: int
    holders: dict[str, int]  # qualification kind → firms holding one (every kind, 0 included)
    tiers: tuple[TierCount, ...]  # in the ladder's order

    def holding(self, kind: str) -> int:
        return self.holders.get(kind, 0)

    def tier(self, key: str) -> TierCount:
        return next(t for t in self.tiers if t.key == key)


def counts(*, scope: Scope, on: dt.date, scope_key: str | None = None) -> Counts:
    """The counts of a scope on ``on``: ``scope_key`` (``city``, ``zone:片区名``, ``unit:<id>``; default the
    user's own, :func:`default_scope_key`) must be one the user may see (:func:`visible_scope_keys`)."""
    scope.require_read()
    scope_key = scope_key or default_scope_key(scope=scope)
    require_scope_key(scope=scope, scope_key=scope_key)
    ladder = current_ladder()
    per_unit = unit_counts(on=on, ladder=ladder)
    units = set(units_of(scope_key, unit_zones()))
    firms = 0
    holders = dict.fromkeys(QUALIFICATION_KINDS, 0)
    tier_holders: dict[str, int] = {}
    highest: dict[str, int] = {}
    for u, c in per_unit.items():  # one pass over the units, summing each figure of the scope's
        if u not in units:
            continue
        firms += c.firms
        for figure, total in ((c.holders, holders), (c.tier_holders, tier_holders), (c.highest, highest)):
            for k, n in figure.items():
                total[k] = total.get(k, 0) + n
    tiers = tuple(TierCount(t.key, t.label, highest.get(t.key, 0),
                            highest.get(t.key, 0) if i == 0 else tier_holders.get(t.key, 0))
                  for i, t in enumerate(ladder.tiers))
    return Counts(on=on, scope_key=scope_key, scope_label=scope_label(scope_key, unit_names()),
                  firms=firms, holders={k: holders.get(k, 0) for k in QUALIFICATION_KINDS}, tiers=tiers)


def holders_by_unit(*, kind: str, on: dt.date) -> dict[int, int]:
    """Per reporting unit: firms holding a qualification of ``kind`` on ``on`` (units with none left out).

    Not scoped (the targets' progress, ranking and allocation compare every unit with its target);
    the same figures as :func:`counts`."""
    return {u: c.holders.get(kind, 0) for u, c in unit_counts(on=on).items() if c.holders.get(kind, 0)}
