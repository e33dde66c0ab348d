"""The vectorised policy engine: compiles an edition's rules to SQL and runs them.

One engine for one firm and for a million: an edition's rules are Ibis expressions over the flat table
(``keqi.policy.flat``); a single firm is a batch of one row, so its verdict is by construction its row
in any batch.

- ``expression(table, edition_id, settings)`` returns the Ibis expression (unbound table in, verdict
  table out). This is what another backend (PySpark, the database) runs.
- ``run_rules(table, edition_id, settings, view=...)`` runs one *view* of that expression (every
  output column, or fewer: ``VIEWS``) on DuckDB in-process over an Arrow table of flat rows, same
  row order: ``uscc``, ``verdict``, ``route``, ``score_min``, ``score_max``, ``pass_mark`` and, per
  criterion ``c``, ``c__passed``, ``c__min``, ``c__max``, ``c__value``, ``c__threshold`` (plus
  edition extras and helper columns).
- ``criterion_reads`` and ``strict_conditions`` read off the compiled SQL what the gap search needs
  to know of an edition's rules.

Gap plans and the dispatch of whole evaluations (every edition, batches, Spark, verdict dicts) are
above this module: ``keqi.policy.evaluation``.

The SQL for each (edition, settings, view) is compiled once and cached (between processes too:
``compiled_sql``, ``seed_compiled``). A small batch (a firm's page, its candidate plans: up to
``PREPARED_ROWS`` rows) runs that same SQL as a prepared statement, the rows passed as parameters, so
DuckDB binds and plans it once per cursor (threads share a few cursors) rather than on every call
(docs/benchmarks.md); a larger batch is registered as an Arrow table. A statement is prepared the
second time a process runs it: preparing costs more than one run, which is all a short command
(``keqi evaluate``) makes. ``prepare`` does it ahead (a web server at start).
"""

from __future__ import annotations

import json
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from keqi.policy import editions
from keqi.policy.editions._base import Edition
from keqi.policy.flat import FLAT_SCHEMA
from keqi.policy.lazy import ibis, sqlglot

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "VERDICT_CODES",
    "VIEWS",
    "columns_read",
    "compile_all",
    "conform",
    "criterion_reads",
    "expression",
    "flat_ibis_schema",
    "prepare",
    "run_rules",
    "scores",
    "settings_key",
    "strict_conditions",
    "verdict_codes",
]

_TABLE_NAME = "keqi_flat"
# casts that never change a value the rules give a criterion (integer points, three-valued booleans)
_EXACT_CASTS = frozenset({"BIGINT", "INT", "SMALLINT", "TINYINT", "BOOLEAN"})
ROW = "_row"
SMALL_BATCH = 4096  # rows: up to this, run without DuckDB's optimizer (measured: never slower)
# rows: up to this, run a prepared statement with the rows as parameters (no binding or planning per
# call; measured: 3–4× quicker for one firm or its candidate plans, no quicker from ~1,000 rows)
PREPARED_ROWS = 512
_ran: set[str] = set()  # the SQL run once in this process (on the table path): prepared when run again
_lock = threading.Lock()
# DuckDB warns that Arrow output of a DB-API result copies the rows and suggests a relation instead; measured
# here, the relation binds the statement twice and is the slower of the two (hnte-2016 on 65,536 rows: 94
# against 74 ms). Ignored by a filter set once: ``catch_warnings`` around the call is not thread-safe (a
# screen's worker threads let the warning through).
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result makes an extra copy", category=UserWarning)
_con: duckdb.DuckDBPyConnection | None = None


def pushdown_projections(tree: sqlglot.exp.Expression) -> sqlglot.exp.Expression:
    """sqlglot's projection pushdown (imported here: sqlglot is loaded on first use, ``keqi.policy.lazy``)."""
    from sqlglot.optimizer.pushdown_projections import pushdown_projections as pushdown

    return pushdown(tree)


def flat_ibis_schema() -> ibis.Schema:
    """The flat table's schema as an Ibis schema."""
    return ibis.Schema.from_pyarrow(FLAT_SCHEMA)


def scores(built: ir.Table) -> dict[str, ir.Value]:
    """The verdict (a NULL criterion leaves it "uncertain") and the points range of an edition's built
    table (``Edition.build``), as every backend computes them."""
    names = set(built.columns)
    null_int = ibis.null().cast("int64")
    return {
        "verdict": ibis.cases((built.eligible, "eligible"), (~built.eligible, "ineligible"), else_="uncertain"),
        **{bound: (built[bound] if bound in names else null_int).cast("int64") for bound in ("score_min", "score_max")},
    }


