"""`manage.py import_absence <bestand.csv|bestand.xlsx> --organisation <slug> [--dry-run]`:
import absence spells from an HR export (reporting.absence_import). Every
error is printed with its line and column; a file with any error imports
nothing. Output in Dutch."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from casefiles.models import Organisation
from reporting import absence_import


class Command(BaseCommand):
    help = "Importeer verzuimperiodes uit een CSV- of Excel-bestand (.xlsx) van het HR-systeem."

    def add_arguments(self, parser):
        parser.add_argument(
            "bestand",
            type=Path,
            help="CSV-bestand (UTF-8, ; of , als scheidingsteken) of Excel-bestand (.xlsx).",
        )
        parser.add_argument("--organisation", metavar="SLUG", required=True, help="Organisatie (korte naam).")
        parser.add_argument("--dry-run", action="store_true", help="Alleen controleren; niets opslaan.")

    def handle(self, *args, bestand: Path, organisation: str, dry_run: bool, **options):
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"Organisatie '{organisation}' bestaat niet.")
        try:
            data = bestand.read_bytes()
        except OSError as exc:
            raise CommandError(f"Bestand '{bestand}' kan niet worden gelezen: {exc.strerror}.") from exc
        with translation.override("nl"):
            result = absence_import.import_absence(
                actor=None, organisation=org, data=data, dry_run=dry_run, filename=bestand.name
            )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} fout(en) gevonden; er is niets geïmporteerd.")
        counts = f"{result.created} nieuw, {result.updated} bijgewerkt, {result.unchanged} ongewijzigd"
        if dry_run:
            self.stdout.write(f"Controle geslaagd ({result.rows} regels): {counts}. Er is niets opgeslagen.")
        else:
            self.stdout.write(f"Import voltooid ({result.rows} regels): {counts}.")
