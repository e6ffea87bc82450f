"""`SlackRunner` as `mentorbot run` starts it: HTTP on PORT, or Socket Mode with an app token."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import build_core
from bot.settings import SettingsError
from bot.slack_app.app import EVENTS_PATH, SlackRunner
from storage.models import Goal
from tests.fakes.slack_requests import (
    signed_headers,
    slash_command_body,
    slash_command_payload,
    socket_envelope,
)
from tests.slack.harness import SECRET, add_program, add_slack_pair, shown
from tests.support.bot import rows

pytestmark = pytest.mark.timeout(30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def running(runner: SlackRunner) -> AsyncIterator[None]:
    """``runner.run()`` in the background, cancelled (as on shutdown) at the end."""
    task = asyncio.create_task(runner.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def runner_for(settings: Any, clock: Any, **changes: Any) -> tuple[SlackRunner, Any]:
    core = build_core(settings.model_copy(update=changes), clock)
    add_slack_pair(core, add_program(core), ("U1", "Ada"), ("U2", "Ben"))
    return SlackRunner(core), core


def test_http_mode_serves_slack_events_on_port(settings, clock, fake):
    """Without an app token the runner listens on PORT at /slack/events, via SLACK_API_URL."""
    port = free_port()
    runner, _ = runner_for(settings, clock, port=port)
    body = slash_command_body("/goal", "list", "U1", response_url=fake.response_url("h"))

    async def scenario() -> dict[str, Any]:
        async with running(runner), aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
            for _ in range(100):  # until the server is up
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with http.post(url, data=body, headers=signed_headers(body, SECRET)) as r:
                        assert r.status == 200
                        break
                await asyncio.sleep(0.05)
            return (await fake.wait_for(lambda: fake.responses_to("h")))[0]

    assert "No goals yet" in shown(asyncio.run(scenario()))


def test_socket_mode_command_is_acked_and_answered(settings, clock, fake):
    """With SLACK_APP_TOKEN the runner connects over Socket Mode, acks the envelope by id,
    and answers the command."""
    runner, core = runner_for(settings, clock, slack_app_token="xapp-test")
    payload = slash_command_payload(
        "/goal", "add Read 3 winners", "U1", response_url=fake.response_url("s"), trigger_id="t1"
    )

    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        async with running(runner):
            await fake.wait_for(lambda: fake.socket_connected, timeout=10)
            await fake.socket_send(socket_envelope("slash_commands", payload, envelope_id="env-1"))
            acks = await fake.wait_for(lambda: fake.socket_acks)
            return acks, (await fake.wait_for(lambda: fake.responses_to("s")))[0]

    acks, reply = asyncio.run(scenario())
    assert acks[0]["envelope_id"] == "env-1"
    assert "Read 3 winners" in shown(reply)
    assert [goal.text for goal in rows(core, Goal)] == ["Read 3 winners"]
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-test"


def test_http_mode_without_signing_secret_stops_with_one_line(settings, clock):
    """No signing secret and no app token: start-up stops naming the variable."""
    core = build_core(settings.model_copy(update={"slack_signing_secret": None}), clock)
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET: expected .*SLACK_APP_TOKEN"):
        SlackRunner(core)
