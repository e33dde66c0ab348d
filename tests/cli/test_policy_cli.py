"""``keqi editions`` / ``schema`` / ``evaluate`` on a local Typer app (no Django)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from policy.helpers import base_profile
from typer.testing import CliRunner

from keqi.cli import policy


@pytest.fixture
def app():
    a = typer.Typer()
    policy.register(a)
    return a


def invoke(app, args, stdin=None):
    return CliRunner().invoke(app, args, input=stdin)


def lines_of(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_jsonl_one_verdict_per_line_and_errors_in_place(app, tmp_path):
    good = base_profile()
    bad_field = base_profile()
    bad_field["financials"][0]["revenue"] = -5
    weak = base_profile(tech_staff=1, senior_tech_staff=0)
    text = "\n".join([json.dumps(good), json.dumps(bad_field), "{not json", json.dumps(weak)]) + "\n"
    path = tmp_path / "firms.jsonl"
    path.write_text(text, encoding="utf-8")
    result = invoke(app, ["evaluate", "--edition", "tsme-2017", str(path)])
    assert result.exit_code == 1
    out = lines_of(result)
    assert len(out) == 4
    assert out[0]["verdict"] == "eligible" and out[0]["uscc"] == good["uscc"]
    assert out[1] == {"error": out[1]["error"], "line": 2, "field": "financials.0.revenue"}
    assert out[2]["line"] == 3 and out[2]["field"] is None and "JSON" in out[2]["error"]
    assert out[3]["verdict"] == "ineligible" and out[3]["gaps"]


def test_all_good_exits_zero(app, tmp_path):
    path = tmp_path / "firms.jsonl"
    path.write_text("\n".join(json.dumps(base_profile()) for _ in range(3)), encoding="utf-8")
    result = invoke(app, ["evaluate", "-e", "hnte-2016", str(path)])
    assert result.exit_code == 0
    assert [v["edition"] for v in lines_of(result)] == ["hnte-2016"] * 3


def test_single_json_file(app, tmp_path):
    path = tmp_path / "firm.json"
    path.write_text(json.dumps(base_profile(), indent=2), encoding="utf-8")
    result = invoke(app, ["evaluate", "--edition", "cq-tech-2022", str(path)])
    assert result.exit_code == 0
    verdict = json.loads(result.stdout)
    assert verdict["verdict"] == "eligible"
    assert {"uscc", "edition", "verdict", "route", "score", "criteria", "gaps"} <= set(verdict)


def test_stdin_and_settings_file(app, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"new_economy_field": "assume_met"}), encoding="utf-8")
    p = base_profile()
    for f, revenue in zip(
        sorted(p["financials"], key=lambda f: f["year"]), (10_000_000, 12_000_000, 20_000_000), strict=True
    ):
        f.update(revenue=revenue, hitech_revenue=0)
    result = invoke(
        app, ["evaluate", "-e", "gazelle-cq-2023", "--settings", str(settings), "-"], stdin=json.dumps(p)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "eligible"


def test_bad_edition_and_bad_settings(app, tmp_path):
    path = tmp_path / "firm.json"
    path.write_text(json.dumps(base_profile()), encoding="utf-8")
    assert invoke(app, ["evaluate", "-e", "nope", str(path)]).exit_code != 0
    settings = tmp_path / "s.json"
    settings.write_text(json.dumps({"unknown": 1}), encoding="utf-8")
    assert invoke(app, ["evaluate", "-e", "tsme-2017", "--settings", str(settings), str(path)]).exit_code != 0


def test_editions_lists_sources_and_settings(app):
    result = invoke(app, ["editions", "--json"])
    assert result.exit_code == 0
    eds = json.loads(result.stdout)
    assert [e["id"] for e in eds] == [
        "tsme-2017",
        "hnte-2016",
        "cq-tech-2022",
        "gazelle-cq-2023",
        "unicorn-cq-2023",
        "kv-credit",
        "innovative-sme-2022",
        "srdi-2022",
        "srdi-2026",
        "little-giant-2022",
        "little-giant-2026",
        "star-2022",
        "star-2024",
        "sme-size-2011",
    ]
    kv = eds[5]
    assert all(s["official"] is False for s in kv["settings"])
    text = invoke(app, ["editions"])
    assert "国科发政〔2017〕115号" in text.stdout and "NOT OFFICIAL" in text.stdout


def test_schema(app):
    result = invoke(app, ["schema"])
    assert result.exit_code == 0
    assert "financials" in json.loads(result.stdout)["properties"]


def test_policy_and_its_cli_do_not_import_django():
    code = (
        "import sys, typer, keqi.cli.policy as p, keqi.policy as k; p.register(typer.Typer());"
        "k.editions.all_editions() if hasattr(k, 'editions') else None;"
        "import keqi.policy.engine, keqi.policy.gaps;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_family_picks_each_firms_edition_a_re_review_keeps_the_2022_standard(app, tmp_path):
    """keqi evaluate --edition little-giant --on 2026-05-10: a firm with sme.rereview gets
    little-giant-2022 (工信厅企业函〔2026〕117号), the others little-giant-2026, in input order."""
    from policy.tiers_helpers import strong_firm

    new, again = strong_firm(), strong_firm()
    again["sme"]["rereview"] = True
    path = tmp_path / "firms.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in (again, new, again)), encoding="utf-8")
    result = invoke(app, ["evaluate", "--edition", "little-giant", "--on", "2026-05-10", "--no-gaps", str(path)])
    assert result.exit_code == 0, result.output
    assert [v["edition"] for v in lines_of(result)] == ["little-giant-2022", "little-giant-2026", "little-giant-2022"]
    forced = invoke(app, ["evaluate", "--edition", "little-giant-2026", "--on", "2026-05-10", "--no-gaps", str(path)])
    assert {v["edition"] for v in lines_of(forced)} == {"little-giant-2026"}


# --- the rulebook: keqi editions list / show / diff (issue #18 item 5) ---------------------------


def test_editions_list_names_every_edition_in_chinese(app):
    from keqi.policy.editions import EDITION_IDS

    result = invoke(app, ["editions", "list"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert sorted(r[0] for r in rows) == sorted(EDITION_IDS)
    assert ["srdi-2026", "专精特新中小企业（2026年办法）", "自2026年4月1日起施行（依据：工信部企业〔2026〕2号 施行日期 2026-04-01）"] in rows


def test_show_a_scored_edition_gives_points_thresholds_articles_and_evidence(app):
    text = invoke(app, ["editions", "show", "tsme-2017"]).stdout
    assert "科技型中小企业评价（2017年版）" in text and "评分通过线：总分不低于60分" in text
    # 科技人员指标: its 10 % line, its 20 points, its article, 原文
    block = text.split("科技人员指标\n", 1)[1].split("\n  5.", 1)[0]
    assert "门槛：10%" in block and "分值：最高20分" in block and "来源：原文" in block
    assert "国科发政〔2017〕115号 第七条" in block
    assert "研发投入指标" in text and "最高50分" in text and "最高30分" in text
    # the bureau's settings, said in words, with their current values
    assert "差距方案的单位成本" in text and "每名科技人员20 万元" in text
    assert "tech_staff" not in text and "SECONDARY" not in text and "gap_costs" not in text


def test_show_an_unscored_edition_lists_unconfirmed_settings_with_their_values(app):
    result = invoke(app, ["editions", "show", "srdi-2026"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "专精特新中小企业（2026年办法）" in text and "自2026年4月1日起施行" in text
    assert "评分通过线" not in text and "分值：" not in text
    assert "门槛：1,500 万元" in text and "门槛：80%" in text and "门槛：3年" in text and "门槛：50分" in text
    assert "来源：转述" in text and "来源：待核实" in text
    # 划型 limits: unconfirmed, each industry's limit in words with its unit
    assert "中小企业划型标准" in text and "［待核实］" in text and "工业从业人员1,000人" in text and "工业营业收入40,000 万元" in text
    assert "size_limits" not in text and "industrial" not in text and "tiers.md" not in text


def test_a_family_name_shows_the_edition_in_force_today(app):
    from keqi.policy.editions import resolve

    text = invoke(app, ["editions", "show", "srdi"]).stdout
    assert text.startswith(invoke(app, ["editions", "show", resolve("srdi").id]).stdout.splitlines()[0])


def test_diff_of_a_2022_2026_pair_names_each_change(app):
    result = invoke(app, ["editions", "diff", "srdi-2022", "srdi-2026"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("专精特新中小企业（2022年暂行办法） → 专精特新中小企业（2026年办法）")
    niche = text.split("［门槛变化］截至上年末从事特定细分市场3年以上\n", 1)[1].split("［", 1)[0]
    assert "门槛：2年 → 3年" in niche
    assert "门槛：1,000 万元 → 1,500 万元" in text
    assert "［新增］当年度专精特新发展质量评价得分不低于50分" in text
    assert "［删除］上年度净利润率" in text and "评分项，最高10分" in text
    assert "未变（1项）：符合《中小企业划型标准规定》（属中小企业）" in text
    # the order given does not matter: the older edition comes first
    assert invoke(app, ["editions", "diff", "srdi-2026", "srdi-2022"]).stdout == text
    assert invoke(app, ["editions", "show", "srdi-2022", "--against", "srdi-2026"]).stdout == text


def test_diff_of_the_star_revisions_says_what_moved(app):
    text = invoke(app, ["editions", "diff", "star-2022", "star-2024"]).stdout
    assert "门槛：5项 → 7项" in text and "门槛：20% → 25%" in text
    assert "累计6000万元以上" in text and "累计8000万元以上" in text  # the wording that changed, both sides
    assert "例外条款“发明专利合计50项以上”是否保留［转述］当前取值：保留" in text
    assert "例外条款“发明专利合计50项以上”是否保留［待核实］当前取值：删除" in text


def test_diff_refuses_editions_of_two_families_and_unknown_ones_in_chinese(app):
    other = invoke(app, ["editions", "diff", "srdi-2022", "star-2024"])
    assert other.exit_code == 2 and "不属于同一类别" in other.output
    unknown = invoke(app, ["editions", "show", "nope"])
    assert unknown.exit_code == 2 and "没有名为“nope”的评价标准" in unknown.output
    assert invoke(app, ["editions", "diff", "srdi-2022", "srdi-2022"]).exit_code == 2
