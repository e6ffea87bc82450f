"""A pair's conversation as stored: where a ``PairPost`` goes, and the id to keep.

The scheduler hands an outbound a ``PairAddress`` and stores a newly opened conversation itself;
replies to commands carry only a pair id, so each platform adapter reads the same address here
(in a worker thread: no blocking database call on the event loop) and keeps a newly opened id
(a Slack group DM, a Discord thread), so later commands typed there are recognised as the pair's.
A post that names or quotes a member is recorded where it went, so forgetting the member can
delete it (``PostedMessage``).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbound import PairAddress
from bot.core.replies import PairPost
from storage.db import run_in_transaction
from storage.models import Pair, PostedMessage


class PairConversations:
    """Reads and remembers pairs' conversation ids."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    async def address(self, pair_id: int) -> PairAddress | None:
        """The pair's address, or None when the pair is gone."""

        def read(session: Session) -> PairAddress | None:
            pair = session.get(Pair, pair_id)
            if pair is None:
                return None
            members = (pair.mentor.platform_user_id or "", pair.mentee.platform_user_id or "")
            home = pair.program.pairs_channel_id
            return PairAddress(
                pair.id, pair.platform, pair.conversation_id, members, home, pair.mentor.workspace
            )

        return await asyncio.to_thread(run_in_transaction, self.sessions, read)

    async def remember(self, pair_id: int, conversation_id: str) -> None:
        def write(session: Session) -> None:
            session.execute(
                update(Pair).where(Pair.id == pair_id).values(conversation_id=conversation_id)
            )

        await asyncio.to_thread(run_in_transaction, self.sessions, write)

    async def remember_post(self, post: PairPost, platform: str, refs: str) -> None:
        """Record where a post about a member went (``refs``: ``channel/message`` ids)."""
        if post.by is None and post.quoting is None:
            return

        def write(session: Session) -> None:
            session.add(
                PostedMessage(
                    platform=platform, refs=refs, writer_id=post.by, quoted_id=post.quoting
                )
            )

        await asyncio.to_thread(run_in_transaction, self.sessions, write)
