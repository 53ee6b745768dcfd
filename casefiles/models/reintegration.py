"""The reintegration file (re-integratiedossier, R9): non-medical facts of an
absence case that the employee's manager, HR, the casemanager and the employee
(read-only, R14) may see. Free text here is employer-side: it never holds
health data (R7a), checked by casefiles.medical_terms before saving."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..storage import private_storage
from .core import AbsenceCase, Employee


class PlanVanAanpak(models.Model):
    """The reintegration plan of manager and employee (WVP, week 8)."""

    case = models.OneToOneField(
        AbsenceCase, on_delete=models.CASCADE, related_name="plan", verbose_name=_("verzuimgeval")
    )
    drawn_up_on = models.DateField(_("opgesteld op"))
    goal = models.TextField(_("doel van de re-integratie"))
    casemanager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("casemanager"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan van aanpak")
        verbose_name_plural = _("plannen van aanpak")

    def __str__(self) -> str:
        return str(_("Plan van aanpak van %(date)s")) % {"date": self.drawn_up_on.strftime("%d-%m-%Y")}

    def get_additional_data(self) -> dict:
        return self.case.get_additional_data()


class PlanAgreement(models.Model):
    """An agreement in the plan: who does what by when."""

    class Who(models.TextChoices):
        EMPLOYEE = "medewerker", _("Medewerker")
        MANAGER = "leidinggevende", _("Leidinggevende")
        CASEMANAGER = "casemanager", _("Casemanager")
        HR = "hr", _("HR")
        OTHER = "anders", _("Anders")

    plan = models.ForeignKey(PlanVanAanpak, on_delete=models.CASCADE, related_name="agreements")
    what = models.CharField(_("afspraak"), max_length=300)
    who = models.CharField(_("wie"), max_length=20, choices=Who.choices)
    due = models.DateField(_("uiterlijk"), null=True, blank=True)
    done_on = models.DateField(_("afgerond op"), null=True, blank=True)

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.what

    def get_additional_data(self) -> dict:
        return self.plan.get_additional_data()


class PlanEvaluation(models.Model):
    """An evaluation of the plan (WVP: at least every 6 weeks)."""

    plan = models.ForeignKey(PlanVanAanpak, on_delete=models.CASCADE, related_name="evaluations")
    date = models.DateField(_("datum"))
    summary = models.TextField(_("bevindingen en bijstelling"))

    class Meta:
        verbose_name = _("evaluatie plan van aanpak")
        verbose_name_plural = _("evaluaties plan van aanpak")
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="evaluation_one_per_day")]

    def __str__(self) -> str:
        return str(_("Evaluatie van %(date)s")) % {"date": self.date.strftime("%d-%m-%Y")}

    def get_additional_data(self) -> dict:
        return self.plan.get_additional_data()


class CaseDocument(models.Model):
    """A document in the reintegration file, stored privately (never under a
    public URL) and downloaded through a permission-checked view."""

    case = models.ForeignKey(AbsenceCase, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titel"), max_length=200)
    file = models.FileField(_("bestand"), upload_to="casedocuments/%Y/%m/", storage=private_storage)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return self.case.get_additional_data()


class CorrectionRequest(models.Model):
    """R14: the employee asks to correct what was recorded about them."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="correction_requests")
    case = models.ForeignKey(
        AbsenceCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="correction_requests"
    )
    text = models.TextField(_("wat moet er worden gecorrigeerd?"))
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response = models.TextField(_("reactie"), blank=True)

    class Meta:
        verbose_name = _("correctieverzoek")
        verbose_name_plural = _("correctieverzoeken")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | Q(handled_at__gte=F("created_at")),
                name="correction_handled_after_created",
            )
        ]

    def __str__(self) -> str:
        return str(_("Correctieverzoek van %(date)s")) % {"date": self.created_at.strftime("%d-%m-%Y")}

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.employee.organisation_id, "employee_id": self.employee_id}
