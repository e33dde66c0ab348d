"""Responses carrying data are not kept by browsers or proxies (``Cache-Control: no-store``).

Every page and API answer of KeQi shows data of a scope (a district's firms, a bank's loans, …) or
is a form; none may be kept in a shared cache or the browser's history cache after sign-out. Static
files are served by WhiteNoise before this middleware and keep their long-lived caching.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response or "no-store" not in response["Cache-Control"]:
            add_never_cache_headers(response)
        return response
