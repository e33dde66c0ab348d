"""What a reader finds: the list's filters, one contract, a firm's totals, the export, the turnover by unit.

Worked examples with uneven amounts, so that a figure summed from the wrong rows cannot come out right.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.contracts import flows, services
from keqi.contracts.models import ContractImport, TechContract
from keqi.contracts.services import ContractFilter
from keqi.registry.models import ReportingUnit

from .helpers import contract_rows, write_contracts

pytestmark = pytest.mark.django_db

@pytest.fixture
def firm():
    import random

    from keqi.policy.uscc import make_uscc

    return make_uscc(random.Random(77), region="500112")


@pytest.fixture
def book(tmp_path, firm):
    """Six contracts: the firm sells A, B (渝北区) and C (cancelled), buys D (南岸区); E (南岸区) and F (2023)
    do not involve it."""
    rows = pl.concat([contract_rows(4, unit="渝北区", seed=21), contract_rows(1, unit="南岸区", seed=22),
                      contract_rows(1, unit="渝北区", seed=23, year=2023)])
    rows = rows.with_columns(
        pl.Series("number", ["A-0001", "A-0002", "A-0003", "B-0001", "B-0002", "C-0001"]),
        pl.Series("title", ["视觉检测委托开发", "专利转让", "工艺咨询", "数据平台服务", "材料配方许可", "旧合同"]),
        pl.Series("contract_amount", [1_234_567, 2_000_003, 500_001, 777_777, 3_100_009, 99_999]),
        pl.Series("technical_amount", [1_000_001, 2_000_003, 400_000, 700_007, 3_000_000, 88_888]),
        pl.Series("registered_on", [dt.date(2024, 3, 20), dt.date(2024, 5, 20), dt.date(2024, 6, 20),
                                    dt.date(2024, 4, 20), dt.date(2024, 5, 20), dt.date(2023, 8, 20)]),
        pl.Series("signed_on", [dt.date(2024, 3, 1)] * 5 + [dt.date(2023, 8, 1)]),
        pl.Series("status", ["已登记", "已登记", "已撤销", "已登记", "已登记", "已登记"]),
        pl.Series("hitech_field", ["电子信息", None, None, "电子信息", "新材料", None]),
        pl.Series("unit", ["渝北区", "渝北区", "渝北区", "南岸区", "南岸区", "渝北区"]),
    )
    sellers = rows["seller_uscc"].to_list()
    sellers[0] = sellers[1] = sellers[2] = firm
    buyers = rows["buyer_uscc"].to_list()
    buyers[3] = firm
    rows = rows.with_columns(pl.Series("seller_uscc", sellers), pl.Series("buyer_uscc", buyers),
                             pl.Series("seller_name", ["重庆甲公司", "重庆甲公司", "重庆甲公司", "南岸乙公司",
                                                       "南岸丙公司", "渝北丁公司"]),
                             pl.Series("buyer_name", ["北京买方", "上海买方", "广州买方", "重庆甲公司", "深圳买方",
                                                      "天津买方"]))
    result = flows.run_import(path=write_contracts(tmp_path / "book.xlsx", rows), scope=SYSTEM)
    assert result.applied, result.errors
    return rows


def unit(name: str) -> int:
    return ReportingUnit.objects.get(name=name).pk


def found(scope=SYSTEM, **filters) -> list[str]:
    return sorted(services.contracts(scope=scope, filters=ContractFilter(**filters)).values_list("number", flat=True))


def test_every_filter_of_the_list(book, firm):
    assert found() == ["A-0001", "A-0002", "A-0003", "B-0001", "B-0002", "C-0001"]
    assert found(q="A-000") == ["A-0001", "A-0002", "A-0003"]  # part of the number
    assert found(q="专利") == ["A-0002"]  # part of the title
    assert found(q="南岸丙") == ["B-0002"]  # the seller's name
    assert found(q="深圳") == ["B-0002"]  # the buyer's name
    assert found(q=firm.lower()) == ["A-0001", "A-0002", "A-0003", "B-0001"]  # a party's code, any case
    assert found(q=f" {firm} ") == ["A-0001", "A-0002", "A-0003", "B-0001"]
    assert found(unit_id=unit("南岸区")) == ["B-0001", "B-0002"]
    assert found(category="技术转让") == ["A-0002"]
    assert found(hitech_field="电子信息") == ["A-0001", "B-0001"]
    assert found(status="已撤销") == ["A-0003"]
    assert found(year=2023) == ["C-0001"]
    assert found(year=2024, unit_id=unit("渝北区"), status="已登记") == ["A-0001", "A-0002"]


def test_one_contract_by_its_number_within_the_scope(book, registrar, nanan_registrar):
    assert services.contract(scope=scope_for(registrar), number=" A-0002 ").title == "专利转让"
    with pytest.raises(TechContract.DoesNotExist):
        services.contract(scope=scope_for(nanan_registrar), number="A-0002")


def test_a_firms_totals_count_registered_contracts_on_each_side(book, firm):
    f = services.firm_contracts(scope=SYSTEM, uscc=f" {firm.lower()} ")
    assert (f.sold_count, f.sold_amount) == (2, 1_234_567 + 2_000_003)  # A-0003 is cancelled
    assert (f.bought_count, f.bought_amount) == (1, 777_777)
    assert f.count == 3 and f.uscc == firm
    # the latest first, the cancelled one listed too
    assert [c.number for c in f.latest] == ["A-0003", "A-0002", "B-0001", "A-0001"]
    assert [c.number for c in services.firm_contracts(scope=SYSTEM, uscc=firm, latest=2).latest] == [
        "A-0003", "A-0002"]


def test_a_firms_totals_as_far_as_the_reader_may_read(book, firm, nanan_registrar, bank_officer):
    f = services.firm_contracts(scope=scope_for(nanan_registrar), uscc=firm)
    assert (f.sold_count, f.sold_amount, f.bought_count, f.bought_amount) == (0, 0, 1, 777_777)
    assert [c.number for c in f.latest] == ["B-0001"]
    assert services.firm_contracts(scope=scope_for(bank_officer), uscc=firm) is None
    nobody = services.firm_contracts(scope=SYSTEM, uscc="91500000000000000X")
    assert (nobody.sold_count, nobody.sold_amount, nobody.bought_count, nobody.bought_amount, nobody.latest) == (
        0, 0, 0, 0, [])


def test_turnover_by_unit_is_the_citys_registered_contracts_of_the_year(book):
    assert services.turnover_by_unit(year=2024) == {unit("渝北区"): 1_234_567 + 2_000_003,
                                                    unit("南岸区"): 777_777 + 3_100_009}
    assert services.turnover_by_unit(year=2023) == {unit("渝北区"): 99_999}
    assert services.turnover_by_unit(year=2022) == {}


def test_turnover_by_breakdown_rows_and_order(book):
    by_unit = services.turnover_by(scope=SYSTEM, year=2024, by="unit")
    assert by_unit == [
        {"key": "南岸区", "contracts": 2, "contract_amount": 3_877_786, "technical_amount": 3_700_007},
        {"key": "渝北区", "contracts": 2, "contract_amount": 3_234_570, "technical_amount": 3_000_004},
    ]
    by_month = services.turnover_by(scope=SYSTEM, year=2024, by="month")
    assert [(r["key"], r["contracts"], r["contract_amount"]) for r in by_month] == [
        (3, 1, 1_234_567), (4, 1, 777_777), (5, 2, 5_100_012)]
    by_field = services.turnover_by(scope=SYSTEM, year=2024, by="field")
    assert [(r["key"], r["contract_amount"]) for r in by_field] == [
        ("新材料", 3_100_009), ("电子信息", 1_234_567 + 777_777), ("", 2_000_003)]  # "" = not given
    yubei = services.turnover_by(scope=SYSTEM, year=2024, by="category", unit_id=unit("渝北区"))
    assert [(r["key"], r["contract_amount"]) for r in yubei] == [("技术转让", 2_000_003), ("技术开发", 1_234_567)]
    with pytest.raises(ValueError, match="unknown breakdown 'week'; use one of month, unit, category, field"):
        services.turnover_by(scope=SYSTEM, year=2024, by="week")


def test_equal_turnovers_are_listed_by_key(tmp_path):
    rows = contract_rows(2, unit="渝北区", seed=31).with_columns(
        pl.Series("unit", ["南岸区", "渝北区"]), pl.lit(500_000).alias("contract_amount"),
        pl.lit(400_000).alias("technical_amount"))
    assert flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM).applied
    keys = [r["key"] for r in services.turnover_by(scope=SYSTEM, year=2024, by="unit")]
    assert keys == sorted(["南岸区", "渝北区"])


def test_the_export_in_date_order_within_the_scope(book, registrar, bank_officer):
    frame = services.export_frame(scope=scope_for(registrar), queryset=services.contracts(scope=SYSTEM))
    assert frame["number"].to_list() == ["C-0001", "A-0001", "A-0002", "A-0003"]  # 渝北区 only, by 登记日期
    everything = services.export_frame(scope=SYSTEM, queryset=services.contracts(scope=SYSTEM))
    assert everything["number"].to_list() == ["C-0001", "A-0001", "B-0001", "A-0002", "B-0002", "A-0003"]
    assert everything["hitech_field"].to_list() == [None, "电子信息", "电子信息", None, "新材料", None]
    assert everything["contract_amount"].to_list() == [99_999, 1_234_567, 777_777, 2_000_003, 3_100_009, 500_001]
    assert everything["unit"].to_list()[:3] == ["渝北区", "渝北区", "南岸区"]
    with pytest.raises(PermissionDenied):
        services.export_frame(scope=scope_for(bank_officer), queryset=services.contracts(scope=SYSTEM))


def test_the_units_a_reader_may_filter_by(registrar, city_admin):
    assert list(services.units_visible(scope=scope_for(registrar)).values_list("name", flat=True)) == ["渝北区"]
    assert services.units_visible(scope=scope_for(city_admin)).count() == ReportingUnit.objects.count() > 1


def test_uploads_awaiting_registration_newest_first_own_only(registrar, nanan_registrar, city_admin):
    made = []
    for i, status in enumerate(ContractImport.Status.values):
        made.append(ContractImport.objects.create(uploaded_by=registrar if i % 2 == 0 else nanan_registrar,
                                                  original_name=f"{status}.xlsx", file="x.xlsx", status=status))
    waiting = {"pending.xlsx", "checking.xlsx", "checked.xlsx", "invalid.xlsx"}
    city = [i.original_name for i in services.imports_awaiting(scope=scope_for(city_admin))]
    assert set(city) == waiting
    assert city == [f"{s}.xlsx" for s in reversed(ContractImport.Status.values) if f"{s}.xlsx" in waiting]
    own = {i.original_name for i in services.imports_awaiting(scope=scope_for(registrar))}
    assert own == {f"{s}.xlsx" for i, s in enumerate(ContractImport.Status.values) if i % 2 == 0} & waiting


def test_uploads_newest_first_by_upload_time_then_by_order_of_arrival(registrar):
    from django.utils import timezone

    a, b, c, d = (ContractImport.objects.create(uploaded_by=registrar, original_name=f"{n}.xlsx", file="x.xlsx")
                  for n in "abcd")
    now = timezone.now()
    ContractImport.objects.filter(pk=a.pk).update(created_at=now)  # uploaded last, though stored first
    ContractImport.objects.filter(pk__in=[b.pk, c.pk, d.pk]).update(created_at=now - dt.timedelta(hours=1))
    assert [i.original_name for i in services.imports_awaiting(scope=scope_for(registrar))] == [
        "a.xlsx", "d.xlsx", "c.xlsx", "b.xlsx"]


def test_a_firms_page_lists_its_ten_latest_contracts(tmp_path, firm):
    """All registered on one day: by number, ascending (stored in that order, so that a query without the
    number as a tie-break, which returns the last stored first here, lists them the wrong way round)."""
    rows = contract_rows(12, unit="渝北区", seed=41).with_columns(
        pl.lit(firm).alias("seller_uscc"), pl.Series("number", [f"N-{n:02d}" for n in range(1, 13)]),
        pl.lit(dt.date(2024, 1, 1)).alias("signed_on"), pl.lit(dt.date(2024, 9, 9)).alias("registered_on"))
    assert flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM).applied
    f = services.firm_contracts(scope=SYSTEM, uscc=firm)
    assert f.sold_count == 12 and [c.number for c in f.latest] == [f"N-{n:02d}" for n in range(1, 11)]
    assert f.sold_amount == rows["contract_amount"].sum()


def test_technical_turnover_of_one_unit_and_of_a_year_without_contracts(book):
    assert services.technical_turnover(scope=SYSTEM, year=2024, unit_id=unit("南岸区")) == 700_007 + 3_000_000
    assert services.technical_turnover(scope=SYSTEM, year=2024) == 1_000_001 + 2_000_003 + 700_007 + 3_000_000
    assert services.technical_turnover(scope=SYSTEM, year=2022) == 0
    assert services.turnover(scope=SYSTEM, year=2022) == 0


def test_a_unit_whose_contracts_are_all_free_of_charge_has_a_turnover_of_nothing(tmp_path):
    rows = contract_rows(1, unit="渝北区", seed=51).with_columns(pl.lit(0).alias("contract_amount"),
                                                                 pl.lit(0).alias("technical_amount"))
    assert flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM).applied
    assert services.turnover_by_unit(year=2024) == {unit("渝北区"): 0}
    assert services.turnover_by(scope=SYSTEM, year=2024, by="unit") == [
        {"key": "渝北区", "contracts": 1, "contract_amount": 0, "technical_amount": 0}]


def test_the_export_lists_a_days_contracts_by_number(tmp_path):
    rows = contract_rows(3, unit="渝北区", seed=61).with_columns(
        pl.Series("number", ["Z-3", "Z-1", "Z-2"]), pl.lit(dt.date(2024, 2, 1)).alias("signed_on"),
        pl.lit(dt.date(2024, 2, 2)).alias("registered_on"))
    assert flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM).applied
    frame = services.export_frame(scope=SYSTEM, queryset=services.contracts(scope=SYSTEM))
    assert frame["number"].to_list() == ["Z-1", "Z-2", "Z-3"]


def test_an_export_of_as_many_contracts_as_it_has_columns(tmp_path):
    """15 contracts, 15 columns: the rows are read as rows, not turned into columns."""
    rows = contract_rows(len(services.COLUMNS), unit="渝北区", seed=71)
    assert flows.run_import(path=write_contracts(tmp_path / "c.xlsx", rows), scope=SYSTEM).applied
    frame = services.export_frame(scope=SYSTEM, queryset=services.contracts(scope=SYSTEM))
    assert frame.height == 15 and sorted(frame["number"].to_list()) == sorted(rows["number"].to_list())
    assert frame["contract_amount"].sum() == rows["contract_amount"].sum()


def test_the_list_reads_each_contracts_unit_in_the_same_query(book, django_assert_num_queries):
    listed = list(services.contracts(scope=SYSTEM))
    with django_assert_num_queries(0):
        units = {c.number: c.reporting_unit.name for c in listed}
    assert units == {"A-0001": "渝北区", "A-0002": "渝北区", "A-0003": "渝北区", "B-0001": "南岸区",
                     "B-0002": "南岸区", "C-0001": "渝北区"}
