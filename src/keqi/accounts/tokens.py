"""API tokens: created for a user (shown once), stored as a SHA-256 hash, checked on each request."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken

PREFIX = "kq_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the record and the token text, which is not stored."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[len(PREFIX) : len(PREFIX) + 8],
                                    key_hash=_hash(key))
    return token, key


def user_for(key: str):
    """The active user a token belongs to, or None (unknown, revoked, or user deactivated)."""
    if not key or not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def revoke(*, user, prefix: str) -> int:
    return ApiToken.objects.filter(user=user, prefix=prefix, revoked=False).update(revoked=True)