def expression(table: ir.Table, edition_id: str, settings: Mapping[str, Any] | None = None) -> ir.Table:
    """The verdict expression of ``edition_id`` over a flat ``table`` (any Ibis backend)."""
    edition = editions.get(edition_id)
    resolved = edition.resolve_settings(settings)
    t = edition.build(table, resolved)
    names = set(t.columns)
    null_int = ibis.null().cast("int64")
    null_float = ibis.null().cast("float64")

    def col(name: str, default: ir.Value) -> ir.Value:
        return t[name] if name in names else default

    out: dict[str, ir.Value] = {"uscc": t.uscc}
    if ROW in names:  # the runner's row number, to restore the input order
        out[ROW] = t[ROW]
    scored = scores(t)
    out["verdict"] = scored["verdict"]
    out["route"] = col("route", ibis.null().cast("string"))
    out["score_min"] = scored["score_min"]
    out["score_max"] = scored["score_max"]
    static_mark = ibis.literal(edition.pass_mark, type="int64") if edition.pass_mark is not None else null_int
    out["pass_mark"] = col("pass_mark", static_mark).cast("int64")
    for c in edition.criteria:
        out[f"{c.id}__passed"] = t[f"{c.id}__passed"].cast("boolean")
        out[f"{c.id}__min"] = col(f"{c.id}__min", null_int).cast("int64")
        out[f"{c.id}__max"] = col(f"{c.id}__max", null_int).cast("int64")
        out[f"{c.id}__value"] = col(f"{c.id}__value", null_float).cast("float64")
        static = ibis.literal(c.threshold, type="float64") if c.threshold is not None else null_float
        out[f"{c.id}__threshold"] = col(f"{c.id}__threshold", static).cast("float64")
    for name in (*edition.extras, *edition.helpers):  # extra outputs and helper columns for the gaps
        out[name] = t[name]
    return t.select(**out)


def settings_key(settings: Mapping[str, Any] | None) -> str:
    """The key of an edition's overrides in the compiled SQL (and the SQL cache): canonical JSON."""
    return json.dumps(settings or {}, sort_keys=True, ensure_ascii=False)


# What a query must return: "full" (every output column), "criteria" (verdict and, per criterion,
# passed/min/max: what the gap search reads of a candidate plan) or "verdict" (the verdict alone).
VIEWS = ("full", "criteria", "verdict")
# Also, compiled on demand (not by default), what a screen of a file needs: "score", the verdict as the same
# small integer as the "verdict" view (``code``) and the points range and pass mark (``score_min``, ``score_max``,
# ``pass_mark``), written for every firm; "search", the "criteria" view with those and the edition's helper columns:
# everything a whole batch's gap search and its output read (not the values, thresholds and extras);
# "stored", what a registry screen stores of every firm (verdict, route, points range, pass mark, extras),
# and "stored+search", that with what its gap search reads; "columns:a,b", only the output columns a and b
# (the gap search's probes of a few criteria, ``composition``).
COLUMNS = "columns:"


VERDICT_CODES = ("ineligible", "uncertain", "eligible")  # the "verdict" and "score" views' ``code`` indexes this


def verdict_codes(result: pa.Table) -> np.ndarray:
    """Each row's verdict as the views' small integer (int8, an index into ``VERDICT_CODES``), from a
    result's ``code`` column or else from its ``verdict`` text (plain or dictionary-encoded)."""
    if "code" in result.column_names:
        return result.column("code").to_numpy().astype(np.int8, copy=False)
    verdict = result.column("verdict").combine_chunks()
    if pa.types.is_dictionary(verdict.type) and not verdict.null_count:
        words = verdict.dictionary.to_pylist()
        lookup = np.array([VERDICT_CODES.index(w) if w in VERDICT_CODES else 1 for w in words], dtype=np.int8)
        return lookup[verdict.indices.to_numpy()]
    eligible = pc.fill_null(pc.equal(verdict, "eligible"), False).to_numpy(zero_copy_only=False)
    ineligible = pc.fill_null(pc.equal(verdict, "ineligible"), False).to_numpy(zero_copy_only=False)
    return np.where(eligible, 2, np.where(ineligible, 0, 1)).astype(np.int8)


def _view_columns(edition: Edition, view: str, columns: list[str]) -> list[str]:
    if view == "full":
        return columns
    criteria = {f"{c.id}__{x}" for c in edition.criteria for x in ("passed", "min", "max")}
    search = criteria | {"score_min", "score_max", "pass_mark", *edition.helpers}
    stored = {"route", "score_min", "score_max", "pass_mark", *edition.extras}
    parts = {"criteria": criteria, "search": search, "stored": stored, "stored+search": stored | search}
    if view.startswith(COLUMNS):  # the columns listed, not even the verdict
        keep = {ROW, *view.removeprefix(COLUMNS).split(",")}
        return [c for c in columns if c in keep]
    keep = {ROW, "verdict"} | parts.get(view, set())
    return [c for c in columns if c in keep]


_sql_cache: dict[tuple[str, str, str], tuple[str, tuple[str, ...]]] = {}


def compiled_sql() -> dict[tuple[str, str, str], tuple[str, tuple[str, ...]]]:
    """The SQL compiled so far in this process, to hand to worker processes (``seed_compiled``)."""
    return dict(_sql_cache)


