"""An enterprise user sees only its own firm, in every list and by URL."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_enterprise_user_sees_only_its_own_firm(open_as, expect, make_user, population, problems):
    own, other = population["渝北区"][0], population["渝北区"][1]
    stranger = population["南岸区"][0]
    page = open_as(make_user("firm-user", "enterprise_user", uscc=own))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.click("header nav >> text=企业库")
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(own)
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_have_text("重庆测试000科技有限公司")
    page.click("text=按官方标准评价")
    expect(page.locator("section.verdict").first).to_be_visible()

    for code in (other, stranger):  # a neighbour's and another district's firm, typed into the address bar
        for path in (f"/registry/enterprises/{code}/", f"/screening/enterprises/{code}/"):
            response = page.goto(path)
            assert response.status in (403, 404), path
            assert code not in page.content()

    api = page.goto("/api/enterprises").json()  # the browser session also signs the API in
    assert [e["uscc"] for e in api["items"]] == [own]
    assert page.goto(f"/api/enterprises/{other}").status == 404
    # the refusals asked for above are logged by the browser as failed loads: expected, and only those
    refused = (f"/enterprises/{other}", f"/enterprises/{stranger}")
    problems[:] = [p for p in problems if not ("status of 404" in p and any(r in p.split(": ")[0] for r in refused))]

    page.goto("/")  # nothing the enterprise role may not use is offered in the navigation
    nav = page.locator("header nav")
    expect(nav).to_contain_text("企业库")
    expect(nav).not_to_contain_text("候选")
    expect(nav).not_to_contain_text("导入")
