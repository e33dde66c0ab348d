"""The demo's steps (``keqi demo``): a city calibrated to Chongqing's published counts, at a scale.

Layer 5.5 (tests/test_layering.py): the steps fill every app through its services, and only the
``keqi demo`` command calls them. Every step can run again: a second run finds its work done and
changes nothing (imports report their rows unchanged, the others look for what they made).

1. ``population``   firms, annual reports and every certificate since 2019, so that the holders on
                    each 31 December follow the city's counts times the scale (:mod:`keqi.synth.history`);
                    imported through the registry's one import path.
2. ``accounts``     the demo logins (one per role; the enterprise user is a firm of 渝北区).
3. ``targets``      the shipped city and zone targets of counts and contract turnover scaled the same way;
                    the 2027 counts split over the units by the suggested split on the 2022 base, the 2023
                    turnover by 2022's contracts.
4. ``contracts``    technology contracts registered from 2022 to today (≈ 6,919 a year in 2022, scaled).
5. ``screening``    two runs: the whole city on 30 June and 渝北区 today.
6. ``credit``       fund contributions, loans of the demo bank with repayments, one default.
7. ``tasks``        cultivation work in 渝北区: visits done, guidance open, some overdue.
8. ``applications`` annual filings and 高企 applications in several states; 科技型企业入库 of 渝北区's firms
                    taken through 初审, 实地核查, 审核 and 公示: a batch whose window has ended (入库登记编号
                    issued, the firms in the counts), a batch in its window (one objection), applications
                    awaiting 初审 and returned for correction. Each applicant firm has its own login
                    (``yubei-firm-N``, the demo password).

The scale is ``settings.KEQI_DEMO_SCALE`` (``keqi demo`` sets 1/10 when it is unset) and every page
that shows a count says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl

from . import history
from . import population as synth

#: (username, role, unit, organisation, description)
ACCOUNTS = (
    ("city-admin", "city_admin", None, "", "市科技局管理员（全市）"),
    ("yubei-officer", "district_officer", "渝北区", "", "渝北区科技部门工作人员"),
    ("enterprise-user", "enterprise_user", None, "", "企业用户（渝北区的一家企业）"),
    ("bank-officer", "bank_officer", None, "示例合作银行", "合作银行工作人员（演示用的虚构银行）"),
    ("yubei-registrar", "contract_registrar", "渝北区", "渝北区技术合同登记点", "渝北区技术合同登记员"),
)
PASSWORD = "keqi-demo-2026"
OFFICER_UNIT = "渝北区"
BANK = "示例合作银行"
DEFAULT_SCALE = Fraction(1, 10)
DEFAULT_SEED = 2022
#: firms at full scale: enough that today's holders are mostly firms whose figures meet the conditions
#: (the population is calibrated so that 42,989 of 150,000 firms meet the 科技型企业 conditions)
FIRMS_FULL_SCALE = 260_000
#: 2022: "技术市场签订成交合同6919项、成交金额630.4亿元" (市统计局, chongqing.md §6); later years grow 12%
CONTRACTS_2022 = 6919
TURNOVER_2022 = 63_040_000_000
CONTRACT_GROWTH = 1.12
DEMO_NOTE = "演示数据按 {scale} 缩放"


@dataclass(frozen=True)
class Demo:
    scale: Fraction
    seed: int
    today: dt.date
    home: Path  # where the generated files are kept

    @property
    def label(self) -> str:
        return scale_label(self.scale)

    @property
    def firms(self) -> int:
        return max(200, history.scaled(FIRMS_FULL_SCALE, self.scale))

    def source(self, text: str) -> str:
        return f"{text}（{DEMO_NOTE.format(scale=self.label)}）"


def scale_label(scale: Fraction) -> str:
    """1/10, 1/4, 1 (full scale)…"""
    return "1" if scale == 1 else f"{scale.numerator}/{scale.denominator}"


def scale_note(scale: Fraction) -> str:
    """The line every page of a demo shows."""
    if scale == 1:
        return "演示数据：按实际规模生成（合成企业），目标为正式目标"
    return f"演示数据：按实际规模的 {scale_label(scale)} 生成，目标同比缩放"


Say = Callable[[str], None]


def _quiet(_text: str) -> None:
    return None


def run(demo: Demo, *, say: Say = _quiet, steps: tuple[str, ...] | None = None) -> dict[str, object]:
    """Every step in order (or those named); returns what each did."""
    done: dict[str, object] = {}
    for name, step in STEPS:
        if steps is not None and name not in steps:
            continue
        done[name] = step(demo, say)
    return done


# ---------------------------------------------------------------- 1. population


def _system():
    from keqi.accounts.scope import SYSTEM

    return SYSTEM


def population_frames(demo: Demo) -> synth.Population:
    """The population with its certificates since 2019 (pure: no database)."""
    last_year = demo.today.year - 1
    as_of = min(synth.default_as_of(last_year), demo.today)
    pop = synth.generate(demo.firms, demo.seed, years=3, last_year=last_year, as_of=as_of)
    firms = pop.reports.select("uscc", "district", "registered_on", "hitech_field")
    quals = history.history(firms, pop.qualifications, scale=demo.scale, seed=demo.seed, today=demo.today)
    return dataclasses.replace(pop, qualifications=quals)


#: annual-report rows per file (a file's cells stay well inside the reader's limits, keqi.registry.limits)
ROWS_PER_FILE = 40_000


def population(demo: Demo, say: Say) -> dict:
    """Import the firms (their reports, parquet files of whole firms) and then their certificates (xlsx)."""
    from keqi.registry import flows

    folder = demo.home / "demo"
    stem = f"population-{demo.scale.numerator}-{demo.scale.denominator}-{demo.seed}-{demo.today:%Y%m%d}"
    done = folder / f"{stem}.files"  # the list of files, written last: the files are complete
    if not done.exists():
        say(f"生成 {demo.firms} 家企业及其 2019 年以来的资质…")
        pop = population_frames(demo)
        folder.mkdir(parents=True, exist_ok=True)
        per_firm = pop.reports.group_by("uscc", maintain_order=True).len().with_columns(
            _part=(pl.col("len").cum_sum() - 1) // ROWS_PER_FILE)
        reports = pop.reports.join(per_firm.select("uscc", "_part"), on="uscc")
        names = []
        for part, frame in sorted(reports.partition_by("_part", as_dict=True).items()):
            name = f"{stem}-{part[0] + 1}.parquet"
            synth.write(dataclasses.replace(pop, reports=frame.drop("_part").sort("uscc", "fiscal_year")), folder / name)
            names.append(name)
        name = f"{stem}-资质.xlsx"
        synth.write(dataclasses.replace(pop, reports=pop.reports.clear()), folder / name)
        names.append(name)
        done.write_text("\n".join(names), encoding="utf-8")
    out = {}
    for name in done.read_text(encoding="utf-8").split():
        say(f"导入 {name}…")
        path = folder / name
        result = flows.run_import(path=path, scope=_system(), today=demo.today, reason=demo.source("演示数据导入"))
        if result.errors:
            raise DemoError(f"{name}：" + "；".join(f"第{e.row}行 {e.column} {e.reason}" for e in result.errors[:5]))
        out[name] = result.summary()
    return out


class DemoError(RuntimeError):
    pass


# ---------------------------------------------------------------- 2. accounts


def demo_firm(today: dt.date):
    """The enterprise user's firm: a 科技型企业 of 渝北区 without a 高企 certificate, with reports."""
    firms = _unit_firms(holding="cq_tech", without="hnte", today=today) or _unit_firms(
        holding=None, without=None, today=today)
    return firms[0] if firms else None


