from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keqi.accounts.widgets import DateField, PercentField, WanField
from keqi.registry.models import ReportingUnit


class LoanForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    amount = WanField(label=_("Principal (10k yuan)"), min_value=Decimal("0.0001"))
    annual_rate = PercentField(label=_("Annual rate (%, e.g. 3.10)"), min_value=Decimal("0.01"))
    granted_on = DateField(label=_("Granted on"))
    due_on = DateField(label=_("Due on"))


class RepaymentForm(forms.Form):
    principal = WanField(label=_("Principal (10k yuan)"), min_value=0, initial=0)
    interest = WanField(label=_("Interest (10k yuan)"), min_value=0, initial=0)
    paid_on = DateField(label=_("Paid on"))


class DefaultForm(forms.Form):
    on = DateField(label=_("Overdue recorded on"))


class RecoveryForm(forms.Form):
    amount = WanField(label=_("Recovered (10k yuan)"), min_value=Decimal("0.0001"))
    on = DateField(label=_("Recovered on"))


class ContributionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.all())
    amount = WanField(label=_("Contribution (10k yuan)"), min_value=Decimal("0.0001"))
    on = DateField(label=_("Date"))


class PolicyForm(forms.Form):
    lpr_one_year = PercentField(label=_("Reference 1-year LPR (%)"))
    breaker_loss_ratio = PercentField(label=_("Circuit-breaker loss ratio (%, not official)"))
