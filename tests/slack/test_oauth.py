"""Installing into many workspaces: "Add to Slack" at /slack/install, Slack's authorize page
(the fake's), bolt's redirect handler exchanging the code, tokens kept in our own database."""

from __future__ import annotations

import asyncio
import html
import re
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.app import build_core
from bot.core.service import Core
from bot.slack_app.installations import BOT_SCOPES
from storage.db import upgrade
from tests.fakes.slack_api import FakeSlack
from tests.slack.installs import (
    CLIENT_ID,
    CLIENT_SECRET,
    WORKSPACES,
    bots,
    install,
    oauth_settings,
    root,
    served,
)
from tests.support.bot import Clock


@pytest.fixture
def oauth_core(db_url: str, fake: FakeSlack, clock: Clock) -> Core:
    return build_core(oauth_settings(db_url, fake), clock)


def test_two_workspaces_install_and_each_keeps_its_own_token(oauth_core, fake):
    """Each install ends on bolt's thank-you page, with the token Slack gave that workspace
    kept in our database, and asks Slack for the app's scopes."""

    async def scenario() -> None:
        async with served(oauth_core, fake) as slack:
            for team in WORKSPACES:
                status, page = await install(slack, team)
                assert status == 200, page
                assert "Thank you!" in page
        kept = await bots(oauth_core)
        assert {team: fake.team_of(token) for team, token in kept.items()} == {
            "T1": "T1",
            "T2": "T2",
        }
        asked = [call.args for call in fake.calls_to("oauth.v2.access")]
        assert [args.get("code", "").split("-")[1] for args in asked] == ["T1", "T2"]

    asyncio.run(scenario())


def test_the_authorize_link_asks_for_the_manifests_scopes(oauth_core, fake):
    """The "Add to Slack" link names the app and every bot scope, and no user scope."""

    async def scenario() -> str:
        async with (
            served(oauth_core, fake) as slack,
            aiohttp.ClientSession() as browser,
            browser.get(f"{root(slack)}/slack/install") as page,
        ):
            found = re.search(r'href="([^"]*/oauth/v2/authorize[^"]*)"', await page.text())
        assert found
        return html.unescape(found.group(1))

    link = urlsplit(asyncio.run(scenario()))
    asked = parse_qs(link.query, keep_blank_values=True)
    assert link.path == "/oauth/v2/authorize"
    assert asked["client_id"] == [CLIENT_ID]
    assert asked["scope"] == [",".join(BOT_SCOPES)]
    assert asked["user_scope"] == [""]


def test_a_state_this_bot_did_not_sign_is_refused(oauth_core, fake):
    """A redirect carrying a state that is not the one issued (nor signed) installs nothing."""

    async def scenario() -> None:
        async with served(oauth_core, fake) as slack:
            status, _ = await install(slack, "T2", state="forged.0000")
        assert status >= 400
        assert await bots(oauth_core) == {}
        assert fake.calls_to("oauth.v2.access") == []

    asyncio.run(scenario())


def test_a_wrong_client_secret_installs_nothing(db_url, fake, clock):
    """Slack refuses the code exchange for a wrong secret (bad_client_secret): the installer
    sees the failure page and no token is kept."""

    async def scenario() -> None:
        core = build_core(oauth_settings(db_url, fake, client_secret="wrong"), clock)
        async with served(core, fake) as slack:
            status, page = await install(slack, "T1")
        assert status == 401, page
        assert await bots(core) == {}
        assert fake.calls_to("oauth.v2.access")  # asked, and refused

    asyncio.run(scenario())


def test_the_fake_refuses_what_slack_refuses(fake):
    """A code that is unknown, used twice or for another app, and a wrong secret or client."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    fake.register_app(CLIENT_ID, CLIENT_SECRET, "https://example.org/slack/oauth_redirect")
    client = AsyncWebClient(base_url=fake.url)

    async def exchange(code: str, secret: str = CLIENT_SECRET, client_id: str = CLIENT_ID) -> str:
        try:
            answer = await client.oauth_v2_access(
                client_id=client_id, client_secret=secret, code=code
            )
        except SlackApiError as error:
            return str(error.response["error"])
        return str(answer["access_token"])

    async def authorize() -> str:
        async with aiohttp.ClientSession() as browser:
            url = f"{fake.root_url}/oauth/v2/authorize?client_id={CLIENT_ID}&state=s"
            async with browser.get(url, allow_redirects=False) as answer:
                return re.search(r"code=([^&]+)", answer.headers["Location"]).group(1)

    async def scenario() -> list[str]:
        code = await authorize()
        return [
            await exchange("made-up"),
            await exchange(code, secret="wrong"),
            await exchange(code, client_id="9999.9999"),
            (await exchange(code))[:8],
            await exchange(code),
        ]

    assert asyncio.run(scenario()) == [
        "invalid_code",
        "bad_client_secret",
        "invalid_client_id",
        "xoxb-T1-",
        "invalid_code",
    ]


@pytest.mark.postgres
def test_installs_are_kept_on_postgresql_too(postgres_url, fake, clock):
    """The stores run on PostgreSQL through psycopg's asyncio mode, in the migrated tables."""
    upgrade(postgres_url)
    core = build_core(oauth_settings(postgres_url, fake), clock)

    async def scenario() -> None:
        async with served(core, fake) as slack:
            for team in WORKSPACES:
                status, page = await install(slack, team)
                assert status == 200, page

    asyncio.run(scenario())
    assert set(asyncio.run(bots(core))) == {"T1", "T2"}
