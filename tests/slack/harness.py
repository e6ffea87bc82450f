"""The Slack app served over HTTP on a free port, and signed requests in Slack's shapes.

``serve(app, fake)`` runs the real bolt app behind aiohttp on 127.0.0.1; its ``Served`` object
sends form-encoded slash commands and ``payload=`` interactions signed like Slack signs them,
each with a fresh ``trigger_id`` and its own ``response_url`` on the fake Slack.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp

from bot.core.service import Core
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    block_actions_body,
    block_actions_payload,
    payload_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)
from tests.support import bot as support
from tests.support.transcripts import Expected, check_shown, transcript

SECRET = "secret"
COORDINATOR = "UCOORD"
_numbers = itertools.count(1)


@dataclass
class Answer:
    """What the app said over HTTP: the status and the body (JSON when it was JSON)."""

    status: int
    text: str
    body: Any = None


@dataclass
class Served:
    """A running app and the way to talk to it as Slack does."""

    url: str
    fake: FakeSlack
    http: aiohttp.ClientSession
    keys: list[str] = field(default_factory=list)

    async def post(
        self,
        body: str,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        extra: dict[str, str] | None = None,
    ) -> Answer:
        headers = {**signed_headers(body, secret, timestamp), **(extra or {})}
        async with self.http.post(self.url, data=body, headers=headers) as response:
            text = await response.text()
        try:
            parsed = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = None
        return Answer(response.status, text, parsed)

    def command_body(
        self, command: str, text: str, user: str, channel: str = "C1", team: str = "T1"
    ) -> tuple[str, str]:
        """A signed-ready slash command body (typed in workspace ``team``) and the
        ``response_url`` key its answer lands on."""
        key = f"r{next(_numbers)}"
        body = slash_command_body(
            command,
            text,
            user,
            channel_id=channel,
            response_url=self.fake.response_url(key),
            trigger_id=f"trig-{key}",
            team_id=team,
        )
        return body, key

    async def command(
        self, command: str, text: str, user: str, channel: str = "C1", team: str = "T1"
    ) -> str:
        """Send a slash command; returns the key of its ``response_url``."""
        body, key = self.command_body(command, text, user, channel, team)
        answer = await self.post(body)
        assert answer.status == 200, answer
        return key

    async def reply_to(self, key: str, timeout: float = 10) -> dict[str, Any]:
        """The first payload the app POSTed to the ``response_url`` ``key``."""
        return (await self.fake.wait_for(lambda: self.fake.responses_to(key), timeout))[0]

    def click_body(
        self,
        action_id: str,
        user: str,
        channel: str,
        message: dict[str, Any],
        team: str = "T1",
    ) -> tuple[str, str]:
        """A signed-ready click (in workspace ``team``) on a button of ``message`` in
        ``channel`` (the container) and the ``response_url`` key its answer lands on."""
        key = f"r{next(_numbers)}"
        body = block_actions_body(
            action_id,
            "",
            user,
            channel,
            message["ts"],
            response_url=self.fake.response_url(key),
            trigger_id=f"trig-{key}",
            block_id="mentorbot-buttons",
            message=message,
            team_id=team,
        )
        return body, key

    async def click(
        self,
        action_id: str,
        user: str,
        channel: str,
        message: dict[str, Any],
        team: str = "T1",
    ) -> str:
        """Press a button of a message the bot posted; returns the ``response_url`` key."""
        body, key = self.click_body(action_id, user, channel, message, team)
        answer = await self.post(body)
        assert answer.status == 200, answer
        return key

    async def submit(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], user: str
    ) -> Answer:
        """Submit an opened modal with ``state.values`` (block id -> action id -> value)."""
        return await self.post(self.submission_body(view, values, user))

    def submission_body(
        self, view: dict[str, Any], values: dict[str, dict[str, Any]], user: str
    ) -> str:
        """A signed-ready view submission, with a fresh ``trigger_id`` as Slack gives each."""
        return view_submission_body(
            view["callback_id"],
            values,
            user,
            private_metadata=view["private_metadata"],
            view_id=view["id"],
            trigger_id=f"trig-v{next(_numbers)}",
        )


T = TypeVar("T")


async def eventually(check: Callable[[], T], timeout: float = 10) -> T:
    """``check``'s first truthy value, polled in a thread: a database read on the event loop
    would wait for the write lock while the bot, needing that loop, holds it."""
    deadline = time.monotonic() + timeout
    while not (value := await asyncio.to_thread(check)):
        assert time.monotonic() < deadline, "the condition was never met"
        await asyncio.sleep(0.02)
    return value


@asynccontextmanager
async def serve(app: AsyncApp, fake: FakeSlack) -> AsyncIterator[Served]:
    """Serve ``app`` at /slack/events on a free port for the duration of the block."""
    runner = web.AppRunner(app.web_app(), access_log=None, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            yield Served(f"http://127.0.0.1:{port}/slack/events", fake, http)
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------------- the world in the database


def add_program(core: Core, name: str = "Reading Buddies") -> int:
    return support.add_program(core, name=name)


def add_slack_pair(
    core: Core,
    program_id: int,
    mentor: tuple[str, str],
    mentee: tuple[str, str],
    *,
    start: dt.date = dt.date(2026, 11, 17),
    conversation_id: str | None = None,
) -> int:
    """A pair of Slack members (user id, display name), started on ``start``."""
    return support.add_pair(
        core,
        program_id,
        support.PairSpec(
            mentor=mentor[0],
            mentee=mentee[0],
            mentor_name=mentor[1],
            mentee_name=mentee[1],
            start=start,
            platform="slack",
            conversation_id=conversation_id,
        ),
    )


def shown(payload: dict[str, Any]) -> str:
    """The text a message shows: its sections and context lines, else its ``text``."""
    parts = []
    for block in payload.get("blocks") or ():
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts += [element.get("text", "") for element in block["elements"]]
    return "\n".join(parts) if parts else str(payload.get("text", ""))


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """A posted message's buttons: label -> action_id."""
    return {
        element["text"]["text"]: element["action_id"]
        for block in message.get("blocks") or ()
        if block.get("type") == "actions"
        for element in block["elements"]
    }


