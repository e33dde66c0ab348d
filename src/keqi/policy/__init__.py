"""keqi.policy — the official criteria as versioned editions and one vectorised engine.

Pure Python (no Django, no I/O at import). Public API:

- ``keqi.policy.editions.get(edition_id)`` / ``all_editions()``: editions with their sources and settings.
- ``keqi.policy.profile.Profile``: the input (pydantic v2; ``Profile.model_json_schema()``).
- ``keqi.policy.flat.profiles_to_table(profiles)`` and ``FLAT_COLUMNS``: the flat one-row-per-firm table.
- ``keqi.policy.evaluation.evaluate_table(table, edition_id, settings=None, gaps=False)``: verdict columns
  (``evaluate_all``: every edition; ``keqi.policy.engine`` compiles and runs the rules).
- ``keqi.policy.evaluate(profiles, edition=..., settings=None, gaps=True)``: verdict dicts, same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["evaluate", "evaluate_one"]


def evaluate(
    profiles: Iterable[Any],
    edition: str,
    settings: Mapping[str, Any] | None = None,
    *,
    gaps: bool = True,
) -> list[dict[str, Any]]:
    """Verdict dicts (``shared/reference/firm-profile.md``) for ``profiles``, in the same order.

    ``profiles`` are ``Profile`` objects or plain dicts (validated; a bad one raises
    ``pydantic.ValidationError``). ``settings`` overrides the edition's bureau settings.
    """
    from keqi.policy import evaluation
    from keqi.policy.flat import profiles_to_table
    from keqi.policy.profile import Profile

    items = [p if isinstance(p, Profile) else Profile.model_validate(p) for p in profiles]
    table = profiles_to_table(items)
    result = evaluation.evaluate_table(table, edition, settings, gaps=gaps)
    return evaluation.verdicts(result, edition, settings)


def evaluate_one(profile: Any, edition: str, settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One firm's verdict (a batch of one)."""
    return evaluate([profile], edition, settings)[0]
