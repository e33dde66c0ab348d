"""The profile model: JSON Schema, validation errors name the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from keqi.policy.profile import Profile

from .helpers import base_profile


def test_schema_has_the_contract_fields():
    schema = Profile.model_json_schema()
    for field in (
        "uscc",
        "name",
        "district_code",
        "registered_on",
        "assess_on",
        "hitech_field",
        "industry_code",
        "staff_total",
        "tech_staff",
        "senior_tech_staff",
        "financials",
        "ip",
        "conversions_3y",
        "flags",
        "direct",
        "rd_management",
        "standards_participation",
        "valuation_usd",
        "financing_usd",
        "expert",
    ):
        assert field in schema["properties"]
    for model in ("Financials", "IP", "Flags", "Direct", "RDManagement"):
        assert model in schema["$defs"]


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"uscc": "915000002032881838"}, ("uscc",)),
        ({"hitech_field": "人工智能"}, ("hitech_field",)),
        ({"staff_total": -1}, ("staff_total",)),
        ({"ip": {"class1": -1}}, ("ip", "class1")),
    ],
)
def test_bad_values_name_the_field(change, loc):
    with pytest.raises(ValidationError) as exc:
        Profile.model_validate(base_profile(**change))
    assert exc.value.errors()[0]["loc"] == loc


def test_consistency_checks():
    with pytest.raises(ValidationError, match="tech_staff"):
        Profile.model_validate(base_profile(staff_total=10, tech_staff=11))
    p = base_profile()
    p["financials"][0]["rd_expense_domestic"] = p["financials"][0]["rd_expense"] + 1
    with pytest.raises(ValidationError, match="rd_expense_domestic"):
        Profile.model_validate(p)


def test_lowercase_uscc_is_normalised():
    p = base_profile()
    assert Profile.model_validate(p | {"uscc": p["uscc"].lower()}).uscc == p["uscc"]
