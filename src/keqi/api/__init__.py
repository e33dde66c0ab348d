"""The django-ninja API, one router per app.

No ``from __future__ import annotations`` in these modules: django-ninja reads the annotations
(``Query[...]``) at import time to build the request schemas.
"""
