"""Demo content, loaded on the embedded database's first start and by ``hub seed --demo``.

Two parts: the forum (:mod:`hub.db.demo.forum`: the Forum Bakohumas Kalimantan Timur 2023
and two outlets' reports of it, from public facts) and the generated newsroom
(:mod:`hub.db.demo.newsroom`: 240 articles over eight provinces and the election's stages,
eight events with speakers, corrections and retractions). Loading is idempotent: each part
is skipped when it is there already. Needs the reference data loaded first.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.demo.forum import EVENT_SLUG, load_forum
from hub.db.demo.newsroom import load_newsroom

__all__ = ["EVENT_SLUG", "load_demo_content"]


async def load_demo_content(session: AsyncSession, *, newsroom: bool = True) -> bool:
    """Load the forum and (unless ``newsroom`` is false) the newsroom; True if anything
    was added."""
    added = await load_forum(session)
    if newsroom:
        added = await load_newsroom(session) or added
    return added
