"""Deleting the bot's posts about a forgotten member from the platforms, at each tick.

``mentorbot forget`` only marks the recorded posts (``PostedMessage.retract``): it runs as its
own process, may have no platform connection, and must not fail because a platform is down.
The tick, which holds every platform's outbound port, deletes them and drops each row once its
messages are gone; a platform error leaves the row for the next tick. Two tickers deleting the
same message at once is harmless: a message already deleted counts as deleted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbound import DeliveryError, Outbound
from storage.db import run_in_transaction
from storage.models import PostedMessage

log = logging.getLogger(__name__)

BATCH = 200


async def retract_posts(sessions: sessionmaker[Session], outbounds: Mapping[str, Outbound]) -> int:
    """Delete the marked posts on the platforms this process can reach; returns how many."""

    def marked(session: Session) -> list[tuple[int, str, str]]:
        query = select(PostedMessage.id, PostedMessage.platform, PostedMessage.refs).where(
            PostedMessage.retract, PostedMessage.platform.in_(list(outbounds))
        )
        return [tuple(row) for row in session.execute(query.limit(BATCH))]  # type: ignore[misc]

    done: list[int] = []
    for row_id, platform, refs in await asyncio.to_thread(run_in_transaction, sessions, marked):
        try:
            await outbounds[platform].delete_posted(refs)
        except DeliveryError as error:
            log.warning("could not delete a post about a forgotten member: %s", error.reason)
            continue
        done.append(row_id)

    def drop(session: Session) -> None:
        session.execute(delete(PostedMessage).where(PostedMessage.id.in_(done)))

    if done:
        await asyncio.to_thread(run_in_transaction, sessions, drop)
    return len(done)
