from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keqi.policy.fields import HITECH_FIELDS
from keqi.registry.models import ReportingUnit

from .ladder import LADDER
from .services import LADDER as EDITIONS


class ScreenForm(forms.Form):
    assess_on = forms.DateField(label=_("Assessment day"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.none(), required=False,
                                  empty_label=_("The whole city"))

    def __init__(self, *args, units=None, city=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assess_on"].initial = timezone.localdate()
        if units is not None:
            self.fields["unit"].queryset = units
        if not city:
            del self.fields["unit"]


class CandidateFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.none(), required=False,
                                  empty_label=_("All units"))
    next_tier = forms.ChoiceField(label=_("Next tier"), required=False,
                                  choices=[("", _("All tiers"))] + [(t.key, t.label) for t in LADDER[1:]])
    edition = forms.ChoiceField(label=_("Edition"), required=False,
                                choices=[("", _("All editions"))] + [(e, e) for e in EDITIONS])
    hitech_field = forms.ChoiceField(label=_("High-tech field"), required=False,
                                     choices=[("", _("All fields"))] + [(f, f) for f in HITECH_FIELDS])

    def __init__(self, *args, units=None, city=False, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if not city:
            del self.fields["unit"]
