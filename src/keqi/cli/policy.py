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

# rich (its consoles and tables) is imported by the verbs that print with it, not by ``keqi evaluate``


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


def show_lines(book: Any) -> list[str]:
    """A rulebook (``keqi.policy.rulebook.Rulebook``) as lines of text, in Chinese."""
    from keqi.policy.labels import EVIDENCE_NOTE

    out = [book.title, f"施行期间：{book.in_force}"]
    if book.rereview:
        out.append(book.rereview)
    if book.pass_mark:
        out.append(f"评分通过线：{book.pass_mark}")
    out.append("依据文件：")
    out += [f"  {s}" for s in book.sources]
    out.append("")
    out.append(f"条件（共{len(book.lines)}项）：")
    for n, line in enumerate(book.lines, start=1):
        out.append(f"{n:>3}. {line.label}")
        facts = [f"类型：{line.kind}"]
        if line.threshold:
            facts.append(f"门槛：{line.threshold}")
        if line.points:
            facts.append(f"分值：{line.points}")
        if line.part_of:
            facts.append(f"所属：{line.part_of}")
        facts.append(f"来源：{line.evidence}")
        out.append("     " + "　".join(facts))
        out.append(f"     依据：{line.source}")
    out.append("")
    if book.settings:
        out.append("待核实或由局设置的事项（当前取值）：")
        for s in book.settings:
            out.append(f"  - {s.label}［{s.evidence}］")
            out.append(f"    当前取值：{s.value}")
    else:
        out.append("本版本没有待核实或由局设置的事项。")
    out.append("")
    out.append(EVIDENCE_NOTE)
    return out


def diff_lines(comparison: Any, *, all_rows: bool = False) -> list[str]:
    """Two editions of one family side by side (``keqi.policy.rulebook.Comparison``), in Chinese."""
    old, new = comparison.old, comparison.new
    out = [f"{old.title} → {new.title}", f"  旧版施行期间：{old.in_force}", f"  新版施行期间：{new.in_force}"]
    out.append("变化统计：" + "，".join(f"{k}{n}项" for k, n in comparison.counts().items()))
    out.append("")
    for c in comparison.changes:
        if c.kind == "same" and not all_rows:
            continue
        out.append(f"［{c.what}］{c.label}")
        if c.old is not None and c.new is not None:
            if c.old.label != c.new.label:
                out.append(f"    旧：{c.old.label}")
                out.append(f"    新：{c.new.label}")
            if c.old.threshold != c.new.threshold:
                out.append(f"    门槛：{c.old.threshold or '无'} → {c.new.threshold or '无'}")
            if c.old.points != c.new.points:
                out.append(f"    分值：{c.old.points or '不计分'} → {c.new.points or '不计分'}")
            if c.old.source != c.new.source:
                out.append(f"    依据：{c.old.source} → {c.new.source}")
        else:
            line = c.new or c.old
            facts = [line.kind] + [x for x in (line.threshold and f"门槛{line.threshold}", line.points) if x]
            out.append("    " + "，".join(facts) + f"；依据：{line.source}")
    if not all_rows:
        same = [c.label for c in comparison.changes if c.kind == "same"]
        if same:
            out.append("")
            out.append(f"未变（{len(same)}项）：" + "；".join(same))
    out.append("")
    out.append("待核实或由局设置的事项：")
    for title, settings in (("旧版", comparison.settings_old), ("新版", comparison.settings_new)):
        for s in settings:
            out.append(f"  {title}：{s.label}［{s.evidence}］当前取值：{s.value}")
    return out


def _print_diff(old: str, new: str, *, all_rows: bool = False) -> None:
    from keqi.policy import rulebook
    from keqi.policy.editions import resolve

    ids = []
    for name, hint in ((old, "OLD"), (new, "NEW")):
        try:
            ids.append(resolve(name).id)
        except KeyError:
            raise typer.BadParameter(f"没有名为“{name}”的评价标准，可用 keqi editions list 查看", param_hint=hint) from None
    try:
        comparison = rulebook.compare(*ids)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    for line in diff_lines(comparison, all_rows=all_rows):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    editions_app = typer.Typer(
        invoke_without_command=True,
        no_args_is_help=False,
        help="The editions (official criteria): list, show one as a rulebook, compare two of one family.",
    )
    app.add_typer(editions_app, name="editions")

    @editions_app.callback()
    def editions_cmd(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Without a command: every edition, its source documents and what in it is a bureau setting."""
        if ctx.invoked_subcommand is not None:
            return
        from rich.console import Console
        from rich.table import Table

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


    @editions_app.command("list")
    def editions_list() -> None:
        """列出各类评价标准及其版本、施行期间（编号用于 show / diff）。"""
        from keqi.policy import rulebook
        from keqi.policy.editions import families

        for ids in families().values():
            for eid in ids:
                book = rulebook.read(eid)
                typer.echo(f"{eid}\t{book.title}\t{book.in_force}")

    @editions_app.command("show")
    def editions_show(
        edition: Annotated[str, typer.Argument(help="版本编号（如 srdi-2026），或类别（如 srdi：今日施行的版本）。")],
        against: Annotated[
            str | None, typer.Option("--against", help="同一类别的另一版本：逐条对比（同 diff）。")
        ] = None,
    ) -> None:
        """一个版本的全部条件：门槛、分值、依据条款、来源可靠程度，以及待核实事项的当前取值。"""
        from keqi.policy import rulebook
        from keqi.policy.editions import resolve

        try:
            eid = resolve(edition).id
        except KeyError:
            raise typer.BadParameter(f"没有名为“{edition}”的评价标准，可用 keqi editions list 查看", param_hint="EDITION") from None
        if against is not None:
            _print_diff(eid, against)
            return
        for line in show_lines(rulebook.read(eid)):
            typer.echo(line)

    @editions_app.command("diff")
    def editions_diff(
        old: Annotated[str, typer.Argument(help="版本编号，如 srdi-2022。")],
        new: Annotated[str, typer.Argument(help="同一类别的另一版本编号，如 srdi-2026。")],
        all_rows: Annotated[bool, typer.Option("--all", help="也逐条列出未变的条件。")] = False,
    ) -> None:
        """同一类别两个版本逐条对比：新增、删除、门槛变化、分值变化、表述变化、未变。"""
        _print_diff(old, new, all_rows=all_rows)

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
            from rich.console import Console

            Console(stderr=True).print("[red]部分企业画像无法读取，见输出中的 error 行[/red]")
            raise typer.Exit(1)
