"""A platform-neutral outbound that records deliveries and fails on demand."""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

from bot.core.outbound import DeliveryError, PairAddress, Sent
from bot.core.replies import Message


@dataclass
class Delivered:
    pair_id: int
    conversation_id: str
    message: Message
    key: str


@dataclass
class RecordingOutbound:
    """Keeps what was sent; ``fail_next`` queues errors; idempotent on the key like a platform."""

    platform: str = "console"
    delivered: list[Delivered] = field(default_factory=list)
    direct: list[tuple[str, Message]] = field(default_factory=list)
    failures: deque[DeliveryError] = field(default_factory=deque)
    unreachable: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    crash_after_send: bool = False
    calls: int = 0

    def fail_next(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        self.failures.append(DeliveryError(reason, permanent=permanent, retry_after=retry_after))

    async def send_to_pair(
        self,
        address: PairAddress,
        message: Message,
        idempotency_key: str,
        *,
        resend_since: dt.datetime | None,
    ) -> Sent:
        self.calls += 1
        if self.failures:
            raise self.failures.popleft()
        conversation = address.conversation_id or f"conv-{address.pair_id}"
        if resend_since is not None:
            for item in self.delivered:
                if item.key == idempotency_key:
                    return Sent(item.key, item.conversation_id)
        self.delivered.append(Delivered(address.pair_id, conversation, message, idempotency_key))
        if self.crash_after_send:
            raise SystemExit("crash between send and mark")
        return Sent(idempotency_key, conversation)

    async def send_direct(self, user_id: str, message: Message, *, workspace: str = "") -> None:
        self.direct.append((user_id, message))

    async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
        return self.unreachable.get(user_id)

    async def open_ahead(self, address: PairAddress) -> str | None:
        return None

    async def delete_posted(self, refs: str) -> None:
        self.deleted.append(refs)

    def kinds(self) -> list[str]:
        return [item.key for item in self.delivered]
