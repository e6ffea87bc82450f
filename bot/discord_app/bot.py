"""The Discord bot: the discord.py client, its commands, and how ``mentorbot run`` starts it.

The client asks only for the ``guilds`` intent (no privileged intents): it answers interactions
and posts, and never reads members' messages. Commands are synced once, when the client logs in
(``setup_hook``): to ``DISCORD_GUILD_ID`` when set (they appear at once), else globally. A
reconnect or resumed gateway session does not sync again. The client shares the event loop with
the scheduler and Slack; the core runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord
from discord import app_commands

from bot.core.conversations import PairConversations
from bot.core.errors import PlatformUnreachable
from bot.core.service import Core
from bot.discord_app.commands import build_commands
from bot.discord_app.components import ActionButton, read_submission
from bot.discord_app.interactions import Interactions
from bot.discord_app.outbound import DiscordOutbound
from bot.settings import SettingsError

log = logging.getLogger(__name__)

INTENTS = discord.Intents(guilds=True)
SCOPES = ("bot", "applications.commands")
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    create_private_threads=True,
    send_messages_in_threads=True,
    read_message_history=True,
    attach_files=True,
)
MAX_RATE_LIMIT_WAIT = 30.0  # seconds discord.py may wait out a 429; longer goes to the scheduler


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server with the scopes and permissions it uses."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


class MentorBot(discord.Client):
    """A discord.py client wired to the core: commands, buttons, modals and the outbound port."""

    def __init__(self, core: Core, *, guild_ready_timeout: float = 2.0) -> None:
        super().__init__(
            intents=INTENTS,
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATE_LIMIT_WAIT,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.core = core
        settings = core.settings
        self.guild = (
            discord.Object(settings.discord_guild_id) if settings.discord_guild_id else None
        )
        self.outbound = DiscordOutbound(self, settings, PairConversations(core.sessions))
        self.interactions = Interactions(core, self.outbound)
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._command_failed  # type: ignore[method-assign]
        for command in build_commands(self.interactions):
            self.tree.add_command(command, guild=self.guild)

    async def setup_hook(self) -> None:
        """Once per login: buttons from earlier runs answered, and the commands synced."""
        self.add_dynamic_items(ActionButton)
        try:
            synced = await self.tree.sync(guild=self.guild)
        except discord.HTTPException as error:
            log.error(
                "Discord: could not register the slash commands (%s). Invite the bot with the "
                "applications.commands scope: %s",
                error,
                invite_url(self.application_id or 0),
            )
            return
        where = f"server {self.guild.id}" if self.guild else "all servers (global)"
        log.info("Discord: %d commands registered for %s", len(synced), where)

    async def on_ready(self) -> None:
        """Say where the bot is, with the invite link operators need to add it elsewhere."""
        log.info(
            "Discord: connected as %s to %d server(s); invite link: %s",
            self.user,
            len(self.guilds),
            invite_url(self.application_id or 0),
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submissions are read from the payload, so forms opened before a restart
        are still accepted (buttons are ``DynamicItem``s; commands go through the tree)."""
        if interaction.type != discord.InteractionType.modal_submit or interaction.data is None:
            return
        submission = read_submission(dict(interaction.data))
        if submission is not None:
            await self.interactions.submit(interaction, submission)

    async def _command_failed(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """A command that raised (the handlers catch their own errors; this is the rest)."""
        await self.interactions.apologise(interaction, "Discord command failed", error=error)


@asynccontextmanager
async def open_discord_outbound(core: Core) -> AsyncIterator[DiscordOutbound]:
    """The Discord port for a one-off tick (``mentorbot nudge tick``): the bot connects, the
    block delivers through it, and the bot disconnects."""
    runner = DiscordRunner(core)
    connection = asyncio.create_task(runner.run())
    ready = asyncio.create_task(runner.client.wait_until_ready())
    try:
        await asyncio.wait({connection, ready}, return_when=asyncio.FIRST_COMPLETED)
        if connection.done():
            connection.result()  # the reason it stopped (a refused token, say)
            raise SettingsError("DISCORD_BOT_TOKEN: the Discord connection closed at once")
        yield runner.outbound
    finally:
        ready.cancel()
        await runner.client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await connection


class DiscordRunner:
    """The Discord side of ``mentorbot run``: the client, its outbound port, and the connection."""

    def __init__(self, core: Core) -> None:
        token = core.settings.discord_bot_token
        if not token:
            raise SettingsError(
                "DISCORD_BOT_TOKEN: expected the bot token from the Discord developer portal"
            )
        self.token = token
        self.client = MentorBot(core)
        self.outbound = self.client.outbound

    async def run(self) -> None:
        """Connect and serve until cancelled; discord.py reconnects and resumes by itself."""
        async with self.client:
            try:
                await self.client.start(self.token)
            except discord.LoginFailure:
                raise SettingsError(
                    "DISCORD_BOT_TOKEN: expected a valid bot token (Discord refused this one)"
                ) from None
            except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as error:
                raise PlatformUnreachable(
                    f"Discord could not be reached ({type(error).__name__}: {error}); check "
                    "the network connection, then start again."
                ) from None
