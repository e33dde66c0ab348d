"""Forms of the application and filing pages (ISO dates, Chinese labels and messages)."""

from __future__ import annotations

from django import forms

from keqi.accounts.widgets import DateField
from keqi.policy import workflows


def _programmes():
    return [("", "全部项目"), *workflows.application_programmes().items()]


class ApplicationFilterForm(forms.Form):
    programme = forms.ChoiceField(label="项目", required=False, choices=_programmes)
    phase = forms.ChoiceField(label="环节", required=False,
                              choices=[("", "全部环节"), *((k, v) for k, v in workflows.PHASES.items())])
    q = forms.CharField(label="企业名称或代码", required=False, max_length=100)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    unit = forms.ModelChoiceField(label="区县", required=False, queryset=None, empty_label="全部区县")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units is None or units.count() <= 1:
            del self.fields["unit"]


class StartForm(forms.Form):
    programme = forms.ChoiceField(label="申报项目", choices=lambda: list(workflows.application_programmes().items()))
    filing = forms.ModelChoiceField(label="所附年度填报", queryset=None, required=False, empty_label="（最近一期）")

    def __init__(self, *args, filings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing"].queryset = filings
        self.fields["filing"].label_from_instance = lambda f: f"{f.fiscal_year}年度（{f.state_label}）"


class AttachmentForm(forms.Form):
    label = forms.CharField(label="材料名称", max_length=100)
    file = forms.FileField(label="文件（PDF、PNG 或 JPEG）")


class BatchForm(forms.Form):
    programme = forms.ChoiceField(label="项目", choices=lambda: [
        (w.programme, w.title) for w in workflows.all_workflows() if w.decided_in_keqi and w.publicity])
    opens_on = DateField(label="公示开始日期")
    working_days = forms.IntegerField(label="公示期（工作日）", min_value=1, max_value=60, required=False,
                                      help_text="留空则用该项目定义的默认天数")
    title = forms.CharField(label="批次名称", max_length=120, required=False, help_text="留空自动命名")


class ObjectionForm(forms.Form):
    received_on = DateField(label="收到日期")
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WindowForm(forms.Form):
    fiscal_year = forms.IntegerField(label="填报年度", min_value=2000, max_value=2100)
    opens_on = DateField(label="开始日期")
    closes_on = DateField(label="截止日期")


class CalendarForm(forms.Form):
    confirmed = forms.BooleanField(label="已依据官方通知核实", required=False)
    document = forms.CharField(label="依据的通知（名称、文号）", max_length=200, required=False)
    source = forms.CharField(label="来源", max_length=300, required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)
    holidays = forms.CharField(label="放假日期（每行一段，如“2025-10-01至2025-10-08 国庆节、中秋节”或“2025-01-01 元旦”）", required=False,
                               widget=forms.Textarea(attrs={"rows": 8}))
    workdays = forms.CharField(label="调休上班日期（每行一个，如“2025-09-28”）", required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
