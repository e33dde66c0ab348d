from django import forms
from django.utils.translation import gettext_lazy as _

from . import industries
from .columns import HITECH_FIELDS
from .models import Enterprise, Qualification, ReportingUnit


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.none(), required=False,
                                  empty_label=_("All units"))
    hitech_field = forms.ChoiceField(label=_("High-tech field"), required=False,
                                     choices=[("", _("All fields"))] + [(f, f) for f in HITECH_FIELDS])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses"))] + list(Enterprise.Status.choices))
    qualification = forms.ChoiceField(label=_("Qualification held"), required=False,
                                      choices=[("", _("Any"))] + list(Qualification.Kind.choices))
    industry = forms.ChoiceField(label="行业门类", required=False, choices=[("", "全部行业"), *industries.CHOICES])
    tier = forms.ChoiceField(label="当前梯次", required=False, choices=[("", "全部梯次")])

    def __init__(self, *args, units=None, tiers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if tiers:  # the ladder's (level, key, label), from registry.tiers
            self.fields["tier"].choices = [("", "全部梯次"), *((key, label) for _, key, label in tiers)]
        else:
            del self.fields["tier"]

