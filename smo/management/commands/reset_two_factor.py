"""R13a: reset a user's second factor (lost or replaced phone).

For the installation's operator. The user enrols again at their next sign-in;
the reset is written to the audit trail of each of their organisations.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from smo.twofactor.services import reset_two_factor


class Command(BaseCommand):
    help = "Verwijder de tweestapsverificatie van een gebruiker (telefoon kwijt); die stelt haar opnieuw in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"Gebruiker {username!r} bestaat niet.") from exc
        removed = reset_two_factor(user, actor=None)
        self.stdout.write(
            f"Tweestapsverificatie van {username} gereset ({removed} apparaten verwijderd); "
            "bij de volgende keer inloggen stelt de gebruiker haar opnieuw in."
        )
