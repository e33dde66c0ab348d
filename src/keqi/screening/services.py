"""Judging registry firms against the official criteria (reads only; keyword-only arguments).

The registry builds the flat table (``keqi.registry.profiles``); the policy engine judges it. A
firm's page and a screening of the whole city take this same path, so they agree by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from keqi.accounts.scope import Scope
from keqi.policy import editions as policy_editions
from keqi.policy import engine
from keqi.registry import services as registry
from keqi.registry.models import Enterprise
from keqi.registry.profiles import flat_table

# The editions shown for a firm, in the order of the tier ladder.
LADDER = ("cq-tech-2022", "tsme-2017", "hnte-2016", "gazelle-cq-2023", "unicorn-cq-2023", "kv-credit")


def evaluate_enterprise(
    *, scope: Scope, uscc: str, assess_on: dt.date, edition_ids: Sequence[str] = LADDER
) -> list[dict]:
    """One verdict per edition (the evaluation contract's shape) for a firm the scope may read."""
    firm = registry.enterprises(scope=scope).filter(uscc=uscc.upper())
    table = flat_table(enterprises=firm, assess_on=assess_on)
    if table.num_rows != 1:
        raise Enterprise.DoesNotExist(uscc)
    out = []
    for edition_id in edition_ids:
        result = engine.evaluate_table(table, edition_id, gaps=True)
        verdict = engine.verdicts(result, edition_id)[0]
        edition = policy_editions.get(edition_id)
        verdict["title"] = edition.title
        out.append(verdict)
    return out
