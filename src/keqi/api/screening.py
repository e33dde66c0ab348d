"""Screening endpoints: runs, and the ranked candidates of the latest complete run."""

from ninja import Field, Query, Router, Schema

from keqi.screening import services

from .auth import read_scope
from .params import Id, Text
from .schemas import CandidateOut, RunOut

router = Router(tags=["screening"])
MAX_CANDIDATES = 500


@router.get("/runs", response=list[RunOut])
def runs(request):
    return [
        {"id": r.pk, "assess_on": r.assess_on, "reporting_unit": r.reporting_unit.name if r.reporting_unit else None,
         "status": r.status, "firms": r.firms, "progress": r.progress, "editions": r.editions,
         "finished_at": r.finished_at}
        for r in services.runs_visible(scope=read_scope(request))[:100]
    ]


class CandidateQuery(Schema):
    unit: Id | None = None
    next_tier: Text = ""
    edition: Text = ""
    hitech_field: Text = ""
    limit: int = Field(100, ge=1, le=MAX_CANDIDATES)


@router.get("/candidates", response=list[CandidateOut])
def candidates(request, filters: Query[CandidateQuery]):
    """Closest first (0 eligible, 1 uncertain, else the cost of the smallest gap plan)."""
    f = services.CandidateFilter(unit_id=filters.unit, next_tier=filters.next_tier, edition=filters.edition,
                                 hitech_field=filters.hitech_field)
    found = services.candidate_list(scope=read_scope(request), filters=f)
    if found.run is None:
        return []
    standings = list(found.standings[: filters.limit])
    results = found.results(standings)
    out = []
    for s in standings:
        r = results.get(s.enterprise_id)
        out.append({
            "uscc": s.enterprise.uscc, "name": s.enterprise.name, "reporting_unit": s.reporting_unit.name,
            "current_tier": s.current_tier, "next_tier": s.next_tier, "next_edition": s.next_edition,
            "verdict": s.next_verdict, "closeness": s.closeness,
            "score_min": r.score_min if r else None, "score_max": r.score_max if r else None,
            "pass_mark": r.pass_mark if r else None, "gaps": (r.gaps or []) if r else [],
        })
    return out
