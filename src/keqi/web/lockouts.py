"""登录锁定: the city administrator sees failed sign-ins still counted and the locks, and lifts one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from keqi.accounts import throttling
from keqi.accounts.scope import scope_for


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request):
    scope = scope_for(request.user)
    if request.method == "POST":
        ip = request.POST.get("ip_address") or None
        n = throttling.lift(scope=scope, username=request.POST.get("username", ""), ip_address=ip)
        messages.success(request, "已解除锁定" if n else "没有需要解除的锁定")
        return redirect("lockouts")
    rows = throttling.recent_failures(scope=scope)
    return render(request, "web/lockouts.html", {
        "rows": rows, "limit": throttling.failure_limit(), "token_limit": throttling.failure_limit(
            credentials={"username": throttling.TOKEN_USERNAME}),
        "minutes": int(throttling.cooloff().total_seconds() // 60)})
