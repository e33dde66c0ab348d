"""Policy tests run without Django (``-p no:django``): no database, no settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated():
    """Override the Django-only autouse fixture of tests/conftest.py: nothing to isolate here."""
    yield
