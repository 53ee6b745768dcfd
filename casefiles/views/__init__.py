"""Views of the case files, one module per file kind:

- ``medical``: the medical file, physicians only (R9);
- ``reintegration``: employee list and the reintegration file of a case;
- ``portal``: the employee's own "Mijn dossier" (R14).

Each module defines its own ``urlpatterns``; casefiles/urls.py joins them.
"""
