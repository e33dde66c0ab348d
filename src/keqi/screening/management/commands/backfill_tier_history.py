"""``python manage.py backfill_tier_history``: each firm's tier history from the data already stored.

Imports and screening runs write the history as they happen; this writes it for qualifications
imported and runs completed before that (or again after the ladder was edited). Running it twice
changes nothing.
"""

from django.core.management.base import BaseCommand

from keqi.screening.history import backfill_history


class Command(BaseCommand):
    help = "Write every firm's tier history (TierRecord) from its qualifications and the complete screening runs."

    def handle(self, *args, **options):
        done = backfill_history()
        self.stdout.write(
            f"{done['qualification_records']} records from qualifications; "
            f"{done['screening_runs']} screening runs recorded"
        )
