"""Marks on firms that one app sets and lists of another show, without importing each other.

The candidate list (screening, layer 4) shows which firms have an application in progress, which
the applications app (layer 5) knows. The app that knows registers a provider here when it starts
(``AppConfig.ready``); a list asks :func:`for_firms` for the firms of its page. Both import only
downward (this module).

A provider is ``fn(*, scope, enterprise_ids, every=False) -> {enterprise id: [Mark, …]}``: it applies
the scope itself, so a mark never tells a user about a case it may not read. Lists ask for what is in
progress; a firm's page asks for ``every`` mark (its filings and applications, closed ones too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    label: str  # Chinese, as the list shows it
    url: str = ""


Provider = Callable[..., Mapping[int, list[Mark]]]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace, on a reload) the provider called ``name``."""
    _PROVIDERS[name] = provider


def for_firms(*, scope, enterprise_ids: Iterable[int], every: bool = False) -> dict[int, list[Mark]]:
    """Every provider's marks on these firms (one query or so per provider, whatever the page size)."""
    ids = list(enterprise_ids)
    out: dict[int, list[Mark]] = {}
    if not ids:
        return out
    for provider in _PROVIDERS.values():
        for firm, marks in provider(scope=scope, enterprise_ids=ids, every=every).items():
            out.setdefault(firm, []).extend(marks)
    return out
