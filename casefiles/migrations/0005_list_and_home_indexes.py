"""Issue 8: indexes for the employee list and the home page at 20,000 employees.

- ``employee_name_order``: the list's order (last name, first name, id), so a
  page is read from the index instead of sorting the whole scope.
- ``employee_department_employment``: headcount per department from the index
  alone, and the department filter's "has an employee in scope" lookup.
- ``case_open_first_day``: the open cases oldest first (home page).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casefiles", "0004_case_contract_hours_and_2fa_policy"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="absencecase",
            index=models.Index(
                condition=models.Q(("end_date__isnull", True)),
                fields=["first_day", "id"],
                name="case_open_first_day",
            ),
        ),
        migrations.AddIndex(
            model_name="employee",
            index=models.Index(fields=["last_name", "first_name", "id"], name="employee_name_order"),
        ),
        migrations.AddIndex(
            model_name="employee",
            index=models.Index(
                fields=["department", "employment_end"], name="employee_department_employment"
            ),
        ),
    ]
