"""The API's documentation page works offline: Swagger UI comes from KeQi (no CDN), starts under the
Content-Security-Policy (no inline script) and lists the operations. Any console error or off-site request
fails the journey (conftest)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_api_documentation_opens_offline(open_as, expect, city_admin):
    page = open_as(city_admin)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("KeQi")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    page.locator(".opblock-tag-section").first.click()
    expect(page.locator(".opblock").first).to_be_visible()
    icon = page.request.get("/favicon.ico")  # for pages without a <link rel="icon"> (the admin's)
    assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"
