"""Celery application.

With ``REDIS_URL`` set, tasks go through Redis to a separate worker process
(``celery -A smo worker``) and beat (``celery -A smo beat``). Without it, the
settings make every task run eagerly in-process, so ``make run`` needs no server.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smo.settings")

app = Celery("smo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
