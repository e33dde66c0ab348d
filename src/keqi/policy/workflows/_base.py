"""The vocabulary of a workflow definition (pure data, no Django).

A :class:`Workflow` declares, for one programme and one version of its rules, the states a case
(an application or an annual filing) passes through, the transitions between them, who may take
each one, what each needs (a reason, a number …), the time each waiting state allows, and where the
rules come from. The service layer (``keqi.applications``) runs every definition with the same code:

- **actors** are abstract: ``firm`` (a user of the applying firm), ``district`` (an officer of the
  firm's reporting unit), ``city`` (the city administrator), ``system`` (KeQi itself, e.g. when a
  公示 window has ended). ``keqi.accounts.scope.Scope`` maps a signed-in user to one of them.
- **guards** are named conditions the service checks before a transition (:data:`GUARDS`);
- **effects** are named side effects the service performs with it (:data:`EFFECTS`);
- **inputs** are what the actor supplies besides the reason (:data:`INPUTS`).

A new rule year is a new definition (a new module), not new code, as long as it uses this vocabulary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from keqi.policy.editions._base import Source

Actor = Literal["firm", "district", "city", "system"]
ACTORS: tuple[str, ...] = ("firm", "district", "city", "system")
ACTOR_LABELS = {"firm": "企业", "district": "区县科技部门", "city": "市科技局", "system": "系统"}

# Where a case stands, for "who is it waiting for" and for the pipeline counts of the forecast.
Phase = Literal["draft", "firm", "district", "city", "site_check", "external", "publicity", "objection", "closed"]
PHASES: dict[str, str] = {
    "draft": "企业填写中",
    "firm": "待企业修改",
    "district": "区县审核",
    "city": "市级审核",
    "site_check": "实地核查",
    "external": "外部评审",
    "publicity": "公示",
    "objection": "异议处理",
    "closed": "已办结",
}
# The phases in which an application is in the pipeline, in the order they are passed.
PIPELINE_PHASES: tuple[str, ...] = ("district", "firm", "city", "site_check", "external", "publicity", "objection")

Outcome = Literal["", "granted", "refused", "withdrawn", "revoked"]
OUTCOMES = {"": "", "granted": "通过", "refused": "未通过", "withdrawn": "已撤回", "revoked": "已撤销"}

GUARDS: dict[str, str] = {
    "filing_submitted": "企业已提交申请年度的年度填报",
    "site_check_cleared": "无需实地核查，或实地核查已通过",
    "window_ended": "公示期已满",
    "in_open_batch": "已列入公示批次",
}
EFFECTS: dict[str, str] = {
    "flag_site_check": "按规则判断是否需要实地核查，并记录原因",
    "snapshot_evaluation": "记录提交时该项目评价标准的自评结果",
    "add_to_batch": "列入公示批次",
    "record_site_check": "记录实地核查结果",
    "issue_qualification": "生成入库登记编号并登记资质（企业库、梯次、统计与目标即时更新）",
    "record_qualification": "登记外部认定的资质（编号与有效期）",
    "revoke_qualification": "资质有效期止于撤销之日",
    "write_filing": "把年度填报的数据写入企业库",
}
INPUTS: dict[str, str] = {
    "number": "证书编号或入库编号",
    "valid_from": "有效期起",
    "valid_to": "有效期止",
    "batch": "公示批次",
}


@dataclass(frozen=True)
class State:
    key: str
    label: str  # Chinese, as users read it
    phase: str  # one of PHASES
    outcome: str = ""  # for closed states: one of OUTCOMES
    open: bool = True  # in the pipeline (not yet decided)


@dataclass(frozen=True)
class Transition:
    key: str
    label: str  # the button's wording
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    reason_required: bool = False
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    bulk: bool = False  # the city may take it for many cases at once (a 公示 batch, a review queue)
    style: str = "primary"  # primary, secondary or danger (how the button looks)


@dataclass(frozen=True)
class Deadline:
    """The time a waiting state allows, counted from entering it."""

    working_days: int
    official: bool  # False: KeQi's default service time, not a rule of the programme
    note: str = ""
    source: Source | None = None


@dataclass(frozen=True)
class SiteCheckRule:
    """One reason that makes an on-site check (实地核查) mandatory.

    ``kind`` picks the test (:func:`site_check_reasons`); ``params`` are its numbers.
    """

    key: str
    kind: Literal["first_time", "staff_at_most", "large_tech_heavy", "violation_within", "revoked_within",
                  "no_ip", "rd_below"]
    label: str
    source: Source
    params: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()  # first_time: the qualification kinds whose earlier holding counts


@dataclass(frozen=True)
class SiteCheckFacts:
    """What the rules read about the applying firm (None = not known)."""

    held_kinds: frozenset[str]  # qualification kinds the firm holds or has ever held
    staff_total: int | None
    tech_staff: int | None
    violation_years: tuple[int, ...]  # years with a serious violation on record
    revoked_years: tuple[int, ...]  # years in which this programme's number was revoked
    ip_items: int | None
    rd_expense: int | None  # yuan, latest year
    year: int  # the year of the application


@dataclass(frozen=True)
class Workflow:
    id: str
    programme: str  # the family, like the editions': "cq-tech", "hnte" …
    title: str  # the programme's Chinese name
    version: str
    kind: Literal["application", "filing"]
    decided_in_keqi: bool  # True: KeQi decides (重庆市科技型企业入库); False: tracked, decided elsewhere
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    starters: tuple[str, ...]  # actors who may open a case
    sources: tuple[Source, ...]
    valid_from: dt.date | None = None  # new cases use the definition in force on their creation day
    valid_to: dt.date | None = None
    qualification_kind: str = ""  # the registry's Qualification.kind the outcome grants
    edition_family: str = ""  # the edition family that judges eligibility (the self-evaluation)
    valid_years: int | None = None  # validity of the granted qualification (None: no end date known)
    valid_years_source: Source | None = None
    deadlines: dict[str, Deadline] = field(default_factory=dict)  # state → time allowed in it
    publicity: Deadline | None = None  # the objection window of a 公示 batch
    site_check_rules: tuple[SiteCheckRule, ...] = ()
    notes: str = ""

    # ---------------------------------------------------------------- lookups

    def state(self, key: str) -> State:
        for s in self.states:
            if s.key == key:
                return s
        raise KeyError(f"{self.id}: unknown state {key!r}")

    def transition(self, key: str) -> Transition:
        for t in self.transitions:
            if t.key == key:
                return t
        raise KeyError(f"{self.id}: unknown transition {key!r}")

    def available(self, state: str, actor: str | Iterable[str] | None = None) -> tuple[Transition, ...]:
        """The transitions out of ``state`` (those ``actor`` may take, when given)."""
        actors = {actor} if isinstance(actor, str) else set(actor) if actor is not None else None
        return tuple(t for t in self.transitions
                     if state in t.sources and (actors is None or actors & set(t.actors)))

    def may(self, transition: str, state: str, actor: str) -> bool:
        t = self.transition(transition)
        return state in t.sources and actor in t.actors

    def waiting_for(self, state: str) -> tuple[str, ...]:
        """Which actors can move the case on from ``state`` (none when it is closed for good)."""
        found: list[str] = []
        for t in self.available(state):
            found += [a for a in t.actors if a not in found]
        return tuple(found)

    def open_states(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.states if s.open)

    def states_in(self, phase: str) -> tuple[str, ...]:
        return tuple(s.key for s in self.states if s.phase == phase)

    def granted_states(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.states if s.outcome == "granted")

    def in_force(self, on: dt.date) -> bool:
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to

    def describe(self) -> dict:
        """A plain description (the CLI's and the API's view of a definition)."""
        return {
            "id": self.id, "programme": self.programme, "title": self.title, "version": self.version,
            "kind": self.kind, "decided_in_keqi": self.decided_in_keqi,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "qualification_kind": self.qualification_kind, "edition_family": self.edition_family,
            "valid_years": self.valid_years, "initial": self.initial, "starters": list(self.starters),
            "states": [{"key": s.key, "label": s.label, "phase": s.phase, "outcome": s.outcome, "open": s.open}
                       for s in self.states],
            "transitions": [{"key": t.key, "label": t.label, "from": list(t.sources), "to": t.target,
                             "actors": list(t.actors), "reason_required": t.reason_required,
                             "guards": list(t.guards), "effects": list(t.effects), "inputs": list(t.inputs),
                             "bulk": t.bulk} for t in self.transitions],
            "deadlines": {k: {"working_days": d.working_days, "official": d.official, "note": d.note}
                          for k, d in self.deadlines.items()},
            "publicity": None if self.publicity is None else {
                "working_days": self.publicity.working_days, "official": self.publicity.official,
                "note": self.publicity.note, "source": self.publicity.source.cite() if self.publicity.source else None},
            "site_check_rules": [{"key": r.key, "label": r.label, "source": r.source.cite()}
                                 for r in self.site_check_rules],
            "sources": [s.__dict__ | {"cite": s.cite()} for s in self.sources],
            "notes": self.notes,
        }


# ---------------------------------------------------------------- checks of a definition


def problems(wf: Workflow) -> list[str]:
    """Everything wrong with a definition (empty when it is sound); a test runs this on every one."""
    out: list[str] = []
    keys = [s.key for s in wf.states]
    if len(set(keys)) != len(keys):
        out.append("duplicate state keys")
    tkeys = [t.key for t in wf.transitions]
    if len(set(tkeys)) != len(tkeys):
        out.append("duplicate transition keys")
    known = set(keys)
    if wf.initial not in known:
        out.append(f"initial state {wf.initial!r} is not declared")
    for s in wf.states:
        if s.phase not in PHASES:
            out.append(f"state {s.key}: unknown phase {s.phase!r}")
        if s.outcome not in OUTCOMES:
            out.append(f"state {s.key}: unknown outcome {s.outcome!r}")
        if s.open == (s.phase == "closed"):
            out.append(f"state {s.key}: open states must not be in the closed phase, closed ones must")
        if not s.open and not s.outcome:
            out.append(f"state {s.key}: a closed state needs an outcome")
    for a in wf.starters:
        if a not in ACTORS:
            out.append(f"starter {a!r} is not an actor")
    for t in wf.transitions:
        for src in t.sources:
            if src not in known:
                out.append(f"transition {t.key}: unknown source state {src!r}")
        if t.target not in known:
            out.append(f"transition {t.key}: unknown target state {t.target!r}")
        if not t.actors or any(a not in ACTORS for a in t.actors):
            out.append(f"transition {t.key}: actors must be some of {ACTORS}")
        for g in t.guards:
            if g not in GUARDS:
                out.append(f"transition {t.key}: unknown guard {g!r}")
        for e in t.effects:
            if e not in EFFECTS:
                out.append(f"transition {t.key}: unknown effect {e!r}")
        for i in t.inputs:
            if i not in INPUTS:
                out.append(f"transition {t.key}: unknown input {i!r}")
        if t.style not in ("primary", "secondary", "danger"):
            out.append(f"transition {t.key}: unknown style {t.style!r}")
        target = wf.state(t.target) if t.target in known else None
        if target is not None and target.outcome in ("refused", "revoked") and not t.reason_required:
            out.append(f"transition {t.key}: refusing or revoking needs a reason")
        if "issue_qualification" in t.effects and not wf.decided_in_keqi:
            out.append(f"transition {t.key}: only a programme decided in KeQi issues qualifications")
        if "record_qualification" in t.effects and not {"number", "valid_from"} <= set(t.inputs):
            out.append(f"transition {t.key}: recording a qualification needs its number and start")
        if "add_to_batch" in t.effects and "batch" not in t.inputs:
            out.append(f"transition {t.key}: listing in a 公示 batch needs the batch")
    for k in wf.deadlines:
        if k not in known:
            out.append(f"deadline for unknown state {k!r}")
        elif wf.deadlines[k].working_days < 1:
            out.append(f"deadline of {k}: at least one working day")
    # every state is reachable from the initial one, and every open state has a way on
    reach, todo = {wf.initial}, [wf.initial]
    while todo:
        s = todo.pop()
        for t in wf.available(s):
            if t.target not in reach:
                reach.add(t.target)
                todo.append(t.target)
    for k in keys:
        if k not in reach:
            out.append(f"state {k!r} cannot be reached from {wf.initial!r}")
        elif k in known and wf.state(k).open and not wf.available(k):
            out.append(f"open state {k!r} has no transition out")
    if wf.kind == "application":
        if not wf.qualification_kind:
            out.append("an application workflow names the qualification it leads to")
        if not wf.granted_states():
            out.append("an application workflow has a granted outcome")
    for r in wf.site_check_rules:
        if r.kind == "first_time" and not r.kinds:
            out.append(f"site-check rule {r.key}: first_time names the qualification kinds that count")
    if wf.site_check_rules and not any("flag_site_check" in t.effects for t in wf.transitions):
        out.append("site-check rules are declared but no transition flags them")
    if wf.publicity is None and any(s.phase == "publicity" for s in wf.states) and wf.decided_in_keqi:
        out.append("a programme decided in KeQi with a 公示 phase declares its window")
    return out


# ---------------------------------------------------------------- 实地核查


def site_check_reasons(rules: Iterable[SiteCheckRule], facts: SiteCheckFacts) -> list[SiteCheckRule]:
    """The rules that make an on-site check mandatory for this firm (unknown facts never trigger one)."""
    hits = []
    for r in rules:
        p = r.params
        if r.kind == "first_time":  # has never held any of the rule's kinds
            hit = not (facts.held_kinds & set(r.kinds))
        elif r.kind == "staff_at_most":
            hit = facts.staff_total is not None and facts.staff_total <= p[0]
        elif r.kind == "large_tech_heavy":  # ≥ p[0] staff, of whom ≥ p[1] % are S&T staff
            hit = (facts.staff_total is not None and facts.tech_staff is not None and facts.staff_total >= p[0]
                   and facts.tech_staff * 100 >= p[1] * facts.staff_total)
        elif r.kind == "violation_within":  # within p[0] years, this year included
            hit = any(facts.year - p[0] < y <= facts.year for y in facts.violation_years)
        elif r.kind == "revoked_within":
            hit = any(facts.year - p[0] < y <= facts.year for y in facts.revoked_years)
        elif r.kind == "no_ip":
            hit = facts.ip_items == 0
        elif r.kind == "rd_below":  # yuan
            hit = facts.rd_expense is not None and facts.rd_expense < p[0]
        else:  # pragma: no cover - the Literal lists every kind
            raise ValueError(r.kind)
        if hit:
            hits.append(r)
    return hits
