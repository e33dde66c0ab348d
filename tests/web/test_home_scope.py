"""The start page counts reports of the firms the role may see, and the certificates held today in the
user's scope (its unit; the city for the city and for an enterprise user, as on the targets page)."""

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(tmp_path):
    yubei = report_rows(3, unit="渝北区", years=(2023, 2024), seed=71)
    nanan = report_rows(2, unit="南岸区", years=(2024,), seed=72)
    quals = pl.concat([qualification_rows(yubei).head(1), qualification_rows(nanan, kind="科技型中小企业")])
    quals = quals.with_columns(pl.lit(None, dtype=pl.Date).alias("valid_to"))  # held today, whatever the day
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([yubei, nanan]), quals), scope=SYSTEM)
    return yubei["uscc"][0]


@pytest.mark.parametrize(("who", "years", "held", "count"), [
    ("city", {2024: 5, 2023: 3}, {"hnte": 1, "tsme": 2}, 5),
    ("yubei", {2024: 3, 2023: 3}, {"hnte": 1}, 3),
    ("nanan", {2024: 2}, {"tsme": 2}, 2),
    ("firm", {2024: 1, 2023: 1}, {"hnte": 1, "tsme": 2}, 5),
])
def test_home_counts_only_the_scope(client_for, make_user, firms, who, years, held, count):
    user = {"city": lambda: make_user("c", "city_admin"),
            "yubei": lambda: make_user("y", "district_officer", unit="渝北区"),
            "nanan": lambda: make_user("n", "district_officer", unit="南岸区"),
            "firm": lambda: make_user("f", "enterprise_user", uscc=firms)}[who]()
    response = client_for(user).get(reverse("web:home"))
    assert {r["fiscal_year"]: r["n"] for r in response.context["report_years"]} == years
    assert {q["kind"]: q["n"] for q in response.context["qualifications"]} == held
    assert response.context["enterprise_count"] == count


def test_a_user_without_a_role_sees_no_figures(client_for, make_user, firms):
    from django.contrib.auth import get_user_model

    from keqi.accounts.scope import scope_for
    from keqi.registry.models import AnnualReport, Enterprise

    nobody = get_user_model().objects.create_user("nobody", password="x-password-1")
    assert not AnnualReport.objects.filter(scope_for(nobody).enterprise_q()).exists()
    response = client_for(nobody).get(reverse("web:home"))
    assert response.status_code == 200
    assert not {"enterprise_count", "report_years", "qualifications", "own_enterprise"} & set(response.context.keys())
    page = response.content.decode()
    assert 'class="cards"' not in page and 'class="num"' not in page  # no figure card at all
    for firm in Enterprise.objects.all():
        assert firm.uscc not in page and firm.name not in page
    # the same page with a role shows the cards this one lacks
    city = client_for(make_user("c", "city_admin")).get(reverse("web:home")).content.decode()
    assert 'class="cards"' in city and 'class="num">5<' in city
