"""The medical file (medisch dossier, R9): physician-only by construction.

- Every foreign key to employer-side data uses ``related_name="+"``: no
  employee, case or user object can be traversed to a medical record, so no
  template or serializer of the employer side can reach one by accident.
- ``objects`` refuses unscoped queries (:class:`MedicalAccessError`); the only
  way in is ``objects.for_physician(user)``, limited to the employees that
  physician is authorised for (guardian ``view_medical_file``, never implied by
  superuser or admin). Services in :mod:`casefiles.medical` wrap that and log
  every action (R13).
- The medical file is not in the admin, and is not in django-auditlog's diff
  trail (whose entries the privacy officer reads): its trail is the NEN 7513
  access log written by the services, which names item kinds, never content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .core import AbsenceCase, Employee


class MedicalAccessError(PermissionError):
    """Raised on any unscoped query of the medical file."""


class MedicalRecordManager(models.Manager):
    """Refuses unscoped queries; ``employee_path`` leads from the model to the
    employee whose file it belongs to."""

    def __init__(self, employee_path: str = "employee"):
        super().__init__()
        self.employee_path = employee_path

    def deconstruct(self):
        return (False, "casefiles.models.medical.MedicalRecordManager", None, (self.employee_path,), {})

    def get_queryset(self):
        raise MedicalAccessError(
            "The medical file is only read through casefiles.medical (for_physician); R9."
        )

    def for_physician(self, user) -> models.QuerySet:
        from smo.permissions import employees_with_medical_authorisation

        return (
            super()
            .get_queryset()
            .filter(**{f"{self.employee_path}__in": employees_with_medical_authorisation(user)})
        )

    def released_for_employer(self) -> models.QuerySet:
        """Only for casefiles.medical.shared_conclusions: released conclusions."""
        return super().get_queryset().filter(released_at__isnull=False)


class MedicalRecord(models.Model):
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="+", verbose_name=_("medewerker")
    )
    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verzuimgeval"),
    )
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = MedicalRecordManager()
    # Unscoped manager for Django's internals (cascades, unique checks) and
    # the retention job; never used by a view.
    records = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True
        default_manager_name = "records"
        base_manager_name = "records"


class Consultation(MedicalRecord):
    """A spreekuurcontact of a bedrijfsarts/POB with the employee."""

    class Kind(models.TextChoices):
        REGULAR = "regulier", _("Regulier spreekuur")
        OWN_INITIATIVE = "eigen_initiatief", _("Op eigen initiatief van de medewerker")
        PROBLEM_ANALYSIS = "probleemanalyse", _("Probleemanalyse (WVP)")

    date = models.DateField(_("datum"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    notes = models.TextField(_("medische aantekeningen"), blank=True)

    class Meta(MedicalRecord.Meta):
        verbose_name = _("spreekuurcontact")
        verbose_name_plural = _("spreekuurcontacten")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return str(_("Spreekuurcontact %(date)s")) % {"date": self.date.strftime("%d-%m-%Y")}


class ConsultationConclusion(models.Model):
    """The four conclusions of a consultation that may be shared (R7):
    degree of incapacity, expected duration, functional limitations (FML, in
    :class:`FunctionalLimitation`) and adaptations needed for reintegration.
    Shared with the employer side only after the physician releases them,
    and then only as a plain summary (casefiles.medical.SharedConclusions)."""

    class Incapacity(models.TextChoices):
        FULL = "volledig", _("Volledig arbeidsongeschikt")
        PARTIAL = "gedeeltelijk", _("Gedeeltelijk arbeidsongeschikt")
        NONE = "niet", _("Niet arbeidsongeschikt")

    class Duration(models.TextChoices):
        UNDER_2_WEEKS = "korter_2w", _("Korter dan 2 weken")
        WEEKS_2_6 = "2_6w", _("2 tot 6 weken")
        WEEKS_6_13 = "6_13w", _("6 weken tot 3 maanden")
        MONTHS_3_6 = "3_6m", _("3 tot 6 maanden")
        OVER_6_MONTHS = "langer_6m", _("Langer dan 6 maanden")
        UNKNOWN = "onbekend", _("Nog niet in te schatten")

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="conclusion")
    incapacity = models.CharField(
        _("mate van arbeidsongeschiktheid"), max_length=20, choices=Incapacity.choices
    )
    incapacity_percentage = models.PositiveSmallIntegerField(
        _("percentage arbeidsongeschikt"), null=True, blank=True
    )
    expected_duration = models.CharField(
        _("verwachte duur"), max_length=20, choices=Duration.choices, default=Duration.UNKNOWN
    )
    expected_return_from = models.DateField(_("verwachte terugkeer vanaf"), null=True, blank=True)
    expected_return_until = models.DateField(_("verwachte terugkeer uiterlijk"), null=True, blank=True)
    adaptations = models.TextField(
        _("aanpassingen nodig voor re-integratie"),
        blank=True,
        help_text=_("In functionele termen: wat kan de medewerker wel, en wat is nodig?"),
    )
    released_at = models.DateTimeField(_("gedeeld met werkgever op"), null=True, blank=True)

    objects = MedicalRecordManager("consultation__employee")
    records = models.Manager()  # noqa: DJ012

    class Meta:
        default_manager_name = "records"
        base_manager_name = "records"
        verbose_name = _("conclusies spreekuurcontact")
        verbose_name_plural = _("conclusies spreekuurcontacten")
        constraints = [
            models.CheckConstraint(
                condition=Q(incapacity_percentage__isnull=True)
                | (Q(incapacity_percentage__gte=0) & Q(incapacity_percentage__lte=100)),
                name="conclusion_percentage_0_100",
            ),
            models.CheckConstraint(
                condition=Q(expected_return_until__isnull=True)
                | Q(expected_return_from__isnull=True)
                | Q(expected_return_until__gte=models.F("expected_return_from")),
                name="conclusion_return_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class FunctionalLimitation(models.Model):
    """One FML rubriek of a conclusion: a level and a short non-medical description."""

    class Rubriek(models.IntegerChoices):
        PERSONAL = 1, _("I. Persoonlijk functioneren")
        SOCIAL = 2, _("II. Sociaal functioneren")
        ENVIRONMENT = 3, _("III. Aanpassing aan fysieke omgevingseisen")
        DYNAMIC = 4, _("IV. Dynamische handelingen")
        STATIC = 5, _("V. Statische houdingen")
        HOURS = 6, _("VI. Werktijden")

    class Level(models.TextChoices):
        NONE = "geen", _("Geen beperking")
        LIMITED = "beperkt", _("Beperkt")
        SEVERE = "sterk_beperkt", _("Sterk beperkt")

    conclusion = models.ForeignKey(
        ConsultationConclusion, on_delete=models.CASCADE, related_name="limitations"
    )
    rubriek = models.PositiveSmallIntegerField(_("rubriek"), choices=Rubriek.choices)
    level = models.CharField(_("mate"), max_length=20, choices=Level.choices, default=Level.NONE)
    description = models.CharField(_("toelichting (functioneel)"), max_length=300, blank=True)

    objects = MedicalRecordManager("conclusion__consultation__employee")
    records = models.Manager()  # noqa: DJ012

    class Meta:
        default_manager_name = "records"
        base_manager_name = "records"
        verbose_name = _("functionele beperking")
        verbose_name_plural = _("functionele beperkingen")
        ordering = ["rubriek"]
        constraints = [
            models.UniqueConstraint(fields=["conclusion", "rubriek"], name="limitation_one_per_rubriek"),
            models.CheckConstraint(
                condition=Q(rubriek__gte=1) & Q(rubriek__lte=6), name="limitation_rubriek_1_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rubriek_display()}: {self.get_level_display()}"


class PhysicianNote(MedicalRecord):
    """What the bedrijfsarts records for the medical file about a case,
    e.g. during an SMO. Never shown to anyone else."""

    date = models.DateField(_("datum"))
    context = models.CharField(_("context (bijv. SMO van 12-03)"), max_length=200, blank=True)
    notes = models.TextField(_("aantekening"))

    class Meta(MedicalRecord.Meta):
        verbose_name = _("aantekening bedrijfsarts")
        verbose_name_plural = _("aantekeningen bedrijfsarts")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return str(_("Aantekening %(date)s")) % {"date": self.date.strftime("%d-%m-%Y")}
