from django.conf import settings
from django.core.management.base import BaseCommand

from casefiles.demo import ACCOUNTS, seed
from smo.roles import ROLE_LABELS


class Command(BaseCommand):
    help = "Build the demo organisation with one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=200, help="number of employees (default 200)")
        parser.add_argument("--slug", default=None, help="organisation slug (default: the demo organisation)")
        parser.add_argument("--quiet", action="store_true", help="do not print the demo accounts")

    def handle(self, *args, employees, slug, quiet, **options):
        kwargs = {"employees": employees}
        if slug:
            kwargs.update(slug=slug, name=f"Benchmark {slug}", with_accounts=False)
        result = seed(**kwargs)
        verb = "aangemaakt" if result.employees and result.created else "bestond al"
        self.stdout.write(
            f"Organisatie '{result.organisation.name}' {verb}: "
            f"{result.employees} medewerkers, {result.cases} verzuimgevallen."
        )
        if slug or quiet:
            return
        self.stdout.write(f"\nDemo-accounts (wachtwoord: {settings.SMO_DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<20} {ROLE_LABELS[account.role]}")