# ---------------------------------------------------------------------- conversations as tables

Turn = tuple[str, str, Expected]  # (who, what they typed, what they were shown)


@dataclass
class Said:
    """One turn of a conversation: who typed what, where, and the bot's private answer."""

    who: str
    typed: str
    channel: str
    payload: dict[str, Any]

    @property
    def header(self) -> str:
        return f"[{self.channel}] {self.who}> {self.typed}"

    @property
    def text(self) -> str:
        """Everything the answer shows, "You typed:" line included."""
        return shown(self.payload)

    @property
    def buttons(self) -> dict[str, str]:
        return buttons(self.payload)

    @property
    def typed_back(self) -> str | None:
        """The plain text the answer gives back under "You typed:", if any."""
        return typed_back(self.payload)


def typed_back(payload: dict[str, Any]) -> str | None:
    """The verbatim text of a refusal's "You typed:" context block (None when it has none)."""
    for block in payload.get("blocks") or ():
        elements = block.get("elements") or ()
        if block.get("type") == "context" and elements and elements[0].get("text") == "You typed:":
            return "".join(e["text"] for e in elements[1:] if e.get("type") == "plain_text")
    return None


def check_turn(said: list[Said], expected: Expected) -> None:
    """The last turn showed what was expected; on failure, the whole conversation is the
    message."""
    check_shown(said[-1].text, expected, lambda problem: transcript(said, problem))


async def converse(slack: Served, turns: list[Turn], channel: str = "C1") -> list[Said]:
    """Play ``turns`` in ``channel``, one slash command each, checking each answer as it comes
    (the zulip_bots ``verify_dialog`` idea); returns the conversation for further checks."""
    said: list[Said] = []
    for who, typed, expected in turns:
        command, _, text = typed.partition(" ")
        key = await slack.command(command, text, who, channel)
        try:
            payload = await answer_to(slack.fake, key)
        except (TimeoutError, AssertionError) as error:
            raise AssertionError(transcript(said, f"{who}> {typed}: {error}")) from error
        said.append(Said(who, typed, channel, payload))
        check_turn(said, expected)
    return said


async def answer_to(fake: FakeSlack, key: str) -> dict[str, Any]:
    """The private answer posted to ``response_url`` ``key``; fails if Slack refused it."""

    def arrived() -> Any:
        return fake.responses_to(key) or fake.refusals

    await fake.wait_for(arrived, 10)
    assert not fake.refusals, f"Slack refused an answer: {fake.refusals}"
    return fake.responses_to(key)[0]


async def press(slack: Served, action_id: str, user: str, channel: str) -> str:
    """Press a button of an ephemeral answer (as Slack sends it: no ``message``, the container
    marked ephemeral); returns the key of the click's ``response_url``."""
    key = f"r{next(_numbers)}"
    payload = block_actions_payload(
        action_id,
        "",
        user,
        channel,
        f"{time.time():.6f}",
        response_url=slack.fake.response_url(key),
        trigger_id=f"trig-{key}",
        block_id="mentorbot-buttons",
    )
    payload.pop("message")
    payload["container"]["is_ephemeral"] = True
    answer = await slack.post(payload_body(payload))
    assert answer.status == 200, answer
    return key


def initial_values(view: dict[str, Any]) -> dict[str, Any]:
    """What an opened modal's inputs are filled in with: block id -> initial value."""
    found: dict[str, Any] = {}
    for block in view.get("blocks") or ():
        element = block.get("element") or {}
        for key in ("initial_value", "initial_date"):
            if key in element:
                found[block["block_id"]] = element[key]
        if "initial_option" in element:
            found[block["block_id"]] = element["initial_option"]["value"]
        if "initial_options" in element:
            found[block["block_id"]] = [o["value"] for o in element["initial_options"]]
    return found
