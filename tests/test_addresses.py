"""The client address per-address limits count against."""

from __future__ import annotations

import pytest

from hub.addresses import address_key, client_address


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),  # one subscriber line: one /64
        ("2001:db8:1:2::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),  # IPv4 seen through an IPv6 socket
        ("testclient", "testclient"),
    ],
)
def test_address_keys(host: str, key: str) -> None:
    assert address_key(host) == key


def test_no_client_no_address() -> None:
    assert client_address({"type": "http", "client": None}) is None
    assert client_address({"type": "http", "client": ("2001:db8::1", 5)}) == "2001:db8::/64"
