from django import forms
from django.utils.translation import gettext_lazy as _

from keqi.registry.columns import HITECH_FIELDS
from keqi.registry.models import ReportingUnit

from .categories import CATEGORIES
from .models import TechContract


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, title, party or code"), required=False)
    year = forms.IntegerField(label=_("Year registered"), required=False, min_value=1980, max_value=2100)
    unit = forms.ModelChoiceField(label=_("Registering unit"), queryset=ReportingUnit.objects.none(),
                                  required=False, empty_label=_("All units"))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories"))] + [(c, c) for c in CATEGORIES])
    hitech_field = forms.ChoiceField(label=_("High-tech field"), required=False,
                                     choices=[("", _("All fields"))] + [(f, f) for f in HITECH_FIELDS])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses"))] + list(TechContract.Status.choices))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class StatsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1980, max_value=2100)
    unit = forms.ModelChoiceField(label=_("Registering unit"), queryset=ReportingUnit.objects.none(),
                                  required=False, empty_label=_("All units"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
