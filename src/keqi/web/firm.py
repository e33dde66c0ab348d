"""The firm page: one enterprise as every app sees it (a front: it composes the registry, the tier
ladder and history, screening, contracts and credit through their read services, and holds no rule).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from keqi.accounts.scope import scope_for
from keqi.contracts import services as contracts
from keqi.credit import services as credit
from keqi.pipeline import services as pipeline
from keqi.registry import marks
from keqi.registry import services as registry
from keqi.registry.models import Enterprise
from keqi.screening import services as screening


@login_required
def enterprise_detail(request, uscc: str):
    scope = scope_for(request.user)
    scope.require_read()
    try:
        ent = registry.enterprise(scope=scope, uscc=uscc)
    except Enterprise.DoesNotExist:
        raise Http404(_("No such enterprise in your scope.")) from None
    reports = list(ent.reports.order_by("-fiscal_year"))
    quals = list(ent.qualifications.all())  # read once: the list, the tier today and the tier history
    today = timezone.localdate()
    money = _money(scope, ent, today)
    return render(request, "web/firm.html", {
        "enterprise": ent, "reports": reports,
        "qualifications": [(q, q.state_on(today)) for q in quals],  # held / expired / pending
        "audit": registry.change_history(scope=scope, enterprise=ent),
        **_tiers_and_verdicts(scope, ent, quals, today, money["firm_credit"]), **money,
        "cases": marks.for_firms(scope=scope, enterprise_ids=[ent.pk], every=True).get(ent.pk, []),
    })


def _money(scope, ent: Enterprise, today) -> dict:
    """The firm's technology contracts and knowledge-value credit, from their apps' read services."""
    return {"firm_contracts": contracts.firm_contracts(scope=scope, uscc=ent.uscc),
            "firm_credit": credit.firm_credit(scope=scope, enterprise=ent, on=today)}


def _tiers_and_verdicts(scope, ent: Enterprise, quals, today, firm_credit) -> dict:
    """The firm page's tier history, latest screening and live verdicts for the editions deciding its next tier.

    The tier today and each year's tier come from the one definition (``pipeline.services.tier_on``); the
    latest screening's kv-credit row carries the firm's credit standing today (``credit.standing``), so the
    page never says 符合 above and 不符合申请条件 below for the same scheme."""
    ladder = pipeline.current_ladder()
    tier = pipeline.tier_on(qualifications=quals, on=today, ladder=ladder)
    next_editions = ladder.next_editions(tier, today)
    verdicts = screening.explained(screening.evaluate_enterprise(
        scope=scope, uscc=ent.uscc, assess_on=today, edition_ids=next_editions)) if next_editions else []
    run, standing, results = screening.firm_standing(scope=scope, enterprise=ent)
    if firm_credit is not None:
        results = [{**row, "credit": firm_credit.standing} if row["edition"] == credit.EDITION else row
                   for row in results]
    history = pipeline.tier_history(scope=scope, enterprise_id=ent.pk, on=today, qualifications=quals)
    return {"tier_history": history, "tier": tier,
            "next_tier": ladder.next_of(tier), "next_verdicts": verdicts, "today": today,
            "run": run, "standing": standing, "run_results": results, "tier_labels": ladder.labels()}
