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
