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
