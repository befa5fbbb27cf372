"""Which webhook URLs may be called: http(s) only, and (unless WEBHOOK_ALLOW_PRIVATE) only hosts whose every
address is public, so a webhook cannot be pointed at the app's own network (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

MAX_URL_LENGTH = 2000


class AddressRefused(Exception):
    """A URL that must not be called, with a message saying why."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL, trimmed, when it may be called; AddressRefused otherwise. With resolve, the host name is
    looked up now and every address it has must be public (at registration, and before each delivery)."""
    return checked(url, resolve=resolve)[0]


def checked(url: str, *, resolve: bool = True) -> tuple[str, list[str]]:
    """check_url(), and the addresses the host name resolved to (the ones a delivery may connect to)."""
    url = (url or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"Use a URL of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused("That is not a valid URL.") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused("Use an http:// or https:// URL with a host name, like https://hr.example.org/hooks.")
    if parts.username or parts.password:
        raise AddressRefused("Put no user name or password in the URL; the signature proves who is calling.")
    if parts.fragment:
        raise AddressRefused("Leave out the #fragment; it is never sent to the server.")
    if not resolve:
        return url, []
    allow_private = current_app.config.get("WEBHOOK_ALLOW_PRIVATE")
    try:
        found = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(f"The host {parts.hostname} could not be found. Check the spelling.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not allow_private and not all(_public(address) for address in addresses):
        raise AddressRefused(f"{parts.hostname} is a loopback, private or otherwise non-public address; webhooks "
                             "only go to servers on the public internet.")
    return url, addresses
