"""A file in the import format, screened without the database: the same flat rows as the registry's."""

import datetime as dt

import pytest

from keqi.accounts.scope import SYSTEM
from keqi.policy import editions, evaluation
from keqi.registry import flows
from keqi.registry.models import Enterprise
from keqi.registry.profiles import flat_table
from keqi.screening import files
from keqi.screening.exporting import VERDICT_LABELS
from keqi.screening.files import screen_file, write_result
from keqi.screening.services import editions_on

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


@pytest.mark.parametrize("kind", ["科技型中小企业", "创新型中小企业", "专精特新中小企业"])
def test_titles_held_are_judged_as_the_registry_judges_them(tmp_path, kind):
    rows = report_rows(4, years=(2022, 2023, 2024), seed=43)
    path = write_file(tmp_path / "firms.xlsx", rows, qualification_rows(rows, kind=kind).head(2))
    frame, errors = screen_file(path, assess_on=DAY)
    assert not errors
    flows.run_import(path=path, scope=SYSTEM)
    firms = Enterprise.objects.filter(uscc__in=frame["统一社会信用代码"].to_list())
    table = flat_table(enterprises=firms.order_by("pk"), assess_on=DAY)
    assert sum(table.column("sme_title_" + {"科技型中小企业": "tsme", "创新型中小企业": "innovative_sme",
                                            "专精特新中小企业": "srdi"}[kind]).to_pylist()) == 2
    judged = evaluation.evaluate_all(table, editions_on(DAY), gaps=False)
    codes = table.column("uscc").to_pylist()
    for e in editions_on(DAY):
        registry = dict(zip(codes, (VERDICT_LABELS[v] for v in judged[e].column("verdict").to_pylist()),
                            strict=True))
        from_file = dict(frame.select("统一社会信用代码", f"{editions.get(e).title}·结论").iter_rows())
        assert from_file == registry, e


def test_an_interrupted_write_leaves_the_earlier_result_whole(tmp_path, monkeypatch):
    rows = report_rows(2, seed=5)
    frame, _ = screen_file(write_file(tmp_path / "firms.csv", rows), assess_on=DAY)
    out = tmp_path / "result.xlsx"
    write_result(out, frame)
    before = out.read_bytes()
    real = files.write_tables

    def interrupted(path, sheets):
        real(path, sheets)  # the whole file is there, then the user presses Ctrl+C
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "write_tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_result(out, frame.head(1))
    assert out.read_bytes() == before and [p.name for p in tmp_path.iterdir() if "result" in p.name] == ["result.xlsx"]


@pytest.mark.parametrize("all_gaps", [False, True])
def test_a_synthetic_population_gets_the_registry_screens_verdicts_and_plans(tmp_path, all_gaps):
    """The file screen (one conversion to flat rows, then the flat screen) and the registry screen of the
    same firms agree on every firm's tiers, every edition's verdict, points and plan, and the closeness."""
    from keqi.pipeline.services import current_ladder
    from keqi.screening import flows as screening_flows
    from keqi.screening.exporting import gap_text, score_text
    from keqi.screening.models import Standing
    from keqi.synth import population as synth

    ON = dt.date(2026, 6, 30)  # the synthetic firms' last fiscal year is 2025
    path = synth.write(synth.generate(120, seed=13), tmp_path / "firms.xlsx")
    frame, errors = screen_file(path, assess_on=ON, all_gaps=all_gaps)
    assert not errors and frame.height == 120
    flows.run_import(path=path, scope=SYSTEM)
    run = screening_flows.run_screening(scope=SYSTEM, assess_on=ON, all_gaps=all_gaps)
    labels = current_ladder().labels()
    rows = {r["统一社会信用代码"]: r for r in frame.iter_rows(named=True)}
    standings = Standing.objects.filter(run=run).select_related("enterprise")
    # the registry screens the firms in business (经营状态 存续); the file screen every firm of the file
    assert {s.enterprise.uscc for s in standings} <= set(rows) and len(standings) > 100
    searched = 0
    for s in standings:
        row = rows[s.enterprise.uscc]
        assert row["当前梯次"] == labels[s.current_tier]
        assert row["目标梯次"] == (labels[s.next_tier] if s.next_tier else None)
        assert row["差距（越小越接近）"] == (None if s.closeness is None else round(s.closeness))
        assert row["目标梯次·结论"] == (VERDICT_LABELS[s.next_verdict] if s.next_verdict else None)
        for e in editions_on(ON):
            r = s.result(e)
            title = editions.get(e).title
            assert row[f"{title}·结论"] == VERDICT_LABELS[r.verdict], (e, s.enterprise.uscc)
            assert row[f"{title}·得分"] == (score_text(r.score_min, r.score_max, r.pass_mark) or None), e
            assert row[f"{title}·差距"] == (gap_text(r.gaps) or None), (e, s.enterprise.uscc)
            searched += r.gaps is not None
    assert searched >= len(standings) * (len(editions_on(ON)) if all_gaps else 1)


