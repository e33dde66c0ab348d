"""Response shapes of the JSON API (money in integer yuan, as everywhere in KeQi)."""


import datetime as dt
from typing import Any

from ninja import Field, Schema


class UnitOut(Schema):
    id: int
    code: str | None
    name: str
    kind: str
    zone: str


class EnterpriseOut(Schema):
    uscc: str
    name: str
    reporting_unit: str
    registered_on: dt.date
    hitech_field: str
    industry_code: str
    status: str
    tier: str = Field("", description="当前梯次（列表中给出：今天持有的资质所对应的最高梯次）")
    tier_label: str = Field("", description="当前梯次的名称")

    @staticmethod
    def resolve_reporting_unit(obj) -> str:
        return obj.reporting_unit.name


class ReportOut(Schema):
    fiscal_year: int
    staff_total: int | None
    tech_staff: int | None
    senior_tech_staff: int | None
    revenue: int | None
    rd_expense: int | None
    rd_expense_domestic: int | None
    cost_total: int | None
    total_assets: int | None
    net_assets: int | None
    hitech_revenue: int | None
    ip_class1: int | None
    ip_class2: int | None


class QualificationOut(Schema):
    kind: str
    number: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


class EnterpriseDetailOut(EnterpriseOut):
    reports: list[ReportOut]
    qualifications: list[QualificationOut]

    @staticmethod
    def resolve_reports(obj):
        return obj.reports.order_by("-fiscal_year")

    @staticmethod
    def resolve_qualifications(obj):
        return obj.qualifications.all()


class RunOut(Schema):
    id: int
    assess_on: dt.date
    reporting_unit: str | None
    status: str
    firms: int
    progress: int
    editions: dict[str, str]
    finished_at: dt.datetime | None


class PlannedTaskOut(Schema):
    kind: str
    due_on: dt.date
    title: str


class CandidateOut(Schema):
    uscc: str
    name: str
    reporting_unit: str
    current_tier: str
    next_tier: str
    next_edition: str
    verdict: str
    closeness: float | None
    score_min: int | None
    score_max: int | None
    pass_mark: int | None
    gaps: list[dict[str, Any]]
    hitech_field: str = ""
    industry_code: str = ""
    figures_year: int | None = Field(None, description="关键指标所取年报的年度（评价日之前最近一年）")
    revenue: int | None = Field(None, description="营业收入（元）")
    rd_ratio_pct: float | None = Field(None, description="研发费用占营业收入的比例（%）")
    tech_share_pct: float | None = Field(None, description="科技人员占职工总数的比例（%）")
    ip: int | None = Field(None, description="知识产权（Ⅰ类与Ⅱ类，项）")
    missing: list[str] = Field([], description="未满足的条件")
    steps: list[str] = Field([], description="最小改进方案的各项措施")
    planned: list[PlannedTaskOut] = Field([], description="已安排、尚未完成的培育工作")
