"""Settings shared by every environment. Values that differ come from environment variables."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from .env import env, envbool, envint, envlist, envnetworks

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "offices",
    "activities",
    "planning",
    "reports",
    "api",
    "ops",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL character anywhere in the request: 400 before the session, a static file's
    # lookup or a query can trip on it (JSON bodies: api.parsers).
    "common.middleware.nul.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A bureau admin who must use two-step sign-in goes to enrol first (off but in
    # production); each session's last activity, for the person's Sessions page.
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.services.RequestMiddleware",
    # A lost database connection: a 503 page saying so, not a 500.
    "common.middleware.database.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lock-out raised at sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kpi_tracker.urls"
WSGI_APPLICATION = "kpi_tracker.wsgi.application"
ASGI_APPLICATION = "kpi_tracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ops.context_processors.navigation",
            ],
            "builtins": ["accounts.templatetags.people"],
        },
    },
]

# SQLite under var/ is the zero-setup default; DATABASE_URL (PostgreSQL) wins when set.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: all dates are Hong Kong dates (docs/domain.md, "Time").
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Hong_Kong"
# Dates, times and numbers written one way in every language (common/formats/).
FORMAT_MODULE_PATH = ["common.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media"))

# Evidence files are at most 10 MB each and 50 MB together, checked while the request is read
# (activities.evidence); a request carries at most 20.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o640

# Signed out after an hour without a request (the age counts from the last request).
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Two-step sign-in (django-otp, docs/security.md): anyone may turn it on; where this is on
# (production), bureau admins must, before they can use anything else.
KPI_REQUIRE_2FA_FOR_ADMINS = envbool("KPI_REQUIRE_2FA_FOR_ADMINS", False)
OTP_TOTP_ISSUER = "KPI Tracker"
# The admin never shows a person's key or its QR code (it could copy their authenticator);
# it lists devices, and deleting one turns the person's two-step sign-in off.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A password reset link works for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = envint("KPI_PASSWORD_RESET_HOURS", 24) * 60 * 60
# Reset links e-mailed to one account in an hour, at most (the form cannot flood a mailbox).
KPI_PASSWORD_RESET_PER_HOUR = envint("KPI_PASSWORD_RESET_PER_HOUR", 3)

# Sign-in lock-out (django-axes): after AXES_FAILURE_LIMIT failed attempts for one username
# from one address, that pair is refused for the cool-off time, or until an admin lifts it
# on the Lock-outs page. Locking the username alone would let anyone lock colleagues out.
AXES_FAILURE_LIMIT = envint("KPI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("KPI_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.signin.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = False  # the audit trail keeps every failure
AXES_VERBOSE = False
# Never kept with a failed attempt: a two-step code (a recovery code typed nearly right).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# The client's address, read as the audit trail and the API's throttles read it.
AXES_CLIENT_IP_CALLABLE = "common.http.client_address"

# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks): a
# request from anywhere else is its own client, whatever its headers say. Empty: the
# connection's address, always. docker-compose.yml sets the proxy's; see docs/deployment.md.
KPI_TRUSTED_PROXIES = envnetworks("KPI_TRUSTED_PROXIES")

# Content Security Policy (django-csp): everything from our own host, no inline script or
# style, no plug-ins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    # A token first, so that a request without credentials is answered 401 with
    # WWW-Authenticate; the session is for the pages' own scripts (CSRF enforced).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    # JSON only: the interactive documentation is Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.UserThrottle",
        "api.throttling.TokenThrottle",
        "api.throttling.AnonThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedIn"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # `?format=` is a filter of ours (reports), not DRF's switch of output format.
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
# Requests per user (whatever the credentials), per token, and per address without any.
KPI_API_THROTTLE_RATES = {
    "user": env("KPI_API_RATE_USER", "600/min"),
    "token": env("KPI_API_RATE_TOKEN", "300/min"),
    "anon": env("KPI_API_RATE_ANON", "30/min"),
}
# A JSON body larger than this is refused (413) before it is parsed.
KPI_API_MAX_BODY_BYTES = envint("KPI_API_MAX_BODY_BYTES", 256 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "KPI Tracker API",
    "DESCRIPTION": (
        "Read the Mainland Offices' progress against their key performance indicators and "
        "record activities, with the same rules as the web pages. Authenticate with a "
        "personal API token (`Authorization: Bearer kpi_...`, created under API tokens in "
        "the application) or, from the application's own pages, the session."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.SignedIn"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ActivityStatusEnum": "activities.models.Status",
        "ProgressStatusEnum": "reports.progress.STATUS_VALUES",
        "PlanStatusEnum": "planning.models.PlanStatus",
        "CancelReasonEnum": "planning.models.CancelReason",
        "ConfidentialityEnum": "planning.models.Confidentiality",
    },
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Domain settings (docs/domain.md, "Periods"): a month M closes for entry at the end of day N
# of month M+1.
KPI_PERIOD_CLOSE_DAY = envint("KPI_PERIOD_CLOSE_DAY", 10)
# "Your work" lists the months of the office that close for entry within this many days.
KPI_CLOSING_SOON_DAYS = envint("KPI_CLOSING_SOON_DAYS", 7)
KPI_STATUS_EARLIEST_DAY = 15  # before 15 January no status is given
# Four eyes: who created or last changed an activity does not verify it; another supervisor
# of the office or a bureau admin does.
KPI_FOUR_EYES = envbool("KPI_FOUR_EYES", True)
# Planning (docs/domain.md, "Planning"): two offices' plans of the same counterpart or
# authority within this many days warn; the gaps page looks back this many months.
KPI_PLAN_CONFLICT_DAYS = envint("KPI_PLAN_CONFLICT_DAYS", 14)
KPI_GAP_MONTHS = envint("KPI_GAP_MONTHS", 6)
# Demo logins and made-up activities (`seed_demo`): never on production.
KPI_DEMO_DATA_ALLOWED = True

DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "kpi-tracker@cmab.gov.hk")
# Where links in reminder e-mails point (scheme and host, no trailing slash).
KPI_SITE_URL = env("DJANGO_SITE_URL", "")
# How long the link in an invitation to a new person works (accounts.invitations); sending
# the invitation again gives a new link and ends the earlier ones.
KPI_INVITATION_DAYS = envint("KPI_INVITATION_DAYS", 7)

# Fonts for the reports' PDF: the first that exists is embedded (fonts-noto-cjk on Debian).
# Each entry is (path, index in a font collection for Traditional, for Simplified Chinese).
KPI_PDF_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3, 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, 0),
]

# Background work (report generation, scheduled jobs): Celery on Redis. Eager (in-process)
# unless a worker is configured, see local.py and production.py.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-report leaves it queued, not lost
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 2 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
# Scheduled work, queued by `celery beat` (the compose stack's beat service) for the worker,
# at Hong Kong times (CELERY_TIMEZONE). Each job is safe to run twice: the reminder digests
# go out at most once per person per Hong Kong day, and the afternoon run sends what the
# morning could not. docs/operations.md, "Scheduled work (Celery beat)".
CELERY_BEAT_SCHEDULE = {
    "reminder-digests": {
        "task": "ops.tasks.send_reminder_digests",
        "schedule": crontab(minute=0, hour="8,14"),
        # A run queued while no worker was up is dropped rather than sent hours late; the
        # next one sends it.
        "options": {"expires": 5 * 60 * 60},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    # fontTools reports every font subset it makes for a PDF report at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
