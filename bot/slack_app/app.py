"""The Slack app: wiring the bolt app, its Web API client, and how ``mentorbot run`` starts it.

Signatures are always checked by bolt: a forged or over-5-minute-old request gets 401. Slack
resends a request it thinks was lost, marked with ``X-Slack-Retry-Num``; the first one was
already acknowledged and handled, so a resend is acknowledged and dropped and nothing is
applied twice. What each request does is in ``listeners.py``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.commands import COMMANDS
from bot.core.conversations import PairConversations
from bot.core.service import Core
from bot.settings import Settings, SettingsError
from bot.slack_app.answers import Answers
from bot.slack_app.installations import (
    INSTALL_PATH,
    Workspaces,
    oauth_settings,
    place_single_workspace,
)
from bot.slack_app.listeners import Listeners
from bot.slack_app.outbound import SlackOutbound
from bot.slack_app.pacing import Pacer
from bot.slack_app.people import SlackPeople, resolve_pending_people

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
ANY = re.compile(r".+")
MAX_INLINE_RETRY_WAIT = 5  # seconds; a longer Retry-After goes back to the scheduler
PEOPLE_SYNC_SECONDS = 900


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's 429 retry, only when Slack asks for a short wait: a round's sender should
    not sleep for minutes; the scheduler retries it after ``Retry-After`` instead."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        try:
            return int(wait[0]) <= MAX_INLINE_RETRY_WAIT
        except (ValueError, IndexError):  # slack-sdk could not read it either
            return False


def make_client(settings: Settings) -> AsyncWebClient:
    """The bot's Web API client: ``SLACK_API_URL`` as base URL, short 429s retried in place;
    with ``SLACK_BOT_TOKEN``'s token, or none when each workspace's comes from the store."""
    options: dict[str, Any] = {}
    if settings.slack_api_url:
        options["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(
        token=None if settings.slack_oauth else settings.slack_bot_token,
        retry_handlers=[ShortRateLimitRetry(max_retry_count=2)],
        **options,
    )


def build_slack_outbound(core: Core, engine: AsyncEngine | None = None) -> SlackOutbound:
    """The scheduler's Slack port on its own, e.g. for ``mentorbot nudge tick``: it needs only
    ``SLACK_BOT_TOKEN`` (and ``SLACK_API_URL``), not a running app; with OAuth, the
    installations on ``engine`` instead."""
    client = make_client(core.settings)
    workspaces = workspaces_for(core, client, engine)
    return SlackOutbound(client, PairConversations(core.sessions), Pacer(), workspaces)


def workspaces_for(core: Core, client: AsyncWebClient, engine: AsyncEngine | None) -> Workspaces:
    """Whose token a call goes with: ``SLACK_BOT_TOKEN``'s, or each installed workspace's."""
    if not core.settings.slack_oauth:
        return Workspaces(client)
    if engine is None:
        raise ValueError("installing into many workspaces needs the database's engine")
    return Workspaces.installed(core.settings, client, engine)


async def ignore_retries(
    req: AsyncBoltRequest, next_: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse:
    """Acknowledge Slack's resends without handling them again (the first was handled).
    Socket Mode marks first deliveries of events with retry number 0, so only >0 is a resend."""
    retry = (req.headers.get("x-slack-retry-num") or ["0"])[0].strip()
    if retry not in ("", "0"):
        log.info("ignored a Slack retry (%s)", req.headers.get("x-slack-retry-reason"))
        return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
    return await next_()


def slack_listeners(core: Core, client: AsyncWebClient, outbound: SlackOutbound) -> Listeners:
    """What the app does with each request, answering through ``outbound`` (and its
    workspaces' tokens)."""
    workspaces = outbound.workspaces
    return Listeners(
        core, SlackPeople(client, workspaces=workspaces), Answers(outbound), workspaces
    )


def build_slack_app(
    core: Core,
    client: AsyncWebClient,
    outbound: SlackOutbound | None = None,
    engine: AsyncEngine | None = None,
    listeners: Listeners | None = None,
) -> AsyncApp:
    """The bolt app around ``core``, calling Slack through ``client``; with OAuth settings
    also the "Add to Slack" flow, its stores in our database (on ``engine``, for asyncio,
    unless ``outbound`` already has them).

    ``process_before_response``: the HTTP answer (or Socket Mode ack) goes out as soon as a
    listener returns, and the listeners return right after ``ack()``, leaving the work to a
    background task; bolt's default instead polls for the ack every 10 ms.
    """
    if outbound is None:
        workspaces = workspaces_for(core, client, engine)
        outbound = SlackOutbound(client, PairConversations(core.sessions), None, workspaces)
    workspaces = outbound.workspaces
    listeners = listeners or slack_listeners(core, client, outbound)
    options: dict[str, Any] = {}
    if workspaces.store is not None:
        options = {
            # given to the app too, so that bolt refreshes tokens through ``client``
            "installation_store": workspaces.store,
            "installation_store_bot_only": True,
            "oauth_settings": oauth_settings(core.settings, workspaces.store),
        }
    app = AsyncApp(
        client=client,
        signing_secret=core.settings.slack_signing_secret or "",
        name="mentorbot",
        process_before_response=True,
        **options,
    )
    app.use(ignore_retries)
    for command in COMMANDS:
        app.command(command.slash)(listeners.command)
    app.action(ANY)(listeners.click)
    app.view(ANY)(listeners.submit)
    app.event("app_home_opened")(listeners.home_opened)
    if workspaces.store is not None:
        # bolt's own: app_uninstalled and tokens_revoked delete the workspace's tokens, so its
        # deliveries stop (``Workspaces.client`` finds none); its data stays.
        app.enable_token_revocation_listeners()
    else:
        for event in ("app_uninstalled", "tokens_revoked"):
            app.event(event)(listeners.uninstalled)
    return app


class SlackRunner:
    """The Slack side of ``mentorbot run``: the app, its outbound port, and how it connects."""

    def __init__(self, core: Core) -> None:
        settings = core.settings
        if not settings.slack_enabled:
            raise SettingsError("SLACK_BOT_TOKEN: expected the bot token (xoxb-…) to run on Slack")
        if not settings.slack_app_token and not settings.slack_signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET: expected the app's signing secret to serve HTTP "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )
        self.core = core
        self.engine = core.async_engine() if settings.slack_oauth else None
        self.outbound = build_slack_outbound(core, self.engine)
        self.client = self.outbound.client
        self.listeners = slack_listeners(core, self.client, self.outbound)
        self.app = build_slack_app(core, self.client, self.outbound, self.engine, self.listeners)

    async def run(self) -> None:
        """Serve until cancelled: Socket Mode with ``SLACK_APP_TOKEN``, else HTTP on ``PORT``;
        with OAuth, HTTP on ``PORT`` in Socket Mode too, for the install pages."""
        settings = self.core.settings
        if settings.slack_oauth:
            await place_single_workspace(self.core, self.client)
        people = asyncio.create_task(self._keep_people_linked())
        try:
            if settings.slack_app_token and settings.slack_oauth:
                await asyncio.gather(
                    self._socket_mode(settings.slack_app_token), self._http(settings.port)
                )
            elif settings.slack_app_token:
                await self._socket_mode(settings.slack_app_token)
            else:
                await self._http(settings.port)
        finally:
            people.cancel()
            if self.engine is not None:
                await self.engine.dispose()

    async def _socket_mode(self, app_token: str) -> None:
        handler = AsyncSocketModeHandler(self.app, app_token)  # inside the running loop
        await handler.connect_async()
        log.info("Slack: connected in Socket Mode")
        try:
            await asyncio.Event().wait()
        finally:
            await handler.close_async()

    async def _http(self, port: int) -> None:
        runner = web.AppRunner(self.app.web_app(path=EVENTS_PATH, port=port), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", port).start()
        log.info("Slack: listening on port %s at %s", port, EVENTS_PATH)
        if self.core.settings.slack_oauth:
            log.info("Slack: any workspace can install the app at %s", INSTALL_PATH)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    async def _keep_people_linked(self) -> None:
        """Imported e-mails and missing time zones, at start-up and every quarter hour."""
        while True:
            try:
                linked = await resolve_pending_people(
                    self.core, self.client, self.outbound.pacer, self.outbound.workspaces
                )
            except Exception:
                log.exception("Slack: could not look people up; will try again")
            else:
                if linked:
                    log.info("Slack: updated %d people from Slack profiles", linked)
            await asyncio.sleep(PEOPLE_SYNC_SECONDS)
