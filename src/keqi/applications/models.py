"""Annual filings and applications: the cases that firms open and officers review.

Every case runs under one workflow definition (``keqi.policy.workflows``), named by ``workflow``;
its ``state`` is one of that definition's states. ``version`` is the optimistic lock: a transition
updates a case only if nobody changed it since it was read, so two officers acting on one
application at once cannot both succeed. Every transition is recorded (who, as which actor, when,
from which state to which, and why) in an event row.

``reporting_unit`` is the firm's unit when the case was opened (the unit that reviews it), kept on
the case so that an officer's queue is one index look-up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .storage import private_storage


class Case(models.Model):
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="企业")
    reporting_unit = models.ForeignKey("registry.ReportingUnit", on_delete=models.PROTECT, related_name="+",
                                       verbose_name="审核区县")
    workflow = models.CharField("流程定义", max_length=32)
    state = models.CharField("状态", max_length=24)
    version = models.PositiveIntegerField("版本", default=0)
    state_since = models.DateTimeField("进入当前状态时间")
    due_on = models.DateField("当前环节办理期限", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="创建人")
    submitted_at = models.DateTimeField("最近提交时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def definition(self):
        from keqi.policy import workflows

        return workflows.get(self.workflow)

    @property
    def state_label(self) -> str:
        return self.definition.state(self.state).label


class AnnualFiling(Case):
    """A firm's figures for one fiscal year, as it typed them (``entries``: field → text, the import
    template's fields and units), until it submits them into the registry."""

    fiscal_year = models.PositiveSmallIntegerField("年度")
    entries = models.JSONField("填报内容", default=dict, blank=True)

    class Meta:
        verbose_name = "年度填报"
        verbose_name_plural = "年度填报"
        constraints = [models.UniqueConstraint(fields=["enterprise", "fiscal_year"], name="filing_unique_year")]
        indexes = [models.Index(fields=["reporting_unit", "fiscal_year", "state"]),
                   models.Index(fields=["fiscal_year", "state"])]

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度填报 · {self.enterprise_id}"


class PublicityBatch(models.Model):
    """A 公示 batch: applications of one programme published together, with an objection window
    counted in working days from ``opens_on`` (``closes_on`` is its last day)."""

    class Status(models.TextChoices):
        OPEN = "open", "公示中"
        CONCLUDED = "concluded", "已办结"

    programme = models.CharField("项目", max_length=24)
    title = models.CharField("批次名称", max_length=120)
    opens_on = models.DateField("公示开始日期")
    working_days = models.PositiveSmallIntegerField("公示期（工作日）")
    closes_on = models.DateField("公示截止日期")
    calendar_note = models.CharField("日历说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = "公示批次"
        verbose_name_plural = "公示批次"

    def __str__(self) -> str:
        return self.title


class Application(Case):
    """An application for a programme: decided in KeQi (重庆市科技型企业入库) or tracked (decided elsewhere)."""

    class SiteCheck(models.TextChoices):
        NONE = "", "—"
        PASSED = "passed", "通过"
        FAILED = "failed", "不通过"

    programme = models.CharField("项目", max_length=24)
    year = models.PositiveSmallIntegerField("申报年度")
    filing = models.ForeignKey(AnnualFiling, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="所附年度填报")
    guidance_task = models.ForeignKey("pipeline.CultivationTask", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="applications", verbose_name="申报辅导工作")
    site_check_required = models.BooleanField("需实地核查", default=False)
    site_check_reasons = models.JSONField("实地核查原因", default=list, blank=True)
    site_check_result = models.CharField("实地核查结果", max_length=8, choices=SiteCheck.choices, blank=True)
    evaluation = models.JSONField("提交时自评结果", default=dict, blank=True)
    batch = models.ForeignKey(PublicityBatch, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="applications", verbose_name="公示批次")
    qualification = models.ForeignKey("registry.Qualification", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name="取得的资质")
    number = models.CharField("证书编号/入库登记编号", max_length=64, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        indexes = [  # the lists: newest change first, over the city, a unit, a firm or a state
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["reporting_unit", "updated_at", "id"]),
            models.Index(fields=["state", "updated_at", "id"]),
            models.Index(fields=["enterprise", "programme"]),
            models.Index(fields=["batch", "state"]),
        ]

    def __str__(self) -> str:
        return f"申报 {self.pk}"

    @property
    def title(self) -> str:
        return self.definition.title


class Event(models.Model):
    """One transition: who (user, and as which actor), when, from which state to which, and why."""

    at = models.DateTimeField("时间")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name="操作人")
    actor = models.CharField("身份", max_length=12)
    action = models.CharField("操作", max_length=32)
    from_state = models.CharField("原状态", max_length=24, blank=True)
    to_state = models.CharField("新状态", max_length=24)
    reason = models.TextField("原因或说明", blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)

    class Meta:
        abstract = True


class ApplicationEvent(Event):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events",
                                    verbose_name="申报")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "申报办理记录"
        verbose_name_plural = "申报办理记录"

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class FilingEvent(Event):
    filing = models.ForeignKey(AnnualFiling, on_delete=models.CASCADE, related_name="events", verbose_name="年度填报")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "填报办理记录"
        verbose_name_plural = "填报办理记录"

    def __str__(self) -> str:
        return f"{self.filing_id} {self.action}"


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "处理中"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections",
                                    verbose_name="申报")
    batch = models.ForeignKey(PublicityBatch, on_delete=models.PROTECT, related_name="objections",
                              verbose_name="公示批次")
    received_on = models.DateField("收到日期")
    content = models.TextField("异议内容")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("处理意见", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return f"异议 {self.application_id}"


class Attachment(models.Model):
    """A PDF or image attached to an application, kept in the private folder (never the web root)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments",
                                    verbose_name="申报")
    label = models.CharField("材料名称", max_length=100)
    original_name = models.CharField("文件名", max_length=255)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    file = models.FileField("文件", storage=private_storage, upload_to="attachments/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "申报材料"
        verbose_name_plural = "申报材料"

    def __str__(self) -> str:
        return self.label


class FilingWindow(models.Model):
    """When firms file a fiscal year's figures (set by the city administrator)."""

    fiscal_year = models.PositiveSmallIntegerField("年度", unique=True)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="设置人")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = "年度填报期"
        verbose_name_plural = "年度填报期"

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度填报：{self.opens_on:%Y-%m-%d} 至 {self.closes_on:%Y-%m-%d}"


class Notice(models.Model):
    """An in-app message (reminders, decisions) for one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name="接收人")
    text = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class CalendarYear(models.Model):
    """One year's holiday arrangement as KeQi uses it: seeded from ``keqi.policy.workdays``,
    corrected or completed by the city administrator (every change kept)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    confirmed = models.BooleanField("已核实", default=False)
    document = models.CharField("通知", max_length=200, blank=True)
    source = models.CharField("来源", max_length=300, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    edited = models.BooleanField("经管理员修改", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = "工作日历年度"
        verbose_name_plural = "工作日历年度"

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年份")
    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    name = models.CharField("节日", max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = "节假日或调休日"
        verbose_name_plural = "节假日与调休日"

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class NumberSequence(models.Model):
    """The last serial used for a key (e.g. ``cq-tech/2026/500112``): numbers are never reused."""

    key = models.CharField(max_length=64, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"
