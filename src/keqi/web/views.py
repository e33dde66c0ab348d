"""Pages that compose several apps: the start page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from keqi.accounts.scope import scope_for
from keqi.registry import services
from keqi.registry.models import AnnualReport, Qualification


@login_required
def home(request):
    scope = scope_for(request.user)
    context = {"scope": scope}
    if scope.can_read_registry:
        firms = services.enterprises(scope=scope)
        context.update(
            enterprise_count=firms.count(),
            report_years=list(
                AnnualReport.objects.filter(scope.enterprise_q())
                .values("fiscal_year").annotate(n=Count("pk")).order_by("-fiscal_year")[:5]
            ),
            qualifications=list(
                Qualification.objects.filter(scope.enterprise_q())
                .values("kind").annotate(n=Count("enterprise", distinct=True)).order_by("kind")
            ),
            qualification_labels=dict(Qualification.Kind.choices),
        )
        if scope.enterprise_id:
            context["own_enterprise"] = firms.first()
    return render(request, "web/home.html", context)
