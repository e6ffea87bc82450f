"""Slack's implementation of the scheduler's ``Outbound`` port, and posts to pairs and people.

A pair's conversation is a group DM of the bot and both members, opened with
``conversations.open`` when the pair has none yet or Slack says the stored one is gone. Every
scheduled delivery carries its idempotency key in message metadata; a re-send (not the first
attempt, e.g. after a crash between posting and recording) first searches the conversation's
history since the first attempt, page by page, for that key, and returns the message found
instead of posting a second one. Members' deactivation comes from the workspace's list, read
once a round (``SlackDirectory``). Every call goes with the token of the pair's or member's
workspace (``Workspaces``): the one ``SLACK_BOT_TOKEN``, or each installed workspace's own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.conversations import PairConversations
from bot.core.outbound import DeliveryError, PairAddress, Sent
from bot.core.replies import Attachment, Message, PairPost
from bot.slack_app.directory import SlackDirectory
from bot.slack_app.errors import delivery_error, error_code
from bot.slack_app.installations import Workspaces
from bot.slack_app.pacing import Pacer
from bot.slack_app.render import fallback_text, message_blocks

log = logging.getLogger(__name__)

T = TypeVar("T")

PLATFORM = "slack"
DELIVERY_EVENT = "mentorbot_delivery"
HISTORY_PAGE = 200  # messages per conversations.history call (Slack's most is 999; 200 advised)
CLOCK_MARGIN = dt.timedelta(minutes=1)  # our clock against Slack's, when searching from a time
NOT_LINKED = "not matched to a Slack account yet (imported by e-mail that Slack does not know)"


class SlackOutbound:
    """Posts to pairs' group DMs and to members' DMs through the Web API."""

    platform = PLATFORM

    def __init__(
        self,
        client: AsyncWebClient,
        conversations: PairConversations,
        pacer: Pacer | None = None,
        workspaces: Workspaces | None = None,
    ) -> None:
        self.client = client
        self.conversations = conversations
        self.pacer = pacer or Pacer()
        self.workspaces = workspaces or Workspaces(client)
        self._directories: dict[str, SlackDirectory] = {}

    def directory(self, workspace: str, client: AsyncWebClient) -> SlackDirectory:
        """The member list of one workspace (read with that workspace's ``client``)."""
        found = self._directories.get(workspace)
        if found is None or found.client is not client:
            found = self._directories[workspace] = SlackDirectory(client, self.pacer)
        return found

    # -- the Outbound port ----------------------------------------------------------------

    async def send_to_pair(
        self,
        address: PairAddress,
        message: Message,
        idempotency_key: str,
        *,
        resend_since: dt.datetime | None,
    ) -> Sent:
        """Post once per key; a re-send returns the message already there."""
        metadata = {"event_type": DELIVERY_EVENT, "event_payload": {"key": idempotency_key}}

        async def send(client: AsyncWebClient, channel: str) -> str:
            if resend_since is not None:
                found = await self._find_delivery(client, channel, idempotency_key, resend_since)
                if found:
                    log.info("delivery %s was already in %s", idempotency_key, channel)
                    return found
            return await self.post(client, channel, message, metadata)

        try:
            ts, channel = await self._in_conversation(address, send)
        except DeliveryError:
            raise
        except Exception as error:
            raise delivery_error(error) from error
        return Sent(message_ref=ts, conversation_id=channel)

    async def send_direct(self, user_id: str, message: Message, *, workspace: str = "") -> None:
        """A DM from the bot to one member (coordinators' alerts, files)."""
        try:
            client = await self.workspaces.client(workspace)
            await self.post(client, await self.open_conversation(client, (user_id,)), message)
        except DeliveryError:
            raise
        except Exception as error:
            raise delivery_error(error) from error

    async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
        """Slack answers ``ok`` to a message for a deleted user, so ask first: the workspace's
        list (read once a round), else ``users.info`` for a member the list does not hold."""
        if not user_id:
            return NOT_LINKED
        client = await self.workspaces.client(workspace)
        listed = await self.directory(workspace, client).deactivated(user_id)
        if listed is not None:
            return "deactivated on Slack" if listed else None
        try:
            info = await self.pacer.call("users.info", client.users_info, user=user_id)
            user = info["user"]
        except SlackApiError as error:
            if error_code(error) in ("user_not_found", "users_not_found"):
                return "not found on Slack"
            raise delivery_error(error) from error
        except Exception as error:
            raise delivery_error(error) from error
        return "deactivated on Slack" if user.get("deleted") else None

    async def open_ahead(self, address: PairAddress) -> str | None:
        """The group DM, opened now (``conversations.open`` is tier 3: opening ten thousand
        takes over three hours, which a kickoff round should not wait for)."""
        try:
            client = await self.workspaces.client(address.workspace)
            return await self.open_conversation(client, address.member_ids)
        except DeliveryError:
            raise
        except Exception as error:
            raise delivery_error(error) from error

    async def delete_posted(self, refs: str) -> None:
        """``chat.delete`` each message (``[WORKSPACE ]CHANNEL/TS``, as ``post_to_pair``
        recorded it); one already deleted (or its channel) is done."""
        for ref in refs.split(","):
            workspace, _, place = ref.rpartition(" ")
            channel, _, ts = place.partition("/")
            try:
                client = await self.workspaces.client(workspace)
                await self.pacer.call("chat.delete", client.chat_delete, channel=channel, ts=ts)
            except SlackApiError as error:
                if error_code(error) not in ("message_not_found", "channel_not_found"):
                    raise delivery_error(error) from error
            except Exception as error:
                raise delivery_error(error) from error

    # -- posts from replies ------------------------------------------------------------------

    async def post_to_pair(self, post: PairPost) -> None:
        """A ``PairPost``: into the pair's conversation, opening (and storing) it if needed,
        and recorded when it is about a member."""
        address = await self.conversations.address(post.pair_id)
        if address is None or address.platform != PLATFORM:
            log.warning("pair %s has no Slack conversation to post to", post.pair_id)
            return

        async def send(client: AsyncWebClient, channel: str) -> str:
            return await self.post(client, channel, post.message)

        ts, channel = await self._in_conversation(address, send)
        if channel != address.conversation_id:
            await self.conversations.remember(post.pair_id, channel)
        where = f"{address.workspace} " if address.workspace else ""
        await self.conversations.remember_post(post, PLATFORM, f"{where}{channel}/{ts}")

    async def post(
        self,
        client: AsyncWebClient,
        channel: str,
        message: Message,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Post ``message`` (then its files) to ``channel``; returns the message's ts."""
        extra = {"metadata": metadata} if metadata else {}
        response = await self.pacer.call(
            "chat.postMessage",
            client.chat_postMessage,
            channel=channel,
            text=fallback_text(message),
            blocks=message_blocks(message),
            **extra,
        )
        if message.attachments:
            await self.upload(client, channel, message.attachments)
        return str(response["ts"])

    async def upload(
        self, client: AsyncWebClient, channel: str, attachments: Sequence[Attachment]
    ) -> None:
        """Share files in ``channel`` with files upload v2 (one call for all of them)."""
        await client.files_upload_v2(
            channel=channel,
            file_uploads=[
                {"content": a.content, "filename": a.filename, "title": a.title}
                for a in attachments
            ],
        )

    async def open_conversation(self, client: AsyncWebClient, member_ids: Sequence[str]) -> str:
        """The DM (one member) or group DM (two) of the bot with these members."""
        if not all(member_ids):
            raise DeliveryError(f"a member is {NOT_LINKED}", permanent=True)
        response = await self.pacer.call(
            "conversations.open", client.conversations_open, users=",".join(member_ids)
        )
        return str(response["channel"]["id"])

    # -- helpers ---------------------------------------------------------------------------

    async def _in_conversation(
        self, address: PairAddress, send: Callable[[AsyncWebClient, str], Awaitable[T]]
    ) -> tuple[T, str]:
        """Run ``send`` in the pair's conversation, with its workspace's client; reopen the
        conversation once if Slack says it is gone."""
        client = await self.workspaces.client(address.workspace)
        stored = address.conversation_id
        channel = stored or await self.open_conversation(client, address.member_ids)
        try:
            return await send(client, channel), channel
        except SlackApiError as error:
            if stored is None or error_code(error) != "channel_not_found":
                raise
        log.info("pair %s: conversation %s is gone; opening a new one", address.pair_id, stored)
        channel = await self.open_conversation(client, address.member_ids)
        return await send(client, channel), channel

    async def _find_delivery(
        self, client: AsyncWebClient, channel: str, key: str, since: dt.datetime
    ) -> str | None:
        """The ts of the message carrying ``key``, searched in every message of the
        conversation since the first attempt (page by page), however much chatter came after."""
        oldest = f"{(since - CLOCK_MARGIN).timestamp():.6f}"
        cursor: str | None = None
        while True:
            history = await self.pacer.call(
                "conversations.history",
                client.conversations_history,
                channel=channel,
                include_all_metadata=True,
                oldest=oldest,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
            for item in history.get("messages") or ():
                metadata = item.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == DELIVERY_EVENT and payload.get("key") == key:
                    return str(item["ts"])
            cursor = (history.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
