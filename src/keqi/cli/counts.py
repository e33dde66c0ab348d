"""``keqi counts``: a scope's counts on a day, from the one counting service (``keqi.pipeline.figures``)."""

from __future__ import annotations

import datetime as dt
import json

import typer
from rich.console import Console
from rich.table import Table

from .django_setup import setup
from .registry import scope_of

console = Console()


def scope_key_of(text: str) -> str:
    """``city``/全市, ``zone:片区名`` or a zone's name, ``unit:<id>`` or a unit's name or GB/T 2260 code."""
    from keqi.registry import services
    from keqi.registry.units import PLAN_ZONES

    text = text.strip()
    if text in ("", "city", "全市"):
        return "city"
    if text.startswith(("zone:", "unit:")):
        return text
    if text in PLAN_ZONES:
        return f"zone:{text}"
    return f"unit:{services.unit_id_of(text)}"


def register(app: typer.Typer) -> None:
    @app.command()
    def counts(
        on: dt.datetime = typer.Option(None, "--on", formats=["%Y-%m-%d"], help="The day (YYYY-MM-DD; default today)."),
        scope: str = typer.Option("", "--scope", help="全市 (default), a zone (中心城区 …) or a reporting unit (name or code)."),
        as_user: str = typer.Option(None, "--as", help="Count as this user may see (default: the whole city)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
    ) -> None:
        """Firms, holders of each qualification and firms per tier of a scope on a day (as every page shows them)."""
        setup()
        from django.utils import timezone

        from keqi.pipeline import figures
        from keqi.registry.columns import QUALIFICATION_KINDS

        user_scope, _user = scope_of(as_user)
        day = on.date() if on else timezone.localdate()
        key = scope_key_of(scope) if scope else None
        c = figures.counts(scope=user_scope, on=day, scope_key=key)
        if as_json:
            console.print_json(json.dumps({
                "on": c.on.isoformat(), "scope_key": c.scope_key, "scope": c.scope_label, "firms": c.firms,
                "holders": c.holders,
                "tiers": [{"tier": t.key, "label": t.label, "highest": t.highest, "holders": t.holders} for t in c.tiers],
            }, ensure_ascii=False))
            return
        console.print(f"{c.scope_label} · 截至 {c.on.isoformat()} · 企业 {c.firms} 家（登记日不晚于当日）")
        held = Table(title="持有有效资格的企业")
        held.add_column("资格")
        held.add_column("企业", justify="right")
        for kind, n in c.holders.items():
            held.add_row(QUALIFICATION_KINDS[kind], str(n))
        console.print(held)
        tiers = Table(title="梯次（每家企业只计入其最高梯次；持有本梯次资格的企业可能同时在更高梯次）")
        tiers.add_column("梯次")
        tiers.add_column("最高梯次在此的企业", justify="right")
        tiers.add_column("持有本梯次资格的企业", justify="right")
        for i, t in enumerate(c.tiers):
            tiers.add_row(t.label, str(t.highest), "—" if i == 0 else str(t.holders))
        console.print(tiers)
