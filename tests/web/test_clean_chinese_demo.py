"""Users see Chinese only, on the demo (issue 15.2: "a test renders every page for every role on the demo"):
the demo's steps at 1/200 of the city (``keqi demo``'s population, targets, contracts, screenings, loans,
tasks, filings and applications), built once for the module, and every page of the enumeration opened by
each login the demo creates (and by a visitor not signed in), read by tests/clean.py.

The pages are tried on the demo's own objects: for the district officer, the registrar and the
enterprise user, those of 渝北区 and of its firm, and those of another unit (their refusal pages).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from clean import page_leaks
from security.world import World

pytestmark = pytest.mark.django_db

SCALE = Fraction(1, 200)  # 1,300 firms: the whole demo in well under a minute
#: the security suite's role names → the demo's logins (keqi.synth.demo.ACCOUNTS)
LOGINS = {"city_admin": "city-admin", "district_officer": "yubei-officer", "enterprise_user": "enterprise-user",
          "bank_officer": "bank-officer", "contract_registrar": "yubei-registrar", "anonymous": None}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built inside a transaction rolled back after the module; its objects as a World."""
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    from keqi.synth import demo

    home = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock(), override_settings(
            KEQI_DEMO_SCALE=SCALE, MEDIA_ROOT=home / "media",
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            demo.run(demo.Demo(scale=SCALE, seed=demo.DEFAULT_SEED, today=timezone.localdate(), home=home))
            yield _world()
            transaction.set_rollback(True)


def _world() -> World:
    """The demo's objects in the places of the security world's: "own" ones of 渝北区 (the officer's unit),
    "other" ones of another unit where the demo has them."""
    from django.contrib.auth import get_user_model

    from keqi.applications.models import AnnualFiling, Application
    from keqi.contracts.models import ContractImport
    from keqi.credit.models import Loan
    from keqi.pipeline.models import CultivationTask
    from keqi.registry.models import Enterprise, ImportBatch, ReportingUnit
    from keqi.screening.models import ScreeningRun
    from keqi.synth.demo import OFFICER_UNIT
    from keqi.targets.models import ValueImport

    users = get_user_model().objects.select_related("membership")
    w = World(users={role: users.get(username=name) for role, name in LOGINS.items() if name})
    home = ReportingUnit.objects.get(name=OFFICER_UNIT)
    w.home_unit = home.pk
    w.other_unit = (Enterprise.objects.exclude(reporting_unit=home).order_by("reporting_unit_id")
                    .values_list("reporting_unit_id", flat=True).first())
    w.own_firm = w.users["enterprise_user"].membership.enterprise.uscc
    firms = Enterprise.objects.order_by("uscc")
    w.other_firm = firms.filter(reporting_unit_id=w.other_unit).values_list("uscc", flat=True).first()
    w.neighbour_firm = firms.filter(reporting_unit=home).exclude(uscc=w.own_firm).values_list("uscc", flat=True)[0]

    def pick(queryset, **other):
        """The first object of the other unit if the demo has one, else any (else one that does not exist)."""
        ordered = queryset.order_by("pk")
        found = ordered.filter(**other).values_list("pk", flat=True).first()
        return found or ordered.values_list("pk", flat=True).first() or 999_999

    unit = {"reporting_unit_id": w.other_unit}
    w.own_loan = pick(Loan.objects, reporting_unit=home)
    w.other_loan = pick(Loan.objects, **unit)
    w.own_task = pick(CultivationTask.objects, enterprise__reporting_unit=home)
    w.other_task = pick(CultivationTask.objects, enterprise__reporting_unit_id=w.other_unit)
    w.other_run = pick(ScreeningRun.objects, reporting_unit__isnull=True)
    w.other_batch = pick(ImportBatch.objects)
    w.other_value_import = pick(ValueImport.objects)
    w.other_contract_import = pick(ContractImport.objects)
    w.other_application = pick(Application.objects, **unit)
    w.other_filing = pick(AnnualFiling.objects, **unit)
    return w


def test_the_demo_world_has_its_objects(demo_world):
    """The enumeration opens real pages of the demo, not 404s (a sanity check of the mapping above)."""
    assert demo_world.other_unit != demo_world.home_unit
    assert all(pk != 999_999 for pk in (demo_world.own_loan, demo_world.own_task, demo_world.other_run,
                                         demo_world.other_contract_import, demo_world.other_application,
                                         demo_world.other_filing))


@pytest.mark.parametrize("role", LOGINS)
def test_every_page_of_the_demo_for_every_role_is_in_clean_chinese(demo_world, role):
    problems = page_leaks(demo_world, demo_world.users.get(role))
    assert not problems, f"{role}: {len(problems)} leaks\n" + "\n".join(problems)
