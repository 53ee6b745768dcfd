"""Models of the case files. Employer-side data (core, reintegration) and the
physician-only medical file (medical) live in separate modules; nothing in the
employer-side models points to, or can be traversed to, the medical file."""

from .core import AbsenceCase, AbsencePercentage, Department, Employee, Membership, Organisation
from .medical import (
    Consultation,
    ConsultationConclusion,
    FunctionalLimitation,
    MedicalAccessError,
    PhysicianNote,
)
from .reintegration import CaseDocument, CorrectionRequest, PlanAgreement, PlanEvaluation, PlanVanAanpak

__all__ = [
    "AbsenceCase",
    "AbsencePercentage",
    "CaseDocument",
    "Consultation",
    "ConsultationConclusion",
    "CorrectionRequest",
    "Department",
    "Employee",
    "FunctionalLimitation",
    "MedicalAccessError",
    "Membership",
    "Organisation",
    "PhysicianNote",
    "PlanAgreement",
    "PlanEvaluation",
    "PlanVanAanpak",
]
