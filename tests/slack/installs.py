"""A many-workspace install as tests use it: OAuth settings, the app served and registered
with the fake Slack, a browser going through "Add to Slack", and the tokens kept."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

from bot.core.service import Core
from bot.settings import Settings
from bot.slack_app.app import build_slack_app, make_client
from tests.fakes.slack_api import FakeSlack
from tests.slack.harness import SECRET, Served, serve

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret"
STATE_SECRET = "a-state-secret-long-enough"
WORKSPACES = {"T1": "Mentoring Org", "T2": "Library System Two"}


def oauth_settings(db_url: str, fake: FakeSlack, client_secret: str = CLIENT_SECRET) -> Settings:
    return Settings(
        DATABASE_URL=db_url,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.url,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=client_secret,
        SLACK_STATE_SECRET=STATE_SECRET,
    )


@asynccontextmanager
async def served(
    core: Core, fake: FakeSlack, *, rotate_tokens: bool = False
) -> AsyncIterator[Served]:
    """The OAuth app served over HTTP, registered with the fake Slack at its redirect URL."""
    engine = core.async_engine()
    try:
        app = build_slack_app(core, make_client(core.settings), engine=engine)
        async with serve(app, fake) as slack:
            fake.register_app(
                CLIENT_ID,
                CLIENT_SECRET,
                f"{root(slack)}/slack/oauth_redirect",
                scopes=("commands", "chat:write"),
                rotate_tokens=rotate_tokens,
            )
            for team, name in WORKSPACES.items():
                fake.add_workspace(team, name)
            yield slack
    finally:
        await engine.dispose()


def root(slack: Served) -> str:
    return slack.url.removesuffix("/slack/events")


async def install(slack: Served, team: str, *, state: str | None = None) -> tuple[int, str]:
    """A browser opening /slack/install, following "Add to Slack" to Slack's page, which
    sends it back to the redirect URL with a code; the status and text of the page it ends on.
    (bolt's state cookie is ``Secure``, which a browser sends back over https only, so here it
    is sent by hand.)"""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{root(slack)}/slack/install", params={"team": team}) as page:
            assert page.status == 200
            found = re.search(r'href="([^"]*/oauth/v2/authorize[^"]*)"', await page.text())
            cookie = page.headers["Set-Cookie"].split(";")[0]
        assert found, "no Add to Slack link"
        link = html.unescape(found.group(1))
        if state is not None:
            link = re.sub(r"state=[^&]*", f"state={state}", link)
        async with browser.get(link, allow_redirects=False) as allowed:
            assert allowed.status == 302, await allowed.text()
            back = allowed.headers["Location"]
        async with browser.get(back, headers={"Cookie": cookie}) as done:
            return done.status, await done.text()


async def bots(core: Core) -> dict[str, str]:
    """The bot token kept for each workspace, read through slack-sdk's own store."""
    engine = core.async_engine()
    try:
        store = AsyncSQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
        found = {}
        for team in WORKSPACES:
            bot = await store.async_find_bot(enterprise_id=None, team_id=team)
            if bot is not None:
                found[team] = str(bot.bot_token)
        return found
    finally:
        await engine.dispose()
