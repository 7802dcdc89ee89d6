"""Input checks that collect every problem before anything is written.

A ``Checker`` cleans values field by field (trimming text, checking lengths, formats and
references) and remembers each problem with its field path and code; ``done()`` raises them
all at once as ``InputErrors``. Field paths are the GraphQL input's names (``regionCodes``,
``speakers.1.personSlug``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from hub.errors import ErrorCode, HubError, InputErrors

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")  # reference data codes
MAX_URL_LENGTH = 2000
SLUG_WORDS_LENGTH = 80  # generated slugs are cut to this many characters, at a word boundary


class Checker:
    def __init__(self) -> None:
        self.errors: list[HubError] = []

    def add(self, field: str, message: str, code: ErrorCode) -> None:
        self.errors.append(HubError(message, field=field, code=code))

    def done(self) -> None:
        if self.errors:
            raise InputErrors(self.errors)

    def text(
        self,
        field: str,
        value: str | None,
        *,
        max_length: int,
        min_length: int = 1,
        required: bool = False,
    ) -> str | None:
        """Trimmed text; blank is ``None`` (or REQUIRED when required)."""
        cleaned = value.strip() if value is not None else ""
        if not cleaned:
            if required:
                self.add(field, f"`{field}` is required", ErrorCode.REQUIRED)
            return None
        if len(cleaned) < min_length:
            self.add(
                field,
                f"`{field}` must have at least {min_length} characters (has {len(cleaned)})",
                ErrorCode.TOO_SHORT,
            )
        elif len(cleaned) > max_length:
            self.add(
                field,
                f"`{field}` must have at most {max_length} characters (has {len(cleaned)})",
                ErrorCode.TOO_LONG,
            )
        return cleaned

    def slug(self, field: str, value: str | None, *, max_length: int) -> str | None:
        return self._words(field, value, max_length, SLUG_PATTERN, "hyphens", required=False)

    def code(self, field: str, value: str | None, *, max_length: int) -> str | None:
        """A reference data code (``humas_polres``): required, words joined by underscores."""
        return self._words(field, value, max_length, CODE_PATTERN, "underscores", required=True)

    def _words(
        self,
        field: str,
        value: str | None,
        max_length: int,
        pattern: re.Pattern[str],
        separator: str,
        *,
        required: bool,
    ) -> str | None:
        cleaned = self.text(field, value, max_length=max_length, required=required)
        if cleaned is not None and not pattern.match(cleaned):
            self.add(
                field,
                f"`{field}` must be lower-case letters and digits separated by single {separator}",
                ErrorCode.INVALID_FORMAT,
            )
        return cleaned

    def url(self, field: str, value: str | None) -> str | None:
        cleaned = self.text(field, value, max_length=MAX_URL_LENGTH)
        if cleaned is None:
            return None
        parts = urlsplit(cleaned)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.add(field, f"`{field}` must be an http(s) URL", ErrorCode.INVALID_FORMAT)
        return cleaned

    def known(self, field: str, wanted: Iterable[str], found: Collection[str], noun: str) -> None:
        unknown = [value for value in dict.fromkeys(wanted) if value not in found]
        if unknown:
            listed = ", ".join(f"`{value}`" for value in unknown)
            self.add(field, f"unknown {noun}: {listed}", ErrorCode.UNKNOWN_REFERENCE)

    def in_order(
        self, field: str, start: datetime | None, end: datetime | None, start_field: str
    ) -> None:
        if start is not None and end is not None and end < start:
            self.add(
                field,
                f"`{field}` must not be before `{start_field}`",
                ErrorCode.DATES_OUT_OF_ORDER,
            )


def canonical_url(url: str) -> str:
    """One spelling of an http(s) URL: scheme and host in lower case, no default port, no
    fragment (the same page), a bare host ending in ``/``. Path and query are kept as given."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        credentials = parts.netloc.rsplit("@", 1)[0]
        host = f"{credentials}@{host}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def slugify(text: str, *, fallback: str) -> str:
    """A URL-friendly ASCII slug of ``text`` (accents folded), or ``fallback``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_WORDS_LENGTH:
            break
        slug = candidate
    return slug or fallback
