from .scope import scope_for


def role(request):
    """Templates see the signed-in user's scope as ``scope``."""
    user = getattr(request, "user", None)
    return {"scope": scope_for(user)}
