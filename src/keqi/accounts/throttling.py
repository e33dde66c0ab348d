"""Sign-in throttling (django-axes): the policy, the API tokens' side of it, and its lifting.

The policy (settings ``KEQI_LOGIN_FAILURE_LIMIT``, default 5, ``KEQI_TOKEN_FAILURE_LIMIT``, default 20,
and ``KEQI_LOGIN_COOLOFF_MINUTES``, default 15):

- **passwords** (the login form and the admin's): after 5 wrong passwords for one user name from one
  address, that user name is locked *from that address* for 15 minutes — the right password too.
  Other addresses are not affected, so nobody can lock a colleague out from elsewhere. Each failure
  restarts the cool-off; a successful sign-in clears the count.
- **API tokens**: after 20 unknown or revoked tokens from one address, every token from that address
  is refused (429, with ``Retry-After``) for 15 minutes. (A token is 256 random bits, so guessing is
  hopeless anyway; the limit stops a scanner from costing the database a look-up per try, and is
  higher than the passwords' so that a script with a stale token does not lock its office at once.)

The city administrator sees who is locked (and recent failures) on the page 登录锁定
(``/accounts/lockouts/``, and in the admin under Axes) and may lift a lock there; it also lifts
itself after the cool-off.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

#: the user name under which failed API tokens are counted (per address)
TOKEN_USERNAME = "（API 令牌）"


class LockedOut(Exception):
    """Too many failed sign-ins from this address; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"失败的登录尝试过多，已暂时锁定，请 {math.ceil(retry_after / 60)} 分钟后再试，"
                         "或请市科技局管理员解除锁定")


def cooloff() -> dt.timedelta:
    return settings.AXES_COOLOFF_TIME


def failure_limit(request=None, credentials=None) -> int:
    """5 wrong passwords, 20 bad tokens (the settings)."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if username == TOKEN_USERNAME:
        return settings.KEQI_TOKEN_FAILURE_LIMIT
    return settings.KEQI_LOGIN_FAILURE_LIMIT


def lockout_parameters(request, credentials=None):
    """Both kinds are counted per (user name, address): a password's user name, or ``TOKEN_USERNAME``."""
    return [["username", "ip_address"]]


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked sign-in: a Chinese page (429), or the API's error shape."""
    seconds = int(cooloff().total_seconds())
    if request.path.startswith("/api/"):
        exc = LockedOut(seconds)
        response = JsonResponse({"detail": str(exc), "errors": {}}, status=429)
    else:
        response = render(request, "registration/locked.html",
                          {"minutes": math.ceil(seconds / 60), "limit": failure_limit(request, credentials)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def check_token(request, key: str, user) -> None:
    """Before a token is accepted: refuse when the address is locked; count the failure when ``user``
    is None (unknown, revoked or malformed token)."""
    if not settings.AXES_ENABLED:
        return
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {settings.AXES_USERNAME_FORM_FIELD: TOKEN_USERNAME}
    AxesProxyHandler.update_request(request)
    if AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut(int(cooloff().total_seconds()))
    if user is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            raise LockedOut(int(cooloff().total_seconds()))


@dataclass(frozen=True)
class Lock:
    id: int
    username: str
    ip_address: str | None
    failures: int
    last_attempt: dt.datetime
    locked: bool
    until: dt.datetime

    @property
    def is_token(self) -> bool:
        return self.username == TOKEN_USERNAME


def recent_failures(*, scope) -> list[Lock]:
    """Failed sign-ins still counted (within the cool-off), grouped by user name and address, locked
    ones first. City administrator only."""
    from axes.models import AccessAttempt
    from django.core.exceptions import PermissionDenied

    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以查看登录锁定")
    since = timezone.now() - cooloff()
    groups: dict[tuple[str, str | None], Lock] = {}
    for a in AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time"):
        key = (a.username or "", a.ip_address)
        prev = groups.get(key)
        failures = a.failures_since_start + (prev.failures if prev else 0)
        last = max(a.attempt_time, prev.last_attempt) if prev else a.attempt_time
        limit = failure_limit(credentials={settings.AXES_USERNAME_FORM_FIELD: key[0]})
        groups[key] = Lock(id=prev.id if prev else a.pk, username=key[0], ip_address=a.ip_address,
                           failures=failures, last_attempt=last, locked=failures >= limit, until=last + cooloff())
    return sorted(groups.values(), key=lambda lock: (not lock.locked, -lock.last_attempt.timestamp()))


def lift(*, scope, username: str, ip_address: str | None) -> int:
    """Lift a lock (forget the failures of a user name from an address). City administrator only."""
    from axes.models import AccessAttempt
    from django.core.exceptions import PermissionDenied

    if not scope.is_city:
        raise PermissionDenied("只有市科技局管理员可以解除登录锁定")
    deleted, _ = AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
    return deleted
