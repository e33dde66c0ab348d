"""The rulebook's reading (keqi.policy.rulebook, issue #18 item 5): every edition, every criterion and
every setting in Chinese words; two editions of one family compared criterion by criterion."""

from __future__ import annotations

import re

import pytest

from keqi.policy import rulebook
from keqi.policy.editions import EDITION_IDS, families, get

LATIN = re.compile(r"[A-Za-z_]{2,}|\b[A-Za-z]\b")


def _texts(book: rulebook.Rulebook) -> list[str]:
    out = [book.title, book.in_force, book.rereview, book.pass_mark, *book.sources]
    for line in book.lines:
        out += [line.label, line.threshold, line.points, line.kind, line.part_of, line.source, line.evidence]
    for s in book.settings:
        out += [s.label, s.value, s.evidence]
    return out


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_every_edition_reads_in_chinese(edition_id):
    book = rulebook.read(edition_id)
    edition = get(edition_id)
    assert len(book.lines) == len(edition.criteria)
    for text in _texts(book):
        # what the sources themselves write in Latin: credit grades A–E, national standards GB/T
        bare = text.replace("A–E", "").replace("GB/T", "")
        assert not LATIN.findall(bare), (edition_id, text)
        assert "其他设置" not in text and "其他项" not in text and "其他取值" not in text, (edition_id, text)
        assert ".md" not in text
    assert {line.evidence for line in book.lines} <= {"原文", "转述", "待核实", "局设置"}


@pytest.mark.parametrize("edition_id", EDITION_IDS)
def test_every_threshold_has_its_unit_and_every_scored_item_its_points(edition_id):
    for c, line in zip(get(edition_id).criteria, rulebook.read(edition_id).lines, strict=True):
        if c.threshold is not None:
            assert re.fullmatch(r"[\d,.]+ ?(%|万元|元|万美元|年|项|分)", line.threshold), (
                c.id,
                line.threshold,
            )
        if c.scored and c.threshold is None:
            assert line.points.startswith("最高") or line.points == "分值见局设置", (c.id, line.points)


def test_amounts_and_ratios():
    assert rulebook.money(15_000_000) == "1,500 万元"
    assert rulebook.money(200_000_000) == "20,000 万元"
    assert rulebook.money(1_000_000_000, "美元") == "100,000 万美元"
    assert rulebook.money(5_000) == "5,000 元" and rulebook.money(1) == "1 元"
    assert (
        rulebook.percent(0.1) == "10%"
        and rulebook.percent(0.025) == "2.5%"
        and rulebook.percent(0.07) == "7%"
    )


@pytest.mark.parametrize("family", [f for f, ids in families().items() if len(ids) > 1])
def test_each_pair_of_a_family_is_compared_criterion_by_criterion(family):
    old_id, new_id = families()[family][:2]
    c = rulebook.compare(new_id, old_id)
    assert (c.old.edition_id, c.new.edition_id) == (old_id, new_id)
    keys_old = {line.key for line in c.old.lines}
    keys_new = {line.key for line in c.new.lines}
    by_kind = {}
    for ch in c.changes:
        by_kind.setdefault(ch.kind, set()).add((ch.old or ch.new).key)
    assert by_kind.get("added", set()) == keys_new - keys_old
    assert by_kind.get("removed", set()) == keys_old - keys_new
    assert len(c.changes) == len(keys_old | keys_new)
    for ch in c.changes:
        if ch.kind == "threshold":
            assert ch.old.threshold != ch.new.threshold
        if ch.kind == "same":
            assert (ch.old.label, ch.old.threshold, ch.old.points) == (
                ch.new.label,
                ch.new.threshold,
                ch.new.points,
            )


def test_srdi_2022_to_2026_thresholds():
    c = rulebook.compare("srdi-2022", "srdi-2026")
    moved = {ch.new.key: (ch.old.threshold, ch.new.threshold) for ch in c.changes if ch.kind == "threshold"}
    assert moved == {"niche_years": ("2年", "3年"), "size": ("1,000 万元", "1,500 万元")}


def test_a_threshold_kept_in_a_setting_is_shown_and_compared_at_its_current_value():
    c = rulebook.compare("little-giant-2026", "little-giant-2022")
    moved = {ch.new.key: (ch.old.threshold, ch.new.threshold) for ch in c.changes if ch.kind == "threshold"}
    assert moved == {"main_business": ("70%", "90%"), "debt_ratio": ("70%", "75%"), "ip": ("2项", "4项")}
    assert {line.key: line.threshold for line in c.old.lines}["niche_years"] == "3年"
    changed = rulebook.read("little-giant-2022", {"thresholds": {**_lg_thresholds(), "main_pct": 75}})
    assert {line.key: line.threshold for line in changed.lines}["main_business"] == "75%"


def _lg_thresholds() -> dict:
    return dict(next(s for s in get("little-giant-2022").settings if s.key == "thresholds").default)


def test_editions_of_two_families_are_not_compared():
    with pytest.raises(ValueError, match="不属于同一类别"):
        rulebook.compare("srdi-2022", "star-2024")
    with pytest.raises(KeyError):
        rulebook.compare("srdi-2022", "nope")
