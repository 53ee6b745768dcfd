"""Core data: organisations, departments, employees and absence cases.

Medical data never lives in these models (R7a, R9); it gets its own,
physician-only models. What an employer may record at a sick report (R7a) is
limited to contact details, expected duration, and yes/no facts about a safety
net, a work accident and third-party liability.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smo.choices import ChoiceLabels


class Organisation(models.Model):
    """A client organisation. Its settings drive R3, R15, R19 and R21."""

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("korte naam"), unique=True)
    consultation_recency_weeks = models.PositiveSmallIntegerField(
        _("recent spreekuurcontact (weken)"),
        default=6,
        help_text=_("R3: een SMO met medewerker vereist een spreekuurcontact binnen deze termijn."),
    )
    statistics_group_threshold = models.PositiveSmallIntegerField(
        _("minimale groepsgrootte statistiek"),
        default=10,
        help_text=_("R19: kleinere groepen worden niet apart getoond."),
    )
    statistics_min_count = models.PositiveSmallIntegerField(
        _("minimaal aantal in een cel"),
        default=5,
        help_text=_("R19: kleinere aantallen worden onderdrukt (nooit onder 3)."),
    )
    eigenrisicodrager_zw = models.BooleanField(
        _("eigenrisicodrager Ziektewet"),
        default=False,
        help_text=_("R15: bewaartermijn re-integratiedossier wordt dan 5 jaar."),
    )
    retention_reintegration_years = models.PositiveSmallIntegerField(
        _("bewaartermijn re-integratiedossier (jaren)"), default=2
    )
    retention_absence_admin_years = models.PositiveSmallIntegerField(
        _("bewaartermijn verzuimadministratie na uitdiensttreding (jaren)"), default=2
    )
    retention_medical_years = models.PositiveSmallIntegerField(
        _("bewaartermijn medisch dossier (jaren)"), default=20
    )
    retention_access_log_years = models.PositiveSmallIntegerField(
        _("bewaartermijn toegangslog (jaren)"), default=5
    )
    extra_medical_terms = models.TextField(
        _("extra medische termen"),
        blank=True,
        help_text=_(
            "R7a: één term per regel, aanvullend op de standaardlijst. Teksten aan werkgeverszijde "
            "met deze termen worden teruggegeven met het verzoek ze functioneel te omschrijven."
        ),
    )
    procedure_evaluated_on = models.DateField(_("SMO-procedure laatst geëvalueerd op"), null=True, blank=True)
    # R13a: two-factor authentication is always required for everybody who can
    # see another person's case data; the organisation may require it for its
    # employees (who only see their own file) too.
    require_two_factor_for_employees = models.BooleanField(
        _("tweestapsverificatie ook verplicht voor medewerkers"),
        default=False,
        help_text=_(
            "Verplicht voor iedereen die dossiers van anderen ziet; hiermee ook voor medewerkers "
            "die alleen hun eigen dossier inzien."
        ),
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            # R19: never fewer than 3 in a shown cell.
            models.CheckConstraint(condition=Q(statistics_min_count__gte=3), name="org_min_count_at_least_3"),
            models.CheckConstraint(
                condition=Q(statistics_group_threshold__gte=F("statistics_min_count")),
                name="org_group_threshold_at_least_min_count",
            ),
            # R15: access logs are kept at least 5 years, medical files 20 (WGBO).
            models.CheckConstraint(
                condition=Q(retention_access_log_years__gte=5), name="org_access_log_min_5y"
            ),
            models.CheckConstraint(condition=Q(retention_medical_years__gte=20), name="org_medical_min_20y"),
            models.CheckConstraint(
                condition=Q(retention_reintegration_years__gte=2), name="org_reintegration_min_2y"
            ),
            models.CheckConstraint(
                condition=Q(consultation_recency_weeks__gte=1), name="org_recency_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.pk}

    @property
    def effective_reintegration_retention_years(self) -> int:
        """R15: 5 years for an eigenrisicodrager Ziektewet, else the setting."""
        return max(self.retention_reintegration_years, 5 if self.eigenrisicodrager_zw else 0)


class Membership(models.Model):
    """A user works for (or in) an organisation. Every query is scoped by it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("gebruiker"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisatie")
    )

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id}


