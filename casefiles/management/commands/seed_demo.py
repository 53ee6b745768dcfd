"""`manage.py seed_demo`: the demo organisation of `make run` (and benchmarks).

``--employees``, ``--years`` and ``--meetings`` make it larger for
``make bench`` (20,000 employees over three years are about 100,000 absence
spells); the defaults are the demo of ``make run``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casefiles.demo import ACCOUNTS, seed
from smo.roles import ROLE_LABELS


class Command(BaseCommand):
    help = "Build the demo organisation with one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=200, help="number of employees (default 200)")
        parser.add_argument("--slug", default=None, help="organisation slug (default: the demo organisation)")
        parser.add_argument("--years", type=int, default=2, help="years of absence history (default 2)")
        parser.add_argument(
            "--meetings",
            type=int,
            default=0,
            help="number of meetings, incl. a running one and a closed one with 30 agenda items (default 0)",
        )
        parser.add_argument("--quiet", action="store_true", help="do not print the demo accounts")

    def handle(self, *args, employees, slug, years, meetings, quiet, **options):
        if years < 1:
            raise CommandError("--years moet minstens 1 zijn.")
        kwargs = {"employees": employees, "years": years}
        if slug:
            if meetings:
                raise CommandError("--meetings kan alleen in de demo-organisatie (met demo-accounts).")
            kwargs.update(slug=slug, name=f"Benchmark {slug}", with_accounts=False)
        result = seed(**kwargs)
        verb = "aangemaakt" if result.employees and result.created else "bestond al"
        self.stdout.write(
            f"Organisatie '{result.organisation.name}' {verb}: "
            f"{result.employees} medewerkers, {result.cases} verzuimgevallen."
        )
        if meetings:
            # The meetings app builds its own demo data (casefiles does not depend on it).
            from meetings.demo import seed_meetings

            total = seed_meetings(result.organisation, count=meetings)
            self.stdout.write(f"Overleggen: {total}.")
        if slug or quiet:
            return
        self.stdout.write(f"\nDemo-accounts (wachtwoord: {settings.SMO_DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<20} {ROLE_LABELS[account.role]}")
        self.stdout.write(
            "\nTweestapsverificatie (R13a): de code na het wachtwoord geeft "
            "`python manage.py demo_code <gebruikersnaam>` (of `make demo-code WHO=<gebruikersnaam>`)."
        )
