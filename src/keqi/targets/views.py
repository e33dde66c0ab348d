"""Targets pages: progress toward every target the user may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from keqi.accounts.scope import scope_for

from . import services


@login_required
def overview(request):
    scope = scope_for(request.user)
    if not scope.can_read_registry:
        raise PermissionDenied(_("Your role cannot see the targets."))
    today = timezone.localdate()
    try:
        on = dt.date.fromisoformat(request.GET.get("on") or today.isoformat())
    except ValueError:
        on = today
    years = services.years(scope=scope)
    try:
        year = int(request.GET.get("year") or (on.year if on.year in years else max(years, default=on.year)))
    except ValueError:
        year = on.year
    rows = services.progress(scope=scope, year=year, on=on)
    return render(request, "targets/overview.html", {"rows": rows, "year": year, "years": years, "on": on})
