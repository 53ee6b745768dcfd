"""The SMO procedure (reglement) of an organisation (R16), built from its
actual settings and from the product's own rules, so practice and paper agree.

What comes from where (change the source, and the reglement follows):

- meeting types in use: the organisation's meetings and series (not
  cancelled); their chairs from ``meetings.services.scheduling.CHAIR_ROLES``,
  who plans them from ``ORGANISER_ROLES``; cases or not from
  ``consent.types.CASE_MEETING_TYPES`` (R1-R5);
- who brings a case in: the employer side of ``smo.permissions`` (R6);
- consent: who records it from ``consent.models.Consent.RecorderRole``, what
  may be added from ``ConsentItem.Category`` (R7, R8);
- minutes: the support measures from ``meetings.models.ActionPoint.Type``
  (R10, R22);
- who has access: the roles each view declares (``smo.permissions``
  decorators, read back through the URL resolver), ``PHYSICIAN_ROLES``,
  ``EXPERT_ROLES``, the statistics roles and the beheerder's admin models
  (R9, R13);
- retention periods, statistics thresholds, the recent-consultation term and
  the last evaluation: the Organisation's fields (R3, R15, R19, R21);
- purpose, complaints and privacy contacts, additional provisions: the
  :class:`ReglementText` the functioneel beheerder edits.

Three queries: the texts, the meeting types in use and the series intervals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casefiles.models import Organisation
from consent.models import Consent, ConsentItem
from consent.types import CASE_MEETING_TYPES, MeetingType
from meetings.models import ActionPoint, Meeting, MeetingSeries
from meetings.reminders.common import PROCEDURE_EVALUATION_YEARS, procedure_evaluation_due
from meetings.services.scheduling import CHAIR_ROLES, ORGANISER_ROLES
from smo.permissions import ACCESS_ATTR
from smo.roles import (
    BEHEERDER_MODEL_PERMS,
    EXPERT_ROLES,
    PHYSICIAN_ROLES,
    ROLE_LABELS,
    STATISTICS_ROLES,
    Role,
)

from .models_reglement import ReglementText

DEFAULT_PURPOSE = gettext_lazy(
    "Het sociaal medisch overleg (SMO) is een gestructureerd overleg van de werkgever met deskundigen, "
    "met de bedrijfsarts als adviseur. Het doel is om afspraken over preventie, verzuimbegeleiding en "
    "re-integratie op elkaar af te stemmen en de volgende stappen te coördineren, zodat zieke "
    "medewerkers zo goed mogelijk worden begeleid naar passend werk. In het SMO worden geen medische "
    "gegevens gedeeld of vastgelegd. Dit reglement beschrijft hoe het SMO in onze organisatie werkt, "
    "hoe uw privacy is geborgd en welke rechten u heeft."
)

# The employer side that brings its own employees' cases in (R6): the roles
# of smo.permissions._employer_scope (HR of the organisation, the manager of
# the employee). tests/reporting/test_reglement.py checks that they agree.
EMPLOYER_ROLES = frozenset({Role.LEIDINGGEVENDE, Role.HR})


# Per meeting type what the product cannot derive from one constant: the
# DOMAIN table. A new meeting type without an entry here fails loudly.
TYPE_RULES = {
    MeetingType.CASE_SMO: {
        "cases": gettext_lazy("Meerdere casussen na elkaar, elk over één medewerker."),
        "physician": gettext_lazy("Adviseur."),
        "employee": gettext_lazy(
            "Meestal niet; wordt uitgenodigd tenzij dat te belastend is (de reden wordt vastgelegd)."
        ),
        "minutes": gettext_lazy("Alleen afspraken, besluiten en actiepunten."),
    },
    MeetingType.SMO_WITH_EMPLOYEE: {
        "cases": gettext_lazy("Precies één casus: die van de medewerker die deelneemt (R3)."),
        "physician": gettext_lazy(
            "Adviseur van beide partijen; kan voorzitten om een ongelijke situatie te voorkomen."
        ),
        "employee": gettext_lazy("Ja, de medewerker neemt deel."),
        "minutes": gettext_lazy("Alleen afspraken, besluiten en actiepunten."),
    },
    MeetingType.MULTIDISCIPLINARY: {
        "cases": gettext_lazy("Eén of meer casussen, met meerdere deskundigen tegelijk."),
        "physician": gettext_lazy("Kan deelnemen, naast andere deskundigen."),
        "employee": gettext_lazy(
            "Nee; de leidinggevende informeert de medewerker daarna over de uitkomst (R5)."
        ),
        "minutes": gettext_lazy("Alleen afspraken, besluiten en actiepunten."),
    },
    MeetingType.SRO: {
        "cases": gettext_lazy(
            "Casussen die leidinggevenden inbrengen, over beïnvloedbare factoren; daarnaast statistiek."
        ),
        "physician": gettext_lazy(
            "Nooit: geen bedrijfsarts of praktijkondersteuner, en er wordt niets medisch vastgelegd (R2)."
        ),
        "employee": gettext_lazy("Nee."),
        "minutes": gettext_lazy(
            "Alleen actiepunten; statistiek alleen waar die niet herleidbaar is tot personen."
        ),
    },
    MeetingType.THEME: {
        "cases": gettext_lazy("Geen individuele casussen, alleen een thema (R1)."),
        "physician": gettext_lazy("Kan deelnemen."),
        "employee": gettext_lazy("Nee."),
        "minutes": gettext_lazy(
            "Volledig verslag, vrij te delen, maar zonder iets dat herleidbaar is tot een persoon (R11)."
        ),
    },
}


@dataclass(frozen=True)
class MeetingTypeRule:
    value: str
    label: str
    in_use: bool
    has_cases: bool
    cases: str
    chairs: str
    physician: str
    employee: str
    minutes: str
    intervals: tuple[int, ...]  # weeks between meetings of its series


@dataclass(frozen=True)
class AccessRow:
    what: str
    who: str
    how: str


@dataclass(frozen=True)
class RetentionRow:
    what: str
    years: int
    from_when: str


@dataclass(frozen=True)
class Reglement:
    organisation: Organisation
    texts: ReglementText | None
    purpose: str
    purpose_is_default: bool
    meeting_types: tuple[MeetingTypeRule, ...]
    types_in_use: tuple[MeetingTypeRule, ...]
    types_not_in_use: tuple[MeetingTypeRule, ...]
    organisers: str
    bringers: str
    consent_recorders: tuple[str, ...]
    consent_categories: tuple[str, ...]
    support_measures: tuple[str, ...]
    access: tuple[AccessRow, ...]
    retention: tuple[RetentionRow, ...]
    consultation_recency_weeks: int
    statistics_roles: str
    statistics_group_threshold: int
    statistics_min_count: int
    evaluated_on: datetime.date | None
    evaluation_years: int
    evaluation_due: bool
    generated_on: datetime.date


def role_labels(roles) -> str:
    """Dutch labels of ``roles`` in the order of smo.roles.Role, joined
    as "A, B en C"."""
    wanted = {str(r) for r in roles}
    labels = [str(ROLE_LABELS[r]) for r in Role if r.value in wanted]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(first)s en %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def declared_roles(url_name: str, *args) -> frozenset[str]:
    """The roles the view behind ``url_name`` declares with
    ``smo.permissions.require_roles``: the reglement states what the code
    enforces, not a hand list."""
    access = getattr(resolve(reverse(url_name, args=args)).func, ACCESS_ATTR, None)
    if not isinstance(access, frozenset):
        raise ImproperlyConfigured(f"{url_name} does not declare roles with require_roles")
    return access


def _admin_models() -> str:
    """The master data the beheerder manages in the admin, by their Dutch names."""
    names = []
    for app_label, models in BEHEERDER_MODEL_PERMS.items():
        for model_name in models:
            names.append(str(apps.get_model(app_label, model_name)._meta.verbose_name_plural))
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s en %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def access_rows(organisation: Organisation) -> tuple[AccessRow, ...]:
    """R9, R10, R11, R13, R14, R19: who sees what, from the roles the code checks."""
    physicians = role_labels(PHYSICIAN_ROLES)
    return (
        AccessRow(
            _("Medisch dossier (spreekuurcontacten, medische aantekeningen, beperkingen)"),
            physicians,
            _(
                "Alleen wie van hen voor de betreffende medewerker is geautoriseerd (door %(granters)s, "
                "die zelf geen toegang krijgen). Niemand anders; ieder lezen en wijzigen wordt gelogd "
                "(NEN 7513)."
            )
            % {"granters": role_labels(declared_roles("employee_access", 0))},
        ),
        AccessRow(
            _("Re-integratiedossier (verzuimgegevens, WVP-stappen, plan van aanpak, afspraken)"),
            role_labels(declared_roles("employee_list") | declared_roles("my_file")),
            _(
                "De leidinggevende alleen voor de eigen medewerkers, HR voor de organisatie, "
                "%(experts)s alleen voor de casussen waaraan zij zijn gekoppeld, en de medewerker "
                "zelf (alleen lezen)."
            )
            % {"experts": role_labels(EXPERT_ROLES).lower()},
        ),
        AccessRow(
            _("Verslag van een casusoverleg"),
            _("Deelnemers, HR en de medewerker om wie het gaat"),
            _(
                "De deelnemers van dat overleg en HR zien het hele verslag; de medewerker alleen de "
                "eigen punten. Ieder downloaden wordt gelogd."
            ),
        ),
        AccessRow(
            _("Verslag van een beleids-/thema-SMT"),
            _("Iedereen van de organisatie"),
            _("Bevat niets dat herleidbaar is tot een persoon."),
        ),
        AccessRow(
            _("Toestemmingen van de medewerker"),
            _("Wie de toestemming vastlegde, en de medewerker zelf"),
            _(
                "De voorzitter ziet alleen of een casus besproken kan worden, nooit waarom niet "
                "(bijvoorbeeld omdat toestemming is ingetrokken)."
            ),
        ),
        AccessRow(
            _("Verzuimstatistieken"),
            role_labels(STATISTICS_ROLES),
            _(
                "Alleen groepscijfers van ten minste %(threshold)s medewerkers; leidinggevenden alleen "
                "van hun eigen afdelingen."
            )
            % {"threshold": organisation.statistics_group_threshold},
        ),
        AccessRow(
            _("Auditlog en toegangslog"),
            role_labels(declared_roles("audit_log")),
            _("Wie wat deed en wanneer, zonder inhoud; ook het lezen van het log wordt gelogd."),
        ),
        AccessRow(
            _("Stamgegevens"),
            role_labels({Role.BEHEERDER}),
            _("Alleen %(models)s; geen verzuimdossiers en niets medisch.") % {"models": _admin_models()},
        ),
    )


def retention_rows(organisation: Organisation) -> tuple[RetentionRow, ...]:
    """R15: the organisation's retention periods as enforced by the nightly purge."""
    return (
        RetentionRow(
            _("Verzuimadministratie"),
            organisation.retention_absence_admin_years,
            _("na het einde van het dienstverband"),
        ),
        RetentionRow(
            _("Re-integratiedossier en verslagen van casusoverleggen"),
            organisation.effective_reintegration_retention_years,
            _("na het einde van de re-integratie"),
        ),
        RetentionRow(
            _("Medisch dossier (bij de bedrijfsarts)"),
            organisation.retention_medical_years,
            _("na de laatste wijziging (WGBO)"),
        ),
        RetentionRow(
            _("Auditlog en toegangslog"),
            organisation.retention_access_log_years,
            _("na de registratie"),
        ),
    )


