"""Celery: background work (long report generation) on a real queue.

The broker is Redis (`CELERY_BROKER_URL`). Under `make run` and in tests tasks run eagerly,
in the process that queues them, so nothing else has to be started; in production a
`celery worker` service (docker-compose.yml) runs them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_tracker.settings.local")

app = Celery("kpi_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
