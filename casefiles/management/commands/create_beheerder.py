"""Create an organisation and its first functioneel beheerder (production set-up).

    python manage.py create_beheerder --organisation "Zorggroep De Linde" \\
        --slug zorggroep-de-linde --username j.jansen --email j.jansen@example.nl

The password is asked for interactively (or taken from SMO_BEHEERDER_PASSWORD)
and checked by Django's password validators. Running it again for an existing
organisation and user changes nothing but the membership and role.
"""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from casefiles.models import Membership, Organisation
from smo.roles import Role, roles_of, set_roles


class Command(BaseCommand):
    help = "Create an organisation (if needed) and a functioneel beheerder for it."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="name of the organisation")
        parser.add_argument("--slug", required=True, help="short unique name, e.g. zorggroep-de-linde")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, organisation, slug, username, email, **options):
        User = get_user_model()
        with transaction.atomic():
            org, org_created = Organisation.objects.get_or_create(slug=slug, defaults={"name": organisation})
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, email=email)
                user.set_password(self._password(user))
                user.save()
            set_roles(user, roles_of(user) | {Role.BEHEERDER})
            Membership.objects.get_or_create(user=user, organisation=org)
        verb = "aangemaakt" if org_created else "bestond al"
        self.stdout.write(f"Organisatie '{org.name}' {verb}; {username} is functioneel beheerder.")

    def _password(self, user) -> str:
        password = os.environ.get("SMO_BEHEERDER_PASSWORD") or getpass.getpass("Wachtwoord: ")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password
