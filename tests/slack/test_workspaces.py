"""Two workspaces installed into one bot: each one's people, pairs and programs are its own,
its commands are answered with its own data, and its rounds go with its own token."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from bot.app import build_core, build_ticker
from bot.core.admin import forget_person
from bot.core.service import Core
from bot.slack_app.app import build_slack_outbound, make_client
from bot.slack_app.installations import place_single_workspace
from scheduler.tick import TickReport
from storage.models import Coordinator, Delivery, Pair, Person, PostedMessage, Program
from tests.fakes.slack_api import FakeSlack
from tests.slack.harness import Served, answer_to, buttons, eventually, serve, shown
from tests.slack.installs import bots, install, oauth_settings, served
from tests.support import bot as support
from tests.support.bot import Clock, rows

pytestmark = pytest.mark.timeout(60)

START = dt.date(2026, 11, 17)  # three days before the clock: the welcomes are due


@pytest.fixture
def core(db_url: str, fake: FakeSlack, clock: Clock) -> Core:
    return build_core(oauth_settings(db_url, fake), clock)


@pytest.fixture
def pairs(core: Core) -> dict[str, int]:
    """In T1, Ada (U1) mentors Ben (U2) in Lakeside Buddies; in T2 someone else with the same
    user id U1 ("Ada Two") mentors Cleo (U3) in Hillview Buddies."""
    made = {}
    for team, program, mentee in (
        ("T1", "Lakeside", ("U2", "Ben")),
        ("T2", "Hillview", ("U3", "Cleo")),
    ):
        program_id = support.add_program(core, name=f"{program} Buddies", workspace=team)
        made[team] = support.add_pair(
            core,
            program_id,
            support.PairSpec(
                mentor="U1",
                mentee=mentee[0],
                mentor_name="Ada" if team == "T1" else "Ada Two",
                mentee_name=mentee[1],
                start=START,
                platform="slack",
                workspace=team,
            ),
        )
    return made


async def both_installed(slack: Served) -> None:
    for team in ("T1", "T2"):
        status, page = await install(slack, team)
        assert status == 200, page


async def say(slack: Served, typed: str, user: str, team: str) -> str:
    command, _, text = typed.partition(" ")
    key = await slack.command(command, text, user, team=team)
    return shown(await answer_to(slack.fake, key))


def test_a_command_from_each_workspace_reaches_its_own_pair(core, fake, pairs):
    """The same user id typing in T1 and in T2 is two people: each sees their own partner and
    program, never the other workspace's."""

    async def scenario() -> dict[str, str]:
        async with served(core, fake) as slack:
            await both_installed(slack)
            return {team: await say(slack, "/mentoring status", "U1", team) for team in pairs}

    answers = asyncio.run(scenario())
    assert "Ben" in answers["T1"] and "Lakeside" in answers["T1"]
    assert "Cleo" not in answers["T1"] and "Hillview" not in answers["T1"]
    assert "Cleo" in answers["T2"] and "Hillview" in answers["T2"]
    assert "Ben" not in answers["T2"] and "Lakeside" not in answers["T2"]


def test_a_goal_added_in_one_workspace_is_not_seen_in_the_other(core, fake, pairs):
    """U1's goal in T2 goes to the T2 pair; U1's goal list in T1 does not show it."""

    async def scenario() -> tuple[str, str]:
        async with served(core, fake) as slack:
            await both_installed(slack)
            await say(slack, "/goal add Visit the Hillview branch", "U1", "T2")
            return (
                await say(slack, "/goal list", "U1", "T1"),
                await say(slack, "/goal list", "U1", "T2"),
            )

    in_t1, in_t2 = asyncio.run(scenario())
    assert "Hillview branch" not in in_t1
    assert "Hillview branch" in in_t2


def posted_with(fake: FakeSlack) -> dict[str, set[str | None]]:
    """For each channel the bot posted in, the workspaces of the tokens it posted with."""
    found: dict[str, set[str | None]] = {}
    for call in fake.calls_to("chat.postMessage"):
        found.setdefault(str(call.args["channel"]), set()).add(fake.team_of(call.token))
    return found


