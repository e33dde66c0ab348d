from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from keqi.accounts.widgets import DateField

from .models import CultivationTask


class TaskForm(forms.Form):
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    kind = forms.ChoiceField(label=_("Kind"), choices=CultivationTask.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    assigned_to = forms.ModelChoiceField(label=_("Assigned to"), queryset=get_user_model().objects.none())
    due_on = DateField(label=_("Due on"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["assigned_to"].queryset = users


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CultivationTask.Status.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CultivationTask.Outcome.choices, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
