"""What a user may see and do: every role rule of KeQi, in one place.

A :class:`Scope` is built once from the signed-in user (:func:`scope_for`) and handed to every
service. It answers two kinds of question, and nothing else in the code base looks at a role:

- *may this user do X?* — :data:`RULES` lists every action, the roles allowed to take it and the
  message a refusal shows; ``scope.may(action)`` answers, ``scope.require(action)`` refuses with
  ``PermissionDenied`` (the pages and the API turn it into a 403, the CLI into exit code 2);
- *which rows may it see?* — the filters (:meth:`Scope.enterprises`, :meth:`Scope.units`,
  :meth:`Scope.contracts`, :meth:`Scope.loans` …) turn the role into query conditions,

so "a district officer sees and changes only its own reporting unit" holds for pages, the API, the
CLI and background tasks alike. The trusted shell operator uses :data:`SYSTEM` (the whole city).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role

CITY, DISTRICT, ENTERPRISE = Role.CITY_ADMIN, Role.DISTRICT_OFFICER, Role.ENTERPRISE_USER
BANK, REGISTRAR = Role.BANK_OFFICER, Role.CONTRACT_REGISTRAR


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    refusal: str  # what a refused user is told (translated)
    needs_bank: bool = False  # a bank officer only with its bank's name on the membership


def _rule(roles, refusal, **kwargs) -> Rule:
    return Rule(frozenset(roles), refusal, **kwargs)


RULES: dict[str, Rule] = {
    # the enterprise registry, the tier history, screening results, cultivation tasks
    "registry.read": _rule({CITY, DISTRICT, ENTERPRISE}, _("Your role cannot read the enterprise registry.")),
    "registry.write": _rule({CITY, DISTRICT}, _("Your role cannot change the enterprise registry.")),
    # technology contracts
    "contracts.read": _rule({CITY, REGISTRAR, DISTRICT, ENTERPRISE}, _("Your role cannot read technology contracts.")),
    "contracts.write": _rule({CITY, REGISTRAR}, _("Your role cannot register technology contracts.")),
    # knowledge-value credit
    "credit.read": _rule({CITY, DISTRICT, ENTERPRISE, BANK}, _("Your role cannot see knowledge-value credit.")),
    "credit.lend": _rule({BANK}, _("Only a partner bank's officer (with the bank's name on the membership) may "
                                   "record loans."), needs_bank=True),
    "credit.change_loans": _rule({CITY, BANK}, _("Only a partner bank's officer (with the bank's name on the "
                                                 "membership) may record loans."), needs_bank=True),
    "credit.overview": _rule({CITY, BANK, DISTRICT}, _("Your role cannot see knowledge-value credit.")),  # the menu
    "credit.funds": _rule({CITY, DISTRICT}, _("Your role cannot see the risk funds.")),
    "credit.contribute": _rule({CITY}, _("Only the city administrator records fund contributions.")),
    "credit.settings": _rule({CITY}, _("Only the city administrator sets the credit scheme's settings.")),
    # targets
    "targets.read": _rule({CITY, DISTRICT, ENTERPRISE}, _("Your role cannot see the targets.")),
    "targets.ranking": _rule({CITY, DISTRICT}, _("Your role cannot see the allocations.")),  # units compared
    "targets.allocations": _rule({CITY, DISTRICT}, _("Your role cannot see the allocations.")),
    "targets.set": _rule({CITY}, _("Only the city administrator sets the units' targets.")),
    "targets.record_values": _rule({CITY}, _("Only the city administrator records indicator values.")),
    "targets.report": _rule({CITY, DISTRICT}, _("Your role cannot see the leadership report.")),
}


@dataclass(frozen=True)
class Scope:
    role: str
    unit_id: int | None = None
    enterprise_id: int | None = None
    user_id: int | None = None
    organisation: str = ""  # a bank officer's bank, a registrar's office

    # ------------------------------------------------------------ may this user do X?

    def may(self, action: str) -> bool:
        rule = RULES[action]
        return self.role in rule.roles and (not rule.needs_bank or self.role != BANK or bool(self.bank))

    def require(self, action: str) -> None:
        if not self.may(action):
            raise PermissionDenied(str(RULES[action].refusal))

    @property
    def can(self) -> _Can:
        """``may`` for templates: ``{% if scope.can.contracts.write %}``."""
        return _Can(self, "")

    @property
    def is_city(self) -> bool:
        return self.role == CITY

    @property
    def unit_bound(self) -> bool:
        """A role whose work is one reporting unit's (district officer, contract registrar)."""
        return self.role in (DISTRICT, REGISTRAR)

    @property
    def bank(self) -> str:
        """A bank officer's bank ('' for every other role, or a bank officer without one)."""
        return self.organisation.strip() if self.role == BANK else ""

    @property
    def can_read_registry(self) -> bool:
        return self.may("registry.read")

    @property
    def can_write_registry(self) -> bool:
        return self.may("registry.write")

    def require_read(self) -> None:
        self.require("registry.read")

    def require_write(self) -> None:
        self.require("registry.write")

    def may_write_unit(self, unit_id: int | None) -> bool:
        """Change the registry's firms of ``unit_id`` (and see that unit's own page)."""
        if self.role == CITY:
            return True
        return self.role == DISTRICT and unit_id == self.unit_id

    def require_write_unit(self, unit_id: int | None) -> None:
        if not self.may_write_unit(unit_id):
            raise PermissionDenied(gettext("You may only change enterprises of your own reporting unit."))

    def require_unit_page(self, unit_id: int) -> None:
        if not self.may_write_unit(unit_id):
            raise PermissionDenied(gettext("You may only see your own reporting unit."))

    def may_register_contracts(self, unit_id: int | None) -> bool:
        """Register (or change) technology contracts of ``unit_id``."""
        if self.role == CITY:
            return True
        return self.role == REGISTRAR and unit_id is not None and unit_id == self.unit_id

    @property
    def default_contract_unit(self) -> int | None:
        """The unit a contract is registered for when none is named: a registrar's own."""
        return self.unit_id if self.role == REGISTRAR else None

    def require_screen(self) -> None:
        """Start a screening: the city, or a reader of the registry bound to a unit (its own)."""
        self.require("registry.read")
        if not (self.role == CITY or self.unit_id):
            raise PermissionDenied(gettext("Your role cannot run screenings."))

    def owns_loan(self, bank: str) -> bool:
        """A loan granted by ``bank`` is this bank officer's to change (its pages show the buttons)."""
        return bool(self.bank) and bank == self.bank

    def actor_for(self, *, unit_id: int | None, enterprise_id: int | None) -> str | None:
        """As whom this user acts on an application or filing of that firm and unit (keqi.applications: its
        workflow names the actors who may act): ``city``, ``district``, ``firm`` or None."""
        if self.role == CITY:
            return "city"
        if self.role == DISTRICT and unit_id is not None and unit_id == self.unit_id:
            return "district"
        if self.role == ENTERPRISE and enterprise_id is not None and enterprise_id == self.enterprise_id:
            return "firm"
        return None

    @property
    def can_review(self) -> bool:
        """Reviews applications and filings (the district's queue, the city's batches)."""
        return self.role in (CITY, DISTRICT)

    # ------------------------------------------------------------ which rows may it see?

    def enterprises(self, qs: QuerySet) -> QuerySet:
        """Filter a queryset of enterprises down to what this scope may read."""
        if self.role == CITY:
            return qs
        if self.role == DISTRICT:
            return qs.filter(reporting_unit_id=self.unit_id)
        if self.role == ENTERPRISE:
            return qs.filter(pk=self.enterprise_id)
        return qs.none()

    def enterprise_q(self, path: str = "enterprise__") -> Q:
        """The limits of :meth:`enterprises` as a condition on rows that point at an enterprise through
        ``path``: none for the city, so the database need not match every firm's id (a semi-join over
        100,000 firms costs most of a second on the start page)."""
        if self.role == CITY:
            return Q()
        if self.role == DISTRICT:
            return Q(**{f"{path}reporting_unit_id": self.unit_id})
        if self.role == ENTERPRISE:
            return Q(**{f"{path}pk": self.enterprise_id})
        return Q(pk__in=[])

    def credit_firms(self, qs: QuerySet) -> QuerySet:
        """Enterprises whose credit standing the scope may look up: a bank every firm (to lend)."""
        return qs if self.role == BANK else self.enterprises(qs)

    def units(self, qs: QuerySet) -> QuerySet:
        """Reporting units the scope works on: every unit for the city, its own for a district officer."""
        if self.role == CITY:
            return qs
        if self.role == DISTRICT:
            return qs.filter(pk=self.unit_id)
        return qs.none()

    def contract_units(self, qs: QuerySet) -> QuerySet:
        """Reporting units a scope may filter technology contracts by (a registrar's own unit too)."""
        if self.role == CITY:
            return qs
        if self.unit_id and self.role in (REGISTRAR, DISTRICT):
            return qs.filter(pk=self.unit_id)
        return qs.none()

    def contracts(self, qs: QuerySet) -> QuerySet:
        """Filter a queryset of technology contracts down to what the scope may read."""
        if self.role == CITY:
            return qs
        if self.role in (REGISTRAR, DISTRICT):
            return qs.filter(reporting_unit_id=self.unit_id) if self.unit_id else qs.none()
        if self.role == ENTERPRISE and self.enterprise_id:
            # By code, not only by link: a contract registered before the firm entered the registry counts too.
            code = Membership.objects.filter(user_id=self.user_id, enterprise_id=self.enterprise_id).values(
                "enterprise__uscc")
            return qs.filter(Q(seller_uscc__in=code) | Q(buyer_uscc__in=code))
        return qs.none()

    def may_see_firm_contracts(self, enterprise_id: int | None) -> bool:
        """A firm's contracts page: an enterprise user sees only its own firm's."""
        return self.role != ENTERPRISE or (enterprise_id is not None and enterprise_id == self.enterprise_id)

    def loans(self, qs: QuerySet) -> QuerySet:
        """Filter a queryset of loans down to what the scope may read."""
        if self.role == CITY:
            return qs
        if self.role == BANK:
            return qs.filter(bank=self.bank) if self.bank else qs.none()
        if self.role == DISTRICT:
            return qs.filter(reporting_unit_id=self.unit_id)
        if self.role == ENTERPRISE:
            return qs.filter(enterprise_id=self.enterprise_id)
        return qs.none()

    def cases(self, qs: QuerySet) -> QuerySet:
        """Filter a queryset of cases (applications, filings) down to what this scope may read: a case
        belongs to a firm and is reviewed by the unit it was opened in."""
        if self.role == CITY:
            return qs
        if self.role == DISTRICT:
            return qs.filter(reporting_unit_id=self.unit_id)
        if self.role == ENTERPRISE:
            return qs.filter(enterprise_id=self.enterprise_id)
        return qs.none()

    def own_requests(self, qs: QuerySet, field: str) -> QuerySet:
        """Uploads and exports: the city sees everyone's, the others their own (``field``: who asked)."""
        return qs if self.role == CITY else qs.filter(**{field: self.user_id})


class _Can:
    """``scope.can.contracts.write`` → ``scope.may("contracts.write")`` (templates cannot pass arguments)."""

    def __init__(self, scope: Scope, prefix: str):
        self._scope, self._prefix = scope, prefix

    def __getitem__(self, name: str):
        action = f"{self._prefix}{name}"
        if action in RULES:
            return self._scope.may(action)
        if any(key.startswith(f"{action}.") for key in RULES):
            return _Can(self._scope, f"{action}.")
        raise KeyError(name)


# The trusted operator at the shell (``keqi import`` without ``--as``): the whole city.
SYSTEM = Scope(role=CITY)


def scope_for(user) -> Scope:
    """The scope of a signed-in user; anonymous users and users without a role see nothing."""
    if user is None or not user.is_authenticated:
        return Scope(role="none")
    if user.is_superuser:
        return Scope(role=CITY, user_id=user.pk)
    membership = getattr(user, "membership", None)
    if membership is None:
        return Scope(role="none", user_id=user.pk)
    return Scope(
        role=membership.role,
        unit_id=membership.reporting_unit_id,
        enterprise_id=membership.enterprise_id,
        user_id=user.pk,
        organisation=membership.organisation or "",
    )
