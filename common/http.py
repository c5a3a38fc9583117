"""The client's address, read one way for sign-in lock-outs, the audit trail and the API's
throttles.

X-Forwarded-For is whatever the sender wrote, so it is believed only when the connection
comes from one of settings.KPI_TRUSTED_PROXIES (addresses or networks: in the compose
stack, the reverse proxy's address). Each trusted proxy appends the address it was
reached from, so the header is read from the right: past the trusted proxies of a chain,
the first address is the client's. Anything a client wrote itself sits further left and
is never reached. A connection from anywhere else is its own client: REMOTE_ADDR.
See docs/deployment.md.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent the request (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(settings.KPI_TRUSTED_PROXIES))
    if not _trusted(_address(remote), networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not an address: the last proxy we trust is as far as we can tell
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