def _meeting_types(organisation: Organisation) -> tuple[MeetingTypeRule, ...]:
    used = set(
        Meeting.objects.filter(organisation=organisation)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by()
        .values_list("meeting_type", flat=True)
        .distinct()
    )
    intervals: dict[str, set[int]] = {}
    for meeting_type, weeks in (
        MeetingSeries.objects.filter(organisation=organisation)
        .order_by()
        .values_list("meeting_type", "interval_weeks")
        .distinct()
    ):
        intervals.setdefault(meeting_type, set()).add(weeks)
    missing = set(MeetingType) - set(TYPE_RULES)
    if missing:
        raise ImproperlyConfigured(f"reglement: no rules text for meeting types {sorted(missing)}")
    return tuple(
        MeetingTypeRule(
            value=meeting_type.value,
            label=str(meeting_type.label),
            in_use=meeting_type in used or meeting_type in intervals,
            has_cases=meeting_type in CASE_MEETING_TYPES,
            cases=str(TYPE_RULES[meeting_type]["cases"]),
            chairs=role_labels(CHAIR_ROLES[meeting_type]),
            physician=str(TYPE_RULES[meeting_type]["physician"]),
            employee=str(TYPE_RULES[meeting_type]["employee"]),
            minutes=str(TYPE_RULES[meeting_type]["minutes"]),
            intervals=tuple(sorted(intervals.get(meeting_type, ()))),
        )
        for meeting_type in MeetingType
    )


