from django.core.exceptions import PermissionDenied
from ninja.errors import HttpError
from ninja.security import HttpBearer

from keqi.accounts.scope import Scope, scope_for
from keqi.accounts.tokens import user_for


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kq_…`` (create one with ``keqi token create USER``)."""

    def authenticate(self, request, token: str):
        user = user_for(token)
        if user is not None:
            request.user = user
        return user


def read_scope(request) -> Scope:
    """The caller's scope; 403 when the role may not read the registry."""
    scope = scope_for(request.auth)
    try:
        scope.require_read()
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return scope
