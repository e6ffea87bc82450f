"""The app's Home tab: the core's home sections as one Block Kit ``home`` view (``views.publish``).

It is published when a member opens the tab (``app_home_opened``) and, once they have, again after
each of their commands, clicks and forms, after their partner's that post to their pair, and after
a delivery reaches their pair, so what it shows follows what changed (a person who never opens it
costs nothing, which matters for a coordinator, whose home reads the summary). Each
section is laid out as a message would be, with a divider between sections; block ids are made
unique across the view (Slack refuses repeats), and the view stays within Slack's 100 blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.outbound import DeliveryError, PairAddress
from bot.core.replies import Message
from bot.slack_app.installations import Workspaces
from bot.slack_app.render import message_blocks

log = logging.getLogger(__name__)

VIEW_BLOCKS = 100  # Slack's limit for a home view


def home_view(sections: list[Message]) -> dict[str, Any]:
    """The ``home`` view of ``sections``: each as its blocks, a divider between them."""
    blocks: list[dict[str, Any]] = []
    for index, section in enumerate(sections):
        laid_out = message_blocks(section)
        if blocks and len(blocks) + 1 + len(laid_out) > VIEW_BLOCKS:
            break
        if blocks:
            blocks.append({"type": "divider"})
        for number, block in enumerate(laid_out):
            if "block_id" in block:
                block = {**block, "block_id": f"home-{index}-{number}"}
            blocks.append(block)
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}


class HomeTab:
    """Publishes the Home tab of those who opened it since this process began, again whenever
    what it shows may have changed for them; a failure is logged, never shown as an error."""

    def __init__(
        self, workspaces: Workspaces, sections: Callable[[str, str], Awaitable[list[Message]]]
    ) -> None:
        self.workspaces = workspaces
        self.sections = sections  # (workspace, user id) -> that user's home as it is now
        self.viewers: set[tuple[str, str]] = set()  # (workspace, user id)

    async def opened(self, workspace: str, user_id: str) -> None:
        self.viewers.add((workspace, user_id))
        await self._publish(workspace, user_id)

    async def refresh(self, workspace: str, user_ids: Iterable[str]) -> None:
        """Publish again the homes of these users of ``workspace`` that are being looked at."""
        for user_id in sorted(set(user_ids)):
            if (workspace, user_id) in self.viewers:
                await self._publish(workspace, user_id)

    async def delivered(self, address: PairAddress) -> None:
        """A message reached a pair: its members' homes show it."""
        await self.refresh(address.workspace, address.member_ids)

    async def _publish(self, workspace: str, user_id: str) -> None:
        try:
            view = home_view(await self.sections(workspace, user_id))
            client = await self.workspaces.client(workspace)
            await client.views_publish(user_id=user_id, view=view)
        except (SlackApiError, DeliveryError) as error:
            log.warning("could not publish the Home tab of %s: %s", user_id, error)
