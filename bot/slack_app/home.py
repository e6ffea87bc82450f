"""The app's Home tab: the core's home sections as one Block Kit ``home`` view (``views.publish``).

It is published when a member opens the tab (``app_home_opened``) and, once they have, again after
each of their commands and clicks, so what it shows follows what they changed (a person who never
opens it costs nothing, which matters for a coordinator, whose home reads the summary). Each
section is laid out as a message would be, with a divider between sections; block ids are made
unique across the view (Slack refuses repeats), and the view stays within Slack's 100 blocks.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.outbound import DeliveryError
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
    """Publishes a member's Home tab; a failure is logged, never shown as an error."""

    def __init__(self, client: AsyncWebClient, workspaces: Workspaces | None = None) -> None:
        self.workspaces = workspaces or Workspaces(client)

    async def publish(self, user_id: str, sections: list[Message], workspace: str = "") -> None:
        try:
            client = await self.workspaces.client(workspace)
            await client.views_publish(user_id=user_id, view=home_view(sections))
        except (SlackApiError, DeliveryError) as error:
            log.warning("could not publish the Home tab of %s: %s", user_id, error)
