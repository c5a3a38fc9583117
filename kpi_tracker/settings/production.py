"""Production: everything that matters comes from the environment, and startup fails without it."""

from .base import *  # noqa: F403
from .env import env, env_required, envbool, envint, envlist

DEBUG = False
SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS") or [env_required("DJANGO_ALLOWED_HOSTS")]
env_required("DATABASE_URL")

# Pages and API answers gzipped, file downloads left as they are; just inside WhiteNoise,
# which answers static files itself, precompressed (docs/performance.md, "Page weight").
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "common.middleware.compression.CompressPagesMiddleware",
)

KPI_DEMO_DATA_ALLOWED = False
# Bureau admins sign in with a second factor (docs/security.md, "Two-step sign-in").
KPI_REQUIRE_2FA_FOR_ADMINS = envbool("KPI_REQUIRE_2FA_FOR_ADMINS", True)

SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", True)
# Whether a request came over HTTPS is gunicorn's to say (wsgi.url_scheme): it believes the
# proxy's X-Forwarded-Proto only from --forwarded-allow-ips, where Django's
# SECURE_PROXY_SSL_HEADER would believe it from anyone. The container's own health check
# asks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = envlist("DJANGO_EMAIL_HOST", "localhost")[0]
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 25)

# Report generation runs on a Celery worker; the web and the worker share Redis, also as the
# cache through which a running report's progress reaches the page.
CELERY_BROKER_URL = env_required("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_CACHE_URL", CELERY_BROKER_URL),
    }
}
