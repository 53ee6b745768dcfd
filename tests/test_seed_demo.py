"""`manage.py seed_demo`: the demo organisation of `make run` (and benchmarks)."""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.urls import reverse

from casefiles.demo import ACCOUNTS
from casefiles.models import AbsenceCase, Employee, Membership, Organisation
from smo.roles import Role

pytestmark = pytest.mark.django_db

DEMO_SLUG = "zorggroep-de-linde"

# The section heading each demo role sees on the home page (templates/home.html).
HEADINGS = {
    Role.LEIDINGGEVENDE: "Mijn casussen",
    Role.HR: "Lopende casussen van de organisatie",
    Role.BEDRIJFSARTS: "Mijn medewerkers (medisch dossier)",
    Role.POB: "Mijn medewerkers (medisch dossier)",
    Role.ARBEIDSDESKUNDIGE: "Afdelingen en locaties",
    Role.CASEMANAGER: "Mijn casussen",
    Role.MEDEWERKER: "Mijn dossier",
    Role.PRIVACY_OFFICER: "Toezicht",
    Role.BEHEERDER: "Beheer",
}


def seed_demo(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "employees": Employee.objects.count(),
        "cases": AbsenceCase.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
    }


def duration_class(days: int) -> str:
    if days <= 7:
        return "kort"
    if days <= 42:
        return "middellang"
    if days <= 365:
        return "lang"
    return "extra lang"


@pytest.fixture
def demo():
    """The seeded demo organisation and the output of the first run."""
    output = seed_demo()
    return Organisation.objects.get(slug=DEMO_SLUG), output


def test_seed_demo_is_idempotent_and_lists_the_accounts(demo):
    _, first_output = demo
    before = counts()

    second_output = seed_demo()

    assert counts() == before
    assert before["organisations"] == 1
    assert before["users"] == len(ACCOUNTS)
    assert "aangemaakt" in first_output
    assert "bestond al" in second_output
    for output in (first_output, second_output):
        for account in ACCOUNTS:
            assert f"  {account.username} " in output, account.username


def test_demo_organisation_has_about_200_employees(demo):
    organisation, _ = demo
    employees = Employee.objects.filter(organisation=organisation)
    assert employees.count() == 200
    assert employees.filter(user__isnull=False).count() == 1  # the demo medewerker
    assert employees.values("department").distinct().count() > 5


def test_absence_covers_all_duration_classes_over_two_years(demo):
    organisation, _ = demo
    today = datetime.date.today()
    cases = AbsenceCase.objects.filter(employee__organisation=organisation)
    closed = cases.filter(end_date__isnull=False)

    classes = Counter(duration_class((c.end_date - c.first_day).days + 1) for c in closed)
    assert set(classes) == {"kort", "middellang", "lang", "extra lang"}, classes
    assert classes["kort"] > classes["middellang"] > classes["lang"] > classes["extra lang"] > 0

    first_days = list(cases.values_list("first_day", flat=True))
    assert min(first_days) >= today - datetime.timedelta(days=730)
    assert min(first_days) <= today - datetime.timedelta(days=600)
    assert max(first_days) >= today - datetime.timedelta(days=90)
    assert not closed.filter(end_date__gt=today).exists()
    assert not closed.filter(end_date__lt=F("first_day")).exists()


def test_at_most_one_open_case_per_employee(demo):
    organisation, _ = demo
    open_per_employee = (
        Employee.objects.filter(organisation=organisation)
        .annotate(open_cases=Count("absence_cases", filter=Q(absence_cases__end_date__isnull=True)))
        .values_list("open_cases", flat=True)
    )
    assert max(open_per_employee) == 1
    assert sum(open_per_employee) > 0


def test_every_demo_account_logs_in_and_sees_its_home_page(demo, client, settings):
    for account in ACCOUNTS:
        assert client.login(username=account.username, password=settings.SMO_DEMO_PASSWORD), account
        response = client.get("/")
        assert response.status_code == 200, account.username
        assert HEADINGS[account.role] in response.text, account.username
        client.logout()


