"""pytest: SQLite by default, PostgreSQL when DATABASE_URL is set (CI always sets it)."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic before tests
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = str(VAR_DIR / "test-media")  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # A statement waiting over a minute for a lock is a test that left a transaction open
    # (a browser test's server thread, say): it fails with PostgreSQL's error, which names
    # the lock, instead of hanging the run. The tests that wait on purpose wait seconds.
    options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    options["options"] = f"{options.get('options', '')} -c lock_timeout=60s".strip()
CELERY_TASK_ALWAYS_EAGER = True
# Throttling has its own tests, which set low rates; the rest of the suite is not slowed.
KPI_API_THROTTLE_RATES = {"user": "100000/min", "token": "100000/min", "anon": "100000/min"}
# Two-step sign-in is off here unless a test turns it on (production has it on for admins).
KPI_REQUIRE_2FA_FOR_ADMINS = False
