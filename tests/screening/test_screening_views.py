"""The officer's screening journey on the web: start a screen, read the ranked list, export it."""

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows as registry_flows
from keqi.screening.models import ScreeningRun

from support import report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(tmp_path):
    yubei = report_rows(8, unit="渝北区", years=(2022, 2023, 2024), seed=51)
    nanan = report_rows(3, unit="南岸区", years=(2022, 2023, 2024), seed=52)
    registry_flows.run_import(path=write_file(tmp_path / "p.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    return yubei["uscc"].unique().to_list(), nanan["uscc"].unique().to_list()


def screen(client, captured, day="2025-06-30", **extra):
    with captured(execute=True):
        return client.post(reverse("screening:index"), {"assess_on": day, **extra})


def test_officer_screens_and_reads_the_ranked_candidates(client_for, yubei_officer, population,
                                                         django_capture_on_commit_callbacks, tmp_path):
    yubei, nanan = population
    c = client_for(yubei_officer)
    response = screen(c, django_capture_on_commit_callbacks)
    run = ScreeningRun.objects.get()
    assert response["Location"] == reverse("screening:run_detail", args=[run.pk])
    assert (run.status, run.reporting_unit.name, run.firms) == ("complete", "渝北区", 8)
    assert "科技型中小企业评价" in c.get(response["Location"]).content.decode()

    html = c.get(reverse("screening:candidate_list")).content.decode()
    assert not any(code in html for code in nanan)
    listed = [code for code in yubei if code in html]
    assert listed  # the synthetic firms have gap plans within reach
    export = c.get(reverse("screening:candidate_export"))
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"".join(export.streaming_content))
    df = pl.read_excel(path)
    assert set(df["统一社会信用代码"].to_list()) == set(listed)
    assert df["差距（越小越接近）"].drop_nulls().to_list() == sorted(df["差距（越小越接近）"].drop_nulls().to_list())


def test_filters_narrow_the_list_and_the_export_alike(client_for, city_admin, population,
                                                      django_capture_on_commit_callbacks, tmp_path):
    c = client_for(city_admin)
    screen(c, django_capture_on_commit_callbacks)
    from keqi.registry.models import ReportingUnit

    nanan = ReportingUnit.objects.get(name="南岸区").pk
    html = c.get(reverse("screening:candidate_list"), {"unit": nanan}).content.decode()
    assert not any(code in html for code in population[0])
    export = c.get(reverse("screening:candidate_export"), {"unit": nanan, "next_tier": "hnte"})
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"".join(export.streaming_content))
    assert pl.read_excel(path).height == 0  # nobody in 南岸区 holds a 科技型 registration, so no hnte step


def test_other_district_cannot_see_the_run(client_for, yubei_officer, nanan_officer, population,
                                           django_capture_on_commit_callbacks):
    screen(client_for(yubei_officer), django_capture_on_commit_callbacks)
    run = ScreeningRun.objects.get()
    assert client_for(nanan_officer).get(reverse("screening:run_detail", args=[run.pk])).status_code == 404


def test_officer_cannot_screen_another_unit_by_posting_it(client_for, yubei_officer, population,
                                                          django_capture_on_commit_callbacks):
    from keqi.registry.models import ReportingUnit

    nanan = ReportingUnit.objects.get(name="南岸区").pk
    screen(client_for(yubei_officer), django_capture_on_commit_callbacks, unit=nanan)
    assert ScreeningRun.objects.get().reporting_unit.name == "渝北区"  # the field is not theirs to set


def test_candidate_page_query_count_does_not_grow(client_for, city_admin, population, tmp_path,
                                                  django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(city_admin)
    screen(c, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("screening:candidate_list"), {"next_tier": "tech"})
    registry_flows.run_import(path=write_file(tmp_path / "more.xlsx", report_rows(30, years=(2023, 2024), seed=53)),
                              scope=SYSTEM)
    screen(c, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        c.get(reverse("screening:candidate_list"), {"next_tier": "tech"})
    assert len(many.captured_queries) == len(few.captured_queries)
