"""A core ``Reply`` played out on Slack, after the request was acknowledged.

In order: open the form while the ``trigger_id`` is fresh (it lasts 3 seconds), update the
clicked message in place, tell the caller privately, then deliver the posts for others. The
caller is answered through the request's ``response_url`` (an ephemeral message where they typed
the command); when there is none or it has expired, by DM. Files go to the caller's DM with
files upload v2, since an ephemeral message cannot carry them. A Slack failure in one step is
logged and does not stop the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.core.outbound import DeliveryError
from bot.core.replies import DirectPost, Form, Message, PairPost, Reply, render
from bot.slack_app.forms import modal_view
from bot.slack_app.outbound import PLATFORM, SlackOutbound
from bot.slack_app.render import fallback_text, message_blocks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where a command, click or form submission came from, and how to answer it."""

    user_id: str
    conversation_id: str | None
    response_url: str | None
    trigger_id: str | None = None
    message_ts: str | None = None  # the message whose button was clicked
    ephemeral: bool = False  # …and it was a private answer, which only response_url can change
    workspace: str = ""  # the caller's (``Workspaces``): whose token answers them


class Answers:
    """Sends replies: forms, in-place updates, private answers and posts for others."""

    def __init__(self, outbound: SlackOutbound) -> None:
        self.outbound = outbound

    async def send(self, reply: Reply, origin: Origin) -> None:
        if reply.form is not None:
            await self._open_form(reply.form, origin)
        if reply.replacement is not None and origin.ephemeral and origin.response_url:
            await self._respond(
                origin.response_url,
                fallback_text(reply.replacement),
                message_blocks(reply.replacement),
                replace=True,
            )
        elif reply.replacement is not None and origin.message_ts and origin.conversation_id:
            await self._replace(reply.replacement, origin)
        if reply.message is not None:
            await self.tell(origin, reply.message)
        for post in reply.posts:
            await self._post(post)

    async def tell(self, origin: Origin, message: Message) -> None:
        """Show ``message`` to the caller only; files go to their DM."""
        note = ""
        if message.attachments:
            names = ", ".join(a.filename for a in message.attachments)
            note = render("slack_app.files_sent", names=names)
            try:
                client = await self._client(origin)
                dm = await self.outbound.open_conversation(client, (origin.user_id,))
                await self.outbound.upload(client, dm, message.attachments)
            except (SlackApiError, DeliveryError) as error:
                log.warning("could not upload files for %s: %s", origin.user_id, error)
                note = render("slack_app.files_failed")
        text, blocks = fallback_text(message), message_blocks(message, note)
        if origin.response_url and await self._respond(origin.response_url, text, blocks):
            return
        try:
            client = await self._client(origin)
            dm = await self.outbound.open_conversation(client, (origin.user_id,))
            await client.chat_postMessage(channel=dm, text=text, blocks=blocks)
        except (SlackApiError, DeliveryError) as error:
            log.warning("could not answer %s: %s", origin.user_id, error)

    async def _respond(
        self, url: str, text: str, blocks: list[dict[str, object]], *, replace: bool = False
    ) -> bool:
        """An ephemeral answer through ``response_url`` (``replace``: in place of the private
        message whose button was clicked); False when Slack refused it."""
        try:
            response = await AsyncWebhookClient(url).send(
                text=text,
                blocks=blocks,
                response_type="ephemeral",
                replace_original=replace,
            )
        except Exception as error:  # an expired or unreachable URL: fall back to a DM
            log.info("response_url failed: %s", error)
            return False
        return response.status_code == 200

    async def _open_form(self, form: Form, origin: Origin) -> None:
        view = modal_view(form, origin.conversation_id, origin.response_url)
        try:
            client = await self._client(origin)
            await client.views_open(trigger_id=origin.trigger_id, view=view)
        except (SlackApiError, DeliveryError) as error:
            log.warning("views.open failed for %s: %s", origin.user_id, error)
            await self.tell(origin, Message(render("slack_app.form_too_late")))

    async def _replace(self, message: Message, origin: Origin) -> None:
        channel, ts = origin.conversation_id, origin.message_ts
        try:
            client = await self._client(origin)
            await client.chat_update(
                channel=channel, ts=ts, text=fallback_text(message), blocks=message_blocks(message)
            )
        except (SlackApiError, DeliveryError) as error:
            log.warning("chat.update failed for %s/%s: %s", channel, ts, error)

    async def _client(self, origin: Origin) -> AsyncWebClient:
        return await self.outbound.workspaces.client(origin.workspace)

    async def _post(self, post: PairPost | DirectPost) -> None:
        try:
            if isinstance(post, PairPost):
                await self.outbound.post_to_pair(post)
            elif post.platform == PLATFORM:
                await self.outbound.send_direct(
                    post.user_id, post.message, workspace=post.workspace
                )
        except (SlackApiError, DeliveryError) as error:
            log.warning("could not deliver a %s: %s", type(post).__name__, error)
