"""Discord's implementation of the scheduler's ``Outbound`` port, and posts to pairs and people.

A pair's conversation is a private thread in ``DISCORD_PAIRS_CHANNEL_ID`` with both members
added, named "Ada & Ben (pair 12)"; its id is the pair's ``conversation_id``, so commands typed in
it are about that pair. When no thread can be had (no channel set, the channel gone, or the bot
lacking a permission there) each member gets the message in a direct message instead, and the
conversation is recorded as ``dm``; the next message tries the thread again, so fixing the
permission is enough.

Exactly once: every message of a delivery carries a nonce derived from its idempotency key, sent
with ``enforce_nonce``, so Discord itself returns the first message when a re-send comes within
its few minutes; a re-send (not the first attempt) first searches the conversation's history
since the first attempt for the bot's message with that nonce or with the delivery's buttons
(their custom ids carry the delivery id). Threads are made once per pair, under a per-pair
lock, and an existing "(pair 12)" thread is reused after a crash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import discord

from bot.core.conversations import PairConversations
from bot.core.outbound import DeliveryError, PairAddress, Sent
from bot.core.replies import Message, PairPost
from bot.discord_app.errors import GONE, MISSING_ACCESS, UNKNOWN_CHANNEL, delivery_error
from bot.discord_app.render import edit_kwargs, parts
from bot.settings import Settings

log = logging.getLogger(__name__)

PLATFORM = "discord"
DM_CONVERSATION = "dm"
DM_PREFIX = "dm:"  # a recorded post in a DM: ``dm:`` + a DM copy's ref
# A message sent to each member's DM is recorded as one ``USER_ID/MESSAGE_ID`` ref per copy.
READY_TIMEOUT = 30.0  # seconds a send waits for the gateway connection at start-up
CLOCK_MARGIN = dt.timedelta(minutes=1)  # our clock against Discord's, when searching from a time
NAME_LIMIT = 40
NOT_LINKED = "is not linked to a Discord account (no Discord user id was imported)"


def nonce_for(key: str, slot: str) -> str:
    """A Discord nonce (at most 25 characters, unique per bot) for one message of a delivery:
    ``slot`` tells the thread message from each member's DM and each part of a long message."""
    digest = hashlib.blake2s(key.encode(), digest_size=8).hexdigest()
    nonce = f"m{digest}{slot}"
    if len(nonce) > 25:
        raise ValueError(f"nonce slot too long: {slot!r}")
    return nonce


class ThreadUnavailable(Exception):
    """The pair cannot have a thread now; its members get DMs instead."""


