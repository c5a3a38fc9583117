FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=kpi_tracker.settings.production

# Noto CJK: the PDF reports print Chinese office names and text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Requirements first, so a code change does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .

# Production settings refuse to load without these; the values are throwaway and
# exist only for this RUN line (the real ones come from .env at run time).
RUN DJANGO_SECRET_KEY=collectstatic-only \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput

# var/media and var/beat (Celery beat's schedule file) are created here, owned by the app
# user, so that an empty named volume mounted on either starts with that ownership.
# Everything else stays root-owned, read-only.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/var/media /app/var/beat \
    && chown app:app /app/var/media /app/var/beat
USER app

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
# No control socket: it would go under $HOME (/app), which the app user cannot write.
CMD ["gunicorn", "kpi_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
