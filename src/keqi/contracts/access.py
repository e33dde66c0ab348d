"""Who may read and register technology contracts: the role rules of this app, in one place.

- city administrator: every contract, may register for any unit;
- contract registrar (技术合同登记机构): the contracts of its own reporting unit, read and write;
- district officer: reads its own unit's contracts;
- enterprise user: reads the contracts its firm sold or bought;
- bank officer and anyone else: nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from keqi.accounts.models import Role
from keqi.accounts.scope import Scope
from keqi.registry.models import Enterprise


def can_read(scope: Scope) -> bool:
    return scope.role in (Role.CITY_ADMIN, Role.CONTRACT_REGISTRAR, Role.DISTRICT_OFFICER, Role.ENTERPRISE_USER)


def can_write(scope: Scope) -> bool:
    return scope.role in (Role.CITY_ADMIN, Role.CONTRACT_REGISTRAR)


def require_read(scope: Scope) -> None:
    if not can_read(scope):
        raise PermissionDenied(_("Your role cannot read technology contracts."))


def require_write(scope: Scope) -> None:
    if not can_write(scope):
        raise PermissionDenied(_("Your role cannot register technology contracts."))


def may_write_unit(scope: Scope, unit_id: int | None) -> bool:
    if scope.role == Role.CITY_ADMIN:
        return True
    return scope.role == Role.CONTRACT_REGISTRAR and unit_id is not None and unit_id == scope.unit_id


def visible(scope: Scope, qs: QuerySet) -> QuerySet:
    """Filter a queryset of contracts down to what ``scope`` may read."""
    if scope.role == Role.CITY_ADMIN:
        return qs
    if scope.role in (Role.CONTRACT_REGISTRAR, Role.DISTRICT_OFFICER):
        return qs.filter(reporting_unit_id=scope.unit_id) if scope.unit_id else qs.none()
    if scope.role == Role.ENTERPRISE_USER and scope.enterprise_id:
        # By code, not only by link: a contract registered before the firm entered the registry counts too.
        code = Enterprise.objects.filter(pk=scope.enterprise_id).values("uscc")
        return qs.filter(Q(seller_uscc__in=code) | Q(buyer_uscc__in=code))
    return qs.none()
