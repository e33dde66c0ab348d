"""``keqi editions`` / ``keqi schema`` / ``keqi evaluate``: the policy engine from the shell (no Django).

``evaluate`` reads one profile (``.json``), many (``.jsonl``, one per line) or ``-`` (stdin: a single
JSON document, else JSON lines) and prints one verdict per profile in the same order. A profile that
cannot be read prints ``{"error": ..., "line": n, "field": ...}`` on its own line instead, the others
still get their verdicts, and the exit status is 1.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)


def _field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("__root__",)]
    return ".".join(parts) if parts else None


def parse_profiles(text: str, single: bool | None = None) -> tuple[list[tuple[int, Any]], bool]:
    """(line, parsed-or-error) items and whether the input was one document.

    An error is a dict with ``error``/``line``/``field``; a parsed item is a ``Profile``.
    """
    from pydantic import ValidationError

    from keqi.policy.profile import Profile

    def one(line_no: int, raw: str) -> Any:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            return {"error": f"JSON 格式错误：{exc.msg}（第{exc.colno}列）", "line": line_no, "field": None}
        try:
            return Profile.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            msg = first["msg"].removeprefix("Value error, ")
            return {"error": msg, "line": line_no, "field": _field(tuple(first["loc"]))}

    if single is None:  # stdin: one JSON document (possibly pretty-printed), else JSON lines
        try:
            doc = json.loads(text)
            single = isinstance(doc, dict)
        except json.JSONDecodeError:
            single = False
    if single:
        return [(1, one(1, text))], True
    items = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            items.append((n, one(n, raw)))
    return items, False


def run_evaluate(
    text: str,
    edition: str,
    settings: dict[str, Any] | None,
    single: bool | None,
    gaps: bool,
    on: date | None = None,
) -> tuple[list[str], bool]:
    """Output lines and whether every profile was evaluated.

    ``edition`` is an edition id or a family: then each profile gets the family's edition in force on
    ``on``, or, for a re-reviewed firm (``sme.rereview``), the one its re-review keeps that day
    (``keqi.policy.editions.resolve``)."""
    from keqi.policy import evaluate
    from keqi.policy.editions import resolve
    from keqi.policy.profile import Profile
    from keqi.screening import sqlcache

    sqlcache.install()  # the SQL compiled at first use, shared with every other command (no Django needed)
    items, is_single = parse_profiles(text, single)
    good = [p for _, p in items if isinstance(p, Profile)]
    picked = [resolve(edition, on=on, rereview=bool(p.sme.rereview)).id for p in good]
    verdicts = {
        e: iter(evaluate([p for p, x in zip(good, picked, strict=True) if x == e], e, settings, gaps=gaps))
        for e in dict.fromkeys(picked)
    }
    order = iter(picked)
    lines, ok = [], True
    for _, item in items:
        if isinstance(item, Profile):
            verdict = next(verdicts[next(order)])
            lines.append(json.dumps(verdict, ensure_ascii=False, indent=2 if is_single else None))
        else:
            ok = False
            lines.append(json.dumps(item, ensure_ascii=False))
    return lines, ok


def register(app: typer.Typer) -> None:
    @app.command("editions")
    def editions_cmd(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List the editions (official criteria), their source documents, and what in them is a bureau setting."""
        from keqi.policy.editions import all_editions, families, get

        described = [e.describe() for e in all_editions()]
        if as_json:
            typer.echo(json.dumps(described, ensure_ascii=False, indent=2))
            return
        out = Console(highlight=False, soft_wrap=True)
        out.print(
            "[bold]Editions by family[/bold] (--edition FAMILY --on DATE picks the one in force that day)"
        )
        for fam, ids in families().items():
            spans = []
            for eid in ids:
                e = get(eid)
                start = e.in_force_from.isoformat() if e.in_force_from else "…"
                end = e.in_force_until.isoformat() if e.in_force_until else "…"
                spans.append(f"{eid} ({start} – {end})")
            out.print(f"  {fam}: " + ", ".join(spans))
        out.print()
        for ed in described:
            out.print(
                f"[bold]{ed['id']}[/bold]  {ed['title']}  (version {ed['version']}, family {ed['family']})"
            )
            span = f"{ed['in_force_from'] or '…'} – {ed['in_force_until'] or '…'}"
            out.print(
                f"  in force: {span}" + (f"  [{ed['in_force_source']}]" if ed["in_force_source"] else "")
            )
            for src in ed["sources"]:
                out.print(f"  依据: {src['document']} {src['number']} {src['article']} [{src['status']}]")
            table = Table("criterion", "label", "source", "status", show_edge=False)
            for c in ed["criteria"]:
                table.add_row(c["id"], c["label"], c["source"], c["status"])
            out.print(table)
            for s in ed["settings"]:
                flag = "official" if s["official"] else "NOT OFFICIAL"
                out.print(
                    f"  setting {s['key']} = {json.dumps(s['default'], ensure_ascii=False)} ({flag}, {s['status']})"
                )
            out.print()

    @app.command("schema")
    def schema_cmd() -> None:
        """Print the JSON Schema of the firm profile (the evaluation input)."""
        from keqi.policy.profile import Profile

        typer.echo(json.dumps(Profile.model_json_schema(), ensure_ascii=False, indent=2))

    @app.command("evaluate")
    def evaluate_cmd(
        file: Annotated[
            str, typer.Argument(help=".json (one profile), .jsonl (one per line) or - (standard input).")
        ],
        edition: Annotated[
            str,
            typer.Option(
                "--edition",
                "-e",
                help="Edition id (e.g. srdi-2022) or family (e.g. srdi: the edition in force on --on).",
            ),
        ],
        on: Annotated[
            str | None,
            typer.Option(
                "--on", help="Day (YYYY-MM-DD) that picks a family's edition in force; default today."
            ),
        ] = None,
        settings: Annotated[
            Path | None, typer.Option("--settings", help="JSON file of settings overriding the defaults.")
        ] = None,
        no_gaps: Annotated[bool, typer.Option("--no-gaps", help="Skip the gap plans.")] = False,
    ) -> None:
        """Evaluate profiles against an edition: one JSON verdict per firm, in input order."""
        from keqi.policy.editions import get, resolve

        from .arrow import without_pandas

        without_pandas()  # ~0.2 s of a one-firm evaluation, for nothing this verb uses

        day = None
        if on is not None:
            try:
                day = date.fromisoformat(on)
            except ValueError:
                raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD，收到 {on!r}", param_hint="--on") from None
        try:
            # a family's edition for new applications and the one re-reviews keep that day (may be the same)
            candidates = {resolve(edition, on=day).id, resolve(edition, on=day, rereview=True).id}
        except KeyError as exc:
            raise typer.BadParameter(str(exc.args[0]), param_hint="--edition") from None
        overrides = None
        if settings is not None:
            try:
                overrides = json.loads(settings.read_text(encoding="utf-8"))
                for candidate in sorted(candidates):
                    get(candidate).resolve_settings(overrides)
            except (OSError, json.JSONDecodeError, ValueError) as exc:
                raise typer.BadParameter(f"设置文件无效：{exc}", param_hint="--settings") from None
        if file == "-":
            text, single = sys.stdin.read(), None
        else:
            path = Path(file)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise typer.BadParameter(f"无法读取文件：{exc}", param_hint="FILE") from None
            single = path.suffix.lower() != ".jsonl"
            if single:
                try:
                    single = not isinstance(json.loads(text), list)
                except json.JSONDecodeError:
                    single = True
                if not single:  # a .json list: one verdict per element, one per line
                    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in json.loads(text))
        lines, ok = run_evaluate(text, edition, overrides, single, gaps=not no_gaps, on=day)
        for line in lines:
            typer.echo(line)
        if not ok:
            err.print("[red]部分企业画像无法读取，见输出中的 error 行[/red]")
            raise typer.Exit(1)
