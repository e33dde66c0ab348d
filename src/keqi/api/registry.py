"""Registry endpoints: units, enterprises, one enterprise with its figures, its verdicts."""


import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from keqi.registry import services
from keqi.registry.models import Enterprise
from keqi.screening import services as screening

from .auth import read_scope
from .schemas import EnterpriseDetailOut, EnterpriseOut, UnitOut

router = Router(tags=["registry"])


class EnterpriseQuery(Schema):
    q: str = ""
    unit: int | None = None
    hitech_field: str = ""
    status: str = ""
    qualification: str = ""


@router.get("/units", response=list[UnitOut])
def units(request):
    return list(services.units_visible(scope=read_scope(request)))


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(PageNumberPagination, page_size=50)
def enterprises(request, filters: Query[EnterpriseQuery]):
    f = services.EnterpriseFilter(q=filters.q, unit_id=filters.unit, hitech_field=filters.hitech_field,
                                  status=filters.status, qualification=filters.qualification)
    qs = services.enterprises(scope=read_scope(request), filters=f).order_by("name", "pk")
    return qs


@router.get("/enterprises/{uscc}", response=EnterpriseDetailOut)
def enterprise(request, uscc: str):
    return get_object_or_404(services.enterprises(scope=read_scope(request)), uscc=uscc.upper())


@router.get("/enterprises/{uscc}/verdicts", response=list[dict])
def verdicts(request, uscc: str, on: dt.date | None = None):
    """Each edition's verdict for the firm on day ``on`` (default today), in the evaluation contract's shape."""
    scope = read_scope(request)
    try:
        return screening.evaluate_enterprise(scope=scope, uscc=uscc, assess_on=on or timezone.localdate())
    except Enterprise.DoesNotExist:
        raise HttpError(404, "No such enterprise in your scope.") from None
