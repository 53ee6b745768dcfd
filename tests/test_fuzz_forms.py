"""Fuzzed form posts (issue 8): no form or import of the project answers 500
to bad input, and a refused post saves nothing.

Every URL of the permission matrix outside the admin is posted to
(enumerated from the matrix, so a new view is fuzzed without a change here),
by the roles that may use it. A view that takes no POST must answer 405. The
field names come from the forms the roles see on their pages (parsed, with
their options), and hypothesis mixes them with random unicode, huge values,
wrong types, missing fields and unknown fields. When the answer is not a
redirect (success), the row count of every table is unchanged and no
untranslated (English) validation message is shown."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .canary.crawling import parse
from .conftest import MATRIX_ROLES
from .test_permission_matrix import MATRIX

pytestmark = pytest.mark.django_db

URL_NAMES = sorted(name for name in MATRIX if not name.startswith("admin:"))
PREFERRED_ROLES = (
    "manager",
    "hr",
    "physician",
    "employee_concerned",
    "casemanager",
    "admin",
    "privacy_officer",
)
ROLES_PER_URL = 2
EXAMPLES = 3
# Rows written by reading or by being refused, not by the form: the audit
# trail (reads are logged, R13), sessions and login attempts (django-axes).
NOT_FORM_DATA = {"auditlog.LogEntry", "sessions.Session"}
NOT_FORM_APPS = {"axes"}

# An id beyond 64 bits: PostgreSQL (production, CI) answers "no such row";
# SQLite's driver raises OverflowError inside Django's ModelMultipleChoiceField
# (a Django/SQLite limitation, not the product's), so only there it is left out.
BEYOND_64_BITS = ["99999999999999999999"] if connection.vendor == "postgresql" else []

# Django's own validation messages, untranslated: a user must never see them.
ENGLISH_ERRORS = (
    "This field is required",
    "Enter a valid",
    "Select a valid choice",
    "Ensure this value",
    "Null characters are not allowed",
    "is not one of the available choices",
)

ODD_VALUES = [
    *("", " ", "0", "-1", "1e309", "NaN", "true", "null", "[]", "{}", "../../etc/passwd"),
    *("2026-02-30", "31-12-2026", "0001-01-01", "9999-12-31", "<script>alert(1)</script>", "' OR 1=1 --"),
    *BEYOND_64_BITS,
]

JUNK = st.one_of(
    st.text(max_size=30),
    st.text(
        alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x2FFFF, exclude_categories=("Cs",)),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(ODD_VALUES),
    st.just("x" * 5_000),
)


def _roles_for(name: str) -> list[str]:
    entry = MATRIX[name]
    ok = (200, 302) if entry.method == "post" else (200,)
    allowed = [
        r for r in MATRIX_ROLES if entry.expected[r] in ok and (r != "anonymous" or entry.method == "get")
    ]
    preferred = [r for r in PREFERRED_ROLES if r in allowed] + [
        r for r in allowed if r not in PREFERRED_ROLES
    ]
    # Nobody gets a page here (POST-only or redirecting): HR, still no 500.
    return preferred[:ROLES_PER_URL] or ["hr"]


def _form_catalogue(cast) -> dict[str, dict[str, list[str]]]:
    """Per URL name: the fields of every POST form aimed at it, with the
    values offered (options, checkboxes), from every page the roles see."""
    catalogue: dict[str, dict[str, list[str]]] = {}
    urls = {name: entry.url(cast) for name, entry in MATRIX.items() if entry.method == "get"}
    for role in PREFERRED_ROLES[:-1]:  # the privacy officer has no POST form
        client = cast.client(role)
        for name, url in urls.items():
            if name.startswith("admin:") or MATRIX[name].expected[role] != 200 or "pdf" in name:
                continue  # (a PDF holds no form, and rendering one is slow)
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            for form in parse(response.content.decode()).forms:
                try:
                    target = resolve((form["action"] or url).split("?")[0]).url_name
                except Resolver404:
                    continue
                fields = catalogue.setdefault(target, {})
                for field, value in form["fields"].items():
                    fields.setdefault(field, []).append(value)
                for field, values in {**form["selects"], **form["choices"]}.items():
                    fields.setdefault(field, []).extend(values)
    return catalogue


def form_data(fields: dict[str, list[str]]):
    known = {
        field: st.one_of(st.sampled_from(values), JUNK, st.lists(JUNK, max_size=3)) if values else JUNK
        for field, values in fields.items()
        if field != "csrfmiddlewaretoken"
    }
    extra = st.dictionaries(st.text(min_size=1, max_size=12), JUNK, max_size=3)
    return st.tuples(st.fixed_dictionaries({}, optional=known), extra).map(lambda t: {**t[1], **t[0]})


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label not in NOT_FORM_DATA and model._meta.app_label not in NOT_FORM_APPS
    }


_CATALOGUE: dict[str, dict[str, list[str]]] = {}


def fuzz(client, url: str, role: str) -> None:
    fields = _CATALOGUE.get(resolve(url.split("?")[0]).url_name, {})

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=form_data(fields))
    def post_junk(data):
        before = row_counts()
        response = client.post(url, data)
        assert response.status_code < 500, (role, data)
        if response.status_code not in (301, 302, 303):
            body = response.content.decode(errors="replace")
            english = [m for m in ENGLISH_ERRORS if m in body]
            assert not english, (role, english, data)  # errors are explained in Dutch
            after = row_counts()
            changed = {k: (v, after[k]) for k, v in before.items() if after[k] != v}
            assert not changed, (role, response.status_code, changed, data)

    post_junk()


@pytest.mark.parametrize("name", URL_NAMES)
def test_fuzzed_posts_never_answer_500_and_a_refusal_saves_nothing(cast, name):
    if not _CATALOGUE:
        _CATALOGUE.update(_form_catalogue(cast))
    url = MATRIX[name].url(cast)
    roles = _roles_for(name)
    for role in roles:
        client = cast.client(role)
        first = client.post(url, {})
        if first.status_code == 405:  # takes no POST: refuses every post alike
            continue
        assert first.status_code < 500

        fuzz(client, url, role)
