"""The address of the client of a request: one decision for every per-client limit.

Log-in lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``), the password-reset
throttle and the survey rate limit all key on :func:`client_ip`, so they cannot
disagree on who the client is.

Behind a reverse proxy every connection comes from the proxy: keyed on
``REMOTE_ADDR``, a whole region would share one key. The proxy appends the address
it received the connection from to ``X-Forwarded-For``; everything to the left of
that was written by the client and can be forged. Hence, with ``TRUSTED_PROXIES``
(the proxies' addresses or networks, from the environment):

- a connection that does not come from a trusted proxy is its own client, whatever
  headers it sends;
- otherwise the client is the right-most address of ``X-Forwarded-For`` that is not
  a trusted proxy (several proxies in a row are skipped, in any order).

Without ``TRUSTED_PROXIES``, only ``REMOTE_ADDR`` counts. Addresses are read by
django-ipware / python-ipware (ports, brackets, IPv4-mapped IPv6) and returned in one
normal spelling, so one client has one key.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip
from python_ipware.modern.parsers import IpAddressType, IpNetworkType, parse_ip, unwrap_ipv4_network

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IpNetworkType, ...]:
    # The settings already refused a bad entry at start, naming the variable.
    return tuple(unwrap_ipv4_network(ipaddress.ip_network(entry, strict=False)) for entry in entries)


def _is_trusted(address: IpAddressType, networks: tuple[IpNetworkType, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def address_in(address: str, entries) -> bool:
    """Whether ``address`` (as :func:`client_ip` gives it) lies in one of ``entries`` (addresses or networks
    from the environment, e.g. ``METRICS_ALLOWED_IPS``), with the same reading as the trusted proxies."""
    parsed = parse_ip(address) if address else None
    return parsed is not None and _is_trusted(parsed, _networks(tuple(entries)))


def client_ip(request: HttpRequest) -> str:
    """The client's address, normalised ("" when the request has none)."""
    peer, _routable = get_client_ip(request, request_header_order=("REMOTE_ADDR",))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if peer is None or not networks:
        return peer or ""
    peer_address = parse_ip(peer)
    if peer_address is None or not _is_trusted(peer_address, networks):
        return peer
    # X-Forwarded-For has no quoting: a plain split keeps a client's junk in its own hops.
    for hop in reversed(request.META.get(FORWARDED_FOR, "").split(",")):
        address = parse_ip(hop)
        if address is None:
            # A trusted proxy always writes a valid address: this hop is not to be trusted.
            break
        if not _is_trusted(address, networks):
            return str(address)
    return peer
