"""The five meeting types and what happens in them (R1-R5, R10-R12, R17, R21, R22).

Case information in a meeting is never stored here beyond what R10 allows:
decisions/agreements and action points (employer-side text, checked for
medical terms, R7a). What may be *said* comes live from the consent gate's
shareable summary and is not copied into any of these tables.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casefiles.models import AbsenceCase, Department, Organisation
from consent.types import MeetingType
from smo.choices import ChoiceLabels


class MeetingSeries(models.Model):
    """A recurring meeting, e.g. an SMT every 6 weeks."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="meeting_series")
    meeting_type = models.CharField(_("soort overleg"), max_length=30, choices=MeetingType.choices)
    title = models.CharField(_("titel"), max_length=200)
    interval_weeks = models.PositiveSmallIntegerField(_("elke zoveel weken"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reeks overleggen")
        verbose_name_plural = _("reeksen overleggen")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1) & Q(interval_weeks__lte=52), name="series_interval_1_52"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        PLANNED = "gepland", _("Gepland")
        OPEN = "geopend", _("Bezig")
        CLOSED = "gesloten", _("Gesloten")
        CANCELLED = "geannuleerd", _("Geannuleerd")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="meetings")
    meeting_type = models.CharField(_("soort overleg"), max_length=30, choices=MeetingType.choices)
    title = models.CharField(_("titel"), max_length=200)
    starts_at = models.DateTimeField(_("begint om"))
    duration_minutes = models.PositiveSmallIntegerField(_("duur (minuten)"), default=60)
    location = models.CharField(_("locatie"), max_length=200, blank=True)
    video_link = models.URLField(_("videolink"), blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="meetings", verbose_name=_("afdelingen")
    )
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    roles_confirmed_at = models.DateTimeField(_("rollen bevestigd om"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # R11: full minutes of a beleids-/thema-SMT only.
    minutes_text = models.TextField(_("verslag (alleen beleids-/thema-SMT)"), blank=True)
    minutes_override_reason = models.CharField(
        _("reden om waarschuwing te negeren"), max_length=300, blank=True
    )
    # R21: the chair's short evaluation after the meeting.
    evaluation_stayed_in_frame = models.BooleanField(
        _("binnen het kader van dit overleg gebleven"), null=True
    )
    evaluation_note = models.TextField(_("evaluatie"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=600),
                name="meeting_duration_range",
            ),
            # R11: only a beleids-/thema-SMT has full minutes.
            models.CheckConstraint(
                condition=Q(meeting_type=MeetingType.THEME) | Q(minutes_text=""),
                name="meeting_full_minutes_theme_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d-%m-%Y})"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id}

    @property
    def date(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localtime(self.starts_at).date()

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_case_meeting(self) -> bool:
        return self.meeting_type != MeetingType.THEME


class Participant(ChoiceLabels, models.Model):
    """R4: each participant has a stated role in the meeting."""

    class Role(models.TextChoices):
        CHAIR = "voorzitter", _("Voorzitter")
        ADVISER = "adviseur", _("Adviseur")
        MINUTE_TAKER = "notulist", _("Notulist")
        PARTICIPANT = "deelnemer", _("Deelnemer")
        GUEST = "gast", _("Gast-expert")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_participations"
    )
    role = models.CharField(_("rol in het overleg"), max_length=20, choices=Role.choices)
    present = models.BooleanField(_("aanwezig"), null=True)

    class Meta:
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="participant_once_per_meeting"),
            # R4: exactly one chair per meeting.
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(role="voorzitter"), name="participant_one_chair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.meeting.organisation_id}


class AgendaItem(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        CASE = "casus", _("Casus")
        GENERAL = "algemeen", _("Algemeen (statistiek, thema)")
        THEME = "thema", _("Thema")

    class Status(models.TextChoices):
        PENDING = "wachtend", _("Nog te bespreken")
        OPEN = "open", _("In bespreking")
        DONE = "besproken", _("Besproken")
        SKIPPED = "overgeslagen", _("Niet besproken")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    # Copied from the meeting so the database can enforce R1 on the item.
    meeting_type = models.CharField(max_length=30, choices=MeetingType.choices, editable=False)
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    kind = models.CharField(_("soort punt"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        AbsenceCase, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_items"
    )
    title = models.CharField(_("onderwerp"), max_length=200, blank=True)
    questions = models.TextField(_("vragen aan het overleg"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # R17: influenceable factors discussed (SRO only).
    sro_factors = models.JSONField(_("besproken beïnvloedbare factoren"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        ordering = ["position", "pk"]
        constraints = [
            # R1: a case item concerns exactly one case; other items none.
            models.CheckConstraint(
                condition=(Q(kind="casus") & Q(case__isnull=False))
                | (~Q(kind="casus") & Q(case__isnull=True)),
                name="item_case_iff_case_kind",
            ),
            # R1: never an individual case in a beleids-/thema-SMT; theme items only there.
            models.CheckConstraint(
                condition=~Q(meeting_type=MeetingType.THEME) | Q(kind="thema"),
                name="item_theme_meeting_only_themes",
            ),
            models.UniqueConstraint(
                fields=["meeting", "case"], condition=Q(case__isnull=False), name="item_case_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())

    def save(self, *args, **kwargs):
        self.meeting_type = self.meeting.meeting_type
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        data = {"organisation_id": self.meeting.organisation_id}
        if self.case_id:
            data["employee_id"] = self.case.employee_id
        return data


class Decision(models.Model):
    """R10: a decision or agreement on an item: the only kind of minutes of a
    case item, with the action points."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("besluit of afspraak"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def get_additional_data(self) -> dict:
        return self.item.get_additional_data()


class ActionPoint(ChoiceLabels, models.Model):
    """R10, R22: what, who, by when, and which support measure."""

    class Type(models.TextChoices):
        PHYSICIAN_GUIDANCE = "begeleiding_ba", _("Begeleiding door de bedrijfsarts")
        BMW = "bmw", _("Bedrijfsmaatschappelijk werk")
        SECOND_LINE = "tweedelijns", _("Tweedelijns ondersteuning (psycholoog, coach, schuldhulp)")
        TRAINING = "scholing", _("Scholing")
        SPECIAL_LEAVE = "bijzonder_verlof", _("Bijzonder verlof")
        WORK_ADAPTATION = "werkaanpassing", _("Werkaanpassing")
        RETURN_TO_WORK = "werkhervatting", _("(Gedeeltelijke) werkhervatting")
        OTHER = "overig", _("Overig")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "gedaan", _("Gedaan")
        CANCELLED = "vervallen", _("Vervallen")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="action_points")
    case = models.ForeignKey(
        AbsenceCase, on_delete=models.CASCADE, null=True, blank=True, related_name="action_points"
    )
    what = models.CharField(_("wat"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_points",
    )
    owner_label = models.CharField(_("wie (als geen gebruiker)"), max_length=100, blank=True)
    due = models.DateField(_("uiterlijk"))
    type = models.CharField(_("soort ondersteuning"), max_length=30, choices=Type.choices, default=Type.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("actiepunt")
        verbose_name_plural = _("actiepunten")
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(owner_label=""), name="action_point_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def get_additional_data(self) -> dict:
        return self.item.get_additional_data()


class FollowUpObligation(models.Model):
    """R5: after a multidisciplinaire consultatie the manager informs the
    employee of the outcome; open until marked done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    case = models.ForeignKey(AbsenceCase, on_delete=models.CASCADE, related_name="follow_ups")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups")
    due = models.DateField(_("uiterlijk"))
    done_at = models.DateTimeField(_("gedaan op"), null=True, blank=True)

    class Meta:
        verbose_name = _("terugkoppeling aan medewerker")
        verbose_name_plural = _("terugkoppelingen aan medewerkers")
        ordering = ["due", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="follow_up_once_per_case")]

    def __str__(self) -> str:
        return str(_("Uitkomst bespreken met medewerker"))

    def get_additional_data(self) -> dict:
        return self.case.get_additional_data()


from .models_reminders import *  # noqa: F403,E402
