"""`make run`: a developer's machine. SQLite under var/ unless DATABASE_URL is set."""

from .base import *  # noqa: F403
from .env import env, envbool, envlist

DEBUG = True
SECRET_KEY = env("DJANGO_SECRET_KEY", "local-development-only-not-secret")  # noqa: S105
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
KPI_SITE_URL = env("DJANGO_SITE_URL", "http://127.0.0.1:8000")
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# The development server answers each request in a thread of its own, which ends with it: a
# connection kept for reuse would never be reused, only left open until PostgreSQL refuses
# new clients. So each request closes its connection (whatever DATABASE_CONN_MAX_AGE says).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

VAR_DIR.mkdir(exist_ok=True)  # noqa: F405  (the SQLite file and uploads live here)
# Background jobs run in the request unless a worker is set up (CELERY_TASK_ALWAYS_EAGER=0).
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", True)
