"""The compose stack publishes only its reverse proxy, and the proxy, gunicorn and the
application agree: one trusted address for forwarded headers, one body size limit.
(`make check-compose` validates the file with docker-compose itself.)"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from activities.evidence import MAX_EVIDENCE_REQUEST_BYTES

BASE = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE / "docker-compose.yml").read_text())


@dataclass
class Block:
    """A directive of an nginx configuration, with the ones inside its braces."""

    name: str
    args: list[str]
    children: list[Block] = field(default_factory=list)

    def all(self, name: str) -> list[Block]:
        return [child for child in self.children if child.name == name]

    def one(self, name: str) -> Block:
        (found,) = self.all(name)
        return found


def _parse_nginx(text: str) -> Block:
    tokens = re.findall(r"[{};]|[^\s{};]+", re.sub(r"#[^\n]*", "", text))
    root, stack, words = Block("", []), [], []
    current = root
    for token in tokens:
        if token == ";":
            current.children.append(Block(words[0], words[1:]))
            words = []
        elif token == "{":
            block = Block(words[0], words[1:])
            current.children.append(block)
            stack.append(current)
            current, words = block, []
        elif token == "}":
            current = stack.pop()
        else:
            words.append(token)
    assert not stack and not words, "unbalanced configuration"
    return root


@pytest.fixture(scope="module")
def mounts(compose) -> dict[str, str]:
    """The proxy's mounts: its path in the container for each local one."""
    return dict(volume.split(":")[:2] for volume in compose["services"]["proxy"]["volumes"])


@pytest.fixture(scope="module")
def nginx(mounts) -> Block:
    """The configuration file the proxy service mounts as nginx's site."""
    local = next(src for src, dst in mounts.items() if dst == "/etc/nginx/conf.d/default.conf")
    return _parse_nginx((BASE / local).read_text())


def _servers(nginx: Block) -> dict[str, Block]:
    return {server.all("listen")[0].args[0]: server for server in nginx.all("server")}


def test_only_the_proxy_is_published(compose):
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"proxy"}
    assert sorted(compose["services"]["proxy"]["ports"]) == ["443:443", "80:80"]
    assert compose["services"]["proxy"]["image"].startswith("nginx:")  # the official image


def test_the_proxy_is_the_one_address_trusted_for_forwarded_headers(compose):
    services = compose["services"]
    proxy = services["proxy"]["networks"]["edge"]["ipv4_address"]
    subnet = compose["networks"]["edge"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy) in ipaddress.ip_network(subnet)

    web = services["web"]
    assert web["environment"]["KPI_TRUSTED_PROXIES"] == proxy
    command = web["command"]
    assert command[command.index("--forwarded-allow-ips") + 1] == proxy
    # The app is on the proxy's network; the database and Redis are not.
    assert set(web["networks"]) == {"edge", "backend"}
    assert services["db"]["networks"] == ["backend"] == services["redis"]["networks"]
    assert "backend" not in services["proxy"]["networks"]


def test_plain_http_only_redirects_to_https(nginx):
    http = _servers(nginx)["80"]
    assert [child.name for child in http.children if child.name not in NAMING] == ["return"]
    assert http.one("return").args == ["301", "https://$host$request_uri"]


NAMING = {"listen", "server_name", "server_tokens"}


def test_https_with_the_mounted_certificate(nginx, mounts):
    https = _servers(nginx)["443"]
    assert https.all("listen")[0].args == ["443", "ssl", "default_server"]
    tls = mounts["./tls"]
    assert https.one("ssl_certificate").args == [f"{tls}/fullchain.pem"]
    assert https.one("ssl_certificate_key").args == [f"{tls}/privkey.pem"]
    assert "TLSv1" not in https.one("ssl_protocols").args


def test_the_proxy_sets_the_forwarded_headers_and_passes_to_the_app(nginx):
    (location,) = [b for b in _servers(nginx)["443"].all("location") if b.args == ["/"]]
    assert location.one("proxy_pass").args == ["http://web:8000"]
    headers = {h.args[0]: h.args[1] for h in location.all("proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"


def test_the_proxys_body_limit_is_the_applications(nginx, mounts):
    https = _servers(nginx)["443"]
    (limit,) = https.one("client_max_body_size").args
    assert limit.endswith("m")
    assert int(limit[:-1]) * 1024 * 1024 == MAX_EVIDENCE_REQUEST_BYTES
    # Every other request body the application takes is far smaller.
    assert MAX_EVIDENCE_REQUEST_BYTES > settings.KPI_API_MAX_BODY_BYTES
    assert MAX_EVIDENCE_REQUEST_BYTES > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # and what is refused gets a page that says why, from a file the proxy mounts
    code, uri = https.one("error_page").args
    assert code == "413"
    (page,) = [b for b in https.all("location") if b.args == ["=", uri]]
    served = page.one("root").args[0] + uri
    local = next(
        BASE / src / served[len(dst) :].lstrip("/")
        for src, dst in mounts.items()
        if served.startswith(dst + "/")
    )
    assert "50 MB" in local.read_text()
