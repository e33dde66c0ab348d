"""The JSON API (django-ninja): thin over the same services as the pages, with the same role scoping.

Authentication: the browser session (for the pages' charts) or ``Authorization: Bearer <token>``
(``keqi token create USER``). OpenAPI documentation at ``/api/docs``. Every parameter is bounded
(:mod:`.params`) and every error has one shape and one of the declared statuses (:mod:`.errors`).
"""

import json

from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.security import django_auth

from . import applications, contracts, credit, errors, pipeline, registry, screening, targets
from .auth import TokenAuth
from .docs import LocalSwagger


class ObjectParser(Parser):
    """A request body is one JSON object (``0``, ``[]`` or ``"x"`` are refused, not read as "nothing")."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the request body is not a JSON object")
        return data


class KeqiAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return errors.declare(super().get_openapi_schema(*args, **kwargs))


api = KeqiAPI(title="KeQi API", version="1", urls_namespace="api", auth=[TokenAuth(), django_auth],
              parser=ObjectParser(), docs=LocalSwagger(),
              description="科企 KeQi: the enterprise registry, verdicts, screening results, technology contracts "
                          "and knowledge-value credit. Money in integer yuan. Every error answers "
                          '{"detail": "…", "errors": {"field": "reason"}} with 401, 403, 404, 422 or 429.')
errors.install(api)
api.add_router("/", registry.router)
api.add_router("/screening", screening.router)
api.add_router("/contracts", contracts.router)
api.add_router("/credit", credit.router)
api.add_router("/targets", targets.router)
api.add_router("/tasks", pipeline.router)
api.add_router("/applications", applications.router)
api.add_router("/filings", applications.filings_router)
api.add_router("/publicity", applications.publicity_router)
api.add_router("/calendar", applications.calendar_router)
api.add_router("/workflows", applications.workflows_router)
