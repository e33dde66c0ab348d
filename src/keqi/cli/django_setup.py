"""Start Django only for the verbs that need the database (``keqi uscc`` and ``keqi evaluate`` don't)."""

from __future__ import annotations

import os


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keqi.settings")
    import django

    django.setup()
