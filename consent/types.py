"""Vocabulary shared by consent and meetings (meetings imports it from here,
consent never imports meetings)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingType(models.TextChoices):
    """The five meeting types of DOMAIN.md."""

    CASE_SMO = "casus_smo", _("Casus-specifiek SMO")
    SMO_WITH_EMPLOYEE = "smo_medewerker", _("SMO met medewerker")
    MULTIDISCIPLINARY = "multidisciplinair", _("Multidisciplinaire consultatie")
    SRO = "sro", _("SRO (sociaal re-integratieoverleg)")
    THEME = "thema", _("Beleids-/thema-SMT")


# R1: a beleids-/thema-SMT never discusses an individual case.
CASE_MEETING_TYPES = frozenset(
    {MeetingType.CASE_SMO, MeetingType.SMO_WITH_EMPLOYEE, MeetingType.MULTIDISCIPLINARY, MeetingType.SRO}
)


@dataclass(frozen=True)
class Participant:
    user_id: int
    roles: frozenset[str]


@dataclass(frozen=True)
class MeetingContext:
    """What the consent gate needs to know of a meeting. The meetings app
    builds it from its Meeting; tests build it directly."""

    meeting_type: str
    date: datetime.date
    participants: tuple[Participant, ...] = field(default_factory=tuple)
    meeting_id: int | None = None
