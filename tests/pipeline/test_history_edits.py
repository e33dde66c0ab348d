"""A qualification edited or deleted outside the import (the Django admin) rewrites its firm's tier
history at once: no waiting for the next import or ``manage.py backfill_tier_history``."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keqi.accounts.scope import SYSTEM
from keqi.pipeline.models import TierRecord
from keqi.registry import flows as registry_flows
from keqi.registry.models import Enterprise, Qualification

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(tmp_path):
    """Two firms of 渝北区; the first certified 高企 2023-11-01 … 2026-10-31 (imported)."""
    rows = report_rows(2, unit="渝北区", years=(2022, 2023, 2024), seed=61)
    quals = qualification_rows(rows).head(1)
    registry_flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, quals), scope=SYSTEM,
                              today=timezone.localdate())
    ids = dict(Enterprise.objects.values_list("uscc", "pk"))
    certified = ids[quals["uscc"][0]]
    other = next(pk for pk in ids.values() if pk != certified)
    return certified, other


def history(firm: int) -> dict[int, str]:
    return dict(TierRecord.objects.filter(enterprise_id=firm, source=TierRecord.Source.QUALIFICATION)
                .values_list("year", "tier__key"))


def years(first: int, last: int) -> set[int]:
    return set(range(first, min(last, timezone.localdate().year) + 1))


def change_form(q: Qualification, **changes) -> dict:
    form = {"enterprise": q.enterprise_id, "kind": q.kind, "number": q.number,
            "valid_from": q.valid_from.isoformat(), "valid_to": q.valid_to.isoformat() if q.valid_to else "",
            "source": q.source}
    return {**form, **changes}


def test_an_admin_edit_of_a_qualification_rewrites_the_firm_s_history(firms, city_admin, client_for):
    certified, _ = firms
    assert set(history(certified)) == years(2023, 2026)  # written by the import
    q = Qualification.objects.get(enterprise_id=certified)
    client = client_for(city_admin)
    url = reverse("admin:registry_qualification_change", args=[q.pk])
    # the certificate corrected: it starts in 2025, and it is a growth title (瞪羚企业)
    response = client.post(url, change_form(q, valid_from="2025-02-01", kind="gazelle"))
    assert response.status_code == 302
    assert history(certified) == dict.fromkeys(years(2025, 2026), "growth")


def test_moving_a_qualification_to_another_firm_rewrites_both(firms, city_admin, client_for):
    certified, other = firms
    q = Qualification.objects.get(enterprise_id=certified)
    response = client_for(city_admin).post(reverse("admin:registry_qualification_change", args=[q.pk]),
                                           change_form(q, enterprise=other))
    assert response.status_code == 302
    assert history(certified) == {}
    assert history(other) == dict.fromkeys(years(2023, 2026), "hnte")


def test_an_admin_delete_of_a_qualification_removes_the_firm_s_records(firms, city_admin, client_for):
    certified, _ = firms
    q = Qualification.objects.get(enterprise_id=certified)
    response = client_for(city_admin).post(reverse("admin:registry_qualification_delete", args=[q.pk]),
                                           {"post": "yes"})
    assert response.status_code == 302 and not Qualification.objects.filter(pk=q.pk).exists()
    assert history(certified) == {}


def test_a_qualification_added_in_code_is_recorded(firms):
    _, other = firms
    Qualification.objects.create(enterprise_id=other, kind="hnte", valid_from=dt.date(2024, 3, 1))
    assert history(other) == dict.fromkeys(years(2024, timezone.localdate().year), "hnte")
