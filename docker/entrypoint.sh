#!/bin/sh
# Bring the schema up to date, then hand over to the command (gunicorn by default),
# which becomes PID 1 and so receives the container's stop signal.
set -e

python manage.py migrate --noinput

exec "$@"
