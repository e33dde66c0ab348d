"""How many generated cases the property tests try (pure: no Django, so the policy tests can use it)."""

from __future__ import annotations

import os


def examples(n: int) -> int:
    """``n`` normally, 20 × ``n`` in a fuzz run (``KEQI_FUZZ=1``), a few in a mutation run
    (``scripts/mutate.py``: a mutant must cost seconds, not minutes)."""
    if os.environ.get("KEQI_MUTATION_DB"):
        return max(3, n // 5)
    if os.environ.get("KEQI_FUZZ"):
        return n * 20
    return n
