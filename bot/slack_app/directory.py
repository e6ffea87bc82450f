"""Who in the workspace is deactivated, from ``users.list``, once per round.

Before a round every member is checked, since Slack accepts a message for a deactivated user
without complaint. ``users.info`` per member costs two tier-4 calls per pair (10,000 pairs: over
three hours at 100 a minute); ``users.list`` pages 1,000 members a call at tier 2, so the whole
workspace is read in a few calls and kept for ``TTL`` (a round's ticks come within minutes).
A member the list does not hold (a guest, someone who joined since) is asked about one by one,
and a list Slack refuses falls back to ``users.info`` for that round.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_app.pacing import Pacer, rate_limited

log = logging.getLogger(__name__)

TTL = 60 * 60.0  # seconds a reading is used: once per round, however long the round takes
PAGE = 1000  # the most users.list returns a call
RETRIED_PAGES = 5  # 429s and server errors waited out before asking member by member


class SlackDirectory:
    """Deactivation by user id, read from ``users.list`` at most once per ``TTL``."""

    def __init__(self, client: AsyncWebClient, pacer: Pacer) -> None:
        self.client = client
        self.pacer = pacer
        self.clock = pacer.clock
        self._deleted: dict[str, bool] = {}
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def deactivated(self, user_id: str) -> bool | None:
        """Whether the member is deactivated; None when the list does not say (not in it, or
        Slack would not give the list)."""
        async with self._lock:
            if self._read_at is None or self.clock() - self._read_at > TTL:
                self._deleted = await self._read()
                self._read_at = self.clock()
        return self._deleted.get(user_id)

    async def _read(self) -> dict[str, bool]:
        deleted: dict[str, bool] = {}
        cursor: str | None = None
        refused = 0
        while True:
            try:
                page = await self.pacer.call(
                    "users.list", self.client.users_list, limit=PAGE, cursor=cursor
                )
            except SlackApiError as error:
                refused += 1
                if _worth_retrying(error) and refused <= RETRIED_PAGES:
                    if not rate_limited(error):  # a 429 already holds users.list in the pacer
                        await self.pacer.sleep(min(2.0 ** (refused - 1), 10.0))
                    continue
                log.warning("users.list failed (%s); asking users.info per member", error)
                return {}
            for member in page.get("members") or ():
                deleted[str(member["id"])] = bool(member.get("deleted"))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return deleted


def _worth_retrying(error: SlackApiError) -> bool:
    """A 429 or a server error: the list is worth asking again, rather than every member."""
    status = getattr(error.response, "status_code", None) or 0
    return rate_limited(error) or status >= 500
