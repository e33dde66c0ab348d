"""Contract pages. Views translate HTTP to service calls and back; the rules live in the services."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from keqi.accounts.scope import scope_for
from keqi.registry.downloads import xlsx_response
from keqi.registry.models import Enterprise
from keqi.registry.upload_views import UploadPages

from . import exporting, services
from .forms import ContractFilterForm, StatsForm
from .models import ContractImport

PAGE_SIZE = 50


def _filters(request, scope):
    form = ContractFilterForm(request.GET or None, units=services.units_visible(scope=scope))
    f = services.ContractFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = services.ContractFilter(q=d["q"].strip(), unit_id=d["unit"].pk if d["unit"] else None,
                                    category=d["category"], hitech_field=d["hitech_field"], status=d["status"],
                                    year=d["year"])
    return form, f


@login_required
def contract_list(request):
    scope = scope_for(request.user)
    form, f = _filters(request, scope)
    qs = services.contracts(scope=scope, filters=f).order_by("-registered_on", "number")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contracts/contract_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count,
        "can_write": scope.may("contracts.write"),
    })


@login_required
def contract_export(request):
    scope = scope_for(request.user)
    _form, f = _filters(request, scope)
    frame = services.export_frame(scope=scope, queryset=services.contracts(scope=scope, filters=f))
    tmp = Path(tempfile.mkdtemp()) / "contracts.xlsx"
    exporting.write_export(tmp, frame)
    return xlsx_response(tmp, f"技术合同-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def template_download(request):
    scope_for(request.user).require("contracts.read")
    tmp = Path(tempfile.mkdtemp()) / "template.xlsx"
    exporting.write_template(tmp)
    return xlsx_response(tmp, "技术合同导入模板.xlsx")


@login_required
def statistics(request):
    scope = scope_for(request.user)
    years = services.years_with_contracts(scope=scope)
    default_year = years[0] if years else timezone.localdate().year
    form = StatsForm(request.GET or {"year": default_year}, units=services.units_visible(scope=scope))
    year, unit_id = default_year, None
    if form.is_valid():
        year = form.cleaned_data["year"]
        unit_id = form.cleaned_data["unit"].pk if form.cleaned_data["unit"] else None
    tables = {by: services.turnover_by(scope=scope, year=year, by=by, unit_id=unit_id)
              for by in services.BREAKDOWNS}
    return render(request, "contracts/statistics.html", {
        "form": form, "year": year, "tables": tables, "years": years,
        "turnover": services.turnover(scope=scope, year=year, unit_id=unit_id),
        "technical": services.technical_turnover(scope=scope, year=year, unit_id=unit_id),
        "titles": {"month": _("By month"), "unit": _("By registering unit"), "category": _("By category"),
                   "field": _("By high-tech field")},
    })


@login_required
def enterprise_contracts(request, uscc: str):
    """A firm's contracts as seller or buyer (linked from the firm's page)."""
    scope = scope_for(request.user)
    qs = services.enterprise_contracts(scope=scope, uscc=uscc).order_by("-registered_on", "number")
    # The registry's record only for who may read it; otherwise the page is the contracts the caller may
    # read, and a code with none of them is a 404 (whether it exists or not: nothing to tell). An enterprise
    # user sees its own firm's page only.
    firm = scope.enterprises(Enterprise.objects.all()).filter(uscc=uscc.strip().upper()).first()
    if firm is None and (not scope.may_see_firm_contracts(None) or not qs.exists()):
        raise Http404(_("No such enterprise in your scope."))
    return render(request, "contracts/enterprise.html", {"uscc": uscc.upper(), "firm": firm, "contracts": qs})


# The upload lifecycle's pages (registry/upload_views.py): history, upload, detail, confirm, check again.
uploads = UploadPages(
    model=ContractImport, namespace="contracts", list_title=_lazy("Contract imports"),
    upload_title=_lazy("Import technology contracts"),
    intro=_lazy("Fill in the template (one row per registered contract) and upload it. The file is checked first "
                "and nothing changes until you confirm the import; a file with any error changes nothing. The "
                "registration number is the key, so importing the same file again changes nothing and a corrected "
                "file updates the contracts in place."),
    template_url="contracts:template",
    done_links=((_lazy("See the contracts"), "contracts:list"), (_lazy("Turnover statistics"), "contracts:statistics")),
)