def seed_compiled(compiled: Mapping[tuple[str, str, str], tuple[str, tuple[str, ...]]]) -> None:
    """Take SQL compiled by another process of the same code (keyed by edition, settings and view)."""
    _sql_cache.update(compiled)


def compile_all(
    edition_ids: Sequence[str],
    settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    views: Sequence[str] = VIEWS,
) -> None:
    """Compile these views of these editions now (before handing the SQL to worker processes)."""
    for e in edition_ids:
        key = settings_key(edition_settings(settings, e))
        for view in views:
            _compiled_view(e, key, view)


class Store(Protocol):
    """Where compiled SQL and its analyses are kept between processes (``use_store``): the policy
    package does no I/O itself; a front installs one (``keqi.screening.sqlcache``)."""

    def key(self) -> Any:
        """What this store holds now (e.g. its file): loaded again when it changes."""

    def load(self) -> tuple[Mapping, Mapping] | None:
        """(compiled SQL, analyses) as ``compiled_sql`` and ``analyses`` give them, or None."""

    def save(self, compiled: Mapping, found: Mapping) -> None:
        """Keep these (with what the store holds already)."""


_store: Store | None = None
_store_loaded: Any = None  # the key of what was loaded from the store


def use_store(store: Store | None) -> None:
    """Read compiled SQL and analyses from ``store`` when first needed, and give it what is compiled or
    analysed here: a process that finds everything there compiles and parses nothing (no Ibis, no
    sqlglot), and the first one to need something new stores it for all the others."""
    global _store, _store_loaded
    _store, _store_loaded = store, None


def _from_store() -> None:
    """Seed this process from the store, once per thing the store holds."""
    global _store_loaded
    store = _store
    if store is None:
        return
    key = store.key()
    if key == _store_loaded:
        return
    _store_loaded = key
    found = store.load()
    if found:
        seed_compiled(found[0])
        seed_analyses(found[1])


def _to_store() -> None:
    if _store is not None:
        _store.save(compiled_sql(), analyses())


def _compiled_view(edition_id: str, settings_key: str, view: str) -> tuple[str, tuple[str, ...]]:
    """The SQL of ``view`` and the flat columns it reads (compiled once per process, seeded, or read from
    the store)."""
    key = (edition_id, settings_key, view)
    if key not in _sql_cache:
        _from_store()
    if key not in _sql_cache:
        _sql_cache[key] = _compile_view(edition_id, settings_key, view)
        _to_store()
    return _sql_cache[key]


def _compile_view(edition_id: str, settings_key: str, view: str) -> tuple[str, tuple[str, ...]]:
    """The SQL of ``view`` and the flat columns it reads (the others need not be registered)."""
    schema = ibis.Schema.from_pyarrow(FLAT_SCHEMA.append(pa.field(ROW, pa.int64())))
    unbound = ibis.table(schema, name=_TABLE_NAME)
    expr = expression(unbound, edition_id, json.loads(settings_key))
    if view in ("verdict", "score"):  # the verdict as a small integer: 2 eligible, 1 uncertain, 0 ineligible
        code = ibis.cases((expr.verdict == "eligible", 2), (expr.verdict == "ineligible", 0), else_=1)
        points = ({"score_min": expr.score_min, "score_max": expr.score_max, "pass_mark": expr.pass_mark}
                  if view == "score" else {})
        expr = expr.select(ROW, code=code.cast("int8"), **points)
    else:
        expr = expr.select(*_view_columns(editions.get(edition_id), view, list(expr.columns)))
    # Drop the columns no later stage reads (sqlglot's projection pushdown): a smaller statement binds
    # and optimises faster, which is most of a one-firm evaluation's time.
    tree = sqlglot.parse_one(str(ibis.to_sql(expr, dialect="duckdb")), dialect="duckdb")
    tree = pushdown_projections(tree)
    sql = tree.sql(dialect="duckdb")
    if any(True for _ in tree.find_all(sqlglot.exp.Star)):
        reads = tuple(FLAT_SCHEMA.names)
    else:
        used = {c.name for c in tree.find_all(sqlglot.exp.Column)}
        reads = tuple(n for n in FLAT_SCHEMA.names if n in used)
    # DuckDB keeps the insertion order of a projection (preserve_insertion_order, on by default), so no
    # ORDER BY (it cost ~40 % of a large batch); run_rules checks the row numbers and sorts if ever needed
    return sql, reads


# What the gap search reads off an edition's compiled "criteria" SQL (``criterion_reads``,
# ``strict_conditions``, ``composition``): parsing that SQL with sqlglot costs ~0.1–1 s an edition, so the
# answers are kept beside the SQL, as JSON values keyed by (edition, settings, what), and stored with it between
# processes (``analyses``, ``seed_analyses``; ``keqi.screening.sqlcache``): a process that reads them
# from there parses nothing.
_analysis_cache: dict[tuple[str, str, str], Any] = {}


def analyses() -> dict[tuple[str, str, str], Any]:
    """The answers of ``criterion_reads``, ``strict_conditions`` and ``composition`` found so far in this
    process."""
    return dict(_analysis_cache)