class DiscordOutbound:
    """Posts to pairs' private threads (or members' DMs) and to people, through discord.py."""

    platform = PLATFORM

    def __init__(
        self, client: discord.Client, settings: Settings, conversations: PairConversations
    ) -> None:
        self.client = client
        self.guild_id = settings.discord_guild_id
        self.pairs_channel_id = settings.discord_pairs_channel_id
        self.conversations = conversations
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._threads: dict[int, int] = {}  # pair id → thread id made or found in this run

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
        return await self._deliver(address, message, idempotency_key, since=resend_since)

    async def send_direct(self, user_id: str, message: Message, *, workspace: str = "") -> None:
        """A DM from the bot to one person (a coordinator's alert)."""
        await self._ready()
        who = await self._name(user_id)
        try:
            channel = await self._dm_channel(user_id)
            await self._post(channel, message, None, since=None)
        except Exception as error:
            raise delivery_error(error, who=who, doing=f"send {who} a direct message") from error

    async def unreachable_reason(self, user_id: str, *, workspace: str = "") -> str | None:
        """Why a member cannot be messaged: not linked, gone from the server, or no account."""
        if not user_id.isdigit():
            return NOT_LINKED
        await self._ready()
        guild = self._guild()
        try:
            if guild is None:
                await self.client.fetch_user(int(user_id))
            elif guild.get_member(int(user_id)) is None:
                await guild.fetch_member(int(user_id))
        except discord.NotFound as error:
            if error.code in GONE:
                return f"{GONE[error.code]} (Discord {error.code}: {error.text})"
            raise delivery_error(error, doing="look the member up") from error
        except Exception as error:
            raise delivery_error(error, doing="look the member up") from error
        return None

    # -- posts from replies ---------------------------------------------------------------

    async def post_to_pair(self, post: PairPost) -> None:
        """A ``PairPost``: into the pair's thread (made and stored if need be) or DMs, and
        recorded when it is about a member (a notice is short: one message, not parts)."""
        address = await self.conversations.address(post.pair_id)
        if address is None or address.platform != PLATFORM:
            log.warning("pair %s has no Discord conversation to post to", post.pair_id)
            return
        sent = await self._deliver(address, post.message, None, since=None)
        if sent.conversation_id != address.conversation_id:
            await self.conversations.remember(post.pair_id, sent.conversation_id)
        if sent.conversation_id == DM_CONVERSATION:  # one message in each member's DM
            refs = [DM_PREFIX + copy for copy in sent.message_ref.split(",")]
        else:
            refs = [f"{sent.conversation_id}/{sent.message_ref}"]
        await self.conversations.remember_post(post, PLATFORM, ",".join(refs))

    async def update_copy(self, ref: str, message: Message) -> None:
        """Edit a DM copy (``USER_ID/MESSAGE_ID``) of a message to read like ``message``."""
        user_id, _, message_id = ref.partition("/")
        channel = await self._dm_channel(user_id)
        await channel.get_partial_message(int(message_id)).edit(**edit_kwargs(message))

    async def open_ahead(self, address: PairAddress) -> str | None:
        """A thread is made with the first post (Discord's thread limits are no bottleneck)."""
        return None

    async def delete_posted(self, refs: str) -> None:
        """Delete each message (a DM's channel is found again from the member's id); one
        already deleted, or whose channel is gone, is done."""
        await self._ready()
        for ref in refs.split(","):
            channel_ref, _, message_id = ref.partition("/")
            try:
                if channel_ref.startswith(DM_PREFIX):
                    channel: Any = await self._dm_channel(channel_ref.removeprefix(DM_PREFIX))
                else:
                    channel = self.client.get_partial_messageable(int(channel_ref))
                await channel.get_partial_message(int(message_id)).delete()
            except discord.NotFound:
                continue
            except Exception as error:
                raise delivery_error(error, doing="delete an earlier message") from error

    # -- delivering -----------------------------------------------------------------------

    async def _deliver(
        self,
        address: PairAddress,
        message: Message,
        key: str | None,
        *,
        since: dt.datetime | None,
    ) -> Sent:
        await self._ready()
        async with self._locks[address.pair_id]:
            try:
                thread = await self._thread_for(address)
                nonce = nonce_for(key, "t") if key else None
                try:
                    ref = await self._post(thread, message, nonce, since=since)
                except discord.Forbidden as error:
                    raise ThreadUnavailable(delivery_error(error).reason) from error
                return Sent(ref, str(thread.id))
            except ThreadUnavailable as why:
                log.warning("pair %s gets DMs: %s", address.pair_id, why)
                return await self._to_members(address, message, key, str(why), since)
            except DeliveryError:
                raise
            except Exception as error:
                raise delivery_error(error, doing="post in the pair's thread") from error

    async def _thread_for(self, address: PairAddress) -> discord.Thread:
        """The pair's private thread: the stored one, else one found by name, else a new one
        with both members added. ``ThreadUnavailable`` when there can be none."""
        channel_id, named = self._home_of(address)
        if not channel_id:
            raise ThreadUnavailable(f"{named} is not set")
        stored = address.conversation_id or ""
        known = self._threads.get(address.pair_id) or (int(stored) if stored.isdigit() else None)
        if known is not None:
            thread = await self._existing_thread(known)
            if thread is not None:
                return thread
        parent = await self._pairs_channel(channel_id, named)
        suffix = f"(pair {address.pair_id})"
        thread = next((t for t in parent.threads if t.name.endswith(suffix)), None)
        if thread is None:
            names = [(await self._name(uid))[:NAME_LIMIT] for uid in address.member_ids]
            try:
                thread = await parent.create_thread(
                    name=f"{' & '.join(names)} {suffix}",
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=10080,
                )
            except discord.Forbidden as error:
                doing = f"create a private thread in #{parent.name}"
                raise ThreadUnavailable(delivery_error(error, doing=doing).reason) from error
        for user_id in address.member_ids:
            await self._add_member(thread, user_id)
        self._threads[address.pair_id] = thread.id
        return thread

    async def _existing_thread(self, thread_id: int) -> discord.Thread | None:
        """The thread with this id, or None when it was deleted or the bot was removed from it
        (the pair then gets a new one)."""
        channel = self.client.get_channel(thread_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(thread_id)
            except (discord.NotFound, discord.Forbidden) as error:
                if error.code not in (UNKNOWN_CHANNEL, MISSING_ACCESS):
                    raise
                log.info("thread %s is gone or closed to the bot; making a new one", thread_id)
                return None
        return channel if isinstance(channel, discord.Thread) else None

    def _home_of(self, address: PairAddress) -> tuple[int | None, str]:
        """The channel the pair's thread belongs in, and how to name it in a reason: the
        program's pairs channel, else DISCORD_PAIRS_CHANNEL_ID."""
        if address.home and address.home.isdigit():
            return int(address.home), "the program's pairs channel"
        return self.pairs_channel_id, "DISCORD_PAIRS_CHANNEL_ID"

    async def _pairs_channel(self, channel_id: int, named: str) -> discord.TextChannel:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden) as error:
                doing = f"open {named} {channel_id}"
                raise ThreadUnavailable(delivery_error(error, doing=doing).reason) from error
        if not isinstance(channel, discord.TextChannel):
            raise ThreadUnavailable(f"{named} {channel_id} is not a text channel")
        return channel

    async def _add_member(self, thread: discord.Thread, user_id: str) -> None:
        who = await self._name(user_id)
        if not user_id.isdigit():
            raise DeliveryError(f"{who} {NOT_LINKED}", permanent=True)
        try:
            await thread.add_user(discord.Object(int(user_id)))
        except discord.HTTPException as error:
            raise delivery_error(error, who=who, doing=f"add {who} to the pair's thread") from error

    async def _to_members(
        self,
        address: PairAddress,
        message: Message,
        key: str | None,
        why: str,
        since: dt.datetime | None,
    ) -> Sent:
        """The message in each member's DM; what failed for whom is said in one sentence."""
        refs: list[str] = []
        failures: list[DeliveryError] = []
        for index, user_id in enumerate(address.member_ids):
            who = await self._name(user_id)
            try:
                if not user_id.isdigit():
                    raise DeliveryError(f"{who} {NOT_LINKED}", permanent=True)
                channel = await self._dm_channel(user_id)
                nonce = nonce_for(key, f"d{index}") if key else None
                refs.append(f"{user_id}/{await self._post(channel, message, nonce, since=since)}")
            except Exception as error:
                failures.append(delivery_error(error, who=who, doing=f"send {who} a DM"))
        if not failures:
            return Sent(",".join(refs), DM_CONVERSATION)
        reasons = "; ".join(f.reason for f in failures)
        reached = " (the other member got it)" if refs else ""
        raise DeliveryError(
            f"no private thread ({why}), and {reasons}{reached}",
            permanent=all(f.permanent for f in failures),
            retry_after=max((f.retry_after or 0 for f in failures), default=0) or None,
        )

    async def _post(
        self,
        channel: discord.abc.Messageable,
        message: Message,
        nonce: str | None,
        *,
        since: dt.datetime | None,
    ) -> str:
        """Send ``message`` (in parts if long); returns the id of the last part, the one that
        carries the buttons, so a click can be checked against it. A re-send (``since``: when
        the first attempt began) returns that part instead if it is already there."""
        pieces = parts(message)
        nonces = [
            f"{nonce}{index}" if nonce and len(pieces) > 1 else nonce
            for index in range(len(pieces))
        ]
        if since is not None and nonces[-1]:
            found = await self._find(channel, nonces[-1], pieces[-1].custom_ids(), since)
            if found is not None:
                log.info("message %s was already sent (%s)", found, nonce)
                return found
        sent_id = ""
        for part, part_nonce in zip(pieces, nonces, strict=True):
            sent = await channel.send(**part.send_kwargs(), nonce=part_nonce)
            sent_id = str(sent.id)
        return sent_id

    async def _find(
        self,
        channel: discord.abc.Messageable,
        nonce: str,
        custom_ids: set[str],
        since: dt.datetime,
    ) -> str | None:
        """The bot's message with this nonce or these buttons, searched in every message
        since the first attempt (discord.py pages the history), however much chatter came
        after it."""
        me = self.client.user
        async for item in channel.history(limit=None, after=since - CLOCK_MARGIN):
            if me is None or item.author.id != me.id:
                continue
            if str(item.nonce or "") == nonce or custom_ids & set(_custom_ids(item)):
                return str(item.id)
        return None

    # -- people and places ----------------------------------------------------------------

    async def _dm_channel(self, user_id: str) -> discord.DMChannel:
        user = self.client.get_user(int(user_id)) or await self.client.fetch_user(int(user_id))
        return user.dm_channel or await user.create_dm()

    async def _name(self, user_id: str) -> str:
        """A member's name as the server shows it, for thread names and error sentences."""
        if not user_id.isdigit():
            return f"member {user_id or '(none)'}"
        guild = self._guild()
        try:
            if guild is not None:
                member = guild.get_member(int(user_id)) or await guild.fetch_member(int(user_id))
                return member.display_name
            user = self.client.get_user(int(user_id)) or await self.client.fetch_user(int(user_id))
            return user.display_name
        except discord.HTTPException:  # gone, or Discord refused: the id still says who
            return f"Discord user {user_id}"

    def _guild(self) -> discord.Guild | None:
        """The server: ``DISCORD_GUILD_ID``, else the pairs channel's, else the only one."""
        if self.guild_id:
            return self.client.get_guild(self.guild_id)
        channel = self.client.get_channel(self.pairs_channel_id or 0)
        if isinstance(channel, discord.abc.GuildChannel):
            return channel.guild
        guilds = self.client.guilds
        return guilds[0] if len(guilds) == 1 else None

    async def _ready(self) -> None:
        """Wait (a little) for the gateway connection, e.g. when a tick comes at start-up."""
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.client.is_ready():
            if time.monotonic() > deadline:
                raise DeliveryError("not connected to Discord yet", permanent=False)
            await asyncio.sleep(0.2)


def _custom_ids(message: discord.Message) -> Iterable[str]:
    def walk(components: Iterable[Any]) -> Iterable[str]:
        for component in components:
            custom_id = getattr(component, "custom_id", None)
            if custom_id:
                yield custom_id
            yield from walk(getattr(component, "children", ()))

    return walk(message.components)
