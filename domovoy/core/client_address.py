"""The address of the client behind the reverse proxies (item 9 of issue 9): the one function
used by login lockout (django-axes), our rate limits and the API throttles.

Without ``TRUSTED_PROXIES`` the socket address is the client. With it, and only when the socket
peer is one of those proxies, X-Forwarded-For is read from the right: every proxy appends the
address it received the request from, so the rightmost hop that is not a trusted proxy is the
first address that no one we trust could have made up. Hops to its left were written by the
client itself and are ignored (taking the leftmost would let anyone choose their own bucket,
or someone else's, by sending a forged header)."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=16)
def _networks(entries):
    networks = []
    for entry in entries:
        entry = entry.strip()
        if entry:
            networks.append(ipaddress.ip_network(entry, strict=False))
    return tuple(networks)


def _parse(value):
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51000"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks):
    return address is not None and any(address in net for net in networks)


def client_address(request):
    """The client's IP address as a string (None when the socket gives none)."""
    peer = _parse(request.META.get("REMOTE_ADDR"))
    networks = _networks(tuple(settings.TRUSTED_PROXIES or ()))
    if peer is None:
        return None
    if not _trusted(peer, networks):
        return str(peer)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A malformed hop next to our proxies: nothing to its left can be believed.
            break
        if not _trusted(address, networks):
            return str(address)
    # Only proxies (or garbage) in the chain: the outermost trusted hop is all we know.
    return str(peer)
