"""The client address a limit counts against (login throttling, quotas, WebSocket caps).

The address is the ASGI scope's ``client``: the peer of the TCP connection, or — behind a
proxy listed in ``HUB_FORWARDED_ALLOW_IPS`` — the address that proxy forwarded (uvicorn
rewrites the scope; headers from anyone else are ignored). An IPv6 client counts as its /64
network, since one subscriber line usually holds a whole /64 and could otherwise present a
new address for every request. No address (a unix socket, an in-process client): ``None``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

IPV6_NETWORK_BITS = 64


def client_address(scope: Mapping[str, Any]) -> str | None:
    client = scope.get("client")
    if not client or not client[0]:
        return None
    return address_key(str(client[0]))


def address_key(host: str) -> str:
    """``host`` as a limit key: IPv4 as it is, IPv6 as its /64, anything else unchanged."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, IPV6_NETWORK_BITS), strict=False)
        return str(network)
    return str(address)
