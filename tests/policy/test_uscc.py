import random

import pytest

from keqi.policy.uscc import (
    is_valid_uscc,
    make_uscc,
    normalise,
    org_check_char,
    uscc_check_char,
    uscc_faults,
)

# Real codes published in public data (../shared/reference/criteria.md §3.4).
VALID = [
    "91500000202833449G",
    "91500000202897821P",
    "915000006219140088",
    "91500108MAE5G7MX3H",
    "91500153MAK1DP8D04",
    "91310115591693856A",
    "91310110666007217T",
]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    assert uscc_faults(code) == []


def test_known_bad_check_character_is_named_with_the_expected_one():
    faults = uscc_faults("915000002032881838")  # sample data labelled 长安汽车: check should be J
    assert [f.kind for f in faults][-1] == "check"
    assert "应为“J”" in faults[-1].message


def test_pilot_code_failing_the_mod31_check_is_rejected():
    assert [f.kind for f in uscc_faults("91350211M00013FA1N")] == ["check"]


def test_organisation_check_character_is_verified_separately():
    # Recompute a valid final check so that only the GB 11714 character is wrong.
    body = "MA1234567"  # org body MA123456 + wrong check 7
    first17 = "915001" + "03" + body
    code = first17 + uscc_check_char(first17)
    kinds = [f.kind for f in uscc_faults(code)]
    assert kinds == ["org_check"]
    assert org_check_char("MA123456") != "7"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("", "empty"),
        ("9150000020283344", "length"),
        ("91500000202833449GX", "length"),
        ("91500000202833449O", "charset"),  # O is not in the 31-symbol set
        ("9150000020283344IG", "charset"),
        ("9150A000202833449G", "region"),
    ],
)
def test_each_kind_of_fault_has_its_own_message(code, kind):
    faults = uscc_faults(code)
    assert faults and faults[0].kind == kind
    assert faults[0].message  # Chinese text for the user


def test_lower_case_and_blanks_are_normalised_before_checking():
    assert is_valid_uscc("  91500000202833449g ")
    assert normalise(" 91500000202833449g") == "91500000202833449G"


def test_org_check_maps_10_to_x_and_11_to_0():
    seen = set()
    rng = random.Random(3)
    while not {"X", "0"} <= seen:
        body = "".join(rng.choice("0123456789ABCDEFGH") for _ in range(8))
        seen.add(org_check_char(body))
    assert {"X", "0"} <= seen


def test_generated_codes_pass_both_checks_and_carry_the_region():
    rng = random.Random(11)
    codes = [make_uscc(rng, region="500112") for _ in range(500)]
    assert all(uscc_faults(c) == [] for c in codes)
    assert all(c[2:8] == "500112" for c in codes)
    # A single changed character is always detected (mod-31 check over a prime modulus).
    for c in codes[:50]:
        i = rng.randrange(17)
        alt = "1" if c[i] != "1" else "2"
        assert uscc_faults(c[:i] + alt + c[i + 1 :]) != []


def test_check_characters_of_a_part_of_a_code_are_refused_not_guessed():
    """The check characters are computed over exactly 17 (GB 32100) and 8 (GB 11714) characters."""
    with pytest.raises(ValueError):
        uscc_check_char("9150000020283344")  # 16
    with pytest.raises(ValueError):
        uscc_check_char("9150000020283344912")  # 19
    with pytest.raises(ValueError):
        org_check_char("2028334")  # 7
    with pytest.raises(ValueError):
        org_check_char("202833449")  # 9


def test_nothing_pasted_is_an_empty_code():
    assert normalise(None) == "" and normalise("  91500000202833449g \t") == "91500000202833449G"
    assert [(f.kind, f.message) for f in uscc_faults(normalise(None))] == [("empty", "统一社会信用代码为空")]
    assert not is_valid_uscc(None)


def test_each_fault_is_told_in_full():
    """The messages officers read, word for word: the characters found, the region read, the characters expected."""
    (charset,) = uscc_faults("91500000202833449I".replace("2028", "S0O8"))
    assert charset.message == ("含有不允许的字符：I、O、S（统一社会信用代码只使用数字和除I、O、S、V、Z以外的大写字母）")
    code = "91AB0000202833449G"
    faults = {f.kind: f.message for f in uscc_faults(code)}
    assert faults["region"] == "第3–8位应为6位数字的行政区划码，实际为“AB0000”"
    bad_org = "915000002028334480"  # organisation check should be 9
    faults = {f.kind: f.message for f in uscc_faults(bad_org[:17] + uscc_check_char(bad_org[:17]))}
    assert faults == {"org_check": "第17位（组织机构代码校验码）应为“9”，实际为“8”"}


def test_a_made_code_is_registered_in_the_city_by_default():
    code = make_uscc(random.Random(3))
    assert code[:2] == "91" and code[2:8] == "500000" and is_valid_uscc(code)
    assert make_uscc(random.Random(3), region="500112")[2:8] == "500112"
