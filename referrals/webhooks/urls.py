"""Which webhook addresses are allowed: HTTPS to a public address.

The app would otherwise post to whatever a supervisor typed, including the coalition's own
internal network (server-side request forgery). Tests allow http://127.0.0.1 only
(WEBHOOK_ALLOW_LOOPBACK_HTTP, testing configuration), for a receiver on loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _


def _loopback_allowed(scheme: str, host: str) -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_LOOPBACK_HTTP")) and (
        scheme == "http" and host == "127.0.0.1"
    )


def problem(url: str) -> str | None:
    """Why this address may not receive webhooks, or None when it may."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("This is not a web address.")
    host = parts.hostname or ""
    if _loopback_allowed(parts.scheme, host):
        return None
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return _("Use an https:// address without a user name or password.")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port or 443)}
    except (OSError, UnicodeError):
        return _("This address's host name does not resolve.")
    for address in addresses:
        if not ipaddress.ip_address(str(address).split("%")[0]).is_global:
            return _("This address points into a private network.")
    return None
