"""The enterprise registry: reporting units, enterprises, annual figures and qualifications held.

Money is integer yuan (``BigIntegerField``), never float. Every figure that the evaluation contract
(``../shared/reference/firm-profile.md``) needs lives on :class:`AnnualReport`; a blank cell is
stored as NULL ("not known"), which the criteria treat as undecided, never as a pass.
Every change to an enterprise, a report or a qualification is kept by django-simple-history with
who made it and when.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from keqi.policy.uscc import normalise, uscc_faults

from .background import BackgroundWork
from .columns import (
    CHUANGKE_GROUPS,
    DIGITAL_LEVELS,
    ENTERPRISE_STATUSES,
    HITECH_FIELDS,
    PRODUCT_FIELDS,
    QUALIFICATION_KINDS,
    RD_INSTITUTION_LEVELS,
)
from .uploads import Upload


def validate_uscc(value: str) -> None:
    faults = uscc_faults(normalise(value))
    if faults:
        raise ValidationError("；".join(f.message for f in faults), code=faults[0].kind)


class Zone(models.TextChoices):
    """一区两群: the city's three planning areas (the two "群" split into their two groups)."""

    CENTRAL = "中心城区", _("Central urban area")
    NEW_MAIN = "主城新区", _("New main-city area")
    NORTHEAST = "渝东北三峡库区城镇群", _("Northeast Three Gorges reservoir group")
    SOUTHEAST = "渝东南武陵山区城镇群", _("Southeast Wuling mountain group")