def accounts(demo: Demo, say: Say) -> list[str]:
    from keqi.accounts.services import ensure_user
    from keqi.registry.services import unit_id_of

    firm = demo_firm(demo.today)
    lines = []
    for username, role, unit, organisation, label in ACCOUNTS:
        enterprise = firm if role == "enterprise_user" else None
        ensure_user(username=username, password=PASSWORD, role=role, organisation=organisation,
                    unit_id=unit_id_of(unit) if unit else None, enterprise_id=enterprise.pk if enterprise else None)
        lines.append(f"{username:<16} {PASSWORD}  {label}" + (f"：{enterprise.name}" if enterprise else ""))
    return lines


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _scope(username: str):
    from keqi.accounts.scope import scope_for

    return scope_for(_user(username))


# ---------------------------------------------------------------- 3. targets


def shipped_targets() -> list[dict]:
    """The targets the targets app ships (its data file), as rows."""
    import keqi.targets

    path = Path(keqi.targets.__file__).parent / "data" / "targets.csv"
    return pl.read_csv(path, infer_schema=False).to_dicts()


SCALED_INDICATORS = ("hnte_count", "tech_count", "contract_turnover")


def targets(demo: Demo, say: Say) -> dict:
    """Scale the shipped count and turnover targets; accept the suggested split of the 2027 counts
    (on the 2022 base) and of the 2023 turnover."""
    from django.db import transaction

    from keqi.registry.bulk import history_reason
    from keqi.targets import allocating
    from keqi.targets.models import Target

    user = _user(ACCOUNTS[0][0])
    changed = 0
    with transaction.atomic():
        for row in shipped_targets():
            if row["indicator"] not in SCALED_INDICATORS:
                continue
            key = "city" if row["scope"] == "city" else f"zone:{row['scope']}"
            value = Decimal(history.scaled(int(row["value"]), demo.scale))
            t = Target.objects.filter(indicator=row["indicator"], year=int(row["year"]), scope_key=key).first()
            if t is None or t.value == value:
                continue
            t.value = value
            t.source = demo.source(row["source"])[: Target._meta.get_field("source").max_length]
            t._change_reason = history_reason(t.source)
            t._history_user = user
            t.save()
            changed += 1
    split = {}
    scope = _scope(ACCOUNTS[0][0])
    for indicator, year, on in (("hnte_count", 2027, dt.date(2022, 12, 31)), ("tech_count", 2027, dt.date(2022, 12, 31)),
                                ("contract_turnover", 2023, dt.date(2022, 12, 31))):
        if Target.objects.filter(indicator=indicator, year=year, scope_key__startswith="unit:").exists():
            continue
        base = "2022年底各区县持有数" if indicator != "contract_turnover" else "2022年各区县技术合同成交额"
        split[(indicator, year)] = allocating.accept_suggestion(
            scope=scope, user=user, indicator=indicator, year=year, on=on,
            source=demo.source(f"按{base}分解（采纳系统建议）"))
    return {"scaled": changed, "split": {f"{k[0]}:{k[1]}": v for k, v in split.items()}}


