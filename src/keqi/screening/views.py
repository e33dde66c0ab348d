"""Screening pages: a firm judged against every edition, on a chosen day."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from keqi.accounts.scope import scope_for
from keqi.registry.models import Enterprise

from . import services


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def enterprise_evaluation(request, uscc: str):
    scope = scope_for(request.user)
    scope.require_read()
    assess_on = _day(request.GET.get("on"))
    try:
        firm = Enterprise.objects.select_related("reporting_unit").get(
            pk__in=scope.enterprises(Enterprise.objects.filter(uscc=uscc.upper())).values("pk"))
        verdicts = services.evaluate_enterprise(scope=scope, uscc=uscc, assess_on=assess_on)
    except Enterprise.DoesNotExist:
        raise Http404(_("No such enterprise in your scope.")) from None
    return render(request, "screening/enterprise_evaluation.html",
                  {"enterprise": firm, "verdicts": verdicts, "assess_on": assess_on})
