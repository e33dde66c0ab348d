"""The JSON API (django-ninja): thin over the same services as the pages, with the same role scoping.

Authentication: the browser session (for the pages' charts) or ``Authorization: Bearer <token>``
(``keqi token create USER``). OpenAPI documentation at ``/api/docs``.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from . import applications, contracts, credit, pipeline, registry, screening, targets
from .auth import TokenAuth

api = NinjaAPI(title="KeQi API", version="1", urls_namespace="api", auth=[TokenAuth(), django_auth],
               description="科企 KeQi: the enterprise registry, verdicts, screening results, technology contracts "
                           "and knowledge-value credit. Money in integer yuan.")
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