def tick(core: Core, at: dt.datetime) -> TickReport:
    async def run() -> TickReport:
        engine = core.async_engine()
        try:
            ticker = build_ticker(core, {"slack": build_slack_outbound(core, engine)})
            return await ticker.tick(at)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def conversation_users(fake: FakeSlack) -> dict[frozenset[str], str]:
    return {
        frozenset(call.args["users"].split(",")): call.token
        for call in fake.calls_to("conversations.open")
    }


def test_a_round_goes_to_each_workspace_with_its_own_token(core, fake, pairs, clock):
    """Each pair's welcome is posted, and its group DM opened, with its own workspace's bot
    token, as Slack requires (another workspace's token cannot reach its members)."""

    async def scenario() -> None:
        async with served(core, fake) as slack:
            await both_installed(slack)

    asyncio.run(scenario())
    report = tick(core, clock())
    assert len(report.sent) == 2
    opened = {users: fake.team_of(token) for users, token in conversation_users(fake).items()}
    assert opened == {frozenset({"U1", "U2"}): "T1", frozenset({"U1", "U3"}): "T2"}
    assert sorted(map(sorted, posted_with(fake).values())) == [["T1"], ["T2"]]


def event_body(team: str) -> dict[str, Any]:
    """An Events API envelope from workspace ``team`` (its ``event`` to be filled in)."""
    return {
        "token": "x",
        "team_id": team,
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{team}",
        "event_time": 1,
    }


@pytest.mark.parametrize(
    "event",
    [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_uninstall_stops_that_workspaces_deliveries_only(core, fake, pairs, clock, event):
    """After T2 uninstalls the app (or revokes its tokens), T2's tokens are gone from the
    database: its pair's welcome is not sent (failed, with the reason) and nothing goes with
    any token to T2, while T1's pair gets its welcome; T2's pair and people are kept."""

    async def scenario() -> None:
        async with served(core, fake) as slack:
            await both_installed(slack)
            fake.revoke_tokens("T2")  # Slack's side
            body = json.dumps({**event_body("T2"), "event": event})
            answer = await slack.post(body, extra={"Content-Type": "application/json"})
            assert answer.status == 200, answer

    asyncio.run(scenario())
    assert set(asyncio.run(bots(core))) == {"T1"}
    fake.reset_calls()
    report = tick(core, clock())
    assert [sent.address.pair_id for sent in report.sent] == [pairs["T1"]]
    [(failed, reason)] = report.failed
    assert failed.address.pair_id == pairs["T2"]
    assert "not installed in the Slack workspace T2" in reason
    assert {fake.team_of(call.token) for call in fake.calls} == {"T1"}
    statuses = {d.pair_id: d.status for d in rows(core, Delivery)}
    assert statuses == {pairs["T1"]: "sent", pairs["T2"]: "failed"}
    assert len(rows(core, Pair)) == 2


def test_a_rotating_token_near_its_expiry_is_refreshed_before_a_round(core, fake, pairs, clock):
    """With token rotation on, tokens that have under two hours left (here: eleven hours
    after the install, of Slack's twelve) are exchanged through oauth.v2.access
    (``refresh_token``) before the welcomes go with the new ones, which are kept."""

    async def scenario() -> None:
        async with served(core, fake, rotate_tokens=True) as slack:
            await both_installed(slack)

    asyncio.run(scenario())
    before = asyncio.run(bots(core))
    fake.reset_calls()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=11)):
        report = tick(core, clock())
    assert len(report.sent) == 2
    refreshes = fake.calls_to("oauth.v2.access")
    assert [call.args["grant_type"] for call in refreshes] == ["refresh_token"] * 2
    after = asyncio.run(bots(core))
    assert after["T1"] != before["T1"] and after["T2"] != before["T2"]
    tokens = {call.token for call in fake.calls_to("chat.postMessage")}
    assert tokens == {after["T1"], after["T2"]}


