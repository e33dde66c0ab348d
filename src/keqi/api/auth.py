"""Authentication of the API: ``Authorization: Bearer kq_…`` tokens (throttled) or the browser session."""

from ninja.security import HttpBearer

from keqi.accounts.scope import Scope, scope_for
from keqi.accounts.throttling import check_token
from keqi.accounts.tokens import user_for


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kq_…`` (create one with ``keqi token create USER``). Unknown or revoked
    tokens count as failed sign-ins of the address (:mod:`keqi.accounts.throttling`)."""

    def authenticate(self, request, token: str):
        user = user_for(token)
        check_token(request, token, user)
        if user is not None:
            request.user = user
        return user


def read_scope(request) -> Scope:
    """The caller's scope; ``PermissionDenied`` (403) when the role may not read the registry."""
    scope = scope_for(request.auth)
    scope.require_read()
    return scope


def scope_of(request) -> Scope:
    return scope_for(request.auth)