def seed_analyses(found: Mapping[tuple[str, str, str], Any]) -> None:
    """Take answers found by another process of the same code (``analyses``)."""
    _analysis_cache.update(found)


def _analysed(key: tuple[str, str, str], find: Callable[[], Any]) -> Any:
    """The answer kept under ``key`` (in this process, else in the store), else ``find()`` kept there."""
    stored = _analysis_cache.get(key)
    if stored is None:
        _from_store()
        stored = _analysis_cache.get(key)
    if stored is None:
        stored = _analysis_cache[key] = find()
        _to_store()
    return stored


def analyse(edition_id: str, settings_key: str) -> None:
    """Find now what the gap search reads off this edition's criteria SQL (compiled if need be)."""
    for parts in (("passed",), ("passed", "min", "max")):
        criterion_reads(edition_id, settings_key, parts)
    strict_conditions(edition_id, settings_key)
    composition(edition_id, settings_key)


@lru_cache(maxsize=256)
def criterion_reads(
    edition_id: str, settings_key: str, parts: tuple[str, ...] = ("passed",)
) -> dict[str, frozenset[str]]:
    """Per criterion, the flat columns its ``passed`` (or each of ``parts``: passed, min, max) reads
    (from the compiled SQL, projection pushdown; or as found before, ``seed_analyses``)."""
    stored = _analysed(
        (edition_id, settings_key, "reads:" + ",".join(parts)),
        lambda: {cid: [n for n in FLAT_SCHEMA.names if n in names]
                 for cid, names in _criterion_reads(edition_id, settings_key, parts).items()},
    )
    return {cid: frozenset(names) for cid, names in stored.items()}


def _criterion_reads(edition_id: str, settings_key: str, parts: tuple[str, ...]) -> dict[str, frozenset[str]]:
    sql, _ = _compiled_view(edition_id, settings_key, "criteria")
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    out = {}
    for c in editions.get(edition_id).criteria:
        names = {f"{c.id}__{part}" for part in parts}
        one = tree.copy()
        one.set("expressions", [e for e in one.expressions if e.alias_or_name in names])
        one = pushdown_projections(one)
        used = {col.name for col in one.find_all(sqlglot.exp.Column)}
        star = any(True for _ in one.find_all(sqlglot.exp.Star))
        out[c.id] = (
            frozenset(FLAT_SCHEMA.names) if star else frozenset(n for n in FLAT_SCHEMA.names if n in used)
        )
    return out


@lru_cache(maxsize=256)
def strict_conditions(edition_id: str, settings_key: str) -> frozenset[str]:
    """The criteria whose failure alone makes the verdict "ineligible", read from the compiled SQL
    (or as found before, ``seed_analyses``).

    The verdict is ``CASE WHEN e THEN 'eligible' WHEN NOT e THEN 'ineligible' ELSE 'uncertain' END``;
    with three-valued logic a FALSE conjunct of ``e``, or a FALSE conjunct of every branch of an OR in
    ``e``, makes ``e`` FALSE. Intermediate columns are followed to their one definition; anything
    else (or SQL of another shape) proves nothing, so the answer is only ever too small.
    """
    stored = _analysed((edition_id, settings_key, "strict"), lambda: sorted(_strict_conditions(edition_id, settings_key)))
    return frozenset(stored)


def _strict_conditions(edition_id: str, settings_key: str) -> frozenset[str]:
    sql, _ = _compiled_view(edition_id, settings_key, "criteria")
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    verdict = next((e for e in tree.expressions if e.alias_or_name == "verdict"), None)
    case = verdict.this if isinstance(verdict, sqlglot.exp.Alias) else None
    if not isinstance(case, sqlglot.exp.Case) or len(case.args.get("ifs") or []) < 2:
        return frozenset()
    first, second = case.args["ifs"][:2]
    cond = first.this.unnest()
    if not (
        first.args.get("true") == sqlglot.exp.Literal.string("eligible")
        and second.args.get("true") == sqlglot.exp.Literal.string("ineligible")
        and isinstance(second.this, sqlglot.exp.Not)
        and second.this.this.unnest() == cond
    ):
        return frozenset()
    defs: dict[str, list[sqlglot.exp.Expression]] = {}
    for alias in tree.find_all(sqlglot.exp.Alias):
        defs.setdefault(alias.alias, []).append(alias.this)
    criteria = {f"{c.id}__passed": c.id for c in editions.get(edition_id).criteria}

    def strict(node: sqlglot.exp.Expression, depth: int = 0) -> set[str]:
        if depth > 50:
            return set()
        if isinstance(node, sqlglot.exp.Paren):
            return strict(node.this, depth + 1)
        if isinstance(node, sqlglot.exp.And):
            return strict(node.left, depth + 1) | strict(node.right, depth + 1)
        if isinstance(node, sqlglot.exp.Or):
            return strict(node.left, depth + 1) & strict(node.right, depth + 1)
        if isinstance(node, sqlglot.exp.Column):
            if node.name in criteria:
                return {criteria[node.name]}
            found = defs.get(node.name, [])
            if len(found) == 1:
                return strict(found[0], depth + 1)
        return set()

    return frozenset(strict(cond))