def test_a_coordinator_sees_only_their_workspaces_programs(db_url, fake, clock, pairs):
    """A coordinator named ``slack:T1:UCOORD`` gets T1's summary (Lakeside only) in T1, and
    is no coordinator when typing in T2; T2's own coordinator (kept in the database for T2)
    sees Hillview only."""
    settings = oauth_settings(db_url, fake).model_copy(
        update={"coordinators": ("slack:T1:UCOORD",)}
    )
    core = build_core(settings, clock)
    core.transaction(
        lambda s: s.add(Coordinator(platform="slack", workspace="T2", platform_user_id="UC2"))
    )

    async def scenario() -> dict[str, str]:
        async with served(core, fake) as slack:
            await both_installed(slack)
            return {
                "T1": await say(slack, "/mentoring-summary", "UCOORD", "T1"),
                "UCOORD in T2": await say(slack, "/mentoring-summary", "UCOORD", "T2"),
                "T2": await say(slack, "/mentoring-summary", "UC2", "T2"),
                "UC2 in T1": await say(slack, "/mentoring-summary", "UC2", "T1"),
            }

    answers = asyncio.run(scenario())
    assert "Active pairs: 1 " in answers["T1"] and "Active pairs: 1 " in answers["T2"]
    for refused in ("UCOORD in T2", "UC2 in T1"):
        assert "coordinator" in answers[refused] and "Active pairs" not in answers[refused]
    t1, t2 = [u.data for u in fake.uploads if u.filename == "mentoring-summary.csv"]
    assert b"Ben" in t1 and b"Cleo" not in t1 and b"Hillview" not in t1
    assert b"Cleo" in t2 and b"Ben" not in t2 and b"Lakeside" not in t2


def test_the_single_workspace_data_moves_into_its_workspace_once(db_url, fake, clock):
    """Pairs made while the bot served one workspace (SLACK_BOT_TOKEN) are in no workspace;
    started with OAuth and that token still set, the bot reads the token's team from
    auth.test once and they are T1's: Ada typing in T1 finds her pair."""
    single = build_core(
        oauth_settings(db_url, fake).model_copy(
            update={"slack_client_id": None, "slack_bot_token": "xoxb-test"}
        ),
        clock,
    )
    program_id = support.add_program(single, name="Lakeside Buddies")
    spec = support.PairSpec(mentor="U1", mentee="U2", mentee_name="Ben", platform="slack")
    support.add_pair(single, program_id, spec)
    core = build_core(
        oauth_settings(db_url, fake).model_copy(update={"slack_bot_token": "xoxb-test"}), clock
    )

    async def scenario() -> str:
        await place_single_workspace(core, make_client(core.settings))
        await place_single_workspace(core, make_client(core.settings))  # nothing left to do
        async with served(core, fake) as slack:
            await both_installed(slack)
            return await say(slack, "/mentoring status", "U1", "T1")

    answer = asyncio.run(scenario())
    assert "Ben" in answer and "Lakeside" in answer
    assert [call.token for call in fake.calls_to("auth.test")].count("xoxb-test") == 1
    assert {p.workspace for p in rows(core, Person)} == {"T1"}
    assert {p.workspace for p in rows(core, Program)} == {"T1"}


def test_one_workspace_uninstalling_is_logged(app, fake, caplog):
    """With SLACK_BOT_TOKEN alone, an uninstall is acknowledged and the log says what to do."""

    async def scenario() -> int:
        async with serve(app, fake) as slack:
            body = json.dumps({**event_body("T1"), "event": {"type": "app_uninstalled"}})
            answer = await slack.post(body, extra={"Content-Type": "application/json"})
            return answer.status

    assert asyncio.run(scenario()) == 200
    assert "app_uninstalled in workspace T1: SLACK_BOT_TOKEN no longer works" in caplog.text


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T15:00:00+00:00")


@pytest.fixture
def coordinated(db_url: str, fake: FakeSlack, clock: Clock) -> Core:
    """Both workspaces with a coordinator each: UCOORD of T1 (named in the setting) and UC2
    of T2 (kept in the database)."""
    settings = oauth_settings(db_url, fake).model_copy(
        update={"coordinators": ("slack:T1:UCOORD",)}
    )
    core = build_core(settings, clock)
    core.transaction(
        lambda s: s.add(Coordinator(platform="slack", workspace="T2", platform_user_id="UC2"))
    )
    return core


