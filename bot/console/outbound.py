"""Delivering rounds to the terminal: the console's implementation of the outbound port."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.core.outbound import PairAddress, Sent
from bot.core.replies import Message


class PrintingOutbound:
    """Shows each delivery through ``show(conversation_id, message)``; idempotent on its key."""

    platform = "console"

    def __init__(self, show: Callable[[str, Message], None] | None = None) -> None:
        self.show = show or _print
        self.sent: dict[str, Sent] = {}

    async def send_to_pair(
        self,
        address: PairAddress,
        message: Message,
        idempotency_key: str,
        *,
        resend_since: dt.datetime | None,
    ) -> Sent:
        if idempotency_key in self.sent:
            return self.sent[idempotency_key]
        conversation = address.conversation_id or f"console-pair-{address.pair_id}"
        self.show(conversation, message)
        sent = Sent(message_ref=idempotency_key, conversation_id=conversation)
        self.sent[idempotency_key] = sent
        return sent

    async def send_direct(self, user_id: str, message: Message, *, workspace: str = "") -> None:
        self.show(f"direct:{user_id}", message)

    async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
        return None

    async def open_ahead(self, address: PairAddress) -> str | None:
        """The console's conversations need no opening."""
        return None

    async def delete_posted(self, refs: str) -> None:
        """Nothing to delete: the console records no posts (its chat is gone when it ends)."""


def _print(conversation: str, message: Message) -> None:
    from bot.console.render import print_message

    print(f"── {conversation} ──")
    print_message(message)