@dataclass(frozen=True)
class Composition:
    """An edition's verdict and criterion columns as functions of a few of its criterion columns, the
    *leaves* (``composition``).

    ``leaves`` maps each leaf (``c__passed``, ``c__min`` or ``c__max``) to the flat columns it reads;
    ``verdict`` and ``columns`` (one per criterion column) are SQL expressions over the leaves, and ``uses``
    names the leaves each criterion column's expression reads. ``sql`` writes a statement over a table of
    leaf columns (registered as the flat table with the row number, ``run_sql``) that gives what the
    "criteria" view gives for the rows the leaves come from.
    """

    leaves: Mapping[str, frozenset[str]]
    verdict: str
    columns: Mapping[str, str]
    uses: Mapping[str, tuple[str, ...]]

    def sql(self, columns: Sequence[str] = (), *, verdict: bool = True) -> str:
        """A statement giving the verdict as the views' small integer (``code``), if asked, and ``columns``."""
        listed = [f'"{ROW}"']
        if verdict:
            listed.append("CAST(CASE v WHEN 'eligible' THEN 2 WHEN 'ineligible' THEN 0 ELSE 1 END AS TINYINT) AS code")
        listed += [f'CAST({self.columns[n]} AS {"BOOLEAN" if n.endswith("__passed") else "BIGINT"}) AS "{n}"'
                   for n in columns]
        source = f'SELECT "{ROW}", {self.verdict} AS v, * EXCLUDE ("{ROW}") FROM "{_TABLE_NAME}"'
        return f"SELECT {', '.join(listed)} FROM ({source})"


@lru_cache(maxsize=256)
def composition(edition_id: str, settings_key: str) -> Composition | None:
    """``edition_id``'s verdict and criterion columns written over its leaves, read off the compiled SQL
    (or as found before, ``seed_analyses``); None when the SQL does not allow it.

    A gap plan moves a few flat columns; a criterion that reads the moves of one lever group only takes,
    in any combination of the groups' options, the value it has under that group's option alone. So when
    the verdict is a function of such criterion columns, a batch's every combination is judged from a few
    evaluations per option (``keqi.policy.gapsearch``). The function is the edition's own SQL: the verdict
    expression of the "criteria" view, each column it reads followed to its definition (scope by scope)
    until what it computes is an output criterion column of the view. Of those, a column that is itself
    written over other output columns (e.g. a total score over its items) is replaced by that writing, so
    the leaves are the finest columns: the items, not their total. Anything else (a column with no
    definition, a name defined twice, an expression that reads a flat column directly) gives None.
    """
    stored = _analysed((edition_id, settings_key, "composition"), lambda: _composition(edition_id, settings_key))
    if not stored:
        return None
    return Composition(
        leaves={leaf: frozenset(reads) for leaf, reads in stored["leaves"].items()},
        verdict=stored["verdict"],
        columns=stored["columns"],
        uses={name: tuple(used) for name, used in stored["uses"].items()},
    )


class _NotComposable(Exception):
    pass


def _composition(edition_id: str, settings_key: str) -> dict[str, Any]:
    """``composition``'s analysis as a JSON value ({} when it fails)."""
    try:
        return _compose(edition_id, settings_key)
    except (_NotComposable, RecursionError):
        return {}


