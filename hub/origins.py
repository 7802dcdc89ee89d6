"""Which browser origins may call Hub: one policy for ``/graphql`` over HTTP (CORS) and over
WebSocket (the handshake's ``Origin`` check).

The origins come from ``HUB_CORS_ALLOWED_ORIGINS`` (and the deprecated
``HUB_LIVE_ALLOWED_ORIGINS``, folded in): each ``scheme://host[:port]``, or ``*`` for any.
A request without ``Origin`` is not from a browser page and is always allowed; a page served by
Hub itself (same host) is too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

ANY = "*"


def parse_origins(text: str) -> list[str]:
    """The comma-separated origins of a setting, checked and lower-cased; a malformed entry
    is a ``ValueError`` naming it."""
    origins = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        if entry != ANY:
            parts = urlsplit(entry)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
                raise ValueError(f"not an origin (scheme://host[:port]): {entry!r}")
            entry = f"{parts.scheme}://{parts.netloc}".lower()
        origins.append(entry)
    return origins


@dataclass(frozen=True, slots=True)
class OriginPolicy:
    origins: frozenset[str]

    @classmethod
    def of(cls, origins: Iterable[str]) -> OriginPolicy:
        return cls(frozenset(origins))

    @property
    def any(self) -> bool:
        return ANY in self.origins

    def allows(self, origin: str | None, host: str | None = None) -> bool:
        """``origin`` (the ``Origin`` header) may call; ``host`` is the ``Host`` the request
        was sent to (a page of Hub's own)."""
        if origin is None or self.any or origin.lower() in self.origins:
            return True
        return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()
