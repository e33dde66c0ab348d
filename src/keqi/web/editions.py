"""The rulebook's pages (issue #18 item 5): the editions, one page per edition and two editions of one
family side by side. Public policy: every signed-in role reads them.

What is shown comes from ``keqi.policy.rulebook`` (the same reading as ``keqi editions show / diff``);
these views only pick the edition and lay it out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from keqi.policy import rulebook
from keqi.policy.editions import families
from keqi.policy.labels import EVIDENCE_NOTE


def _pairs(ids: list[str]) -> list[tuple[str, str]]:
    """Each edition with the one after it (oldest first): the comparisons worth a link."""
    return list(zip(ids, ids[1:], strict=False))


@login_required
def edition_list(request):
    groups = []
    for ids in families().values():
        books = [rulebook.read(eid) for eid in ids]
        titles = {b.edition_id: b.title for b in books}
        groups.append(
            {
                "books": books,
                "pairs": [
                    {"old": a, "new": b, "old_title": titles[a], "new_title": titles[b]}
                    for a, b in _pairs(ids)
                ],
            }
        )
    return render(request, "web/editions.html", {"groups": groups, "evidence_note": EVIDENCE_NOTE})


def _read(edition_id: str) -> rulebook.Rulebook:
    try:
        return rulebook.read(edition_id)
    except KeyError:
        raise Http404("没有这个评价标准") from None


@login_required
def edition_detail(request, edition_id: str):
    book = _read(edition_id)
    others = [rulebook.read(e) for e in rulebook.family_of(book.edition_id) if e != book.edition_id]
    return render(
        request, "web/edition.html", {"book": book, "others": others, "evidence_note": EVIDENCE_NOTE}
    )


@login_required
def edition_compare(request, old: str, new: str):
    _read(old), _read(new)
    try:
        comparison = rulebook.compare(old, new)
    except ValueError:
        raise Http404("只能对比同一类别的两个版本") from None
    return render(request, "web/edition_compare.html", {"c": comparison, "evidence_note": EVIDENCE_NOTE})
