"""Figures per reporting unit that one app measures and another reads, without importing each other.

contracts, credit and targets are peers (layer 5) and none imports another. Where one needs a
figure another measures — targets' progress toward the 技术合同成交额 target needs the turnover
that contracts registers — the measuring app registers a function here when it starts
(``AppConfig.ready``), under the indicator's code, and the reading app asks for it by that code. Both
import only downward (this module); the code (``"contract_turnover"``) is the contract between them.

A measure is ``fn(*, year) -> {reporting unit id: value}`` over the whole city; the reading app
applies its own scope to the units.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Measure = Callable[..., Mapping[int, int | Decimal]]
_MEASURES: dict[str, Measure] = {}


def register(indicator: str, measure: Measure) -> None:
    """Make ``measure`` the one that gives ``indicator`` (called once, at app start)."""
    existing = _MEASURES.get(indicator)
    if existing is not None and existing is not measure:
        raise ValueError(f"indicator {indicator!r} is already measured by {existing.__module__}.{existing.__name__}")
    _MEASURES[indicator] = measure


def by_unit(indicator: str, *, year: int) -> dict[int, int | Decimal]:
    """The registered measure of ``indicator`` in ``year``, per reporting unit (``LookupError`` if none)."""
    try:
        measure = _MEASURES[indicator]
    except KeyError:
        raise LookupError(f"no app measures indicator {indicator!r}") from None
    return dict(measure(year=year))


# ---------------------------------------------------------------- applications in progress


@dataclass(frozen=True)
class OpenApplications:
    """Applications for a qualification still in progress, as the targets' forecast counts them.

    ``by_unit``: per reporting unit, per workflow phase (``keqi.policy.workflows.PIPELINE_PHASES``), the open
    applications; ``history``: per phase, ``(granted, concluded)`` among the closed applications that passed
    through it; ``enterprise_ids``: the firms with an open application (a query or a list), so that the
    forecast does not count them a second time among the screened candidates.
    """

    by_unit: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    history: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    enterprise_ids: Any = ()


_APPLICATIONS: list[Callable[..., OpenApplications]] = []


def register_applications(provider: Callable[..., OpenApplications]) -> None:
    """Make ``provider(*, kind) -> OpenApplications`` the one that says which applications are in progress."""
    _APPLICATIONS[:] = [provider]


def open_applications(*, kind: str) -> OpenApplications:
    """The applications in progress for the qualification ``kind`` (none when no app keeps applications)."""
    return _APPLICATIONS[0](kind=kind) if _APPLICATIONS else OpenApplications()
