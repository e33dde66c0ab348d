"""Technology contract endpoints: list, one contract, register one, turnover statistics.

The same services and role rules as the pages (``keqi.accounts.scope``): the city administrator
reads and registers everywhere; a contract registrar reads and registers its own unit's contracts;
a district officer reads its unit's; an enterprise user the contracts its firm is party to; a bank
officer nothing. Money in integer yuan.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from keqi.contracts import services

from .auth import scope_of
from .params import Day, Id, Pages, Plain, Text, Year, Yuan

router = Router(tags=["contracts"])


class ContractOut(Schema):
    number: str
    title: str
    category: str
    sub_kind: str
    seller_uscc: str
    seller_name: str
    seller_in_registry: bool
    buyer_uscc: str
    buyer_name: str
    buyer_in_registry: bool
    signed_on: dt.date
    registered_on: dt.date
    contract_amount: int
    technical_amount: int
    reporting_unit_id: int
    reporting_unit: str
    hitech_field: str
    status: str

    @staticmethod
    def resolve_reporting_unit(obj) -> str:
        return obj.reporting_unit.name

    @staticmethod
    def resolve_seller_in_registry(obj) -> bool:
        return obj.seller_id is not None

    @staticmethod
    def resolve_buyer_in_registry(obj) -> bool:
        return obj.buyer_id is not None


class ContractIn(Schema):
    number: Text
    title: Text
    category: Text
    sub_kind: Text
    seller_uscc: Plain = Field(max_length=18)
    seller_name: Text
    buyer_uscc: Plain = Field(max_length=18)
    buyer_name: Text
    signed_on: Day
    registered_on: Day
    contract_amount: Yuan
    technical_amount: Yuan
    unit: Id | None = None
    hitech_field: Text = ""
    status: Text = ""


class ContractQuery(Schema):
    q: Text = ""
    unit: Id | None = None
    category: Text = ""
    hitech_field: Text = ""
    status: Text = ""
    year: Year | None = None


class TurnoverRow(Schema):
    key: str | int
    contracts: int
    contract_amount: int
    technical_amount: int


class TurnoverOut(Schema):
    year: int
    unit: int | None
    by: str
    turnover: int
    technical_turnover: int
    rows: list[TurnoverRow]


@router.get("", response=list[ContractOut])
@paginate(Pages)
def contract_list(request, filters: Query[ContractQuery]):
    """The contracts the caller may read, newest registration first."""
    f = services.ContractFilter(q=filters.q, unit_id=filters.unit, category=filters.category,
                                hitech_field=filters.hitech_field, status=filters.status, year=filters.year)
    return services.contracts(scope=scope_of(request), filters=f).order_by("-registered_on", "number")


@router.get("/turnover", response=TurnoverOut)
def turnover(request, year: Year, by: Literal["month", "unit", "category", "field"] = "month",
             unit: Id | None = None):
    """技术合同成交额 (sum of 合同成交额) and 技术交易额 of the registered contracts of a year, broken down.

    A registrar or district officer gets its own unit's figures whatever unit it asks.
    """
    scope = scope_of(request)
    rows = services.turnover_by(scope=scope, year=year, by=by, unit_id=unit)
    return {"year": year, "unit": unit, "by": by, "rows": rows,
            "turnover": services.turnover(scope=scope, year=year, unit_id=unit),
            "technical_turnover": services.technical_turnover(scope=scope, year=year, unit_id=unit)}


@router.get("/{number}", response=ContractOut)
def contract_detail(request, number: Text):
    return services.contract(scope=scope_of(request), number=number)


@router.post("", response={201: ContractOut})
def contract_create(request, payload: ContractIn):
    """Register one contract (city administrator; a registrar for its own unit, the default ``unit``).

    Every rule of the import applies; a 422 lists each faulty field with the reason.
    """
    created = services.register_contract(scope=scope_of(request), values=payload.dict(exclude={"unit"}),
                                         unit_id=payload.unit, user=request.auth)
    return Status(201, services.contract(scope=scope_of(request), number=created.number))