class Department(ChoiceLabels, models.Model):
    """A department or location; departments may nest."""

    class Kind(models.TextChoices):
        DEPARTMENT = "afdeling", _("Afdeling")
        LOCATION = "locatie", _("Locatie")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments", verbose_name=_("organisatie")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("valt onder"),
    )
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)

    class Meta:
        verbose_name = _("afdeling")
        verbose_name_plural = _("afdelingen")
        ordering = ["name"]
        permissions = [("manage_department", _("Is leidinggevende van deze afdeling"))]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="department_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        node, seen = self.parent, set()
        while node is not None:
            if node.organisation_id != self.organisation_id:
                raise ValidationError(
                    {"parent": _("De bovenliggende afdeling hoort bij een andere organisatie.")}
                )
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("Een afdeling kan niet onder zichzelf vallen.")})
            seen.add(node.pk)
            node = node.parent

    @classmethod
    def descendant_ids(cls, root_ids: list[int]) -> set[int]:
        """The given departments and all below them (one query per level)."""
        found, frontier = set(root_ids), list(root_ids)
        while frontier:
            frontier = [
                pk
                for pk in cls.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
                if pk not in found
            ]
            found.update(frontier)
        return found


class Employee(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="employees", verbose_name=_("organisatie")
    )
    personnel_number = models.CharField(_("personeelsnummer"), max_length=40)
    first_name = models.CharField(_("voornaam"), max_length=100)
    last_name = models.CharField(_("achternaam"), max_length=150)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="employees", verbose_name=_("afdeling")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_employees",
        verbose_name=_("leidinggevende"),
    )
    contract_hours = models.DecimalField(_("contracturen per week"), max_digits=4, decimal_places=1)
    employment_start = models.DateField(_("in dienst sinds"))
    employment_end = models.DateField(_("uit dienst per"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("account medewerkersportaal"),
    )
    # R7a: contact details the employer may hold; masked in the audit trail.
    private_phone = models.CharField(_("telefoon (privé)"), max_length=40, blank=True)
    care_address = models.CharField(
        _("verpleegadres"),
        max_length=300,
        blank=True,
        help_text=_("Alleen een adres; geen medische informatie (R7a)."),
    )

    class Meta:
        verbose_name = _("medewerker")
        verbose_name_plural = _("medewerkers")
        ordering = ["last_name", "first_name"]
        permissions = [
            ("view_medical_file", _("Mag het medisch dossier inzien (bedrijfsarts/POB)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "personnel_number"], name="employee_number_unique_per_org"
            ),
            models.CheckConstraint(
                condition=Q(employment_end__isnull=True) | Q(employment_end__gte=F("employment_start")),
                name="employee_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(contract_hours__gt=0) & Q(contract_hours__lte=60),
                name="employee_contract_hours_range",
            ),
        ]
        indexes = [
            # The employee list's order: a page is read from the index, not
            # sorted from the whole scope (issue 8).
            models.Index(fields=["last_name", "first_name", "id"], name="employee_name_order"),
            # Headcount per department (index-only) and "does this department
            # have an employee in scope" (the list's department filter).
            models.Index(fields=["department", "employment_end"], name="employee_department_employment"),
            # The employee list's "gone, with a case still open": the former
            # employees of an organisation found by range, then their open
            # case by key (2.5 instead of 7 ms per count and per page with
            # 20,000 employees; PostgreSQL scanned them all before).
            models.Index(fields=["organisation", "employment_end"], name="employee_org_employment"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id, "employee_id": self.pk}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.department_id and self.department.organisation_id != self.organisation_id:
            raise ValidationError({"department": _("Deze afdeling hoort bij een andere organisatie.")})


class AbsenceCase(models.Model):
    """One sickness spell of an employee (verzuimgeval)."""

    class ClosedReason(models.TextChoices):
        RECOVERED = "hersteld", _("Volledig hersteld")
        LEFT = "uit_dienst", _("Uit dienst")
        WIA = "wia", _("Instroom WIA / einde loondoorbetaling")
        DECEASED = "overleden", _("Overleden")
        OTHER = "anders", _("Anders")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="absence_cases", verbose_name=_("medewerker")
    )
    first_day = models.DateField(_("eerste verzuimdag"))
    end_date = models.DateField(_("hersteldatum"), null=True, blank=True)
    closed_reason = models.CharField(
        _("reden afsluiting"), max_length=20, choices=ClosedReason.choices, blank=True
    )
    # R18: the contract size during the spell (from the HR import); empty means
    # the employee's current contract hours.
    contract_hours = models.DecimalField(
        _("contracturen per week tijdens het verzuim"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # R7a: yes/no facts only, never which provision or what happened.
    safety_net = models.BooleanField(_("vangnet Ziektewet van toepassing"), default=False)
    work_accident = models.BooleanField(_("verband met bedrijfsongeval"), default=False)
    third_party_liable = models.BooleanField(_("derde mogelijk aansprakelijk (regres)"), default=False)
    # R20: the WVP steps that were taken, with their dates (non-medical facts).
    problem_analysis_on = models.DateField(_("probleemanalyse ontvangen op"), null=True, blank=True)
    uwv_reported_on = models.DateField(_("ziekmelding UWV gedaan op"), null=True, blank=True)
    first_year_evaluation_on = models.DateField(_("eerstejaarsevaluatie gehouden op"), null=True, blank=True)
    wia_applied_on = models.DateField(
        _("re-integratieverslag en WIA-aanvraag ingediend op"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("verzuimgeval")
        verbose_name_plural = _("verzuimgevallen")
        ordering = ["-first_day"]
        permissions = [("guide_case", _("Is casemanager/expert van dit verzuimgeval"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("first_day")),
                name="case_end_after_start",
            ),
            # A closed case says why; an open case has no reason.
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(closed_reason=""))
                | (Q(end_date__isnull=False) & ~Q(closed_reason="")),
                name="case_closed_reason_iff_closed",
            ),
            models.UniqueConstraint(fields=["employee", "first_day"], name="case_unique_first_day"),
            models.CheckConstraint(
                condition=Q(contract_hours__isnull=True)
                | (Q(contract_hours__gt=0) & Q(contract_hours__lte=60)),
                name="case_contract_hours_range",
            ),
            models.UniqueConstraint(
                fields=["employee"], condition=Q(end_date__isnull=True), name="case_one_open_per_employee"
            ),
        ]
        indexes = [
            # The open cases, oldest first (the home page): read in order from
            # the index instead of sorting every open case (issue 8).
            models.Index(
                fields=["first_day", "id"], condition=Q(end_date__isnull=True), name="case_open_first_day"
            ),
        ]

    def __str__(self) -> str:
        return _("Verzuim %(name)s vanaf %(day)s") % {
            "name": self.employee.full_name,
            "day": self.first_day.strftime("%d-%m-%Y"),
        }

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.employee.organisation_id, "employee_id": self.employee_id}

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def duration_days(self, today: datetime.date | None = None) -> int:
        """Calendar days of the spell, first and last day included."""
        last = self.end_date or (today or timezone.localdate())
        return (last - self.first_day).days + 1

    def absence_week(self, today: datetime.date | None = None) -> int:
        """The WVP week of absence (week 1 starts on the first day)."""
        return (self.duration_days(today) - 1) // 7 + 1


class AbsencePercentage(models.Model):
    """The absence percentage of a case from a date on (partial recovery)."""

    case = models.ForeignKey(
        AbsenceCase, on_delete=models.CASCADE, related_name="percentages", verbose_name=_("verzuimgeval")
    )
    valid_from = models.DateField(_("vanaf"))
    percentage = models.PositiveSmallIntegerField(_("verzuimpercentage"))

    class Meta:
        verbose_name = _("verzuimpercentage")
        verbose_name_plural = _("verzuimpercentages")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["case", "valid_from"], name="percentage_unique_per_day"),
            models.CheckConstraint(
                condition=Q(percentage__gte=1) & Q(percentage__lte=100), name="percentage_1_to_100"
            ),
        ]

    def __str__(self) -> str:
        return _("%(percentage)s%% vanaf %(day)s") % {
            "percentage": self.percentage,
            "day": self.valid_from.strftime("%d-%m-%Y"),
        }

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.case.employee.organisation_id, "employee_id": self.case.employee_id}
