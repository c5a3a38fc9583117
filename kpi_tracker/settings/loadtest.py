"""Settings for `make loadtest` only: the developer's settings (local.py) as a server under
load would run them. loadtest/run.py points DATABASE_URL at a database of its own.
With the other settings, because only the project package imports its settings.

DEBUG is off, as in production (no SQL kept per request, real error pages); static files
come from the finders through WhiteNoise, so no collectstatic is needed. SQLite gets what
lets several gunicorn processes write at once without "database is locked": write
transactions take the lock when they begin (IMMEDIATE), a writer waits up to 20 s for
another, and WAL lets pages be read while an activity is written."""

import os

from .env import envint
from .local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
WHITENOISE_USE_FINDERS = True
# gunicorn's threads live as long as their worker, so connections are reused, as in
# production (local.py closes them after each request, for the development server).
DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
# run.py: directories of its own under a temporary one (STATIC_ROOT stays empty).
MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", STATIC_ROOT)  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
