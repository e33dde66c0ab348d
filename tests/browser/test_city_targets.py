"""The city administrator sets a district's target and sees the district's progress toward it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_city_sets_a_district_target_and_sees_progress(open_as, expect, city_admin, make_user, population):
    from keqi.registry.models import ReportingUnit

    yubei = ReportingUnit.objects.get(name="渝北区").pk
    page = open_as(city_admin)
    # the administrator's header (its dozen links the most of any role), on a screen narrower than 1280 px
    # too: nothing in it breaks over two lines (the demo's city-admin at 1280 px: 登录锁定 was cut into
    # 登录锁 / 定, 科企 and 退出 stood one character a line); the links wrap as a row instead
    page.set_viewport_size({"width": 1024, "height": 900})
    broken = page.locator("header.top").evaluate(
        "h => [...h.querySelectorAll('.brand, nav a, .tools a, .tools button, .tools span')]"
        ".filter(e => e.getClientRects().length > 1 || e.getBoundingClientRect().height"
        " > 1.9 * parseFloat(getComputedStyle(e).fontSize)).map(e => e.innerText)")
    assert not broken, f"broken over two lines in the header: {broken}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("header nav >> text=目标进度")
    page.click("main a[href*='/targets/allocations/']")

    # 2027 高新技术企业 for 渝北区: 5 firms, with the document it comes from
    page.select_option("#id_indicator", "hnte_count")
    page.select_option("#id_year", "2027")
    page.click("#allocation-filter button.primary")
    expect(page.locator("#allocations tbody tr").first).to_be_visible()
    expect(page.locator("#allocations")).to_contain_text("南岸区")  # every unit has its box
    page.fill(f"#unit-{yubei}", "5")
    page.fill("#id_source", "渝科局〔2026〕1号（测试）")
    page.click("button[name=action][value=save]")
    expect(page.locator("ul.messages")).to_be_visible()
    expect(page.locator(f"#unit-{yubei}")).to_have_value("5")
    change = page.locator("#history tbody tr", has_text="渝北区")
    expect(change).to_contain_text("渝科局〔2026〕1号（测试）")
    expect(change).to_contain_text(city_admin.get_username())

    # its progress on 2025-06-30: 2 of 5 firms hold a certificate, 40 % of the way from the 2022
    # base (none) against 50 % of the 2023–2027 period gone, so 渝北区 is lagging
    page.goto("/targets/?year=2027&on=2025-06-30")  # the day comes with the address (the form pre-fills today)
    row = page.locator("#progress tbody tr", has_text="渝北区")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("高新技术企业数")
    expect(cells.nth(2)).to_have_text("5")
    expect(cells.nth(4)).to_have_text("2")
    expect(cells.nth(5)).to_contain_text("40")
    expect(cells.nth(7)).to_have_text("滞后")
    expect(row).to_contain_text("渝科局〔2026〕1号（测试）")

    # the district's own officer sees it too; another district's officer does not
    officer = open_as(make_user("yubei-b", "district_officer", unit="渝北区"))
    officer.goto("/targets/?year=2027&on=2025-06-30")
    expect(officer.locator("#progress tbody tr", has_text="渝北区")).to_have_count(1)
    other = open_as(make_user("nanan-b", "district_officer", unit="南岸区"))
    other.goto("/targets/?year=2027&on=2025-06-30")
    expect(other.locator("#progress tbody tr").first).to_be_visible()
    expect(other.locator("#progress tbody tr", has_text="渝北区")).to_have_count(0)
    assert other.goto("/targets/allocations/").status in (200, 403)
    expect(other.locator("button[name=action]")).to_have_count(0)  # only the city sets targets


def test_the_ranking_chart_reads(open_as, expect, city_admin, make_user, population):
    """Sorted, every bar labelled, the first and last five of the units with a target, each bar in its
    standing's colour (the badges' colours), and a unit with a target of 0 shown as 无目标."""
    from keqi.registry.models import ReportingUnit
    from keqi.targets.models import Target

    values = {"渝北区": 5, "南岸区": 0}
    others = ReportingUnit.objects.exclude(name__in=values).order_by("pk")[:12]
    values |= {u.name: 10 for u in others}
    for name, value in values.items():
        Target.objects.create(indicator="hnte_count", year=2027, value=value, source="测试",
                              scope_key=f"unit:{ReportingUnit.objects.get(name=name).pk}")

    page = open_as(city_admin)
    page.goto("/targets/?year=2027&on=2025-06-30")
    chart = page.locator("[data-chart=ranking]")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart).to_contain_text("1. 渝北区")  # 2 of 5 firms: the first
    expect(chart).to_contain_text("40%")  # its bar is labelled
    names = [t for t in chart.locator("svg text").all_text_contents() if ". " in t]
    assert len(names) == 10 and names[0] == "1. 渝北区" and names[-1].startswith("13. ")  # 5 + 5 of 13
    expect(page.locator("figure", has=chart)).to_contain_text("全部")  # the rest: in the table
    colours = page.evaluate("""() => {
        const css = getComputedStyle(document.documentElement);
        const standings = ["on_track", "at_risk", "behind", "no_target", "no_data"];
        const defined = standings.map(k => css.getPropertyValue("--status-" + k).trim().toLowerCase());
        const bars = [...document.querySelectorAll("[data-chart=ranking] svg path")]
            .map(p => (p.getAttribute("fill") || "").toLowerCase())
            .filter(f => f.startsWith("#") || f.startsWith("rgb"));
        return {defined, bars};
    }""")
    bar_colours = {c for c in colours["bars"] if c not in ("#fff", "#ffffff", "transparent")}
    assert bar_colours and bar_colours <= set(colours["defined"]), colours
    row = page.locator("#ranking tbody tr", has_text="南岸区")
    expect(row.locator(".badge")).to_have_text("无目标")

    # 南岸区's own officer: one bar, 无目标 (never 100 % 正常 可完成)
    officer = open_as(make_user("nanan-c", "district_officer", unit="南岸区"))
    officer.goto("/targets/?year=2027&on=2025-06-30")
    mine = officer.locator("[data-chart=ranking]")
    expect(mine.locator("svg")).to_be_visible()
    expect(mine).to_contain_text("无目标")
    progress = officer.locator("#progress tbody tr", has_text="南岸区")
    expect(progress.locator(".badge")).to_have_text("无目标")
    expect(progress).not_to_contain_text("可完成")
