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
