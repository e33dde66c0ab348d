"""The API's documentation page (/api/docs): Swagger UI served by KeQi itself.

django-ninja's default page loads Swagger UI from a CDN, which government intranets cannot reach and
KeQi's Content-Security-Policy refuses: the page was blank. Here the page loads ``swagger-ui-dist`` from
KeQi's static folder (pinned in package.json, copied by ``make assets`` like ECharts) and starts it from a
static script (``web/api-docs.js``: no inline script). The OpenAPI address and the CSRF token travel as data.
"""

from __future__ import annotations

import json

from django.middleware.csrf import get_token
from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class LocalSwagger(DocsBase):
    template = "api/docs.html"

    def render_page(self, request, api, **kwargs):
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True,
                    "docExpansion": "none", "defaultModelsExpandDepth": -1,
                    "validatorUrl": None}  # no badge fetched from validator.swagger.io
        return render(request, self.template, {
            "api": api, "swagger_settings": json.dumps(settings), "csrf": get_token(request),
        })
