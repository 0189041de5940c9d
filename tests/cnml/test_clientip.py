"""The client address behind the reverse proxy: one decision for log-in lockout and rate limits.

``TRUSTED_PROXIES`` names the reverse proxies. Without it, only the connection's own
address (``REMOTE_ADDR``) counts and X-Forwarded-For is ignored. With it, and only for
a connection that comes from one of them, the client is the right-most address of
X-Forwarded-For that is not a trusted proxy: what a client writes to the left of it
(a forged header) changes nothing.
"""

from __future__ import annotations

import pytest

from cnml.clientip import client_ip

PROXY = "10.0.0.1"
CLIENT = "203.0.113.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    return settings


def test_without_trusted_proxies_the_connection_address_is_the_client_whatever_it_forges(rf, settings):
    settings.TRUSTED_PROXIES = []

    request = rf.get("/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert client_ip(request) == CLIENT


def test_behind_the_trusted_proxy_the_client_is_the_address_the_proxy_appended(rf, behind_proxy):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)

    assert client_ip(request) == CLIENT


def test_a_forged_left_most_address_is_ignored(rf, behind_proxy):
    # The client sent "X-Forwarded-For: 198.51.100.99"; the proxy appended the real address.
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.99, {CLIENT}")

    assert client_ip(request) == CLIENT


def test_a_forged_address_of_the_proxy_itself_is_skipped_like_the_proxy(rf, behind_proxy):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.99, {CLIENT}, {PROXY}")

    assert client_ip(request) == CLIENT


def test_junk_forged_on_the_left_does_not_hide_the_client(rf, behind_proxy):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f'unknown, "[, {CLIENT}')

    assert client_ip(request) == CLIENT


def test_a_connection_that_does_not_come_from_the_proxy_cannot_choose_its_address(rf, behind_proxy):
    request = rf.get("/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert client_ip(request) == CLIENT


def test_two_trusted_proxies_in_a_row_are_both_skipped(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "10.0.0.2"]

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.99, {CLIENT}, 10.0.0.1")

    assert client_ip(request) == CLIENT


def test_trusted_proxies_may_be_given_as_a_network(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    request = rf.get("/", REMOTE_ADDR="10.0.0.17", HTTP_X_FORWARDED_FOR=CLIENT)

    assert client_ip(request) == CLIENT


def test_a_private_client_address_behind_the_proxy_is_kept(rf, behind_proxy):
    # A mission locale reaching the service over a private network or VPN.
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.168.1.20")

    assert client_ip(request) == "192.168.1.20"


def test_a_request_of_the_proxy_without_forwarded_header_is_the_proxy(rf, behind_proxy):
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY)) == PROXY


def test_a_malformed_address_where_the_proxy_writes_falls_back_to_the_proxy(rf, behind_proxy):
    # The proxy always appends a valid address: anything else there is not to be trusted.
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{CLIENT}, pas-une-adresse")

    assert client_ip(request) == PROXY


def test_addresses_are_normalised_so_one_client_has_one_spelling(rf, behind_proxy):
    spellings = ["2001:DB8::1", "2001:db8:0:0::1", "[2001:db8::1]:4711"]

    addresses = {client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=spelling)) for spelling in spellings}

    assert addresses == {"2001:db8::1"}