def _compose(edition_id: str, settings_key: str) -> dict[str, Any]:
    exp = sqlglot.exp
    sql, _ = _compiled_view(edition_id, settings_key, "criteria")
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    edition = editions.get(edition_id)

    def definitions(select: sqlglot.exp.Expression) -> dict[str, sqlglot.exp.Expression]:
        out: dict[str, sqlglot.exp.Expression] = {}
        for e in select.expressions:
            name = e.alias_or_name
            if name in out:
                raise _NotComposable(f"{name} defined twice")
            out[name] = e.this if isinstance(e, exp.Alias) else e
        return out

    if not isinstance(tree, exp.Select):
        raise _NotComposable("not a SELECT")
    scopes: dict[str, dict[str, sqlglot.exp.Expression]] = {}
    for node in (*tree.find_all(exp.Subquery), *tree.find_all(exp.CTE)):
        if not node.alias or node.alias in scopes or not isinstance(node.this, exp.Select):
            raise _NotComposable("a nameless, repeated or compound relation")
        scopes[node.alias] = definitions(node.this)
    top = definitions(tree)
    outputs = [f"{c.id}__{part}" for c in edition.criteria for part in ("passed", "min", "max")]

    def bare(node: sqlglot.exp.Expression) -> sqlglot.exp.Expression:
        """Without parentheses and casts to an integer or boolean type (the views' own output casts)."""
        while True:
            if isinstance(node, exp.Paren):
                node = node.this
            elif isinstance(node, exp.Cast) and node.to.this.name in _EXACT_CASTS:
                node = node.this
            else:
                return node

    def constant(node: sqlglot.exp.Expression) -> bool:
        return next(node.find_all(exp.Column), None) is None

    # Each output column's definition, and what it stands on in the scopes below (a column passed
    # through, or the expression it is defined by there), so that the same value is recognised wherever
    # it is used. Constants are not leaves (a literal 0 is not "the" 0 of some criterion).
    forms: dict[sqlglot.exp.Expression, str] = {}  # a definition (structural equality) → output column
    for name in outputs:
        node = bare(top[name])
        while not constant(node):
            forms.setdefault(node, name)
            if not (isinstance(node, exp.Column) and node.table):
                break
            below = scopes.get(node.table, {}).get(node.name)
            if below is None:
                break
            node = bare(below)

    known: dict[tuple[str, str, str | None], sqlglot.exp.Expression] = {}  # a column of a scope, resolved

    def resolve(node: sqlglot.exp.Expression, exclude: str | None, depth: int = 0) -> sqlglot.exp.Expression:
        """``node`` written over output columns (all but ``exclude``): each subexpression that is an output
        column's definition becomes that column; any other column is replaced by its own definition."""
        if depth > 200:
            raise _NotComposable("too deep")
        core = bare(node)
        found = forms.get(core)  # structural equality (sqlglot hashes a tree once)
        if found is not None and found != exclude:
            return exp.column(found, quoted=True)
        if isinstance(core, exp.Column):
            key = (core.table, core.name, exclude)
            if key not in known:
                below = scopes.get(core.table, {}).get(core.name) if core.table else None
                if below is None:
                    raise _NotComposable(f"{core.sql()} is not an output column")
                known[key] = exp.Paren(this=resolve(below, exclude, depth + 1))  # its precedence kept
            return known[key].copy()
        args: dict[str, Any] = {}
        for arg, value in node.args.items():
            if isinstance(value, exp.Expression):
                args[arg] = resolve(value, exclude, depth + 1)
            elif isinstance(value, list):
                args[arg] = [resolve(v, exclude, depth + 1) if isinstance(v, exp.Expression) else v for v in value]
            else:
                args[arg] = value
        return type(node)(**args)

    reads_of: dict[tuple[str, str], frozenset[str]] = {}

    def flat_reads(node: sqlglot.exp.Expression) -> frozenset[str]:
        """The flat columns ``node`` reads, through the scopes (anything unknown: every flat column)."""
        if next(node.find_all(exp.Star), None) is not None:
            return frozenset(FLAT_SCHEMA.names)
        out: set[str] = set()
        for col in node.find_all(exp.Column):
            if col.table in scopes:
                key = (col.table, col.name)
                if key not in reads_of:
                    reads_of[key] = frozenset(FLAT_SCHEMA.names)  # until found (no definition: all)
                    if col.name in scopes[col.table]:
                        reads_of[key] = flat_reads(scopes[col.table][col.name])
                out |= reads_of[key]
            elif col.name in FLAT_SCHEMA.names:
                out.add(col.name)
            elif col.name != ROW:
                return frozenset(FLAT_SCHEMA.names)
        return frozenset(out)

    # an output column written over the others (a total over its items) is replaced by that writing
    written: dict[str, sqlglot.exp.Expression] = {}
    for name in outputs:
        node = bare(top[name])
        if constant(node):
            written[name] = node.copy()
            continue
        try:
            written[name] = resolve(node, name)
        except _NotComposable:
            continue  # a leaf

    def finest(node: sqlglot.exp.Expression, depth: int = 0) -> sqlglot.exp.Expression:
        if depth > 50:
            raise _NotComposable("circular")

        def swap(n: sqlglot.exp.Expression) -> sqlglot.exp.Expression:
            if isinstance(n, exp.Column) and not n.table and n.name in written:
                return exp.Paren(this=finest(written[n.name].copy(), depth + 1))
            return n

        return node.transform(swap)

    verdict = finest(resolve(top["verdict"], None))
    columns = {name: finest(written[name].copy()) if name in written else exp.column(name, quoted=True)
               for name in outputs}
    leaves = sorted({c.name for e in (verdict, *columns.values()) for c in e.find_all(exp.Column)})
    if any(leaf not in outputs for leaf in leaves):
        raise _NotComposable("reads a column that is not a criterion column")
    reads = {leaf: [n for n in FLAT_SCHEMA.names if n in flat_reads(top[leaf])] for leaf in leaves}
    return {
        "leaves": reads,
        "verdict": verdict.sql(dialect="duckdb"),
        "columns": {name: e.sql(dialect="duckdb") for name, e in columns.items()},
        "uses": {name: sorted({c.name for c in e.find_all(exp.Column)}) for name, e in columns.items()},
    }


def _connection() -> duckdb.DuckDBPyConnection:
    global _con
    if _con is None:
        _con = duckdb.connect(":memory:")
    return _con


