"""Plan and send due reminders now, without beat (development, or by hand).

In production `celery -A smo beat` runs the same two tasks on a schedule.
"""

from django.core.management.base import BaseCommand

from meetings.tasks import dispatch_due_reminders, plan_periodic_reminders


class Command(BaseCommand):
    help = "Plan the periodic reminders and dispatch every reminder that is due."

    def handle(self, *args, **options):
        planned = plan_periodic_reminders()
        dispatched = dispatch_due_reminders()
        self.stdout.write(f"Gepland: {planned}; verstuurd of in de wachtrij: {dispatched}")
