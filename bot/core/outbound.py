"""The one port the scheduler delivers through; each platform implements it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.core.replies import Message


@dataclass(frozen=True)
class PairAddress:
    """Where a pair's messages go: its conversation (None until opened), its members' ids,
    and where its program keeps pair conversations, on a platform that has such a place
    (Discord: the program's pairs channel; None: the operator's default), and the workspace
    its members' ids belong to (empty where the platform or the install has just one)."""

    pair_id: int
    platform: str
    conversation_id: str | None
    member_ids: tuple[str, ...]
    home: str | None = None
    workspace: str = ""


@dataclass(frozen=True)
class Sent:
    """What the platform gave back: the message's reference and the conversation it went to."""

    message_ref: str
    conversation_id: str


class DeliveryError(Exception):
    """A send that did not happen. Transient ones are retried; permanent ones are reported."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Outbound(Protocol):
    """Sending to a platform. Implementations must make ``send_to_pair`` idempotent on
    ``idempotency_key``: a second call with the same key finds the first message (Slack message
    metadata, Discord nonce) instead of posting again."""

    platform: str

    async def send_to_pair(
        self,
        address: PairAddress,
        message: Message,
        idempotency_key: str,
        *,
        resend_since: dt.datetime | None,
    ) -> Sent:
        """Post to the pair's conversation (opening it when ``conversation_id`` is None). A
        re-send (``resend_since``: when the first attempt began) first searches the
        conversation from then, however many messages came after, for a message already sent
        with the key."""
        ...

    async def send_direct(self, user_id: str, message: Message, *, workspace: str = "") -> None:
        """A private message to one person, ``user_id`` of ``workspace``."""
        ...

    async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
        """Why a member cannot be messaged (deactivated, gone), or None when they can."""
        ...

    async def open_ahead(self, address: PairAddress) -> str | None:
        """Open the pair's conversation before its first round, so a round only posts;
        returns its id, or None where the platform opens one only when posting."""
        ...

    async def delete_posted(self, refs: str) -> None:
        """Delete the bot's own messages at ``refs`` (comma-separated ``channel/message``, as
        ``PairConversations.remember_post`` recorded them); one already gone counts as
        deleted. ``DeliveryError`` when the platform could not do it now."""
        ...
