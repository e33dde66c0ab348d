"""What a user may see and change: the one place where roles become query filters.

Every service that reads or writes registry data takes a :class:`Scope` (built by
:func:`scope_for`), so the rule "a district officer sees and changes only its own reporting unit"
holds for pages, the API, the CLI and background tasks alike, not only in views.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .models import Role


@dataclass(frozen=True)
class Scope:
    role: str
    unit_id: int | None = None
    enterprise_id: int | None = None
    user_id: int | None = None

    @property
    def is_city(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def can_read_registry(self) -> bool:
        return self.role in (Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.ENTERPRISE_USER)

    @property
    def can_write_registry(self) -> bool:
        return self.role in (Role.CITY_ADMIN, Role.DISTRICT_OFFICER)

    def enterprises(self, qs: QuerySet) -> QuerySet:
        """Filter a queryset of enterprises down to what this scope may read."""
        if self.role == Role.CITY_ADMIN:
            return qs
        if self.role == Role.DISTRICT_OFFICER:
            return qs.filter(reporting_unit_id=self.unit_id)
        if self.role == Role.ENTERPRISE_USER:
            return qs.filter(pk=self.enterprise_id)
        return qs.none()

    def enterprise_q(self, path: str = "enterprise__") -> Q:
        """The limits of :meth:`enterprises` as a condition on rows that point at an enterprise through
        ``path``: none for the city, so the database need not match every firm's id (a semi-join over
        100,000 firms costs most of a second on the start page)."""
        if self.role == Role.CITY_ADMIN:
            return Q()
        if self.role == Role.DISTRICT_OFFICER:
            return Q(**{f"{path}reporting_unit_id": self.unit_id})
        if self.role == Role.ENTERPRISE_USER:
            return Q(**{f"{path}pk": self.enterprise_id})
        return Q(pk__in=[])

    def units(self, qs: QuerySet) -> QuerySet:
        if self.role == Role.CITY_ADMIN:
            return qs
        if self.role == Role.DISTRICT_OFFICER:
            return qs.filter(pk=self.unit_id)
        return qs.none()

    def may_write_unit(self, unit_id: int) -> bool:
        if self.role == Role.CITY_ADMIN:
            return True
        return self.role == Role.DISTRICT_OFFICER and unit_id == self.unit_id

    # -- applications and annual filings (keqi.applications): a case belongs to a firm and is reviewed by
    # the unit it was opened in; its workflow names the actors ("firm", "district", "city") who may act.

    def cases(self, qs: QuerySet) -> QuerySet:
        """Filter a queryset of cases (applications, filings) down to what this scope may read."""
        if self.role == Role.CITY_ADMIN:
            return qs
        if self.role == Role.DISTRICT_OFFICER:
            return qs.filter(reporting_unit_id=self.unit_id)
        if self.role == Role.ENTERPRISE_USER:
            return qs.filter(enterprise_id=self.enterprise_id)
        return qs.none()

    def actor_for(self, *, unit_id: int | None, enterprise_id: int | None) -> str | None:
        """As whom this user acts on a case of that firm and unit: ``city``, ``district``, ``firm`` or None."""
        if self.role == Role.CITY_ADMIN:
            return "city"
        if self.role == Role.DISTRICT_OFFICER and unit_id is not None and unit_id == self.unit_id:
            return "district"
        if self.role == Role.ENTERPRISE_USER and enterprise_id is not None and enterprise_id == self.enterprise_id:
            return "firm"
        return None

    @property
    def can_review(self) -> bool:
        """Reviews cases (the district's queue, the city's batches)."""
        return self.role in (Role.CITY_ADMIN, Role.DISTRICT_OFFICER)

    def require_read(self) -> None:
        if not self.can_read_registry:
            raise PermissionDenied(_("Your role cannot read the enterprise registry."))

    def require_write(self) -> None:
        if not self.can_write_registry:
            raise PermissionDenied(_("Your role cannot change the enterprise registry."))

    def require_write_unit(self, unit_id: int) -> None:
        if not self.may_write_unit(unit_id):
            raise PermissionDenied(_("You may only change enterprises of your own reporting unit."))


# The trusted operator at the shell (``keqi import`` without ``--as``): the whole city.
SYSTEM = Scope(role=Role.CITY_ADMIN)


def scope_for(user) -> Scope:
    """The scope of a signed-in user; anonymous users and users without a role see nothing."""
    if user is None or not user.is_authenticated:
        return Scope(role="none")
    if user.is_superuser:
        return Scope(role=Role.CITY_ADMIN, user_id=user.pk)
    membership = getattr(user, "membership", None)
    if membership is None:
        return Scope(role="none", user_id=user.pk)
    return Scope(
        role=membership.role,
        unit_id=membership.reporting_unit_id,
        enterprise_id=membership.enterprise_id,
        user_id=user.pk,
    )
