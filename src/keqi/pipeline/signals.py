"""Qualifications change, the tier history follows at once, in the same transaction.

The import writes qualifications in bulk (no model signals) and sends
``registry.signals.qualifications_imported`` (received here: ``flows.record_imported_qualifications``);
a qualification written or deleted one at a time (the Django admin, a shell, a data fix) sends the
model signals, received here too. So the history never waits for the next import or ``manage.py
backfill_tier_history``, and the registry never imports the pipeline.

The history code (``flows``) is imported when a handler runs, not when the app is ready: it brings in
the policy editions and the registry services, which every process would otherwise pay for at start
(``django.setup()``), although most never save a qualification (e.g. ``keqi screen FILE``).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from keqi.registry.models import Qualification
from keqi.registry.signals import qualifications_imported

_PREVIOUS = "_keqi_previous_enterprise_id"


@receiver(pre_save, sender=Qualification, dispatch_uid="keqi.pipeline.qualification_pre_save")
def _remember_firm(sender, instance: Qualification, raw: bool = False, **kwargs) -> None:
    """An edit may move the qualification to another firm: that firm's history changes too."""
    if raw or instance.pk is None:
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("enterprise_id", flat=True).first()
    setattr(instance, _PREVIOUS, previous)


@receiver(post_save, sender=Qualification, dispatch_uid="keqi.pipeline.qualification_saved")
def _qualification_saved(sender, instance: Qualification, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: the history is restored with the data, or by backfill_tier_history
        return
    firms = {instance.enterprise_id}
    previous = getattr(instance, _PREVIOUS, None)
    if previous is not None:
        firms.add(previous)
        delattr(instance, _PREVIOUS)
    from .flows import record_qualifications

    record_qualifications(enterprise_ids=firms)


@receiver(post_delete, sender=Qualification, dispatch_uid="keqi.pipeline.qualification_deleted")
def _qualification_deleted(sender, instance: Qualification, **kwargs) -> None:
    from .flows import record_qualifications

    record_qualifications(enterprise_ids=[instance.enterprise_id])


@receiver(qualifications_imported, dispatch_uid="keqi.pipeline.qualifications_imported")
def _qualifications_imported(sender, plan, today=None, **kwargs) -> None:
    from .flows import record_imported_qualifications

    record_imported_qualifications(plan=plan, today=today)  # the firms' tier history, year by year
