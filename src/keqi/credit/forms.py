from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keqi.accounts.widgets import DateField
from keqi.registry.models import ReportingUnit


class LoanForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    amount = forms.IntegerField(label=_("Principal (yuan)"), min_value=1)
    annual_rate = forms.DecimalField(label=_("Annual rate (decimal, e.g. 0.0310)"), max_digits=6, decimal_places=4,
                                     min_value=Decimal("0.0001"))
    granted_on = DateField(label=_("Granted on"))
    due_on = DateField(label=_("Due on"))


class RepaymentForm(forms.Form):
    principal = forms.IntegerField(label=_("Principal (yuan)"), min_value=0, initial=0)
    interest = forms.IntegerField(label=_("Interest (yuan)"), min_value=0, initial=0)
    paid_on = DateField(label=_("Paid on"))


class DefaultForm(forms.Form):
    on = DateField(label=_("Overdue recorded on"))


class RecoveryForm(forms.Form):
    amount = forms.IntegerField(label=_("Recovered (yuan)"), min_value=1)
    on = DateField(label=_("Recovered on"))


class ContributionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.all())
    amount = forms.IntegerField(label=_("Contribution (yuan)"), min_value=1)
    on = DateField(label=_("Date"))


class PolicyForm(forms.Form):
    lpr_one_year = forms.DecimalField(label=_("Reference 1-year LPR (decimal)"), max_digits=6, decimal_places=4)
    breaker_loss_ratio = forms.DecimalField(label=_("Circuit-breaker loss ratio (decimal, not official)"),
                                            max_digits=6, decimal_places=4)
