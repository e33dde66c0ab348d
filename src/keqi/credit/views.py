"""Credit pages. Views translate HTTP to service calls and back; the rules live in the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keqi.accounts.scope import scope_for
from keqi.registry.models import Enterprise

from . import services
from .forms import ContributionForm, DefaultForm, LoanForm, PolicyForm, RecoveryForm, RepaymentForm
from .models import Loan


@login_required
def index(request):
    scope = scope_for(request.user)
    loans = services.with_outstanding(services.loans(scope=scope))[:200]
    return render(request, "credit/index.html", {
        "loans": [(loan, loan.owed) for loan in loans],
        "funds": services.funds(scope=scope), "policy": services.policy(),
        "is_bank": scope.may("credit.lend"), "is_city": scope.is_city,
    })


@login_required
def loan_new(request):
    scope = scope_for(request.user)
    scope.require("credit.lend")
    form = LoanForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")})
    standing = None
    code = (request.POST.get("uscc") or request.GET.get("uscc") or "").strip()
    if code:
        try:
            standing = services.standing(scope=scope, uscc=code)
        except Enterprise.DoesNotExist:
            form.add_error(None, _("No enterprise with this code in the registry."))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            loan = services.grant_loan(scope=scope, uscc=d["uscc"], amount=d["amount"],
                                       annual_rate=d["annual_rate"], granted_on=d["granted_on"],
                                       due_on=d["due_on"], user=request.user)
        except (services.CreditError, Enterprise.DoesNotExist) as exc:
            form.add_error(None, str(exc) if isinstance(exc, services.CreditError) else _("No enterprise with this code in the registry."))
        else:
            messages.success(request, _("The loan is recorded."))
            return redirect("credit:loan_detail", pk=loan.pk)
    return render(request, "credit/loan_new.html", {"form": form, "standing": standing,
                                                    "policy": services.policy()})


def _loan(request, pk):
    scope = scope_for(request.user)
    loan = services.loans(scope=scope).filter(pk=pk).first()
    if loan is None:
        raise Http404(_("No such loan in your scope."))
    return scope, loan


@login_required
def loan_detail(request, pk: int):
    scope, loan = _loan(request, pk)
    default = getattr(loan, "default", None) if loan.status == Loan.Status.COMPENSATED else None
    may_change = scope.owns_loan(loan.bank)
    return render(request, "credit/loan_detail.html", {
        "loan": loan, "outstanding": services.outstanding(loan), "repayments": loan.repayments.all(),
        "default": default, "recovered": services.recovered(loan) if default else 0,
        "may_change": may_change, "repayment_form": RepaymentForm(), "default_form": DefaultForm(),
        "recovery_form": RecoveryForm(),
    })


@login_required
@require_POST
def loan_action(request, pk: int, action: str):
    scope, loan = _loan(request, pk)
    forms = {"repay": RepaymentForm, "default": DefaultForm, "recover": RecoveryForm}
    if action not in forms:
        raise Http404()
    form = forms[action](request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("credit:loan_detail", pk=loan.pk)
    d = form.cleaned_data
    try:
        if action == "repay":
            services.record_repayment(scope=scope, loan_id=loan.pk, principal=d["principal"],
                                      interest=d["interest"], paid_on=d["paid_on"], user=request.user)
        elif action == "default":
            services.record_default(scope=scope, loan_id=loan.pk, on=d["on"], user=request.user)
        else:
            services.record_recovery(scope=scope, loan_id=loan.pk, amount=d["amount"], on=d["on"],
                                     user=request.user)
    except services.CreditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded."))
    return redirect("credit:loan_detail", pk=loan.pk)


@login_required
def fund_list(request):
    scope = scope_for(request.user)
    form = ContributionForm(request.POST or None)
    if request.method == "POST":
        scope.require("credit.contribute")
        if form.is_valid():
            d = form.cleaned_data
            services.contribute(scope=scope, unit_id=d["unit"].pk, amount=d["amount"], on=d["on"],
                                user=request.user)
            messages.success(request, _("Recorded."))
            return redirect("credit:funds")
    funds = services.funds(scope=scope)
    scope.require("credit.funds")
    return render(request, "credit/funds.html", {"funds": funds,
                                                 "form": form if scope.may("credit.contribute") else None,
                                                 "policy": services.policy()})


@login_required
def policy_edit(request):
    scope = scope_for(request.user)
    scope.require("credit.settings")
    p = services.policy()
    form = PolicyForm(request.POST or None, initial={"lpr_one_year": p.lpr_one_year,
                                                     "breaker_loss_ratio": p.breaker_loss_ratio})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_policy(scope=scope, user=request.user, **form.cleaned_data)
        except services.CreditError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("credit:index")
    return render(request, "credit/policy.html", {"form": form})


@login_required
def enterprise(request, uscc: str):
    """A firm's grade, credit line and loans (linked from the firm's page)."""
    scope = scope_for(request.user)
    try:
        standing = services.standing(scope=scope, uscc=uscc)
    except Enterprise.DoesNotExist:
        raise Http404(_("No such enterprise in your scope.")) from None
    loans = services.with_outstanding(services.loans(scope=scope).filter(enterprise=standing.enterprise))
    return render(request, "credit/enterprise.html", {
        "standing": standing, "loans": [(loan, loan.owed) for loan in loans],
        "is_bank": scope.may("credit.lend"),
    })
