"""Page weight: the script a dashboard loads, read from the static files its page names,
uncompressed (what the browser parses) and gzipped (what crosses the wire)."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"")


@dataclass(frozen=True)
class Script:
    url: str
    size: int
    gzipped: int


def page_scripts(client: Client, url: str) -> list[Script]:
    """Every script the page at `url` loads from our static files."""
    html = client.get(url).content.decode()
    scripts = []
    for src in SCRIPT_SRC.findall(html):
        name = src.split("?", 1)[0].removeprefix(settings.STATIC_URL)
        found = finders.find(name)
        if found is None:
            raise RuntimeError(f"{url}: script {src} is not one of our static files")
        content = Path(found).read_bytes()
        scripts.append(Script(src, len(content), len(gzip.compress(content, compresslevel=6))))
    return scripts


def dashboard_scripts(client: Client) -> list[Script]:
    """The bureau dashboard's (an office's dashboard loads the same)."""
    return page_scripts(client, reverse("reports:bureau"))