def set_threads(threads: int | None) -> int:
    """Set how many threads DuckDB runs each of the engine's queries on (None: as many as cores, DuckDB's
    default); returns the setting it replaces. A caller that runs queries in its own worker threads sets 1:
    DuckDB's threads then only compete with them (a file screen of 1,000,000 firms in 2 threads: 7.2–7.8
    against 8.0–8.3 s of CPU)."""
    con = _connection()
    with _lock:
        before = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
        con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    return before


def conform(table: pa.Table) -> pa.Table:
    """Cast ``table`` to the flat schema (missing columns become NULL; extra columns are dropped)."""
    if table.schema.equals(FLAT_SCHEMA):
        return table
    columns = []
    for f in FLAT_SCHEMA:
        if f.name in table.column_names:
            columns.append(table.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(columns, schema=FLAT_SCHEMA)


def run_rules(
    table: pa.Table, edition_id: str, settings: Mapping[str, Any] | None = None, *, view: str = "full"
) -> pa.Table:
    """The verdict columns for every row of the flat ``table`` (no gaps); same row order.

    ``table`` may hold only some flat columns: those the rules of ``view`` read must be there
    (``columns_read``); a table that is not in the flat schema is conformed first.
    """
    sql, reads = _compiled_view(edition_id, settings_key(settings), view)
    if not set(reads) <= set(table.column_names) or not all(
        table.schema.field(n).type == FLAT_SCHEMA.field(n).type for n in reads
    ):
        table = conform(table)
    flat = table.select(list(reads))
    result = None
    if 0 < flat.num_rows <= PREPARED_ROWS:
        if sql in _ran:
            result = _run_prepared(flat, sql, reads)
        else:
            _ran.add(sql)
    if result is None:
        result = _run_registered(flat, sql)
    return _in_order(result)


def run_sql(table: pa.Table, sql: str) -> pa.Table:
    """``sql`` (e.g. a ``Composition``'s) over ``table`` registered as the flat table with the row
    number; the result in the same row order."""
    return _in_order(_run_registered(table, sql))


def _in_order(result: pa.Table) -> pa.Table:
    rows = result.column(ROW).to_numpy()
    if rows.size > 1 and not (rows[1:] > rows[:-1]).all():
        result = result.take(pa.array(np.argsort(rows, kind="stable")))
    result = result.drop_columns([ROW])
    # DuckDB types float literals as DECIMAL: keep the output schema stable (float64)
    for i, f in enumerate(result.schema):
        if pa.types.is_decimal(f.type):
            result = result.set_column(i, pa.field(f.name, pa.float64()), result.column(i).cast(pa.float64()))
    return result


def _run_registered(flat: pa.Table, sql: str) -> pa.Table:
    """``sql`` over ``flat`` registered as the flat table (bound and planned on every call)."""
    flat = flat.append_column(ROW, pa.array(np.arange(flat.num_rows, dtype=np.int64)))
    with _lock:
        con = _connection()
        cur = con.cursor()
    try:
        if flat.num_rows <= SMALL_BATCH:
            # planning dominates a small batch: DuckDB's optimizer (which never changes results) costs
            # more than it can save on a few rows
            cur.execute("PRAGMA disable_optimizer")
        cur.register(_TABLE_NAME, flat)
        result = cur.execute(sql).to_arrow_table()
        cur.unregister(_TABLE_NAME)
    finally:
        cur.close()
    return result


# DuckDB's type of each flat column type (a column of another type takes the registered path)
_DUCKDB_TYPES = {
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
    pa.string(): "VARCHAR",
    pa.float64(): "DOUBLE",
    pa.date32(): "DATE",
}


class _Statements:
    """A cursor on the engine's database and the statements prepared on it, by SQL text: the
    statement's name and its result schema (None: not preparable). A prepared statement belongs to
    one connection, and a connection must not be used by two threads at once."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.cursor = cursor
        self.prepared: dict[str, tuple[str, pa.Schema] | None] = {}

    def statement(self, sql: str, reads: Sequence[str]) -> tuple[str, pa.Schema] | None:
        """``sql`` prepared on this cursor (prepared now if it is not yet): its name and result schema."""
        if sql not in self.prepared:
            self.prepared[sql] = _prepare(self, sql, reads)
            _ran.add(sql)
        return self.prepared[sql]


# Idle cursors, the most recently used last. A thread takes one for a statement and gives it back, so
# a web server's threads share a few cursors (as many as ever ran at the same moment) and a statement
# is prepared once per cursor, not once per thread.
_idle: list[_Statements] = []


@contextmanager
def _idle_statements(sql: str | None = None) -> Iterator[_Statements]:
    """An idle cursor, preferably one on which ``sql`` is prepared already (else a new one), given back
    afterwards; a cursor left in an unknown state by an error is closed instead."""
    with _lock:
        found = next((i for i in range(len(_idle) - 1, -1, -1) if sql is None or sql in _idle[i].prepared), None)
        if found is not None:
            statements = _idle.pop(found)
        else:
            statements = _idle.pop() if _idle else _Statements(_connection().cursor())
    try:
        yield statements
    except BaseException:
        statements.cursor.close()
        raise
    with _lock:
        _idle.append(statements)


def _parameterised(sql: str, reads: Sequence[str]) -> str | None:
    """``sql`` with the flat table read from two parameters instead: a JSON object of one list per
    column of ``reads``, and the number of rows. None if it cannot be written so.

    A statement that reads a table is bound again on every EXECUTE (the catalog may have changed);
    one that reads only parameters of the declared types is bound and optimised once. The JSON is
    declared VARCHAR and passed as a VARCHAR literal, so its type always matches; ``from_json`` parses
    it once into a struct of typed lists.
    """
    if not reads:
        return None
    fields = []
    for name in reads:
        duck = _DUCKDB_TYPES.get(FLAT_SCHEMA.field(name).type)
        if duck is None or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            return None
        fields.append(f'"{name}": "{duck}[]"')
    columns = [f'UNNEST(s."{name}") AS "{name}"' for name in reads]
    columns.append(f'UNNEST(range(CAST($2 AS BIGINT))) AS "{ROW}"')
    source = f"SELECT from_json(CAST($1 AS VARCHAR), '{{{', '.join(fields)}}}') AS s"
    cte = f'"{_TABLE_NAME}" AS (SELECT {", ".join(columns)} FROM ({source}))'
    if re.match(r"\s*WITH\s+RECURSIVE\b", sql, re.IGNORECASE):
        return None
    head = re.match(r"\s*WITH\s+", sql, re.IGNORECASE)
    return f"WITH {cte}, {sql[head.end() :]}" if head else f"WITH {cte} {sql}"


def _json_arguments(columns: Mapping[str, list[Any]], dates: Sequence[str], rows: int) -> str:
    """The arguments of a statement from ``_parameterised``: the VARCHAR literal of the columns' JSON
    object (dates as ISO text) and the row count (ValueError for NaN or infinity)."""
    columns = {
        n: [None if v is None else v.isoformat() for v in columns[n]] if n in dates else columns[n]
        for n in columns
    }
    text = json.dumps(columns, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return "'" + text.replace("'", "''") + f"'::VARCHAR, {rows}::BIGINT"


def _prepare(statements: _Statements, sql: str, reads: Sequence[str]) -> tuple[str, pa.Schema] | None:
    """Prepare ``sql`` on this cursor (with DuckDB's optimizer: its cost is paid once) and read its
    result schema from a run over no rows; None if DuckDB refuses (the table path then runs it)."""
    text = _parameterised(sql, reads)
    if text is None:
        return None
    name = f"keqi_{len(statements.prepared)}"
    empty = _json_arguments({n: [] for n in reads}, (), 0)
    try:
        statements.cursor.execute(f"PREPARE {name} AS {text}")
        # a relation, not a DB-API result: no extra copy (and no warning, which a filter set in one
        # thread cannot silence for the others)
        schema = statements.cursor.sql(f"EXECUTE {name}({empty})").to_arrow_table().schema
    except duckdb.Error:
        return None
    return name, schema


def _run_prepared(flat: pa.Table, sql: str, reads: Sequence[str]) -> pa.Table | None:
    """``sql`` over the rows of ``flat`` through a prepared statement, the rows passed as parameters
    and the result read as Python rows (DuckDB's Arrow export of a statement's result runs one more
    statement); None if the statement or the values cannot be passed so."""
    dates = [f.name for f in flat.schema if pa.types.is_date32(f.type)]
    try:
        arguments = _json_arguments(flat.select(list(reads)).to_pydict(), dates, flat.num_rows)
    except ValueError:
        return None
    with _idle_statements(sql) as statements:
        prepared = statements.statement(sql, reads)
        if prepared is None:
            return None
        name, schema = prepared
        rows = statements.cursor.execute(f"EXECUTE {name}({arguments})").fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    arrays = [pa.array(c, type=f.type) for c, f in zip(values, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def prepare(
    edition_ids: Sequence[str],
    settings: Mapping[str, Mapping[str, Any] | None] | None = None,
    views: Sequence[str] = ("full", "criteria"),
) -> None:
    """Compile and prepare these views of these editions now, on an idle cursor (a web server calls
    this at start, so that the first firm's page does not pay for it)."""
    compiled = [
        _compiled_view(e, settings_key(edition_settings(settings, e)), view)
        for e in edition_ids
        for view in views
    ]
    with _idle_statements() as statements:
        for sql, reads in compiled:
            statements.statement(sql, reads)


def columns_read(
    edition_id: str, settings: Mapping[str, Any] | None = None, view: str = "full"
) -> tuple[str, ...]:
    """The flat columns the rules of ``edition_id`` read (the rest may be left out of a batch)."""
    return _compiled_view(edition_id, settings_key(settings), view)[1]


def edition_settings(
    settings: Mapping[str, Mapping[str, Any] | None] | None, edition_id: str
) -> Mapping[str, Any] | None:
    """The overrides of ``edition_id`` in a mapping of edition id → overrides (None: the defaults)."""
    return (settings or {}).get(edition_id)
