"""Screening endpoints: runs, and the ranked candidates of the latest complete run."""

from ninja import Field, Query, Router, Schema

from keqi.screening import services

from .auth import read_scope
from .params import Id, PageNumber, Text
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
    next_tier: Text = Field("", description="目标梯次（如 hnte）：列出其下一梯次的每家企业")
    edition: Text = ""
    hitech_field: Text = ""
    industry: Text = Field("", description="行业门类（GB/T 4754-2017 的字母 A–T）")
    planned: Text = Field("", description="yes：已安排培育工作；no：尚未安排")
    sort: Text = Field("", description="排序列：" + "、".join(services.CANDIDATE_SORTS) + "；前加“-”为倒序")
    page: PageNumber = 1
    limit: int = Field(100, ge=1, le=MAX_CANDIDATES, description="每页条数")


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


@router.get("/candidates", response=list[CandidateOut])
def candidates(request, filters: Query[CandidateQuery]):
    """The candidate list of the page, in the page's order: closest first (0 eligible, 1 uncertain, else the
    cost of the smallest gap plan; unranked last) unless ``sort`` says otherwise. A filter value or sort key
    the list does not have answers 422."""
    f = services.CandidateFilter(unit_id=filters.unit, next_tier=filters.next_tier, edition=filters.edition,
                                 hitech_field=filters.hitech_field, industry=filters.industry,
                                 planned=filters.planned, sort=filters.sort)
    found = services.candidate_list(scope=read_scope(request), filters=f)
    if found.run is None:
        return []
    start = (filters.page - 1) * filters.limit
    out = []
    for c in found.rows(found.standings[start : start + filters.limit]):
        s, r = c.standing, c.result
        out.append({
            "uscc": s.enterprise.uscc, "name": s.enterprise.name, "reporting_unit": s.reporting_unit.name,
            "current_tier": s.current_tier, "next_tier": s.next_tier, "next_edition": s.next_edition,
            "verdict": s.next_verdict, "closeness": s.closeness,
            "score_min": r.score_min if r else None, "score_max": r.score_max if r else None,
            "pass_mark": r.pass_mark if r else None, "gaps": (r.gaps or []) if r else [],
            "hitech_field": s.enterprise.hitech_field, "industry_code": s.enterprise.industry_code,
            "figures_year": s.figures_year, "revenue": s.revenue, "rd_ratio_pct": _pct(s.rd_ratio),
            "tech_share_pct": _pct(s.tech_share), "ip": s.ip_total, "missing": c.missing, "steps": c.steps,
            "planned": [{"kind": t.kind, "due_on": t.due_on, "title": t.title} for t in c.tasks],
        })
    return out
