"""Consent pages of the recording side (R7, R8, R13, R14): the bedrijfsarts/POB
authorised for the employee, and the expert (casemanager, BMW,
re-integratieadviseur) who guides the employee's case.

- the employee's consent history: the authorised physician sees every consent
  of the employee; whoever recorded a consent sees their own records (an
  expert never sees the physician's);
- recording a consent for the employee's open case, superseding one (a
  change is a new record, R7), and withdrawing one on the employee's behalf
  (R8; the employer side's on-behalf withdrawal is on the case page).

Everybody else gets 404 on every page, the other bedrijfsarts and the admin
included: consent items are health information and their existence is
confidential. The views use ``@authenticated`` and answer 404 themselves
(anonymous users go to the login page). Every rule — who records as what,
scope, dates, roles, the noodzakelijkheidsvereiste, withdrawal — is decided in
:mod:`consent.services`; the views parse input, call it and render. A
physician's read of consent items is written to the NEN 7513 access log
(R13). Pages are never cached.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casefiles.models import AbsenceCase, Employee
from smo import audit, permissions
from smo.audit import Nen7513
from smo.forms import add_service_errors
from smo.permissions import authenticated, require_in
from smo.roles import PHYSICIAN_ROLES, ROLE_LABELS, roles_of

from .. import selectors, services
from ..forms import ConsentForm, WithdrawForm, initial_from
from ..models import Consent
from ..selectors import MEETING_TYPE_LABELS

TEMPLATES = "consent/recording/"
# What a consent read is called in the NEN 7513 access log (never its content).


# --- who is on the recording side -------------------------------------------------


@dataclass(frozen=True)
class RecordingSide:
    employee: Employee
    open_case: AbsenceCase | None
    physician: bool  # a bedrijfsarts/POB authorised for the employee's medical file
    recorder_role: str | None  # what the user records as for the open case, None if they cannot


def _recorder_role(user, case: AbsenceCase | None) -> str | None:
    """As what ``user`` may record consent for ``case`` (physician or expert),
    decided by consent.services. Without meeting types, so the employer's
    SRO-only path (not on these pages) never qualifies."""
    if case is None:
        return None
    try:
        return services.recorder_role_for(user, case, ())
    except Http404:
        return None


def _recording_side(user, employee_id: int) -> RecordingSide:
    employee = require_in(
        Employee.objects.filter(organisation__in=permissions.organisations_of(user)).select_related(
            "organisation", "department"
        ),
        pk=employee_id,
    )
    open_case = employee.absence_cases.filter(end_date__isnull=True).order_by("-first_day").first()
    return RecordingSide(
        employee=employee,
        open_case=open_case,
        physician=permissions.can_view_medical_file(user, employee),
        recorder_role=_recorder_role(user, open_case),
    )


def _log_read(user, employee: Employee, consent_id: int | None = None) -> None:
    """R13: a bedrijfsarts/POB read consent items of the employee."""
    if roles_of(user) & PHYSICIAN_ROLES:
        audit.log_medical_event(
            employee, actor=user, action=Nen7513.READ, item_kind=audit.CONSENT, item_id=consent_id
        )


def _labels(values, labels: dict) -> list[str]:
    return [str(labels.get(value, value)) for value in values]


# --- the history --------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    status: str
    meeting_types: list[str]
    allowed_roles: list[str]
    superseded_by: Consent | None  # the newer record, when the reader may see it
    show_reason: bool
    can_supersede: bool


def _status(consent: Consent, today: datetime.date) -> str:
    if consent.withdrawn_at is not None:
        return _("Ingetrokken")
    if consent.superseded_by_id is not None:
        return _("Vervangen")
    if consent.valid_until < today:
        return _("Verlopen")
    if consent.given_on > today:
        return _("Nog niet ingegaan")
    return _("Geldig")


def _rows(side: RecordingSide, consents: list[Consent]) -> list[ConsentRow]:
    today = timezone.localdate()
    by_id = {c.pk: c for c in consents}
    return [
        ConsentRow(
            consent=c,
            status=_status(c, today),
            meeting_types=_labels(c.meeting_types, MEETING_TYPE_LABELS),
            allowed_roles=_labels(c.allowed_roles, ROLE_LABELS),
            superseded_by=by_id.get(c.superseded_by_id),
            # R8: the reason of a withdrawal stays with the employee and the
            # recording side; the employer who brought a case into the SRO
            # is not told why.
            show_reason=side.physician or c.recorder_role != Consent.RecorderRole.SRO_BRINGER,
            can_supersede=c.is_current
            and (
                side.physician
                or (side.recorder_role is not None and side.open_case and c.case_id == side.open_case.pk)
            ),
        )
        for c in consents
    ]


@authenticated
@never_cache
@require_GET
def consent_list(request, employee_id: int):
    """The employee's consents: current, superseded and withdrawn (read, logged)."""
    user = request.user
    side = _recording_side(user, employee_id)
    consents = list(
        selectors.consents_recorded_for(user)
        .filter(employee=side.employee)
        .select_related("recorded_by", "withdrawn_by")
        .prefetch_related("items")
        .order_by("-given_on", "-pk")
    )
    if not (side.physician or side.recorder_role or consents):
        raise Http404
    _log_read(user, side.employee)
    rows = _rows(side, consents)
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "side": side,
            "employee": side.employee,
            "current": [r for r in rows if r.consent.is_current],
            "history": [r for r in rows if not r.consent.is_current],
            "can_record": side.physician or side.recorder_role is not None,
        },
    )


