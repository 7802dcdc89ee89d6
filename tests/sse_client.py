"""Reading a Server-Sent Events response as a browser's EventSource would (httpx streaming)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

ARTICLES = """
subscription Articles($filter: ArticleLiveFilter, $after: String) {
  articlePublished(filter: $filter, after: $after) { cursor kind article { slug } }
}
"""


@dataclass
class Event:
    event: str
    data: Any
    id: str | None


class EventReader:
    """The events of one streaming response, parsed per the event-stream format (comments
    are counted, not returned)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.comments = 0

    async def next(self, within: float = 30) -> Event:
        return await asyncio.wait_for(self._next(), within)

    async def _next(self) -> Event:
        fields: dict[str, list[str]] = {}
        async for line in self.lines:
            if line == "":
                if fields:
                    data = "\n".join(fields.get("data", []))
                    ids = fields.get("id")
                    return Event(
                        event=(fields.get("event") or ["message"])[-1],
                        data=json.loads(data) if data else None,
                        id=ids[-1] if ids else None,
                    )
                continue
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))
        raise EOFError("the stream ended")

    async def ended(self, within: float = 30) -> bool:
        """True once the server ends the response with no further event."""
        try:
            event = await self.next(within)
        except EOFError:
            return True
        raise AssertionError(f"unexpected event {event}")

    async def quiet(self, seconds: float) -> None:
        """Assert that no event arrives for ``seconds`` (the reading ends there: call it last)."""
        with contextlib.suppress(TimeoutError):
            event = await self.next(seconds)
            raise AssertionError(f"unexpected event {event}")


@contextlib.asynccontextmanager
async def open_stream(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> AsyncIterator[EventReader]:
    wanted = {"accept": "text/event-stream", **(headers or {})}
    async with client.stream(method, url, headers=wanted, **options) as response:
        yield EventReader(response)


def subscription_params(
    query: str = ARTICLES, variables: dict[str, Any] | None = None
) -> dict[str, str]:
    """Query parameters of a GET subscription (what an EventSource URL carries)."""
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables)
    return params
