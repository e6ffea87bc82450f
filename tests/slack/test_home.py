"""The Home tab over HTTP: opening it publishes the member's pair (or a coordinator's programs)
as a home view Slack's own view model accepts; its buttons act, and the tab is published again
showing what changed."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.slack_app.app import build_slack_app, slack_listeners
from storage.models import Pair
from tests.fakes.slack_requests import payload_body
from tests.slack.harness import COORDINATOR, Served, serve
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


async def open_home(slack: Served, user: str) -> None:
    """``app_home_opened`` for ``user``, as Slack sends the event."""
    body = json.dumps(
        {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{user}",
            "event_time": 1,
            "event": {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"},
        }
    )
    answer = await slack.post(body, extra={"Content-Type": "application/json"})
    assert answer.status == 200, answer


async def press_on_home(slack: Served, user: str, action_id: str, trigger: str) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "mentoring-org"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1",
        "token": "x",
        "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": trigger,
        "view": {"id": "VHOME", "type": "home", "blocks": []},
        "actions": [
            {"action_id": action_id, "block_id": "home-0-1", "type": "button", "action_ts": "1"}
        ],
    }
    answer = await slack.post(payload_body(payload))
    assert answer.status == 200, answer


def shown(view: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in view["blocks"] if block["type"] == "section"
    )


def buttons(view: dict[str, Any]) -> dict[str, str]:
    return {
        element["text"]["text"]: element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def test_a_member_sees_their_pair_and_pauses_it_from_home(app, fake, core, pair_id):
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with serve(app, fake) as slack:
            await open_home(slack, "U1")
            first = await fake.wait_for(lambda: fake.home_views.get("U1"))
            await press_on_home(slack, "U1", buttons(first)["Pause for 4 weeks"], "trig-h1")
            again = await fake.wait_for(
                lambda: (
                    "Resume suggestions" in buttons(fake.home_views.get("U1") or {"blocks": []})
                    and fake.home_views["U1"]
                )
            )
            return first, again

    first, again = asyncio.run(scenario())
    View(**first).validate_json()  # slack_sdk's own model of a home view accepts it
    assert first["type"] == "home"
    assert "Your pair" in shown(first) and "Next suggestion" in shown(first)
    ids = [b["block_id"] for b in first["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)), "block ids are unique across the view"
    [pair] = rows(core, Pair)
    assert pair.status == "paused"
    assert "Paused until" in shown(again)
    View(**again).validate_json()


def test_a_coordinator_sees_the_programs_and_opens_their_settings(app, fake, core, pair_id):
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with serve(app, fake) as slack:
            await open_home(slack, COORDINATOR)
            view = await fake.wait_for(lambda: fake.home_views.get(COORDINATOR))
            await press_on_home(slack, COORDINATOR, buttons(view)["Program settings"], "trig-h2")
            form = (await fake.wait_for(lambda: fake.views))[0]
            return view, form

    view, form = asyncio.run(scenario())
    View(**view).validate_json()
    assert "Pairs needing attention" in shown(view) or "No pair needs attention" in shown(view)
    assert "Summary" in buttons(view)
    assert form["callback_id"] == "program"
    assert fake.calls_to("views.open")[0].args["trigger_id"] == "trig-h2"


def test_someone_not_in_a_pair_is_welcomed(app, fake, core, pair_id):
    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            await open_home(slack, "U9")
            return await fake.wait_for(lambda: fake.home_views.get("U9"))

    view = asyncio.run(scenario())
    View(**view).validate_json()
    assert "You are not in a mentoring pair yet" in shown(view)


def test_a_new_suggestion_and_a_partners_meeting_show_on_a_members_open_home(
    core, fake, client, outbound, ticker, pair_id
):
    """Ada has her Home tab open: the welcome the scheduler delivers, then Ben logging a
    meeting, publish it again with them (the notes stay out of it); Ben, not looking, is
    never published."""
    listeners = slack_listeners(core, client, outbound)
    app = build_slack_app(core, client, outbound, listeners=listeners)
    ticker.after_delivery["slack"] = listeners.home.delivered  # as `mentorbot run` wires it

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with serve(app, fake) as slack:
            await open_home(slack, "U1")
            await fake.wait_for(lambda: fake.home_views.get("U1"))
            report = await ticker.tick(dt.datetime(2026, 11, 17, 15, tzinfo=dt.UTC))
            assert [o.kind for o in report.sent] == ["welcome"]
            welcomed = fake.home_views["U1"]
            await slack.command("/log-meeting", "yesterday 45m picture books", "U2")
            met = await fake.wait_for(
                lambda: "45 min" in shown(fake.home_views["U1"]) and fake.home_views["U1"]
            )
            return welcomed, met

    welcomed, met = asyncio.run(scenario())
    assert "We'll do this" in buttons(welcomed)
    assert "picture books" not in shown(met)
    assert {call.args["user_id"] for call in fake.calls_to("views.publish")} == {"U1"}


def test_a_coordinators_home_announces_through_a_form(app, fake, core, pair_id):
    async def scenario() -> dict[str, Any]:
        async with serve(app, fake) as slack:
            await open_home(slack, COORDINATOR)
            view = await fake.wait_for(lambda: fake.home_views.get(COORDINATOR))
            await press_on_home(slack, COORDINATOR, buttons(view)["Announce"], "trig-h3")
            return (await fake.wait_for(lambda: fake.views))[0]

    form = asyncio.run(scenario())
    assert form["callback_id"] == "announce"
    assert next(b["block_id"] for b in form["blocks"] if b["type"] == "input") == "text"