def _as_read_before(path, out):
    """The same file with every column stored as text: what the reader made of any Parquet file before it
    kept the numbers typed."""
    import polars as pl

    pl.read_parquet(path).cast(pl.String).write_parquet(out)
    return out


def test_numbers_stored_as_numbers_give_the_flat_rows_and_errors_of_their_text(tmp_path):
    """A Parquet file in the exchange format with its numbers stored as numbers (integers, decimals of
    several scales) gives the same flat rows, screen and errors as the same file stored as text."""
    import polars as pl

    from keqi.synth import population as synth

    ON = dt.date(2026, 6, 30)
    frame = pl.read_parquet(synth.write(synth.generate(150, seed=21), tmp_path / "firms.parquet"))
    odd = frame.with_columns(
        pl.col("职工总数").cast(pl.Int32),
        pl.col("销售收入（万元）").cast(pl.Decimal(38, 4)),
        pl.col("资产总额（万元）").cast(pl.Decimal(16, 2)),
        (pl.col("成本费用支出总额（万元）").cast(pl.Float64) // 1).cast(pl.Int64),
    )
    typed = tmp_path / "typed.parquet"
    odd.write_parquet(typed)
    flat, errors = files.flatten(typed, assess_on=ON)
    before, errors_before = files.flatten(_as_read_before(typed, tmp_path / "text.parquet"), assess_on=ON)
    assert not errors and not errors_before
    assert flat.table.equals(before.table) and flat.table.num_rows == 150
    got, _ = screen_file(typed, assess_on=ON)
    want, _ = screen_file(tmp_path / "text.parquet", assess_on=ON)
    assert got.equals(want)

    bad = odd.with_columns(  # refused cells in typed columns, and firms whose rows disagree
        pl.when(pl.int_range(pl.len()) == 3).then(-2).otherwise(pl.col("职工总数")).alias("职工总数"),
        pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("-1.0000").cast(pl.Decimal(38, 4)))
        .otherwise(pl.col("销售收入（万元）")).alias("销售收入（万元）"),
        pl.when(pl.int_range(pl.len()) == 11).then(pl.lit(10**13, pl.Int64)).otherwise(pl.col("成本费用支出总额（万元）"))
        .alias("成本费用支出总额（万元）"),
        pl.when(pl.int_range(pl.len()) == 12).then(1970).otherwise(pl.col("年度")).alias("年度"),
        pl.when(pl.int_range(pl.len()).is_in([1, 20])).then(pl.lit("另一个名称")).otherwise(pl.col("企业名称"))
        .alias("企业名称"),
    )
    bad.write_parquet(typed)
    flat, errors = files.flatten(typed, assess_on=ON)
    _, errors_before = files.flatten(_as_read_before(typed, tmp_path / "text.parquet"), assess_on=ON)
    assert flat is None and len(errors) >= 5
    assert list(map(str, errors)) == list(map(str, errors_before))


def test_a_number_longer_than_a_cell_may_be_is_refused_as_its_text_would_be(tmp_path, settings):
    import polars as pl

    from keqi.synth import population as synth

    frame = pl.read_parquet(synth.write(synth.generate(5, seed=2), tmp_path / "firms.parquet"))
    long = pl.lit("1" * 30 + ".1234").cast(pl.Decimal(38, 4))  # 35 characters as text; every other cell shorter
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(long).otherwise(pl.col("销售收入（万元）").cast(
        pl.Decimal(38, 4))).alias("销售收入（万元）")).write_parquet(tmp_path / "typed.parquet")
    settings.KEQI_MAX_CELL_CHARS = 30
    _, errors = files.flatten(tmp_path / "typed.parquet", assess_on=DAY)
    _, errors_before = files.flatten(_as_read_before(tmp_path / "typed.parquet", tmp_path / "text.parquet"),
                                     assess_on=DAY)
    assert len(errors) == 1 and "30 个字符" in errors[0].reason and "第4行" in errors[0].reason
    assert str(errors[0]).replace("typed", "text") == str(errors_before[0])
