"""The API's parameter types, each bounded so that no value a client sends reaches the database or a
calculation it cannot hold (SQLite does not enforce the columns' limits; Python's dates end in 9999).

The bounds are declared in the OpenAPI, so a client sees them, and a value outside answers 422. Every
text type drops NUL characters (``Plain``, ``Text`` …), so no endpoint needs its own guard.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import BeforeValidator

from keqi.registry.parsing import MAX_YUAN

#: years of the programme's data (fiscal years, targets, contracts): as the import's 年度 column
MIN_YEAR, MAX_YEAR = 1980, 2100
#: days: any assessment or record day the services can compute with
MIN_DAY, MAX_DAY = dt.date(1980, 1, 1), dt.date(2100, 12, 31)
#: database keys (64-bit)
MAX_ID = 2**63 - 1
#: pages of 50: 10 million rows
MAX_PAGE = 200_000



def _not_a_truth_value(value: Any) -> Any:
    """JSON's true and false are not numbers (pydantic would take them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("应为整数，而不是真假值")
    return value


Whole = BeforeValidator(_not_a_truth_value)


def _without_nul(value: Any) -> Any:
    """A NUL character means nothing in a text and PostgreSQL refuses it in a text column or a query
    (a 500): every text a client sends loses its NULs, in a filter, a name or a reason alike."""
    return value.replace("\x00", "") if isinstance(value, str) else value


NoNul = BeforeValidator(_without_nul)  # after a Field's length in Annotated: the length stays a text's own
# check (string_too_long, "不能超过…个字符"), made on the text without its NULs
#: any text a client sends (a reason, an action, a programme's key …): NUL characters dropped
Plain = Annotated[str, NoNul]
Year = Annotated[int, Whole, Field(ge=MIN_YEAR, le=MAX_YEAR, description=f"年份（{MIN_YEAR}–{MAX_YEAR}）")]
Day = Annotated[dt.date, Field(ge=MIN_DAY, le=MAX_DAY, description="日期（YYYY-MM-DD）")]
Id = Annotated[int, Whole, Field(ge=1, le=MAX_ID)]
#: a case's version as read (optimistic locking)
Version = Annotated[int, Whole, Field(ge=0, le=MAX_ID)]
Yuan = Annotated[int, Whole, Field(ge=0, lt=MAX_YUAN, description="金额（元）")]
PageNumber = Annotated[int, Whole, Field(ge=1, le=MAX_PAGE)]
Text = Annotated[str, Field(max_length=200), NoNul]
LongText = Annotated[str, Field(max_length=2000), NoNul]
#: where a target or value comes from (the columns hold 300 characters)
Source = Annotated[str, Field(max_length=300, description="来源（最多 300 字）"), NoNul]
#: a target or reported value: what the columns hold (20 digits, 4 decimals)
Amount = Annotated[Decimal, Field(ge=-(10**15), le=10**15, max_digits=20, decimal_places=4)]
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


class Pages(PageNumberPagination):
    """50 a page (the client may ask for up to 200), pages from 1 to 200,000; a page past the end is empty."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=200)

    def __init__(self, page_size: int = 50, max_page_size: int = 200, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)
