from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keqi.accounts.widgets import DateField
from keqi.pipeline.services import current_ladder
from keqi.policy.editions import EDITION_IDS
from keqi.policy.fields import HITECH_FIELDS
from keqi.policy.labels import edition_label
from keqi.registry import industries
from keqi.registry.models import ReportingUnit

from .services import PLANNED_CHOICES


class ScreenForm(forms.Form):
    assess_on = DateField(label=_("Assessment day"))
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.none(), required=False,
                                  empty_label=_("The whole city"))

    def __init__(self, *args, units=None, city=False, day: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # today, or the day a link asks for (/screening/?on=2025-06-30), as the page comes
        try:
            self.fields["assess_on"].initial = self.fields["assess_on"].to_python(day) or timezone.localdate()
        except forms.ValidationError:
            self.fields["assess_on"].initial = timezone.localdate()
        if units is not None:
            self.fields["unit"].queryset = units
        if not city:
            del self.fields["unit"]


class CandidateFilterForm(forms.Form):
    """The candidate list's filters (the service checks the same values again for the API)."""

    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=ReportingUnit.objects.none(), required=False,
                                  empty_label=_("All units"))
    next_tier = forms.ChoiceField(label=_("Next tier"), required=False)
    hitech_field = forms.ChoiceField(label=_("High-tech field"), required=False,
                                     choices=[("", _("All fields"))] + [(f, f) for f in HITECH_FIELDS])
    industry = forms.ChoiceField(label="行业门类", required=False, choices=[("", "全部行业"), *industries.CHOICES])
    planned = forms.ChoiceField(label="培育工作", required=False,
                                choices=[("", "全部"), *PLANNED_CHOICES.items()])
    edition = forms.ChoiceField(label=_("Edition"), required=False)

    def __init__(self, *args, units=None, city=False, planning=False, **kwargs):
        super().__init__(*args, **kwargs)
        # the ladder is data the city may edit: read it when the form is built, not at import
        self.fields["next_tier"].choices = [("", _("All tiers"))] + [(t.key, t.label)
                                                                     for t in current_ladder().tiers[1:]]
        self.fields["edition"].choices = [("", _("All editions"))] + [
            (e, edition_label(e)) for e in EDITION_IDS]
        if units is not None:
            self.fields["unit"].queryset = units
        if not city:
            del self.fields["unit"]
        if not planning:  # only the roles that plan cultivation work see whether it is planned
            del self.fields["planned"]
