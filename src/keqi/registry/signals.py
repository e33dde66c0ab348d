"""What the registry tells the apps above it, without importing them.

``qualifications_imported`` is sent by ``flows.run_import`` inside the import's transaction, after the
plan was written (``plan``: the ``services.ImportPlan``; ``today``: the import's day). The pipeline
receives it to rewrite the touched firms' tier history (``keqi.pipeline.signals``); a receiver that
fails undoes the import with it.
"""

from __future__ import annotations

from django.dispatch import Signal

qualifications_imported = Signal()
