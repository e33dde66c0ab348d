"""Sorting and paging a list, written once for every list of the site (the enterprise list, the
candidate list, …) and for the API operations that serve the same lists.

A list declares its sortable columns (:class:`Column`: a key the address carries, the Chinese label
of its header, the expressions it orders by); :func:`sorted_by` checks the key the user asked for
(``revenue`` ascending, ``-revenue`` descending) and orders the queryset, empty values last in
either direction and ties broken by the list's own order so that pages never overlap.
:func:`page_of` pages it (page numbers, a page size among :data:`PAGE_SIZES`); :func:`headers`
gives the table's header cells with their sort links. A sort key outside the list's columns is a
``ValidationError`` on the field ``sort`` (the API answers 422; the pages fall back to the default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet

#: page sizes a user may choose; the first page of a list shows DEFAULT_PAGE_SIZE rows
PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    """A sortable column: ``key`` in the address, ``label`` in the header, ``fields`` it orders by
    (field names or annotations of the queryset, ascending; ``-name``: the other way round from the rest)."""

    key: str
    label: str
    fields: tuple[str, ...]
    numeric: bool = False  # right-aligned, and first sorted from the largest
    largest_first: bool | None = None  # first sorted from the largest (a tier, say), when not numeric

    @property
    def starts_descending(self) -> bool:
        return self.numeric if self.largest_first is None else self.largest_first


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.key


def parse_sort(text: str | None, columns: Mapping[str, Column], default: str) -> Sort:
    """``"revenue"`` / ``"-revenue"`` → a :class:`Sort`; empty → ``default``; anything else refused."""
    text = (text or "").strip() or default
    key = text.removeprefix("-")
    if key not in columns:
        allowed = "、".join(columns)
        raise ValidationError({"sort": f"不能按此排序（可选：{allowed}，前加“-”为倒序）"})
    return Sort(key, text.startswith("-"))


def sorted_by(qs: QuerySet, sort: Sort, columns: Mapping[str, Column], ties: Sequence[str] = ("pk",)) -> QuerySet:
    """``qs`` ordered by the column of ``sort`` (empty values last either way), then by ``ties`` (ascending:
    firms of equal revenue in name order, whichever way the revenue runs)."""
    order = []
    fields = columns[sort.key].fields
    for name in fields:
        expr = F(name.removeprefix("-"))
        descending = sort.descending != name.startswith("-")
        order.append(expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True))
    return qs.order_by(*order, *(t for t in ties if t not in fields))


def page_size(text: str | None) -> int:
    """The page size asked for, if it is one of :data:`PAGE_SIZES`; else the default."""
    try:
        size = int(text or DEFAULT_PAGE_SIZE)
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def page_of(items, *, page: str | int | None, size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page (a number past the end gives the last page, anything else the first), with
    ``page.numbers``: the page numbers to show (``None`` where numbers are left out)."""
    paged = Paginator(items, size).get_page(page)
    paged.numbers = list(paged.paginator.get_elided_page_range(paged.number, on_each_side=2, on_ends=1))
    paged.numbers = [n if isinstance(n, int) else None for n in paged.numbers]
    return paged


@dataclass(frozen=True)
class Header:
    label: str
    url: str = ""  # empty: not sortable
    active: bool = False
    descending: bool = False
    numeric: bool = False


def headers(cells: Sequence[Column | tuple[str, bool] | str], sort: Sort, query: Mapping[str, str]) -> list[Header]:
    """The header cells of a table: a :class:`Column` gets a link that sorts by it (again: the other way),
    a plain label (or ``(label, numeric)``) none. ``query`` holds the list's other parameters (filters,
    page size) that the links keep; the page goes back to the first."""
    base = {k: v for k, v in query.items() if k not in ("sort", "page") and v not in ("", None)}
    out = []
    for cell in cells:
        if isinstance(cell, Column):
            active = cell.key == sort.key
            # a click on the sorted column turns it round; on another column, numbers start from the largest
            descending = not sort.descending if active else cell.starts_descending
            url = "?" + urlencode({**base, "sort": ("-" if descending else "") + cell.key})
            out.append(Header(cell.label, url, active, sort.descending if active else False, cell.numeric))
        elif isinstance(cell, tuple):
            out.append(Header(cell[0], numeric=cell[1]))
        else:
            out.append(Header(cell))
    return out


def paged(items, params) -> Page:
    """The page of ``items`` that the address parameters ``params`` (a QueryDict) ask for (``page``,
    ``size``), with what the pager shows: ``numbers``, ``query`` (the parameters without the page, for
    the page links) and ``sizes`` (``(size, address, chosen)`` for each of :data:`PAGE_SIZES`)."""
    size = page_size(params.get("size"))
    page = page_of(items, page=params.get("page"), size=size)
    query = params.copy()
    query.pop("page", None)
    page.query = query.urlencode()
    query.pop("size", None)
    rest = query.urlencode()
    page.sizes = [(n, "?" + (rest + "&" if rest else "") + f"size={n}", n == size) for n in PAGE_SIZES]
    return page
