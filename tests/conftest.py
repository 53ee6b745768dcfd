"""The fixed cast of the test suite (after healthchecks' owner/member/outsider).

``cast`` holds one user per role of the permission matrix in ENGINEERING.md,
around one employee's absence case in one department of one organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import connections
from django.http import HttpRequest
from django.test import Client
from django.utils import translation

from casefiles import services
from smo.celery import app as celery_app
from smo.roles import Role
from tests.needs import need

from .factories import (
    AbsenceCaseFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
    UserFactory,
)


@dataclass
class Cast:
    organisation: object
    other_organisation: object
    department: object
    other_department: object
    employee: object  # the employee concerned, with a portal account
    other_employee_record: object  # an employee in the other department
    case: object
    users: dict[str, object]

    def client(self, role: str) -> Client:
        """A client signed in as ``role`` (password and, through the autouse
        fixture below, the second factor); anonymous for "anonymous"."""
        client = Client()
        user = self.users.get(role)
        if user is not None:
            client.force_login(user)
        return client


# The roles of the permission matrix (ENGINEERING.md), in its order.
MATRIX_ROLES = (
    "anonymous",
    "employee_concerned",
    "other_employee",
    "manager",
    "other_manager",
    "hr",
    "casemanager",
    "physician",
    "other_physician",
    "arbeidsdeskundige",
    "privacy_officer",
    "admin",
    "other_org_user",
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "real_two_factor: no automatic second factor for force_login/login (tests of R13a itself)",
    )


@pytest.fixture(autouse=True)
def two_factor_test_support(request, monkeypatch):
    """Test support for R13a (two-factor authentication), not a bypass.

    Most tests are about what a signed-in user sees, not about signing in. So
    ``Client.force_login`` and ``Client.login`` here end like a real sign-in
    does: the session is verified with a real, confirmed TOTP device of the
    user (tests/two_factor_support.py), exactly the state ``django_otp.login``
    leaves after a correct code. ``Client.login`` also passes a request, which
    django-axes needs to count attempts. Tests of the second step itself are
    marked ``real_two_factor`` and get the plain client.
    """
    if request.node.get_closest_marker("real_two_factor"):
        return
    from .two_factor_support import verify_client_session

    original_force_login, original_login = Client.force_login, Client.login

    def force_login(self, user, backend=None):
        original_force_login(self, user, backend)
        verify_client_session(self, user)

    def login(self, **credentials):
        if "request" not in credentials:
            credentials["request"] = HttpRequest()
            credentials["request"].META["REMOTE_ADDR"] = "127.0.0.1"
        logged_in = original_login(self, **credentials)
        if logged_in:
            verify_client_session(self)
        return logged_in

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture(autouse=True)
def dutch_by_default():
    """Every test starts in the default language (Dutch): a request in English
    activates English for the thread, which would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def eager_celery(request):
    """Tasks run in-process, also where REDIS_URL points at a real broker;
    a test marked ``services`` (the real-worker tests) keeps the broker."""
    if request.node.get_closest_marker("services"):
        yield
        return
    conf = celery_app.conf
    before = {
        "task_always_eager": conf.task_always_eager,
        "task_eager_propagates": conf.task_eager_propagates,
    }
    conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    conf.update(before)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in a lot; production hashing strength is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Private files (documents, PDFs) of a test go to its own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def cast(db) -> Cast:
    # The cast is the state a test starts from, not something a test did:
    # built without audit entries (django-auditlog wrote 42 of them, some
    # 40% of the fixture's time, rebuilt for ~1,000 tests).
    with disable_auditlog():
        return _build_cast()


def _build_cast() -> Cast:
    org = OrganisationFactory(name="Zorggroep Test", slug="zorggroep-test")
    other_org = OrganisationFactory(name="Bouwbedrijf Elders", slug="elders")
    department = DepartmentFactory(organisation=org, name="Verpleging")
    other_department = DepartmentFactory(organisation=org, name="Facilitair")

    def user(username, roles, orgs=(org,)):
        return UserFactory(username=username, roles=roles, organisations=orgs)

    users = {
        "employee_concerned": user("medewerker", [Role.MEDEWERKER]),
        "other_employee": user("collega", [Role.MEDEWERKER]),
        "manager": user("leidinggevende", [Role.LEIDINGGEVENDE]),
        "other_manager": user("andere-leidinggevende", [Role.LEIDINGGEVENDE]),
        "hr": user("hr", [Role.HR]),
        "casemanager": user("casemanager", [Role.CASEMANAGER]),
        "physician": user("bedrijfsarts", [Role.BEDRIJFSARTS]),
        "other_physician": user("andere-arts", [Role.BEDRIJFSARTS]),
        "arbeidsdeskundige": user("arbeidsdeskundige", [Role.ARBEIDSDESKUNDIGE]),
        "privacy_officer": user("privacy", [Role.PRIVACY_OFFICER]),
        "admin": user("beheer", [Role.BEHEERDER]),
        # A powerful user of another organisation: HR, manager and beheerder there.
        "other_org_user": user(
            "elders-hr", [Role.HR, Role.LEIDINGGEVENDE, Role.BEHEERDER], orgs=(other_org,)
        ),
    }
    employee = EmployeeFactory(
        organisation=org,
        department=department,
        user=users["employee_concerned"],
        first_name="Canary",
        last_name="Pietersen",
    )
    other_employee_record = EmployeeFactory(
        organisation=org, department=other_department, user=users["other_employee"]
    )
    case = AbsenceCaseFactory(employee=employee)
    AbsenceCaseFactory(employee=other_employee_record)
    services.make_department_manager(actor=None, department=department, manager=users["manager"])
    services.make_department_manager(actor=None, department=other_department, manager=users["other_manager"])
    services.authorise_physician(actor=None, employee=employee, physician=users["physician"])
    services.assign_case_expert(actor=None, case=case, expert=users["casemanager"])
    return Cast(org, other_org, department, other_department, employee, other_employee_record, case, users)


# --- real headless Chromium (browser tests) ------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def page(monkeypatch):
    """A fresh browser page in headless Chromium; closed afterwards. Skips
    locally when Chromium is missing, fails in CI (``CI=true``)."""
    need(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}")
    # Playwright's sync API runs an asyncio loop in this thread, which makes
    # Django refuse ORM calls here (the live server runs in its own thread).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            # Chromium's default Accept-Language is en-US: the product must
            # still answer in Dutch (Dutch first, smo.middleware).
            context = browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            yield page
            context.close()
            # While Playwright's event loop runs, the test's ORM calls get a
            # connection of their own (asgiref context-local): close it, or
            # the test database cannot be dropped at the end.
            connections.close_all()
        finally:
            browser.close()
