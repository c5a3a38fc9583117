"""Container health check: GET /healthz on the local gunicorn; exit 0 only if it answers ok.

Production settings reject a Host outside DJANGO_ALLOWED_HOSTS, so the request names an
allowed host; /healthz is the one path they answer over plain HTTP (SECURE_REDIRECT_EXEMPT),
since gunicorn believes X-Forwarded-Proto from the reverse proxy alone.
http.client never follows a redirect, so a 301 counts as a failure rather than a fetch elsewhere.
"""

import http.client
import json
import os
import sys

hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"

try:
    connection = http.client.HTTPConnection("127.0.0.1", 8000, timeout=5)
    connection.request("GET", "/healthz", headers={"Host": host})
    response = connection.getresponse()
    ok = response.status == 200 and json.loads(response.read()).get("status") == "ok"
except Exception as exc:
    print(f"healthz failed: {exc}", file=sys.stderr)
    sys.exit(1)
if not ok:
    print(f"healthz answered {response.status}", file=sys.stderr)
sys.exit(0 if ok else 1)