def build(organisation: Organisation) -> Reglement:
    """The reglement of ``organisation`` as it is configured today."""
    texts = ReglementText.objects.filter(organisation=organisation).select_related("updated_by").first()
    purpose = texts.purpose.strip() if texts is not None else ""
    types = _meeting_types(organisation)
    today = timezone.localdate()
    return Reglement(
        organisation=organisation,
        texts=texts,
        purpose=purpose or str(DEFAULT_PURPOSE),
        purpose_is_default=not purpose,
        meeting_types=types,
        types_in_use=tuple(t for t in types if t.in_use),
        types_not_in_use=tuple(t for t in types if not t.in_use),
        organisers=role_labels(ORGANISER_ROLES),
        bringers=role_labels(EMPLOYER_ROLES),
        consent_recorders=tuple(str(label) for label in Consent.RecorderRole.labels),
        consent_categories=tuple(str(label) for label in ConsentItem.Category.labels),
        support_measures=tuple(
            str(label) for value, label in ActionPoint.Type.choices if value != ActionPoint.Type.OTHER
        ),
        access=access_rows(organisation),
        retention=retention_rows(organisation),
        consultation_recency_weeks=organisation.consultation_recency_weeks,
        statistics_roles=role_labels(STATISTICS_ROLES),
        statistics_group_threshold=organisation.statistics_group_threshold,
        statistics_min_count=max(organisation.statistics_min_count, 3),
        evaluated_on=organisation.procedure_evaluated_on,
        evaluation_years=PROCEDURE_EVALUATION_YEARS,
        evaluation_due=procedure_evaluation_due(organisation, today),
        generated_on=today,
    )