@pytest.mark.real_two_factor
def test_R13a_a_demo_account_signs_in_with_the_code_of_demo_code(demo, client, settings):
    """`make run` can be tried without an authenticator app: the password,
    then the code that demo_code prints, and the home page opens."""
    _, output = demo
    assert "demo_code" in output
    response = client.post(
        reverse("login"), {"username": "hr", "password": settings.SMO_DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    assert client.get("/").status_code == 302  # not yet verified
    code = StringIO()
    call_command("demo_code", "hr", stdout=code)
    response = client.post(response.redirect_chain[-1][0], {"code": code.getvalue().strip()}, follow=True)
    assert response.status_code == 200 and HEADINGS[Role.HR] in response.text
    # Never in production, and only for the demo accounts.
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="Niet in productie"):
        call_command("demo_code", "hr", stdout=StringIO())
    settings.PRODUCTION = False
    with pytest.raises(CommandError):
        call_command("demo_code", "someone-else", stdout=StringIO())


def test_benchmark_organisation_has_2000_employees_and_no_accounts(demo):
    organisation, _ = demo
    demo_employees = Employee.objects.filter(organisation=organisation).count()
    users = get_user_model().objects.count()

    output = seed_demo("--employees", "2000", "--slug", "bench")

    bench = Organisation.objects.get(slug="bench")
    assert bench != organisation
    assert Employee.objects.filter(organisation=bench).count() == 2000
    assert not Employee.objects.filter(organisation=bench, user__isnull=False).exists()
    assert not Membership.objects.filter(organisation=bench).exists()
    assert get_user_model().objects.count() == users
    assert Employee.objects.filter(organisation=organisation).count() == demo_employees
    assert AbsenceCase.objects.filter(employee__organisation=bench).exists()
    assert "2000 medewerkers" in output
    assert "Demo-accounts" not in output


def test_longer_history_for_the_benchmark():
    seed_demo("--employees", "300", "--years", "3", "--quiet")
    cases = AbsenceCase.objects.all()
    first_days = list(cases.values_list("first_day", flat=True))
    assert min(first_days) <= datetime.date.today() - datetime.timedelta(days=3 * 365 - 150)
    assert cases.count() / 300 > 3.5  # about five spells per employee (two years: about three)


def test_demo_meetings_running_closed_and_history():
    from consent.services import discussion_permission
    from consent.types import MeetingType
    from meetings.models import AgendaItem, Meeting
    from meetings.services.common import meeting_context

    output = seed_demo("--employees", "1000", "--meetings", "40", "--quiet")
    assert "Overleggen: 40." in output
    running = Meeting.objects.get(status=Meeting.Status.OPEN)
    items = list(running.items.select_related("case__employee").order_by("position"))
    assert len(items) == 30
    assert [i.status for i in items[:2]] == [AgendaItem.Status.OPEN, AgendaItem.Status.PENDING]
    context = meeting_context(running)
    # R8: every case on the running agenda passes the one consent gate.
    assert all(discussion_permission(case=i.case, meeting=context).allowed for i in items)
    closed = max(Meeting.objects.filter(status=Meeting.Status.CLOSED), key=lambda m: m.items.count())
    assert closed.items.count() == 30
    assert all(i.decisions.exists() and i.action_points.exists() for i in closed.items.all())
    # The closed one is the previous SMT of the running one, with the same
    # cases: their case pages show decisions and action points (make bench).
    assert {i.case_id for i in items} <= set(closed.items.values_list("case_id", flat=True))
    # R2: no bedrijfsarts in an SRO; R1: no individual case in a theme SMT.
    sro = Meeting.objects.filter(meeting_type=MeetingType.SRO)
    assert sro.exists()
    assert not sro.filter(participants__user__username__in=["bedrijfsarts", "pob"]).exists()
    theme = Meeting.objects.filter(meeting_type=MeetingType.THEME)
    assert theme.exists() and not AgendaItem.objects.filter(meeting__in=theme, case__isnull=False).exists()
    assert Meeting.objects.filter(status=Meeting.Status.PLANNED).exists()
    assert seed_demo("--meetings", "40", "--quiet").count("Overleggen: 40.") == 1  # idempotent
