"""Everything the browser loads comes from KeQi (government networks are often offline): the API's
documentation page loads Swagger UI from KeQi's static folder, with no inline script; /favicon.ico exists."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_api_documentation_is_served_by_keqi(client_for, city_admin):
    html = client_for(city_admin).get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert "swagger-ui-bundle.js" in html and "api-docs.js" in html
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html)  # CSP: no inline JS
    for path in ("web/api-docs.js", "web/favicon.svg"):
        assert finders.find(path), path


def test_the_vendored_files_exist_after_make_assets():
    missing = [p for p in ("web/vendor/echarts.min.js", "web/vendor/swagger-ui/swagger-ui-bundle.js",
                           "web/vendor/swagger-ui/swagger-ui.css") if not finders.find(p)]
    assert not missing, f"run `make assets` (npm ci, then the copies): {missing}"


def test_favicon_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
