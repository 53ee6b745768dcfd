"""Consent blocks on pages of the casefiles app, without casefiles importing
consent (dependencies point one way, ENGINEERING.md): the casefiles
templates include a consent template, which loads these tags. Each tag takes
the request user and returns only what that user may see."""

from __future__ import annotations

from django import template

from ..selectors import (
    EmployerConsentStatus,
    OwnConsentOverview,
    consent_status_for_employer,
    own_consent_overview,
)

register = template.Library()


@register.simple_tag
def employer_consent_status(case, user) -> EmployerConsentStatus | None:
    """The case's notifications and consent status for the employer side
    (never items nor a withdrawal reason); None for anyone else."""
    if case is None or user is None:
        return None
    # The case page's case knows whether this user is its employer side
    # (casefiles.selectors.case_file, asked for the same request user in the
    # query of the case): one query less. Any other case is asked about here.
    return consent_status_for_employer(
        user=user, case_id=case.pk, employer_side=getattr(case, "employer_side", None)
    )


@register.simple_tag
def my_consent_overview(user) -> OwnConsentOverview:
    """R14: the employee's own notifications and consents, full history."""
    return own_consent_overview(user)
