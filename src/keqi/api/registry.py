"""Registry endpoints: units, enterprises, one enterprise with its figures, its verdicts."""


from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
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


@router.get("/units", response=list[UnitOut])
def units(request):
    return list(services.units_visible(scope=read_scope(request)))


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(Pages)
def enterprises(request, filters: Query[EnterpriseQuery]):
    f = services.EnterpriseFilter(q=filters.q, unit_id=filters.unit, hitech_field=filters.hitech_field,
                                  status=filters.status, qualification=filters.qualification)
    qs = services.enterprises(scope=read_scope(request), filters=f).order_by("name", "pk")
    return qs


@router.get("/enterprises/{uscc}", response=EnterpriseDetailOut)
def enterprise(request, uscc: Text):
    return get_object_or_404(services.enterprises(scope=read_scope(request)), uscc=uscc.upper())


@router.get("/enterprises/{uscc}/verdicts", response=list[dict])
def verdicts(request, uscc: Text, on: Day | None = None):
    """Each edition's verdict for the firm on day ``on`` (default today), in the evaluation contract's shape."""
    return screening.evaluate_enterprise(scope=read_scope(request), uscc=uscc, assess_on=on or timezone.localdate())
