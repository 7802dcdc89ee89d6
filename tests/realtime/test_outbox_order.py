"""The stream reader never skips a row that commits after a row it has already read."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.repositories import outbox
from tests.factories import add_article, ensure_agency
from tests.realtime.factories import approve_in

Sessions = async_sessionmaker[AsyncSession]


async def read_all(sessions: Sessions, after: tuple[int, int]) -> list[tuple[int, int]]:
    async with sessions() as session:
        rows = await outbox.read_committed(session, after=after, limit=100)
    return [(int(row.txid), int(row.id)) for row in rows]


async def read_eventually(sessions: Sessions, after: tuple[int, int], count: int) -> list[Any]:
    """Rows become readable once every older transaction on the server has ended (on a
    shared server other databases' transactions count too): wait for them."""
    for _ in range(200):
        rows = await read_all(sessions, after)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    return await read_all(sessions, after)


async def test_rows_of_an_older_open_transaction_hold_back_newer_commits(
    sessions: Sessions,
) -> None:
    await ensure_agency(sessions, slug="kpu-uji", type_code="kpu")
    first, second, third = [await add_article(sessions, agency_slug="kpu-uji") for _ in range(3)]
    async with sessions() as session:
        start = await outbox.head_position(session)

    older = sessions()
    newer = sessions()
    try:
        await older.begin()
        await older.execute(text("SELECT pg_current_xact_id()"))  # the older transaction id
        await newer.begin()
        second_id = await approve_in(newer, second)
        await newer.commit()
        # The newer transaction committed, but an older one is still open: nothing yet.
        assert await read_all(sessions, start) == []
        first_id = await approve_in(older, first)  # a larger id than the committed row
        assert first_id > second_id
        await older.commit()
    finally:
        await older.close()
        await newer.close()

    read = await read_eventually(sessions, start, 2)
    assert [row_id for _, row_id in read] == [first_id, second_id]  # stream order: older first
    assert read == sorted(read)

    # A row committed later always comes after everything already read.
    third_id = await approve_in_new_transaction(sessions, third)
    assert [row_id for _, row_id in await read_eventually(sessions, read[-1], 1)] == [third_id]


async def approve_in_new_transaction(sessions: Sessions, article_id: int) -> int:
    async with sessions() as session, session.begin():
        return await approve_in(session, article_id)


async def test_head_and_position_state(sessions: Sessions) -> None:
    async with sessions() as session:
        assert await outbox.head_position(session) == (0, 0)
        assert await outbox.position_state(session, position=(0, 0), retention_seconds=60) == (
            False,
            False,
        )
    await ensure_agency(sessions, slug="bawaslu-uji", type_code="bawaslu")
    article = await add_article(sessions, agency_slug="bawaslu-uji")
    row_id = await approve_in_new_transaction(sessions, article)
    await read_eventually(sessions, (0, 0), 1)
    async with sessions() as session:
        head = await outbox.head_position(session)
        assert head[1] == row_id
        assert await outbox.position_state(session, position=head, retention_seconds=60) == (
            True,
            False,
        )
        # From the origin, the first row is recent: fine with a day, expired with no window.
        origin_day = await outbox.position_state(session, position=(0, 0), retention_seconds=86400)
        assert origin_day == (False, False)
        await session.execute(text("UPDATE outbox SET created_at = now() - interval '2 days'"))
        assert await outbox.position_state(session, position=(0, 0), retention_seconds=86400) == (
            False,
            True,
        )
