"""Permission-matrix entries of the case-file pages (casefiles/urls.py), one
module per view module; tests/test_permission_matrix.py joins them and fails
on any URL that none of them lists."""

from __future__ import annotations

from . import (
    matrix_access,
    matrix_consent_employer,
    matrix_consent_recording,
    matrix_medical,
    matrix_meetings_reminders,
    matrix_meetings_running,
    matrix_meetings_scheduling,
    matrix_portal,
    matrix_reglement,
    matrix_reintegration,
    matrix_reporting,
    matrix_reporting_import,
    matrix_reporting_statistics,
    matrix_security,
)

ENTRIES = {
    **matrix_medical.ENTRIES,
    **matrix_reintegration.ENTRIES,
    **matrix_portal.ENTRIES,
    **matrix_access.ENTRIES,
    **matrix_meetings_scheduling.ENTRIES,
    **matrix_meetings_running.ENTRIES,
    **matrix_meetings_reminders.ENTRIES,
    **matrix_consent_employer.ENTRIES,
    **matrix_consent_recording.ENTRIES,
    **matrix_reporting.ENTRIES,
    **matrix_reporting_import.ENTRIES,
    **matrix_reporting_statistics.ENTRIES,
    **matrix_reglement.ENTRIES,
    **matrix_security.ENTRIES,
}
