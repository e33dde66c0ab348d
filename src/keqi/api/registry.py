"""Registry endpoints: units, enterprises, one enterprise with its figures, its verdicts."""


from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from keqi.registry import services
from keqi.screening import services as screening

from .auth import read_scope
from .params import Day, Id, Pages, Text
from .schemas import EnterpriseDetailOut, EnterpriseOut, UnitOut

router = Router(tags=["registry"])


class EnterpriseQuery(Schema):
    q: Text = ""
    unit: Id | None = None
    hitech_field: Text = ""
    status: Text = ""
    qualification: Text = ""
    industry: Text = Field("", description="行业门类（GB/T 4754-2017 的字母 A–T）")
    tier: Text = Field("", description="当前梯次（如 hnte）：今天持有的资质所对应的最高梯次")
    sort: Text = Field("", description="排序列：" + "、".join(services.ENTERPRISE_SORTS) + "；前加“-”为倒序")


@router.get("/units", response=list[UnitOut])
def units(request):
    return list(services.units_visible(scope=read_scope(request)))


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(Pages)
def enterprises(request, filters: Query[EnterpriseQuery]):
    """The enterprise list of the page, in its order (``sort``; default the name), each firm with its current
    tier; a filter value or sort key the list does not have answers 422."""
    f = services.EnterpriseFilter(q=filters.q, unit_id=filters.unit, hitech_field=filters.hitech_field,
                                  status=filters.status, qualification=filters.qualification,
                                  industry=filters.industry, tier=filters.tier, sort=filters.sort)
    found = services.enterprise_list(scope=read_scope(request), filters=f, on=timezone.localdate())
    return ListedFirms(found)


class ListedFirms:
    """The list's queryset as the paginator slices it, each firm given its tier's key and label."""

    def __init__(self, found):
        self.found = found

    def count(self) -> int:
        return self.found.firms.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        firms = list(self.found.firms[item])
        for e in firms:
            level = getattr(e, "tier_level", None)
            tiers = self.found.tiers.tiers if self.found.tiers else ()
            e.tier = next((key for lv, key, _ in tiers if lv == level), "")
            e.tier_label = self.found.tier_label(e)
        return firms


@router.get("/enterprises/{uscc}", response=EnterpriseDetailOut)
def enterprise(request, uscc: Text):
    return get_object_or_404(services.enterprises(scope=read_scope(request)), uscc=uscc.upper())


@router.get("/enterprises/{uscc}/verdicts", response=list[dict])
def verdicts(request, uscc: Text, on: Day | None = None):
    """Each edition's verdict for the firm on day ``on`` (default today), in the evaluation contract's shape."""
    return screening.evaluate_enterprise(scope=read_scope(request), uscc=uscc, assess_on=on or timezone.localdate())
