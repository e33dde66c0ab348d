"""Pages that compose several apps: the start page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from keqi.accounts.scope import scope_for
from keqi.pipeline import figures
from keqi.registry import services
from keqi.registry.models import AnnualReport


@login_required
def home(request):
    scope = scope_for(request.user)
    context = {"scope": scope}
    if scope.can_read_registry:
        firms = services.enterprises(scope=scope)
        counted = figures.counts(scope=scope, on=timezone.localdate())  # the one counting service
        context.update(
            counts=counted,
            enterprise_count=counted.firms,
            report_years=list(
                AnnualReport.objects.filter(scope.enterprise_q())
                .values("fiscal_year").annotate(n=Count("pk")).order_by("-fiscal_year")[:5]
            ),
            qualifications=[{"kind": k, "n": n} for k, n in counted.holders.items() if n],
            qualification_labels={k: figures.holders_label(k) for k in counted.holders},
        )
        if scope.enterprise_id:
            context["own_enterprise"] = firms.first()
    return render(request, "web/home.html", context)
