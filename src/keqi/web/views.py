"""Pages that compose several apps: the start page, one per role (issue 15, item 6).

Every figure comes from the service that owns it (counts: ``pipeline.figures``; targets:
``targets.services.progress``; candidates: ``screening.services``; tasks: ``pipeline.services``;
credit and contracts: their services); this view only picks what each role starts its day with.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from keqi.accounts.scope import BANK, CITY, DISTRICT, ENTERPRISE, REGISTRAR, Scope, scope_for
from keqi.pipeline import figures
from keqi.registry import services
from keqi.registry.models import AnnualReport

SHOWN = 10  # rows of each list on the start page (the full list is one click away)


@login_required
def home(request):
    scope = scope_for(request.user)
    today = timezone.localdate()
    context = {"scope": scope, "today": today}
    if scope.can_read_registry:
        firms = services.enterprises(scope=scope)
        counted = figures.counts(scope=scope, on=today)  # the one counting service
        context.update(
            counts=counted,
            enterprise_count=counted.firms,
            report_years=list(
                AnnualReport.objects.filter(scope.enterprise_q())
                .values("fiscal_year").annotate(n=Count("pk")).order_by("-fiscal_year")[:5]
            ),
            qualifications=[{"kind": k, "n": n} for k, n in counted.holders.items() if n],
            qualification_labels={k: figures.holders_label(k) for k in counted.holders},
        )
        if scope.enterprise_id:
            context["own_enterprise"] = firms.first()
    part = {CITY: _city, DISTRICT: _district, ENTERPRISE: _enterprise, BANK: _bank, REGISTRAR: _registrar}.get(
        scope.role)
    if part is not None:
        context.update(part(scope, today, context))
    if "new" in context:
        from keqi.pipeline.services import current_ladder

        context["tier_labels"] = current_ladder().labels()
    return render(request, "web/home.html", context)


def _targets(scope: Scope, today: dt.date) -> tuple[int | None, list]:
    """The year whose targets the start page shows (this year's, else the latest set) and their progress."""
    from keqi.targets import services as targets

    years = targets.years(scope=scope)
    if not years:
        return None, []
    year = today.year if today.year in years else max(years)
    return year, targets.progress(scope=scope, year=year, on=today)


def _behind(p) -> float:
    """How far a target lags: the share of the time gone minus the share of the way covered."""
    return float(p.elapsed - (p.covered or 0))


def _city(scope: Scope, today: dt.date, context: dict) -> dict:
    from keqi.screening import services as screening

    year, progress = _targets(scope, today)
    glance = [p for p in progress if not p.scope_key.startswith("unit:")]
    lagging = sorted((p for p in progress if p.scope_key.startswith("unit:") and p.lagging), key=_behind,
                     reverse=True)
    fresh = screening.new_candidates(scope=scope)
    return {"role_part": "city", "target_year": year, "glance": glance, "lagging": lagging[:SHOWN],
            "lagging_count": len({p.scope_key for p in lagging}),  # units: one lagging on two indicators counts once
            "lagging_more": max(len(lagging) - SHOWN, 0), "new": fresh, "new_rows": list(fresh.standings[:SHOWN]) if fresh.run else []}


def _district(scope: Scope, today: dt.date, context: dict) -> dict:
    from keqi.pipeline import services as pipeline
    from keqi.screening import services as screening

    year, progress = _targets(scope, today)
    mine = [p for p in progress if p.scope_key == f"unit:{scope.unit_id}"]
    week = pipeline.tasks(scope=scope, view="week", today=today)
    overdue = pipeline.tasks(scope=scope, view="overdue", today=today)
    fresh = screening.new_candidates(scope=scope)
    return {"role_part": "district", "target_year": year, "standing": mine,
            "week_tasks": list(week[:SHOWN]), "week_count": week.count(),
            "overdue_tasks": list(overdue[:SHOWN]), "overdue_count": overdue.count(),
            "week_end": today + dt.timedelta(days=6 - today.weekday()),
            "new": fresh, "new_rows": list(fresh.standings[:SHOWN]) if fresh.run else []}


def _enterprise(scope: Scope, today: dt.date, context: dict) -> dict:
    from keqi.pipeline.services import current_ladder
    from keqi.screening import services as screening

    firm = context.get("own_enterprise")
    if firm is None:
        return {"role_part": "enterprise"}
    run, standing, rows = screening.firm_standing(scope=scope, enterprise=firm)
    missing, steps = [], []
    if standing is not None and standing.next_edition:
        missing, steps = screening.missing_criteria(standing.next_edition, standing.result(standing.next_edition))
    labels = current_ladder().labels()
    return {"role_part": "enterprise", "run": run, "standing": standing, "verdicts": rows, "missing": missing,
            "steps": steps, "tier_label": labels.get(standing.current_tier, "") if standing else "",
            "next_tier_label": labels.get(standing.next_tier, "") if standing else ""}


def _bank(scope: Scope, today: dt.date, context: dict) -> dict:
    from keqi.credit import services as credit

    graded, rows = credit.grades(scope=scope, on=today, limit=SHOWN)
    due = credit.loans_due(scope=scope, today=today)
    return {"role_part": "bank", "graded_count": graded, "graded": rows, "due_loans": list(due[:SHOWN]),
            "due_count": due.count(), "due_days": credit.DUE_SOON_DAYS, "bank": scope.bank}


def _registrar(scope: Scope, today: dt.date, context: dict) -> dict:
    from keqi.contracts import services as contracts

    waiting = contracts.imports_awaiting(scope=scope)
    return {"role_part": "registrar", "awaiting": list(waiting[:SHOWN]), "awaiting_count": waiting.count(),
            "turnover": contracts.turnover(scope=scope, year=today.year, unit_id=scope.unit_id),
            "year": today.year}
