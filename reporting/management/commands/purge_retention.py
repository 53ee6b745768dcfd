"""`manage.py purge_retention`: destroy what is past its retention period (R15).

Per organisation: a preview of what is due, then the purge of exactly that
(reporting.retention). ``--dry-run`` records and prints the counts and
deletes nothing. The output names kinds and numbers only, in Dutch.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from casefiles.models import Organisation
from reporting import retention


class Command(BaseCommand):
    help = "Vernietig gegevens waarvan de bewaartermijn is verstreken (R15)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Alleen tellen wat verwijderd zou worden; niets verwijderen.",
        )
        parser.add_argument("--organisation", metavar="SLUG", help="Alleen deze organisatie (korte naam).")
        parser.add_argument("--batch-size", type=int, default=500, help="Rijen per transactie.")

    def handle(self, *args, dry_run: bool, organisation: str | None, batch_size: int, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"Organisatie '{organisation}' bestaat niet.")
        today = timezone.localdate()
        with translation.override("nl"):
            mode = "proefdraaien, er wordt niets verwijderd" if dry_run else "verwijderen"
            self.stdout.write(f"Bewaartermijnen (R15) per {today:%d-%m-%Y} ({mode}).")
            for org in organisations:
                plan = retention.preview(org, today, batch_size=batch_size)
                run = retention.purge(org, today, plan=plan, dry_run=dry_run, batch_size=batch_size)
                self._report(org, run)

    def _report(self, org: Organisation, run) -> None:
        verb = "te verwijderen" if run.dry_run else "verwijderd"
        self.stdout.write(f"Organisatie {org.slug}:")
        if not run.counts:
            self.stdout.write("  niets te verwijderen")
            return
        for kind, number in sorted(run.counts.items(), key=lambda item: retention.kind_label(item[0])):
            self.stdout.write(f"  {retention.kind_label(kind)}: {number}")
        self.stdout.write(f"  totaal {verb}: {run.total}")
