"""Creating users with a role (the CLI, the demo and tests use it).

A district officer or a registrar is bound to a reporting unit, an enterprise user to an enterprise:
by id (the callers look names and codes up in the registry, the layer above).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, Role


@transaction.atomic
def ensure_user(*, username: str, password: str, role: str, unit_id: int | None = None,
                enterprise_id: int | None = None, organisation: str = ""):
    """Create the user or bring it up to date; safe to run again."""
    if role not in Role.values:
        raise ValueError(f"未知角色：{role}（可选：{', '.join(Role.values)}）")
    if role in (Role.DISTRICT_OFFICER, Role.CONTRACT_REGISTRAR) and unit_id is None:
        raise ValueError("该角色需要指定区县（--unit）")
    if role == Role.ENTERPRISE_USER and enterprise_id is None:
        raise ValueError("企业用户需要指定企业（--enterprise）")
    if role == Role.BANK_OFFICER and not organisation:
        raise ValueError("银行工作人员需要指定所属银行（--organisation）")
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = user.is_superuser = role == Role.CITY_ADMIN
    user.save()
    Membership.objects.update_or_create(
        user=user, defaults={"role": role, "reporting_unit_id": unit_id, "enterprise_id": enterprise_id,
                            "organisation": organisation}
    )
    user.refresh_from_db()
    return user


def officers_for_unit(*, unit_id: int):
    """Active users who may be given cultivation work on firms of ``unit_id``: that unit's district
    officers, and the city administrators."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(membership__role=Role.DISTRICT_OFFICER, membership__reporting_unit_id=unit_id) | users.filter(
        membership__role=Role.CITY_ADMIN)
