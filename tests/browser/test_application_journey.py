"""The two-sided journey in a real browser: a firm files and applies; its district returns the
application; the firm corrects and resubmits; the district and the city approve; the 公示 ends; the
firm appears in the counts. Pages are used as they come; any console error or request to another
site fails the journey."""

import datetime as dt
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def watched(live_server):
    """Pages that record console errors, failed page loads and requests leaving the live server."""
    problems: list[str] = []

    def watch(page):
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:", "blob:"))
                else problems.append(f"off-site request: {r.url}"))
        return page

    yield watch, problems
    assert problems == []


def _count_cq_tech(page) -> int:
    """The city's count of firms in the 科技型企业 registry, as its start page shows it."""
    page.goto("/")
    card = page.locator(".card", has_text="科技型企业入库")
    if card.count() == 0:
        return 0
    return int(card.first.locator(".num").inner_text().replace(",", ""))


def test_a_firm_enters_the_registry(open_as, expect, make_user, population, watched, tmp_path, settings):
    settings.KEQI_PRIVATE_ROOT = tmp_path / "private"
    watch, problems = watched
    code = population["渝北区"][0]  # holds a 高新技术企业 certificate: no first-time on-site check
    firm = watch(open_as(make_user("journey-firm", "enterprise_user", uscc=code)))
    officer = watch(open_as(make_user("journey-yubei", "district_officer", unit="渝北区")))
    city = watch(open_as(make_user("journey-city", "city_admin")))
    before = _count_cq_tech(city)

    # the firm files its figures for last year, watching its self-evaluation, and submits
    firm.click("header nav >> text=年度填报")
    firm.click("button:has-text('年度数据')")
    expect(firm.locator("h1")).to_contain_text("年度数据填报")
    expect(firm.locator("#self-evaluation-body")).to_contain_text("重庆市科技型企业", timeout=60_000)
    firm.fill("#f-rd_staff", "12")
    firm.click("button:has-text('提交填报')")
    expect(firm.locator(".messages")).to_contain_text("已提交")

    # … and applies, with its audit report attached
    firm.click("header nav >> text=我的申报")
    firm.click("text=申报重庆市科技型企业入库")
    firm.click("button:has-text('创建申报草稿')")
    report = tmp_path / "审计报告.pdf"
    report.write_bytes(PDF)
    firm.fill("#id_label", "审计报告")
    firm.set_input_files("#id_file", str(report))
    firm.click("#upload button")
    expect(firm.locator("#attachments")).to_contain_text("审计报告")
    firm.click("#actions button:has-text('提交申请')")
    expect(firm.locator("#standing")).to_contain_text("待区县初审")
    detail = firm.url

    # the district returns it with a reason
    officer.click("header nav >> text=申报审核")
    officer.click("#applications a:has-text('重庆测试000')")
    returning = officer.locator("form.action", has=officer.locator("button:has-text('退回修改')"))
    returning.locator("textarea").fill("请补充研发项目立项材料")
    returning.locator("button").click()
    expect(officer.locator("#standing")).to_contain_text("退回修改")

    # the firm reads why, corrects (one more document) and resubmits
    firm.goto(detail)
    expect(firm.locator("#events")).to_contain_text("请补充研发项目立项材料")
    firm.fill("#id_label", "研发项目立项材料")
    firm.set_input_files("#id_file", str(report))
    firm.click("#upload button")
    firm.click("#actions button:has-text('提交申请')")
    expect(firm.locator("#standing")).to_contain_text("待区县初审")

    # the district and the city approve
    officer.reload()
    officer.click("#actions button:has-text('初审通过')")
    expect(officer.locator("#standing")).to_contain_text("待市级审核")
    city.goto(detail)
    city.click("#actions button:has-text('审核通过')")
    expect(city.locator("#standing")).to_contain_text("待公示")

    # the city publishes it in a batch whose window has already run, and concludes the batch
    city.click("text=公示批次")
    city.click("#new-batch button")  # the batch opens today, as the form comes
    expect(city.locator("h1")).to_contain_text("公示")
    city.click("#publish button:has-text('列入本批公示')")
    expect(city.locator("#batch-list")).to_contain_text("重庆测试000")
    # three weeks pass: the window has run (moved in the database, not typed over the pre-filled day)
    from keqi.applications.models import PublicityBatch

    today = dt.date.today()
    PublicityBatch.objects.update(opens_on=today - dt.timedelta(days=21), closes_on=today - dt.timedelta(days=1))
    city.reload()
    city.click("button:has-text('办结本批')")
    expect(city.locator(".messages")).to_contain_text("1 家企业入库")

    # the firm has its number, and the counts include it
    firm.goto(detail)
    expect(firm.locator("#standing")).to_contain_text("已入库")
    expect(firm.locator("#standing")).to_contain_text(str(dt.date.today().year))
    assert _count_cq_tech(city) == before + 1
    assert not problems
    assert Path(settings.KEQI_PRIVATE_ROOT).exists()
