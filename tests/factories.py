"""factory_boy factories; tests build their own data, never database dumps."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from casefiles.models import AbsenceCase, AbsencePercentage, Department, Employee, Membership, Organisation
from smo.roles import set_roles

PASSWORD = "Test-wachtwoord-123"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Afdeling {n}")


# Names without characters HTML escapes (faker's nl_NL gives "van 't Wel"), so
# tests can look for them in pages as they are.
FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chantal",
    "Dirk",
    "Esra",
    "Floor",
    "Gert",
    "Hatice",
    "Ilse",
    "Joris",
    "Karim",
    "Lotte",
]
LAST_NAMES = [
    "Aalbers",
    "Bosman",
    "Claassen",
    "Dijkhuis",
    "Eijkman",
    "Fransen",
    "Gerritsen",
    "Hoekstra",
    "Inanc",
    "Jonker",
]


class UserFactory(factory.django.DjangoModelFactory):
    """A user with ``roles`` (role names) and ``organisations`` memberships."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: FIRST_NAMES[(n + 5) % len(FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: f"{LAST_NAMES[(n + 3) % len(LAST_NAMES)]}-u{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    # Hashed before the insert (with the tests' fast hasher), rather than
    # set_password and a second save per user: the cast's twelve users cost
    # two queries and an audit entry less each.
    password = factory.LazyFunction(lambda: make_password(PASSWORD))

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            set_roles(self, extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        for organisation in extracted or ():
            Membership.objects.get_or_create(user=self, organisation=organisation)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    organisation = factory.SubFactory(OrganisationFactory)
    department = factory.SubFactory(DepartmentFactory, organisation=factory.SelfAttribute("..organisation"))
    personnel_number = factory.Sequence(lambda n: f"P{n:06d}")
    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    last_name = factory.Sequence(lambda n: f"{LAST_NAMES[n % len(LAST_NAMES)]}-{n}")
    contract_hours = Decimal("36.0")
    employment_start = datetime.date(2015, 1, 1)


class AbsenceCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsenceCase

    employee = factory.SubFactory(EmployeeFactory)
    first_day = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=50))


class AbsencePercentageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsencePercentage

    case = factory.SubFactory(AbsenceCaseFactory)
    valid_from = factory.SelfAttribute("case.first_day")
    percentage = 100