# ---------------------------------------------------------------- 4. contracts


def contract_frame(demo: Demo, sellers: list[tuple[str, str, str]]) -> pl.DataFrame:
    """Contracts registered from 2022 to today: sellers are firms of the registry (uscc, name, unit).

    Each year is drawn from its own stream and the current one is cut at today, so a later run of the
    same year adds contracts and changes none.
    """
    from keqi.contracts.categories import CATEGORIES
    from keqi.policy.uscc import make_uscc

    kinds = [(c, s) for c, subs in CATEGORIES.items() for s in subs[:2]]
    weights = [30 if c == "技术开发" else 22 if c == "技术服务" else 8 for c, _ in kinds]
    fields = ("电子信息", "先进制造与自动化", "新材料", "生物与新医药", "新能源与节能", "高技术服务", "资源与环境", None)
    buyers_region = ("110108", "310115", "440305", "510107", "500112", "500107", "500105", "500106")
    mean = TURNOVER_2022 / CONTRACTS_2022
    rows = []
    for year in range(2022, demo.today.year + 1):
        rng = random.Random(demo.seed * 10_000 + year)
        np_rng = np.random.Generator(np.random.PCG64([demo.seed, 863, year]))
        count = max(1, history.scaled(round(CONTRACTS_2022 * CONTRACT_GROWTH ** (year - 2022)), demo.scale))
        amounts = np_rng.lognormal(np.log(mean) - 1.2, 1.55, count)
        amounts *= mean * count / amounts.sum()  # the year's average is 2022's (9.1 million yuan)
        for i in range(count):
            seller_uscc, seller_name, unit = sellers[rng.randrange(len(sellers))]
            category, sub = rng.choices(kinds, weights)[0]
            registered = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            signed = registered - dt.timedelta(days=rng.randrange(5, 60))
            total = max(10_000, int(amounts[i]) // 100 * 100)
            region = rng.choice(buyers_region)
            buyer = make_uscc(rng, region=region)
            technical = total - rng.randint(0, total // 4) // 100 * 100
            field, refused = rng.choice(fields), rng.random() < 0.01
            if registered > demo.today:
                continue
            rows.append({
                "number": f"{year}5001{i:06d}", "title": f"{seller_name[2:8]}{sub}项目", "category": category,
                "sub_kind": sub, "seller_uscc": seller_uscc, "seller_name": seller_name, "buyer_uscc": buyer,
                "buyer_name": f"示例{'重庆' if region.startswith('50') else '市外'}买方{i % 97}有限公司",
                "signed_on": signed, "registered_on": registered, "contract_amount": total,
                "technical_amount": technical, "unit": unit, "hitech_field": field,
                "status": "未予登记" if refused else "已登记",
            })
    return pl.DataFrame(rows)


def contracts(demo: Demo, say: Say) -> dict:
    from keqi.contracts import flows
    from keqi.contracts.columns import COLUMNS, SHEET
    from keqi.registry.models import Enterprise
    from keqi.registry.workbook import fields_to_display, write_tables

    path = demo.home / "demo" / f"contracts-{demo.scale.numerator}-{demo.scale.denominator}-{demo.seed}-{demo.today:%Y%m%d}.xlsx"
    if not path.exists():
        from keqi.registry.models import held_on

        # the 科技型企业 of the 2022 base (the same firms whatever day the demo is run that year)
        sellers = list(Enterprise.objects.filter(held_on(dt.date(2022, 12, 31), "qualifications__"),
                                                 qualifications__kind="cq_tech").distinct().order_by("uscc")
                       .values_list("uscc", "name", "reporting_unit__name"))
        if not sellers:
            return {}
        rows = contract_frame(demo, sellers)
        tmp = path.with_name(f"tmp-{path.name}")
        write_tables(tmp, {SHEET: (fields_to_display(rows, COLUMNS), COLUMNS)})
        tmp.replace(path)
    say(f"导入 {path.name}…")
    result = flows.run_import(path=path, scope=_system(), today=demo.today, reason=demo.source("演示技术合同"))
    if result.errors:
        raise DemoError(f"{path.name}：" + "；".join(f"第{e.row}行 {e.column} {e.reason}" for e in result.errors[:5]))
    summary = result.summary()
    summary["awaiting"] = _awaiting_registration(demo, path.parent)
    return summary


def _awaiting_registration(demo: Demo, folder: Path) -> int:
    """A file of this week's contracts that 渝北区's registrar uploaded and had checked, not yet imported."""
    from django.core.files import File

    from keqi.contracts.columns import COLUMNS, SHEET
    from keqi.contracts.models import ContractImport
    from keqi.registry.models import Enterprise
    from keqi.registry.uploads import process_upload, record_upload
    from keqi.registry.workbook import fields_to_display, write_tables

    registrar, scope = _user(ACCOUNTS[4][0]), _scope(ACCOUNTS[4][0])
    if ContractImport.objects.filter(uploaded_by=registrar).exists():
        return ContractImport.objects.filter(uploaded_by=registrar).count()
    sellers = list(Enterprise.objects.filter(reporting_unit__name=OFFICER_UNIT, qualifications__kind="cq_tech")
                   .distinct().order_by("uscc").values_list("uscc", "name", "reporting_unit__name")[:50])
    if not sellers:
        return 0
    rows = contract_frame(dataclasses.replace(demo, scale=Fraction(1, 1000)), sellers).tail(6).with_columns(
        number=pl.concat_str(pl.lit(f"{demo.today.year}500112"), pl.int_range(900001, 900007).cast(pl.String)),
        registered_on=pl.lit(demo.today), signed_on=pl.lit(demo.today - dt.timedelta(days=10)), status=pl.lit("已登记"))
    path = folder / f"渝北区技术合同登记-{demo.today:%Y%m%d}.xlsx"
    write_tables(path, {SHEET: (fields_to_display(rows, COLUMNS), COLUMNS)})
    with path.open("rb") as handle:
        upload = record_upload(model=ContractImport, scope=scope, user=registrar, uploaded=File(handle, name=path.name))
    process_upload(model=ContractImport, upload_id=upload.pk, scope=scope, apply=False)
    return 1


# ---------------------------------------------------------------- 5. screening


def screening_days(demo: Demo) -> tuple[dt.date, dt.date]:
    """The city-wide run's day (30 June, or the first of the month when that is still to come) and today."""
    mid = dt.date(demo.today.year, 6, 30)
    return (mid if mid < demo.today else demo.today.replace(day=1)), demo.today


def screening(demo: Demo, say: Say) -> list[int]:
    from keqi.registry.services import unit_id_of
    from keqi.screening import flows
    from keqi.screening.models import ScreeningRun

    city_day, today = screening_days(demo)
    runs = []
    for username, day, unit in ((ACCOUNTS[0][0], city_day, None), (ACCOUNTS[1][0], today, unit_id_of(OFFICER_UNIT))):
        done = ScreeningRun.objects.filter(status=ScreeningRun.Status.COMPLETE, assess_on=day, reporting_unit_id=unit)
        if done.exists():
            runs.append(done.first().pk)
            continue
        say(f"筛选{'全市' if unit is None else OFFICER_UNIT}企业（评价日 {day:%Y-%m-%d}）…")
        run = flows.run_screening(scope=_scope(username), user=_user(username), assess_on=day, unit_id=unit)
        runs.append(run.pk)
    return runs


# ---------------------------------------------------------------- 6. credit


def credit(demo: Demo, say: Say) -> dict:
    """Contributions to every unit's fund; loans to graded firms, repaid, running and one default."""
    from django.core.exceptions import ObjectDoesNotExist

    from keqi.credit import services as credit_services
    from keqi.credit.models import FundEntry, Loan
    from keqi.credit.money import one_year_after
    from keqi.registry.models import ReportingUnit

    if Loan.objects.filter(bank=BANK).exists():
        return {"loans": Loan.objects.filter(bank=BANK).count()}
    admin, city = _user(ACCOUNTS[0][0]), _scope(ACCOUNTS[0][0])
    bank_user, bank = _user(ACCOUNTS[3][0]), _scope(ACCOUNTS[3][0])
    today = demo.today
    if not FundEntry.objects.filter(kind=FundEntry.Kind.CONTRIBUTION).exists():
        for unit_id in ReportingUnit.objects.values_list("pk", flat=True):  # 31亿元 over 33 units in 2019 (§3)
            credit_services.contribute(scope=city, unit_id=unit_id, amount=history.scaled(90_000_000, demo.scale),
                                       on=dt.date(today.year - 1, 3, 1), user=admin, memo="年度风险补偿基金出资")
    rng = random.Random(demo.seed)
    _total, rows = credit_services.grades(scope=bank, on=today, limit=5000)
    graded = [r.uscc for r in rows if r.eligible and r.grade]
    rng.shuffle(graded)
    wanted = max(12, history.scaled(400, demo.scale))
    loans, lpr = [], credit_services.policy().lpr_one_year
    for uscc in graded:
        if len(loans) >= wanted:
            break
        granted = today - dt.timedelta(days=rng.randrange(30, 700))
        due = min(one_year_after(granted), granted + dt.timedelta(days=rng.choice((180, 270, 360))))
        try:
            s = credit_services.standing(scope=bank, uscc=uscc, on=granted)
            amount = int(min(s.available, rng.choice((50, 80, 100, 150, 200, 300)) * 10_000))
            if amount <= 0:
                continue
            loans.append(credit_services.grant_loan(
                scope=bank, uscc=uscc, amount=amount, annual_rate=lpr + Decimal("0.0050"), granted_on=granted,
                due_on=due, user=bank_user, today=today))
        except (credit_services.CreditError, ObjectDoesNotExist):
            continue
    repaid = defaulted = 0
    for loan in loans:
        if loan.due_on < today and defaulted == 0 and loan.granted_on < today - dt.timedelta(days=200):
            credit_services.record_default(scope=bank, loan_id=loan.pk, on=min(today, loan.due_on + dt.timedelta(days=45)),
                                           user=bank_user, today=today)
            defaulted += 1
        elif loan.due_on < today:
            interest = int(loan.amount * loan.annual_rate * (loan.due_on - loan.granted_on).days / 365)
            credit_services.record_repayment(scope=bank, loan_id=loan.pk, principal=loan.amount, interest=interest,
                                             paid_on=loan.due_on, user=bank_user, today=today)
            repaid += 1
        elif loan.granted_on < today - dt.timedelta(days=90):
            part = loan.amount // 4 // 100 * 100
            if part:
                credit_services.record_repayment(scope=bank, loan_id=loan.pk, principal=part,
                                                 interest=int(part * loan.annual_rate / 4),
                                                 paid_on=loan.granted_on + dt.timedelta(days=90), user=bank_user,
                                                 today=today)
    return {"loans": len(loans), "repaid": repaid, "defaults": defaulted}


# ---------------------------------------------------------------- 7. tasks


def _unit_firms(*, holding: str | None, without: str | None, today: dt.date, exclude=()) -> list:
    """Firms of the officer's unit of a technology field, registered before the year before last (so they
    can file for it), with reports, holding one kind and not another on ``today``."""
    from keqi.registry.models import Enterprise, Qualification, held_on

    firms = Enterprise.objects.filter(reporting_unit__name=OFFICER_UNIT, reports__isnull=False,
                                      registered_on__lt=dt.date(today.year - 2, 1, 1),
                                      status=Enterprise.Status.ACTIVE).exclude(pk__in=list(exclude)).exclude(
        hitech_field="").distinct()
    if holding:
        firms = firms.filter(pk__in=Qualification.objects.filter(held_on(today), kind=holding).values("enterprise_id"))
    if without:
        firms = firms.exclude(pk__in=Qualification.objects.filter(held_on(today), kind=without).values("enterprise_id"))
    return list(firms.order_by("uscc"))


def _closest(*, tier: str, today: dt.date, exclude=()) -> list:
    """The officer's unit's firms one step below ``tier`` in the unit's latest screening, those that meet
    its conditions first and then the closest (as the candidate list puts them), among :func:`_unit_firms`;
    all of those when nothing was screened."""
    below = {"hnte": ("cq_tech", "hnte"), "tech": (None, "cq_tech")}[tier]
    return _in_screening_order(_unit_firms(holding=below[0], without=below[1], today=today, exclude=exclude),
                               tier=tier)


def _in_screening_order(firms: list, *, tier: str) -> list:
    """``firms`` as the candidate list for ``tier`` puts them in the officer's unit's latest screening: those
    that meet its conditions first, then the closest; the firms it did not judge last, in their order."""
    from keqi.registry.services import unit_id_of
    from keqi.screening import services as screening
    from keqi.screening.models import Standing

    by_pk = {f.pk: f for f in firms}
    run = screening.latest_run(scope=_system(), unit_id=unit_id_of(OFFICER_UNIT))
    if run is None:
        return list(firms)
    rows = list(Standing.objects.filter(run=run, next_tier=tier, enterprise_id__in=list(by_pk))
                .order_by("closeness", "name", "pk").values_list("enterprise_id", "next_verdict"))
    order = [pk for pk, verdict in rows if verdict == "eligible"] + [pk for pk, verdict in rows
                                                                      if verdict != "eligible"]
    ranked = set(order)
    return [by_pk[pk] for pk in order] + [f for f in firms if f.pk not in ranked]


TASKS = (
    # kind, title, target tier, due in days from today (negative: overdue if still open; None: this week), done
    ("visit", "走访了解研发投入和知识产权情况", "hnte", -40, True),
    ("guidance", "高新技术企业认定申报辅导", "hnte", -12, False),
    ("visit", "上门核实科技人员和研发费用归集", "hnte", -5, False),
    ("training", "高企申报政策培训（第二期）", "hnte", None, False),
    ("guidance", "科技型企业入库申报辅导", "tech", None, False),
    ("visit", "走访了解经营和研发情况", "tech", -60, True),
    ("visit", "走访了解知识产权布局", "hnte", 20, False),
    ("training", "研发费用加计扣除政策培训", "tech", 30, False),
)


def tasks(demo: Demo, say: Say) -> dict:
    """Cultivation work of 渝北区's officer on firms one step below the next tier."""
    from keqi.pipeline import services as pipeline
    from keqi.pipeline.models import CultivationTask

    officer, scope = _user(ACCOUNTS[1][0]), _scope(ACCOUNTS[1][0])
    if CultivationTask.objects.filter(created_by=officer).exists():
        return {"tasks": CultivationTask.objects.filter(created_by=officer).count()}
    today = demo.today
    near_hnte = _closest(tier="hnte", today=today)
    near_tech = _closest(tier="tech", today=today)
    rounds = max(1, history.scaled(30, demo.scale))  # three rounds of the list at 1/10
    made = 0
    for n in range(rounds * len(TASKS)):
        kind, title, tier, due, done = TASKS[n % len(TASKS)]
        pool = near_hnte if tier == "hnte" else near_tech
        if n // len(TASKS) >= len(pool) or not pool:
            continue
        firm = pool[n % len(pool)]  # the closest candidates first
        if due is None:  # between today and Sunday
            due_on = today + dt.timedelta(days=min(n // len(TASKS), 6 - today.weekday()))
        else:
            due_on = today + dt.timedelta(days=due + n // len(TASKS))
        task = pipeline.create_task(scope=scope, user=officer, uscc=firm.uscc, kind=kind, title=title,
                                    assigned_to=officer, due_on=due_on,
                                    target_tier=tier, notes="")
        if done:
            pipeline.update_task(scope=scope, task_id=task.pk, status=CultivationTask.Status.DONE,
                                 notes="已走访，企业研发投入不足，建议加强研发费用归集")
        made += 1
    return {"tasks": made}


# ---------------------------------------------------------------- 8. applications


def applications(demo: Demo, say: Say) -> dict:
    """The enterprise user's filings (last year's submitted, the year before accepted) and its 高企
    application (submitted); 高企 applications the officer keeps for other firms (draft, submitted,
    recommended); 科技型企业入库 through to its 公示 batches (:func:`registry_entries`)."""
    from keqi.applications import flows as app_flows
    from keqi.applications import services as apps
    from keqi.applications.models import AnnualFiling, Application, PublicityBatch

    today = demo.today
    firm_user, firm_scope = _user(ACCOUNTS[2][0]), _scope(ACCOUNTS[2][0])
    officer, officer_scope = _user(ACCOUNTS[1][0]), _scope(ACCOUNTS[1][0])
    firm_id = firm_scope.enterprise_id
    out: dict[str, str] = {}
    for year, steps in ((today.year - 2, ("submit", "accept")), (today.year - 1, ("submit",))):
        filing = AnnualFiling.objects.filter(enterprise_id=firm_id, fiscal_year=year).first()
        if filing is None:
            filing = apps.open_filing(scope=firm_scope, user=firm_user, enterprise_id=firm_id, fiscal_year=year,
                                      today=today)
            for action in steps:
                who, scope = (firm_user, firm_scope) if action == "submit" else (officer, officer_scope)
                filing = app_flows.act(scope=scope, user=who, case=filing, action=action, today=today)
        out[f"filing:{year}"] = filing.state
    if not Application.objects.filter(enterprise_id=firm_id, programme="hnte").exists():
        app = apps.start_application(scope=firm_scope, user=firm_user, enterprise_id=firm_id, programme="hnte",
                                     today=today)
        app_flows.act(scope=firm_scope, user=firm_user, case=app, action="submit", today=today)
    others = _closest(tier="hnte", today=today, exclude=[firm_id])
    plans = ((), ("submit",), ("submit",), ("submit", "district_recommend"))
    for firm, steps in zip(others, plans, strict=False):
        if Application.objects.filter(enterprise=firm, programme="hnte").exists():
            continue
        app = apps.start_application(scope=officer_scope, user=officer, enterprise_id=firm.pk, programme="hnte",
                                     today=today)
        for action in steps:
            app = app_flows.act(scope=officer_scope, user=officer, case=app, action=action, today=today)
    registry_entries(demo, say)
    for app in Application.objects.filter(reporting_unit__name=OFFICER_UNIT).order_by("pk"):
        out[f"application:{app.pk}"] = app.state
    for batch in PublicityBatch.objects.filter(programme=CQ_TECH).order_by("opens_on", "pk"):
        out[f"batch:{batch.title}"] = f"{batch.status} {batch.applications.count()}"
    return out


CQ_TECH = "cq-tech"
#: 重庆市科技型企业入库 in 渝北区, firms one step below (the candidates closest to 科技型企业 first):
#: (applicants, what happens to them). Each firm files its year, applies, and the district and the
#: city review it (实地核查 where the rules call for it); then the city publishes them in a batch.
REGISTRY_PLAN = (
    (3, "concluded"),   # a batch whose window has ended: registered, 入库登记编号 issued
    (3, "publicity"),   # a batch in its objection window, one of them under objection
    (1, "submitted"),   # awaiting the district's 初审
    (1, "returned"),    # returned to the firm for correction
)
RETURN_REASON = "研发费用明细未附研发费用辅助账，请补充后重新提交。"
OBJECTION = "来信反映该企业科技人员人数与社保缴纳人数不符，请核实。"
#: the ended batch opened three weeks before today (5 working days: its window ended last week)
ENDED_BATCH_DAYS_AGO = 21


def _firm_login(firm, n: int):
    """An enterprise user for an applicant firm (``yubei-firm-N``, the demo password)."""
    from keqi.accounts.services import ensure_user

    user = ensure_user(username=f"yubei-firm-{n}", password=PASSWORD, role="enterprise_user", enterprise_id=firm.pk)
    return user, _scope(user.username)


def _apply(firm, n: int, today: dt.date, *, returned: bool = False):
    """The firm files last year's figures and applies for 科技型企业入库 (after a return, corrects and
    resubmits: the district's reason is on its page)."""
    from keqi.applications import flows as app_flows
    from keqi.applications import services as apps

    user, scope = _firm_login(firm, n)
    filing = apps.open_filing(scope=scope, user=user, enterprise_id=firm.pk, fiscal_year=today.year - 1, today=today)
    if filing.state not in apps.FILED_STATES:
        filing = app_flows.act(scope=scope, user=user, case=filing, action="submit", today=today)
    app = apps.start_application(scope=scope, user=user, enterprise_id=firm.pk, programme=CQ_TECH, today=today,
                                 filing_id=filing.pk)
    app = app_flows.act(scope=scope, user=user, case=app, action="submit", today=today)
    if returned:
        officer, officer_scope = _user(ACCOUNTS[1][0]), _scope(ACCOUNTS[1][0])
        app = app_flows.act(scope=officer_scope, user=officer, case=app, action="district_return",
                            reason=RETURN_REASON, today=today)
    return app, user, scope


def _district_approves(app, today: dt.date):
    """初审通过, then the 实地核查 the rules call for (a first-time applicant), passed."""
    from keqi.applications import flows as app_flows

    officer, scope = _user(ACCOUNTS[1][0]), _scope(ACCOUNTS[1][0])
    app = app_flows.act(scope=scope, user=officer, case=app, action="district_approve", today=today)
    if app.site_check_required:
        app = app_flows.act(scope=scope, user=officer, case=app, action="order_site_check", today=today)
        app = app_flows.act(scope=scope, user=officer, case=app, action="site_check_pass",
                            reason="现场核实研发场地、科技人员和研发费用归集，情况属实", today=today)
    return app


def _registry_applicants(*, today: dt.date, exclude=()) -> list:
    """Firms of the officer's unit that can apply for 科技型企业入库: active, not holding it today, with
    last year's report to file; those the unit's latest screening found to meet its conditions first
    (the city approves them), then the closest."""
    from keqi.registry.models import Enterprise, Qualification, held_on

    firms = (Enterprise.objects.filter(
        reporting_unit__name=OFFICER_UNIT, status=Enterprise.Status.ACTIVE, reports__fiscal_year=today.year - 1)
        .exclude(pk__in=list(exclude))
        .exclude(pk__in=Qualification.objects.filter(held_on(today), kind="cq_tech").values("enterprise_id"))
        .distinct().order_by("uscc"))
    return _in_screening_order(list(firms), tier="tech")


def registry_entries(demo: Demo, say: Say) -> dict:
    """科技型企业入库 taken through the whole workflow: two 公示 batches of the city (one concluded,
    with 入库登记编号; one in its window, with an objection), and applications still with the
    district or the firm. Only the services and flows the pages use; nothing if done already."""
    from django.db import transaction
    from django.utils import timezone

    from keqi.applications import flows as app_flows
    from keqi.applications import services as apps
    from keqi.applications.models import Application

    if Application.objects.filter(programme=CQ_TECH, reporting_unit__name=OFFICER_UNIT).exists():
        return {}
    today = demo.today
    firm_id = _scope(ACCOUNTS[2][0]).enterprise_id
    wanted = sum(n for n, _ in REGISTRY_PLAN)
    pool = _registry_applicants(today=today, exclude=[firm_id])[:wanted]
    if len(pool) < wanted:
        return {}
    say("科技型企业入库：企业填报、申请，区县初审，市级审核，公示…")
    admin, city = _user(ACCOUNTS[0][0]), _scope(ACCOUNTS[0][0])
    done: dict[str, int] = {}
    with transaction.atomic():
        firms = iter(enumerate(pool, start=1))
        for count, fate in REGISTRY_PLAN:
            group = [next(firms) for _ in range(count)]
            if fate in ("submitted", "returned"):
                for n, firm in group:
                    _apply(firm, n, today, returned=fate == "returned")
                done[fate] = count
                continue
            ids = []
            for i, (n, firm) in enumerate(group):
                # the first firm of the ended batch was returned once, corrected and resubmitted
                again = fate == "concluded" and i == 0
                app, user, scope = _apply(firm, n, today, returned=again)
                if again:
                    app = app_flows.act(scope=scope, user=user, case=app, action="submit", today=today)
                ids.append(_district_approves(app, today).pk)
            app_flows.bulk_act(scope=city, user=admin, programme=CQ_TECH, action="city_approve", ids=ids, today=today)
            opens = today - dt.timedelta(days=ENDED_BATCH_DAYS_AGO) if fate == "concluded" else today
            batch = apps.open_batch(scope=city, user=admin, programme=CQ_TECH, opens_on=opens)
            app_flows.bulk_act(scope=city, user=admin, programme=CQ_TECH, action="publish", ids=ids,
                               inputs={"batch": batch}, today=today)
            if fate == "concluded":
                app_flows.conclude_batch(scope=city, user=admin, batch=batch, today=today)
            else:
                objected = Application.objects.get(pk=ids[-1])
                app_flows.record_objection(scope=city, user=admin, application=objected, content=OBJECTION,
                                           received_on=min(today, timezone.localdate()))
            done[fate] = len(ids)
    return done


STEP_LABELS = {
    "population": "生成并导入企业、年报和资质",
    "accounts": "创建演示账号",
    "targets": "缩放目标并分解到区县",
    "contracts": "导入技术合同",
    "screening": "筛选企业",
    "credit": "知识价值信用贷款",
    "tasks": "培育工作",
    "applications": "年度填报和入库申报",
}

STEPS: tuple[tuple[str, Callable[[Demo, Say], object]], ...] = (
    ("population", population),
    ("accounts", accounts),
    ("targets", targets),
    ("contracts", contracts),
    ("screening", screening),
    ("credit", credit),
    ("tasks", tasks),
    ("applications", applications),
)
