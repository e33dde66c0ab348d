from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from keqi.registry.models import ReportingUnit


class LoanForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    amount = forms.IntegerField(label=_("Principal (yuan)"), min_value=1)
    annual_rate = forms.DecimalField(label=_("Annual rate (decimal, e.g. 0.0310)"), max_digits=6, decimal_places=4,
                                     min_value=Decimal("0.0001"))
    granted_on = forms.DateField(label=_("Granted on (YYYY-MM-DD)"))
    due_on = forms.DateField(label=_("Due on (YYYY-MM-DD)"))


class RepaymentForm(forms.Form):
    principal = forms.IntegerField(label=_("Principal (yuan)"), min_value=0, initial=0)
    interest = forms.IntegerField(label=_("Interest (yuan)"), min_value=0, initial=0)
    paid_on = forms.DateField(label=_("Paid on (YYYY-MM-DD)"))


class DefaultForm(forms.Form):
    on = forms.DateField(label=_("Overdue recorded on (YYYY-MM-DD)"))


class RecoveryForm(forms.Form):
    amount = forms.IntegerField(label=_("Recovered (yuan)"), min_value=1)
    on = forms.DateField(label=_("Recovered on (YYYY-MM-DD)"))


class ContributionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.all())
    amount = forms.IntegerField(label=_("Contribution (yuan)"), min_value=1)
    on = forms.DateField(label=_("Date (YYYY-MM-DD)"))


class PolicyForm(forms.Form):
    lpr_one_year = forms.DecimalField(label=_("Reference 1-year LPR (decimal)"), max_digits=6, decimal_places=4)
    breaker_loss_ratio = forms.DecimalField(label=_("Circuit-breaker loss ratio (decimal, not official)"),
                                            max_digits=6, decimal_places=4)
