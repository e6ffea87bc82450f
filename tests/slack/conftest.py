"""A fake Slack workspace, a real core on a migrated SQLite file, and the app built around both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_core, build_ticker
from bot.core.conversations import PairConversations
from bot.core.service import Core
from bot.settings import Settings
from bot.slack_app.app import build_slack_app, make_client
from bot.slack_app.outbound import SlackOutbound
from scheduler.tick import Ticker
from tests.fakes.slack_api import FakeSlack
from tests.slack.harness import COORDINATOR, SECRET, add_program, add_slack_pair
from tests.support.bot import Clock

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        slack.add_user(
            "U1", name="ada", display_name="Ada", tz="America/New_York", email="ada@example.org"
        )
        slack.add_user(
            "U2", name="ben", display_name="Ben", tz="America/Chicago", email="ben@example.org"
        )
        slack.add_user("U3", name="cleo", display_name="Cleo", tz="Europe/Paris")
        slack.add_user(COORDINATOR, name="casey", display_name="Casey")
        yield slack


@pytest.fixture
def settings(db_url: str, fake: FakeSlack) -> Settings:
    return Settings(
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.url,
        MENTORBOT_COORDINATORS=COORDINATOR,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def core(settings: Settings, clock: Clock) -> Core:
    return build_core(settings, clock)


@pytest.fixture
def program_id(core: Core) -> int:
    return add_program(core)


@pytest.fixture
def pair_id(core: Core, program_id: int) -> int:
    """Ada (U1) mentors Ben (U2) from Tue 17 Nov 2026; no conversation opened yet."""
    return add_slack_pair(core, program_id, ("U1", "Ada"), ("U2", "Ben"))


@pytest.fixture
def client(settings: Settings) -> AsyncWebClient:
    return make_client(settings)


@pytest.fixture
def outbound(core: Core, client: AsyncWebClient) -> SlackOutbound:
    return SlackOutbound(client, PairConversations(core.sessions))


@pytest.fixture
def app(core: Core, client: AsyncWebClient, outbound: SlackOutbound) -> AsyncApp:
    return build_slack_app(core, client, outbound)


@pytest.fixture
def ticker(core: Core, outbound: SlackOutbound) -> Ticker:
    return build_ticker(core, {"slack": outbound})