class ReportingUnit(models.Model):
    """A 区县 (GB/T 2260 code) or a functional zone (两江新区 …) that reports separately."""

    class Kind(models.TextChoices):
        DISTRICT = "区", _("District")
        COUNTY = "县", _("County")
        AUTONOMOUS_COUNTY = "自治县", _("Autonomous county")
        FUNCTIONAL_ZONE = "功能区", _("Functional zone")

    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    zone = models.CharField(_("zone"), max_length=16, choices=Zone.choices, blank=True)

    class Meta:
        ordering = ["kind", "code", "name"]
        verbose_name = _("reporting unit")
        verbose_name_plural = _("reporting units")

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    class Status(models.TextChoices):
        ACTIVE = ENTERPRISE_STATUSES[0], _("Active")
        DEREGISTERED = ENTERPRISE_STATUSES[1], _("Deregistered")
        REVOKED = ENTERPRISE_STATUSES[2], _("Licence revoked")
        MOVED_OUT = ENTERPRISE_STATUSES[3], _("Moved out")

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField(_("name"), max_length=200)
    reporting_unit = models.ForeignKey(
        ReportingUnit, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("reporting unit")
    )
    registered_on = models.DateField(_("registered on"))
    hitech_field = models.CharField(
        _("high-tech field"), max_length=16, blank=True, choices=[(f, f) for f in HITECH_FIELDS]
    )
    industry_code = models.CharField(_("industry code"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [models.Index(fields=["reporting_unit", "name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class AnnualReport(models.Model):
    """One enterprise's figures for one fiscal year (the key is enterprise + fiscal year)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="reports", verbose_name=_("enterprise")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    staff_total = models.PositiveIntegerField(_("total staff"), null=True, blank=True)
    tech_staff = models.PositiveIntegerField(_("S&T staff"), null=True, blank=True)
    senior_tech_staff = models.PositiveIntegerField(_("senior S&T staff"), null=True, blank=True)
    revenue = models.BigIntegerField(_("sales revenue (yuan)"), null=True, blank=True)
    rd_expense = models.BigIntegerField(_("R&D expense (yuan)"), null=True, blank=True)
    rd_expense_domestic = models.BigIntegerField(_("R&D expense in China (yuan)"), null=True, blank=True)
    cost_total = models.BigIntegerField(_("total costs and expenses (yuan)"), null=True, blank=True)
    total_assets = models.BigIntegerField(_("total assets (yuan)"), null=True, blank=True)
    net_assets = models.BigIntegerField(_("net assets (yuan)"), null=True, blank=True)
    hitech_revenue = models.BigIntegerField(_("high-tech product revenue (yuan)"), null=True, blank=True)
    ip_class1 = models.PositiveIntegerField(_("class I IP items"), null=True, blank=True)
    ip_class2 = models.PositiveIntegerField(_("class II IP items"), null=True, blank=True)
    ip_self_developed = models.BooleanField(_("IP obtained by own R&D"), null=True, blank=True)
    conversions_3y = models.PositiveIntegerField(_("conversions in three years"), null=True, blank=True)
    flag_major_incident = models.BooleanField(_("major accident or serious environmental offence"), null=True, blank=True)
    flag_research_misconduct = models.BooleanField(_("serious research misconduct"), null=True, blank=True)
    flag_credit_blacklisted = models.BooleanField(_("on the serious dishonesty list"), null=True, blank=True)
    flag_abnormal_operation = models.BooleanField(_("on the abnormal operation list"), null=True, blank=True)
    flag_prohibited_industry = models.BooleanField(_("prohibited, restricted or obsolete industry"), null=True, blank=True)
    direct_national_award_top3 = models.BooleanField(_("national S&T award, top three"), null=True, blank=True)
    direct_provincial_rd_institution = models.BooleanField(_("provincial R&D institution"), null=True, blank=True)
    direct_led_standard = models.BooleanField(_("led a standard"), null=True, blank=True)
    rd_accounting = models.BooleanField(_("R&D accounting"), null=True, blank=True)
    rd_institution = models.BooleanField(_("internal R&D institution"), null=True, blank=True)
    conversion_incentives = models.BooleanField(_("conversion incentives"), null=True, blank=True)
    talent_development = models.BooleanField(_("talent development"), null=True, blank=True)
    standards_participation = models.BooleanField(_("took part in drafting standards"), null=True, blank=True)
    valuation_usd = models.BigIntegerField(_("latest valuation (USD)"), null=True, blank=True)
    financing_usd = models.BigIntegerField(_("financing raised (USD)"), null=True, blank=True)
    # -- the upper rungs (优质中小企业梯度培育, 科创属性): officer-recorded, all optional
    main_revenue = models.BigIntegerField(_("main business revenue (yuan)"), null=True, blank=True)
    net_profit = models.BigIntegerField(_("net profit (yuan)"), null=True, blank=True)
    equity_financing = models.BigIntegerField(_("new equity financing in the year (yuan)"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    sme_niche_years = models.PositiveIntegerField(_("years in the niche market"), null=True, blank=True)
    sme_market_share_pct = models.PositiveIntegerField(_("niche market share (percent)"), null=True, blank=True)
    sme_market_rank = models.PositiveIntegerField(_("national niche market rank"), null=True, blank=True)
    sme_market_leading = models.BooleanField(_("leading niche market position"), null=True, blank=True)
    sme_quality_score = models.PositiveIntegerField(_("SRDI development quality score"), null=True, blank=True)
    sme_rd_institution_level = models.CharField(  # noqa: DJ001 - NULL = not known (the importer keeps blanks as NULL)
        _("R&D institution level"), max_length=8, choices=[(c, c) for c in RD_INSTITUTION_LEVELS], null=True, blank=True
    )
    sme_chain_key_link = models.BooleanField(_("key link of the supply chain"), null=True, blank=True)
    sme_key_field = models.BooleanField(_("main product in a key field"), null=True, blank=True)
    sme_product_field = models.CharField(  # noqa: DJ001 - NULL = not known (the importer keeps blanks as NULL)
        _("main product field (SRDI score)"), max_length=16, choices=[(c, c) for c in PRODUCT_FIELDS], null=True,
        blank=True,
    )
    sme_strategic_emerging = models.BooleanField(_("strategic emerging industry"), null=True, blank=True)
    sme_digital_level = models.CharField(  # noqa: DJ001 - NULL = not known (the importer keeps blanks as NULL)
        _("digitalisation level"), max_length=4, choices=[(c, c) for c in DIGITAL_LEVELS], null=True, blank=True
    )
    sme_quality_items = models.PositiveIntegerField(_("quality management items"), null=True, blank=True)
    sme_local_points = models.PositiveIntegerField(_("local indicator points"), null=True, blank=True)
    sme_quality_certified = models.BooleanField(_("quality system or product certification"), null=True, blank=True)
    sme_own_brand = models.BooleanField(_("own brand"), null=True, blank=True)
    sme_info_system = models.BooleanField(_("core business on an information system"), null=True, blank=True)
    sme_innovation_honour = models.BooleanField(_("innovation or IP demonstration honour"), null=True, blank=True)
    sme_award_national_top3 = models.BooleanField(_("national S&T award in three years, top three"), null=True, blank=True)
    sme_award_provincial_top3 = models.BooleanField(
        _("provincial S&T award in three years, top three"), null=True, blank=True
    )
    sme_award_any = models.BooleanField(_("national or provincial S&T award in three years"), null=True, blank=True)
    sme_chuangke = models.CharField(  # noqa: DJ001 - NULL = not known (the importer keeps blanks as NULL)
        _("Maker China national group"), max_length=8, choices=[(c, c) for c in CHUANGKE_GROUPS], null=True, blank=True
    )
    sme_ip_class1_in_use = models.BooleanField(_("class I IP applied with economic benefit"), null=True, blank=True)
    sme_ip_class1_high_value = models.PositiveIntegerField(_("high-value class I IP items"), null=True, blank=True)
    sme_rereview = models.BooleanField(_("re-review"), null=True, blank=True)
    star_invention_patents = models.PositiveIntegerField(_("invention patents used in the main business"), null=True,
                                                         blank=True)
    star_software = models.BooleanField(_("software firm"), null=True, blank=True)
    star_revenue_exempt = models.BooleanField(_("fifth listing standard or red-chip"), null=True, blank=True)
    star_leading_tech = models.BooleanField(_("internationally leading core technology"), null=True, blank=True)
    star_national_award = models.BooleanField(_("national S&T prize as main participant"), null=True, blank=True)
    star_major_project = models.BooleanField(_("leads a national major S&T project"), null=True, blank=True)
    star_import_substitution = models.BooleanField(_("key product replaces imports"), null=True, blank=True)
    star_negative_list = models.BooleanField(_("restricted or prohibited STAR sector"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "-fiscal_year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "fiscal_year"], name="report_unique_enterprise_year"),
        ]
        indexes = [models.Index(fields=["fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.fiscal_year}"


def held_on(day, prefix: str = "") -> models.Q:
    """The one definition of "a firm holds this qualification on ``day``", as a query condition on
    :class:`Qualification` (``prefix``: the path to it from another model, e.g. ``"qualifications__"``).

    Held from the day it was issued (``valid_from``) to its expiry day included (``valid_to``; blank:
    without end). A revoked one ends on the day it was revoked (``applications.flows.revoke_qualification``
    writes that day as ``valid_to``), so revocation needs no condition of its own. Every count, page and
    rule that asks "held on D?" uses this (or :meth:`Qualification.is_valid_on` for one loaded row).
    """
    return models.Q(**{f"{prefix}valid_from__lte": day}) & (
        models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(**{f"{prefix}valid_to__gte": day}))


class QualificationQuerySet(models.QuerySet):
    def held_on(self, day) -> QualificationQuerySet:
        """The qualifications held on ``day`` (:func:`held_on`)."""
        return self.filter(held_on(day))


class Qualification(models.Model):
    """An official status held: 科技型企业入库, 高新技术企业 …, with its number and validity."""

    Kind = models.TextChoices("Kind", [(k, (k, label)) for k, label in QUALIFICATION_KINDS.items()])

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="qualifications", verbose_name=_("enterprise")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()
    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "kind", "-valid_from"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "kind", "valid_from"], name="qualification_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    def is_valid_on(self, day) -> bool:
        """Held on ``day``: the same rule as :func:`held_on`, for a row already loaded."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def state_on(self, day) -> str:
        """``held``, ``expired`` (from the day after its expiry) or ``pending`` (issued later)."""
        if day < self.valid_from:
            return "pending"
        return "expired" if self.valid_to is not None and day > self.valid_to else "held"


class ImportBatch(Upload):
    """One uploaded file of firms, annual reports and qualifications (the upload lifecycle: uploads.py)."""

    UPLOAD_FOLDER = "imports"
    IMPORTER = "keqi.registry.flows.run_import"
    PERMISSION = "registry.write"

    class Meta(Upload.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def summary_rows(self):
        s = self.summary
        return [(_("Enterprises"), s.get("enterprises", {})), (_("Annual reports"), s.get("reports", {})),
                (_("Qualifications"), s.get("qualifications", {}))]


class ExportFile(BackgroundWork):
    """A large export, written by the worker and downloaded when ready (small ones stream at once)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted")

    ACTIVE_STATUSES = (Status.RUNNING,)
    RERUN_HINT = "请重新导出。"

    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    enterprises = models.PositiveIntegerField(_("enterprises"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"export {self.pk}"
