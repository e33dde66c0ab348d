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
