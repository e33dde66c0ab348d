"""Editions picked by family and date (keqi.policy.editions.resolve)."""

from __future__ import annotations

from datetime import date

import pytest

from keqi.policy.editions import EDITION_IDS, all_editions, families, get, resolve


def test_every_edition_has_a_family_and_every_family_lists_its_editions():
    fams = families()
    for e in all_editions():
        assert e.family, e.id
        assert e.id in fams[e.family]
    assert sorted(i for ids in fams.values() for i in ids) == sorted(EDITION_IDS)


def test_an_exact_edition_id_returns_that_edition_whatever_the_day():
    for e in EDITION_IDS:
        assert resolve(e) is get(e)
        assert resolve(e, on=date(1990, 1, 1)) is get(e)


def test_a_family_without_dated_interval_is_in_force_any_day():
    assert resolve("hnte", on=date(2016, 1, 1)).id == "hnte-2016"
    assert resolve("tsme").id == "tsme-2017"


def test_unknown_names_raise_a_clear_key_error():
    with pytest.raises(KeyError, match="unknown edition or family 'nope'"):
        resolve("nope")


def test_describe_shows_family_and_interval():
    d = get("hnte-2016").describe()
    assert d["family"] == "hnte"
    assert d["in_force_from"] is None and d["in_force_until"] is None


def test_families_list_both_versions_oldest_first():
    fams = families()
    assert fams["srdi"] == ["srdi-2022", "srdi-2026"]
    assert fams["little-giant"] == ["little-giant-2022", "little-giant-2026"]
    assert fams["star"] == ["star-2022", "star-2024"]
    assert fams["innovative-sme"] == ["innovative-sme-2022"]


@pytest.mark.parametrize(
    ("family", "day", "expected"),
    [
        ("srdi", date(2026, 3, 31), "srdi-2022"),
        ("srdi", date(2026, 4, 1), "srdi-2026"),
        ("little-giant", date(2026, 3, 31), "little-giant-2022"),
        ("little-giant", date(2026, 4, 1), "little-giant-2026"),
        ("star", date(2024, 4, 29), "star-2022"),
        ("star", date(2024, 4, 30), "star-2024"),
        ("star", date(2022, 12, 30), "star-2022"),
    ],
)
def test_interval_edges_are_inclusive(family, day, expected):
    assert resolve(family, on=day).id == expected


def test_a_family_with_no_edition_in_force_says_so():
    with pytest.raises(KeyError, match=r"no 'star' edition is in force on 2022-12-29; editions: star-2022"):
        resolve("star", on=date(2022, 12, 29))


def test_every_dated_interval_names_its_source():
    for e in all_editions():
        if e.in_force_from or e.in_force_until:
            assert e.in_force_source is not None, e.id
            assert e.describe()["in_force_source"]


@pytest.mark.parametrize(
    ("day", "rereview", "expected"),
    [
        (date(2026, 3, 31), False, "little-giant-2022"),
        (date(2026, 3, 31), True, "little-giant-2022"),
        (date(2026, 4, 1), False, "little-giant-2026"),
        (date(2026, 4, 1), True, "little-giant-2022"),  # 工信厅企业函〔2026〕117号: 2026 复核 keep 63号
        (date(2026, 5, 10), True, "little-giant-2022"),
        (date(2026, 12, 31), True, "little-giant-2022"),
        (date(2027, 1, 1), True, "little-giant-2026"),  # later 复核 mechanics are UNCONFIRMED
    ],
)
def test_a_re_review_keeps_the_edition_its_notice_says(day, rereview, expected):
    assert resolve("little-giant", on=day, rereview=rereview).id == expected


def test_re_reviews_change_only_the_little_giant_family_and_an_exact_id_still_forces():
    from keqi.policy.editions import rereview_ids

    day = date(2026, 5, 10)
    for fam in families():
        if fam != "little-giant":
            assert resolve(fam, on=day, rereview=True).id == resolve(fam, on=day).id
    assert resolve("little-giant-2026", on=day, rereview=True).id == "little-giant-2026"
    assert rereview_ids(day) == ("little-giant-2022",)
    assert rereview_ids(date(2026, 3, 1)) == rereview_ids(date(2027, 1, 1)) == ()
    lg = get("little-giant-2022")
    assert lg.rereview_source.number == "工信厅企业函〔2026〕117号"
    assert lg.describe()["rereview_until"] == "2026-12-31"
