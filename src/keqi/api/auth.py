from ninja.security import HttpBearer

from keqi.accounts.tokens import user_for


class TokenAuth(HttpBearer):
    """``Authorization: Bearer kq_…`` (create one with ``keqi token create USER``)."""

    def authenticate(self, request, token: str):
        user = user_for(token)
        if user is not None:
            request.user = user
        return user
