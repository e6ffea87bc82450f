"""Many workspaces: bolt's OAuth flow, slack-sdk's stores in our database, a client per team.

With ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET`` and ``SLACK_STATE_SECRET`` set, anyone can
install the app from ``/slack/install``: bolt's ``AsyncOAuthSettings`` runs the flow, slack-sdk's
asyncio SQLAlchemy stores keep each installation and each pending OAuth state in the project's
own database (tables made by migration 0011), and bolt finds each request's token there,
refreshing it when token rotation is on. The scheduler, which has no request, asks
``Workspaces.client`` for a workspace's client, refreshed the same way through slack-sdk's
``AsyncTokenRotator``. With ``SLACK_BOT_TOKEN`` alone there is one workspace and one client.

A workspace is named by its team id, with the enterprise id before it where there is one
(``E123/T456``); that name is what the core stores beside people, programs and coordinators.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.outbound import DeliveryError
from bot.core.service import Core
from bot.core.workspaces import adopt, unplaced
from bot.settings import Settings

log = logging.getLogger(__name__)

PLATFORM = "slack"

# What the app asks each workspace for: the bot scopes of manifest.yaml (a test compares them).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "mpim:history",
    "users:read",
    "users:read.email",
    "files:write",
)
INSTALL_PATH = "/slack/install"  # the "Add to Slack" page
REDIRECT_PATH = "/slack/oauth_redirect"  # where Slack sends the installer back (the manifest's)
STATE_SECONDS = 600  # an "Add to Slack" page is good for ten minutes
ROTATE_MINUTES = 120  # a rotating token is refreshed when it has less than this left


def workspace_key(enterprise_id: str | None, team_id: str | None) -> str:
    """The name the core keeps for a workspace: ``T456``, or ``E123/T456`` inside an
    enterprise (an org-wide install, with no team, is ``E123``)."""
    if enterprise_id and team_id:
        return f"{enterprise_id}/{team_id}"
    return team_id or enterprise_id or ""


def workspace_ids(key: str) -> tuple[str | None, str | None]:
    """``workspace_key`` read back: the enterprise id (or None) and the team id (or None)."""
    enterprise, _, team = key.partition("/")
    if team:
        return enterprise, team
    return (key, None) if key.startswith("E") else (None, key or None)


class SignedStates(AsyncSQLAlchemyOAuthStateStore):
    """slack-sdk's state store, each state it hands out signed with ``SLACK_STATE_SECRET``:
    a state this bot did not issue is refused before the database is asked, and a state read
    from the database (a backup, say) is not enough to finish someone else's install."""

    def __init__(self, secret: str, engine: AsyncEngine) -> None:
        super().__init__(expiration_seconds=STATE_SECONDS, engine=engine)
        self._key = secret.encode()

    def _signature(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = await super().async_issue(*args, **kwargs)
        return f"{state}.{self._signature(state)}"

    async def async_consume(self, state: str) -> bool:
        raw, _, signature = (state or "").rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._signature(raw)):
            log.warning("Slack: refused an installation with a state this bot did not issue")
            return False
        return await super().async_consume(raw)


def oauth_settings(
    settings: Settings, store: AsyncSQLAlchemyInstallationStore
) -> AsyncOAuthSettings:
    """bolt's OAuth settings: our scopes, no user scopes, the stores in our database, and
    Slack's authorize page beside ``SLACK_API_URL`` (slack.com/api/ → slack.com/oauth/v2/…)."""
    options: dict[str, Any] = {}
    if settings.slack_api_url:
        root = settings.slack_api_url.rstrip("/").removesuffix("/api")
        options["authorization_url"] = f"{root}/oauth/v2/authorize"
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATE_MINUTES,
        state_store=SignedStates(settings.slack_state_secret or "", store.engine),
        state_expiration_seconds=STATE_SECONDS,
        **options,
    )


class Workspaces:
    """The Web API client for a workspace: the one ``SLACK_BOT_TOKEN`` client for any
    workspace, or, with OAuth, one with the workspace's own bot token from the store."""

    def __init__(
        self,
        client: AsyncWebClient,
        store: AsyncSQLAlchemyInstallationStore | None = None,
        rotator: AsyncTokenRotator | None = None,
    ) -> None:
        self.default = client
        self.store = store
        self.rotator = rotator
        self._clients: dict[str, tuple[str, AsyncWebClient]] = {}

    @classmethod
    def installed(
        cls, settings: Settings, client: AsyncWebClient, engine: AsyncEngine
    ) -> Workspaces:
        """Each workspace's token from the installation store in our database."""
        rotator = AsyncTokenRotator(
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            client=client,
        )
        store = AsyncSQLAlchemyInstallationStore(
            client_id=settings.slack_client_id or "", engine=engine
        )
        return cls(client, store, rotator)

    def key(self, enterprise_id: str | None, team_id: str | None) -> str:
        """The workspace a request came from, as the core keeps it: empty when there is just
        the one of ``SLACK_BOT_TOKEN``, so a single-workspace install stores what it did."""
        return "" if self.store is None else workspace_key(enterprise_id, team_id)

    async def client(self, workspace: str) -> AsyncWebClient:
        """The client to call Slack with for ``workspace``; ``DeliveryError`` (permanent)
        when the app is not installed there (never, or uninstalled, or its tokens revoked)."""
        if self.store is None:
            return self.default
        enterprise_id, team_id = workspace_ids(workspace)
        bot = await self.store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise DeliveryError(
                f"mentorbot is not installed in the Slack workspace {workspace or '(none)'} "
                "(never installed, uninstalled, or its tokens revoked)",
                permanent=True,
            )
        bot = await self._rotated(bot)
        token = str(bot.bot_token)
        known = self._clients.get(workspace)
        if known is None or known[0] != token:
            client = AsyncWebClient(
                token=token,
                base_url=self.default.base_url,
                retry_handlers=self.default.retry_handlers,
            )
            known = self._clients[workspace] = (token, client)
        return known[1]

    async def _rotated(self, bot: Bot) -> Bot:
        """The bot with a token good for a while yet: a rotating one near its expiry is
        exchanged for a new one (and the new one saved) by slack-sdk's rotator."""
        if self.store is None or self.rotator is None or not bot.bot_refresh_token:
            return bot
        fresh = await self.rotator.perform_bot_token_rotation(
            bot=bot, minutes_before_expiration=ROTATE_MINUTES
        )
        if fresh is None:
            return bot
        await self.store.async_save_bot(fresh)
        return fresh


async def place_single_workspace(core: Core, client: AsyncWebClient) -> None:
    """The people, coordinators and programs of the earlier single-workspace install (in no
    workspace yet) move into the workspace of ``SLACK_BOT_TOKEN``, read once from
    ``auth.test``; without that token they are left where they are, and the log says so."""
    if not await asyncio.to_thread(core.transaction, lambda s: unplaced(s, PLATFORM)):
        return
    token = core.settings.slack_bot_token
    if not token:
        log.warning(
            "Slack: some people and programs belong to no workspace yet (from the time the bot "
            "served one workspace); start once with its SLACK_BOT_TOKEN set to place them"
        )
        return
    answer = await AsyncWebClient(token=token, base_url=client.base_url).auth_test()
    workspace = workspace_key(answer.get("enterprise_id"), str(answer["team_id"]))
    moved = await asyncio.to_thread(core.transaction, lambda s: adopt(s, PLATFORM, workspace))
    log.info("Slack: %d rows of the single-workspace install now belong to %s", moved, workspace)