# --- recording ------------------------------------------------------------------------


@authenticated
@never_cache
@require_http_methods(["GET", "POST"])
def consent_create(request, employee_id: int):
    """R7: record the employee's consent for their open case. An empty form
    shows nothing stored, so opening it is not a read."""
    user = request.user
    side = _recording_side(user, employee_id)
    if not side.physician and side.recorder_role is None:
        raise Http404
    context = {"side": side, "employee": side.employee, "creating": True}
    if side.open_case is None:
        # Only the authorised physician gets here: consent belongs to a case.
        return render(request, TEMPLATES + "form.html", {**context, "form": None})
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.record_consent(user=user, case_id=side.open_case.pk, **form.consent_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De toestemming is vastgelegd."))
            return redirect("consent_list", employee_id=side.employee.pk)
    return render(request, TEMPLATES + "form.html", {**context, "form": form})


def _recorded_consent(user, pk: int):
    return require_in(
        selectors.consents_recorded_for(user).select_related(
            "employee__organisation", "employee__department", "case", "recorded_by", "withdrawn_by"
        ),
        pk=pk,
    )


@authenticated
@never_cache
@require_http_methods(["GET", "POST"])
def consent_supersede(request, pk: int):
    """R7: a change of consent is a new record that supersedes the old one.
    The form starts from the old record (a read of its items, logged)."""
    user = request.user
    old = _recorded_consent(user, pk)
    recorder_role = _recorder_role(user, old.case)
    if recorder_role is None:
        raise Http404
    if not old.is_current:
        messages.warning(request, _("Deze toestemming is al vervangen of ingetrokken."))
        return redirect("consent_list", employee_id=old.employee_id)
    initial, slots = initial_from(old)
    if request.method == "GET":
        form = ConsentForm(initial=initial, item_slots=slots)
        _log_read(user, old.employee, old.pk)
    else:
        form = ConsentForm(request.POST, item_slots=slots)
        if form.is_valid():
            try:
                services.supersede_consent(user=user, consent_id=old.pk, **form.consent_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("De nieuwe toestemming is vastgelegd; de vorige is daardoor vervangen.")
                )
                return redirect("consent_list", employee_id=old.employee_id)
    side = RecordingSide(
        employee=old.employee,
        open_case=old.case,
        physician=recorder_role == Consent.RecorderRole.PHYSICIAN,
        recorder_role=recorder_role,
    )
    return render(
        request,
        TEMPLATES + "form.html",
        {"side": side, "employee": old.employee, "form": form, "old": old, "creating": False},
    )


@authenticated
@never_cache
@require_http_methods(["GET", "POST"])
def consent_withdraw_on_behalf(request, pk: int):
    """R8: the employee told the physician or expert that they withdraw the
    consent; it is recorded on their behalf and takes effect at once."""
    user = request.user
    consent = _recorded_consent(user, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        already = not consent.is_current
        services.withdraw_consent(user=user, consent_id=consent.pk, reason=form.cleaned_data["reason"])
        if already:
            messages.info(
                request, _("Deze toestemming was al ingetrokken of vervangen; er is niets gewijzigd.")
            )
        else:
            messages.success(
                request,
                _(
                    "De toestemming is ingetrokken namens de medewerker. De casus kan vanaf nu niet meer "
                    "op grond van deze toestemming worden besproken."
                ),
            )
        return redirect("consent_list", employee_id=consent.employee_id)
    return render(
        request,
        TEMPLATES + "withdraw.html",
        {
            "consent": consent,
            "employee": consent.employee,
            "form": form,
            "meeting_types": _labels(consent.meeting_types, MEETING_TYPE_LABELS),
            "physician": permissions.can_view_medical_file(user, consent.employee),
        },
    )


urlpatterns = [
    path("medewerkers/<int:employee_id>/toestemmingen/", consent_list, name="consent_list"),
    path("medewerkers/<int:employee_id>/toestemmingen/nieuw/", consent_create, name="consent_create"),
    path("toestemmingen/<int:pk>/vervangen/", consent_supersede, name="consent_supersede"),
    path("toestemmingen/<int:pk>/intrekken/", consent_withdraw_on_behalf, name="consent_withdraw_on_behalf"),
]