def test_we_need_help_tells_only_that_workspaces_coordinators(coordinated, fake, pairs):
    """Cleo's "We need help" in T2 is a DM to T2's coordinator, with T2's token; T1's
    coordinator hears nothing."""
    core = coordinated

    async def install_both() -> None:
        async with served(core, fake) as slack:
            await both_installed(slack)

    asyncio.run(install_both())
    for day in ("2026-11-17", "2026-12-08", "2026-12-22"):  # welcome, round 1, check-in
        report = tick(core, at(day))
    assert [o.kind for o in report.sent] == ["checkin", "checkin"]
    [checkin] = [o for o in report.sent if o.address.pair_id == pairs["T2"]]
    channel = checkin.address.conversation_id or conversation_of(fake, "U3")
    message = fake.messages(channel)[-1]
    fake.reset_calls()

    async def scenario() -> None:
        async with served(core, fake) as slack:
            await slack.click(buttons(message)["We need help"], "U3", channel, message, "T2")
            await fake.wait_for(lambda: fake.calls_to("chat.postMessage"))

    asyncio.run(scenario())
    [opened] = fake.calls_to("conversations.open")
    [alert] = fake.calls_to("chat.postMessage")
    assert opened.args["users"] == "UC2"
    assert fake.team_of(opened.token) == fake.team_of(alert.token) == "T2"
    assert "asked for help" in alert.args["text"]


def conversation_of(fake: FakeSlack, user: str) -> str:
    """The group DM the bot opened that has ``user`` in it."""
    [channel] = [
        call.args["channel"]
        for call in fake.calls_to("chat.postMessage")
        if user in fake.conversation_users(str(call.args["channel"]))
    ][-1:]
    return str(channel)


def test_a_digest_tells_only_that_workspaces_coordinator_of_its_own_news(coordinated, fake, pairs):
    """One workspace's welcome fails (whichever group DM is opened first; the two go at
    once): that workspace's coordinator's weekly digest says so, in a DM opened and posted
    with its token; the other's, with nothing new there, is sent nothing."""
    core = coordinated

    async def install_both() -> None:
        async with served(core, fake) as slack:
            await both_installed(slack)

    asyncio.run(install_both())
    fake.fail_next("conversations.open", error="user_not_found")
    told = sum(tick(core, at(day)).digests for day in ("2026-11-17", "2026-11-24"))
    assert told == 1
    [failed] = support.rows(core, Delivery, Delivery.status == "failed")
    team = next(team for team, pair_id in pairs.items() if pair_id == failed.pair_id)
    names, coordinator = {"T1": ("Ada &amp; Ben", "UCOORD"), "T2": ("Ada Two &amp; Cleo", "UC2")}[
        team
    ]
    [digest] = [c for c in fake.calls_to("chat.postMessage") if "digest" in c.args["text"]]
    assert fake.team_of(digest.token) == team
    assert f"{names}: a delivery failed" in digest.args["text"]
    assert fake.conversation_users(str(digest.args["channel"])) == [coordinator]


def test_forgetting_a_member_deletes_the_bots_posts_with_their_workspaces_token(core, fake, pairs):
    """Cleo's logged meeting is told in the T2 pair's group DM; once she is forgotten, the
    next tick deletes that message with T2's token."""

    async def scenario() -> None:
        async with served(core, fake) as slack:
            await both_installed(slack)
            await say(slack, "/log-meeting today 30m we read together", "U3", "T2")
            await eventually(lambda: rows(core, PostedMessage))  # (posted, and recorded)

    asyncio.run(scenario())
    [notice] = fake.calls_to("chat.postMessage")
    assert fake.team_of(notice.token) == "T2"
    [cleo] = [p.id for p in rows(core, Person) if p.platform_user_id == "U3"]
    forget_person(core, cleo)
    report = tick(core, at("2026-11-20"))
    assert report.retracted == 1
    [deleted] = fake.calls_to("chat.delete")
    assert fake.team_of(deleted.token) == "T2"
    assert deleted.args["channel"] == notice.args["channel"]
