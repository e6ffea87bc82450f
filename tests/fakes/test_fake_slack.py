"""The Slack fake answers the real slack_sdk and slack-bolt the way Slack does."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import (
    block_actions_body,
    plain_text_value,
    signed_headers,
    slash_command_body,
    slash_command_payload,
    socket_envelope,
    static_select_value,
    view_submission_body,
)

pytestmark = pytest.mark.timeout(10)

SECRET = "s"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user(
            "U1", name="ada", real_name="Ada L", tz="America/New_York", email="ada@example.org"
        )
        fake.add_user(
            "U2", name="bob", real_name="Bob K", tz="Europe/Paris", email="bob@example.org"
        )
        fake.add_user("U3", name="gone", deleted=True, email="gone@example.org")
        yield fake


def client_for(slack: FakeSlack, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.url, **kwargs)


# ---------------------------------------------------------------------- Web API, slack_sdk


def test_auth_test_returns_the_bot_identity(slack: FakeSlack) -> None:
    """auth.test names the bot user, bot id and team, as bolt needs at start-up."""
    resp = asyncio.run(client_for(slack).auth_test())
    assert (resp["user_id"], resp["bot_id"], resp["team_id"]) == ("UBOT", "BBOT", "T1")


def test_metadata_round_trips_through_history(slack: FakeSlack) -> None:
    """Message metadata posted comes back from history only with include_all_metadata."""

    async def scenario() -> tuple[Any, Any, Any]:
        client = client_for(slack)
        meta = {"event_type": "nudge_sent", "event_payload": {"pair_id": 7, "round": 3}}
        posted = await client.chat_postMessage(channel="C9", text="hi", metadata=meta)
        with_meta = await client.conversations_history(channel="C9", include_all_metadata=True)
        without = await client.conversations_history(channel="C9")
        return posted, with_meta, without

    posted, with_meta, without = asyncio.run(scenario())
    assert posted["channel"] == "C9" and posted["message"]["ts"] == posted["ts"]
    assert with_meta["messages"][0]["metadata"] == {
        "event_type": "nudge_sent",
        "event_payload": {"pair_id": 7, "round": 3},
    }
    assert "metadata" not in without["messages"][0]
    assert slack.calls_to("chat.postMessage")[0].args["metadata"]["event_type"] == "nudge_sent"


def test_history_is_newest_first_with_limit_and_oldest(slack: FakeSlack) -> None:
    """History pages newest first and honours oldest and limit."""

    async def scenario() -> tuple[list[str], list[str], bool]:
        client = client_for(slack)
        ts = [(await client.chat_postMessage(channel="C1", text=str(i)))["ts"] for i in range(4)]
        newest = await client.conversations_history(channel="C1", limit=2)
        after = await client.conversations_history(channel="C1", oldest=ts[1])
        return (
            [m["text"] for m in newest["messages"]],
            [m["text"] for m in after["messages"]],
            newest["has_more"],
        )

    newest, after, has_more = asyncio.run(scenario())
    assert newest == ["3", "2"] and has_more
    assert after == ["3", "2"]


def test_conversations_open_gives_a_stable_group_dm(slack: FakeSlack) -> None:
    """The same set of users always gets the same group DM; one user gets a D… IM."""

    async def scenario() -> list[Any]:
        client = client_for(slack)
        return [
            await client.conversations_open(users="U1,U2"),
            await client.conversations_open(users="U2,U1"),
            await client.conversations_open(users="U1", return_im=True),
        ]

    first, again, im = asyncio.run(scenario())
    assert first["channel"]["id"].startswith("G")
    assert again["channel"]["id"] == first["channel"]["id"] and again["already_open"]
    assert im["channel"]["id"].startswith("D") and im["channel"]["user"] == "U1"
    assert slack.conversation_users(first["channel"]["id"]) == ["U1", "U2"]
    assert slack.open_conversation("U1", "U2") == first["channel"]["id"]


def test_users_info_reports_a_deleted_user(slack: FakeSlack) -> None:
    """users.info shows deactivation; unknown ids and e-mails fail like Slack."""

    async def scenario() -> tuple[Any, Any, str, str]:
        client = client_for(slack)
        gone = await client.users_info(user="U3")
        ada = await client.users_info(user="U1")
        errors = []
        for call in (client.users_info(user="U404"), client.users_lookupByEmail(email="x@y.z")):
            try:
                await call
            except SlackApiError as exc:
                errors.append(exc.response["error"])
        return gone, ada, errors[0], errors[1]

    gone, ada, unknown, no_email = asyncio.run(scenario())
    assert gone["user"]["deleted"] is True
    assert ada["user"]["tz"] == "America/New_York"
    assert ada["user"]["profile"]["email"] == "ada@example.org"
    assert ada["user"]["real_name"] == "Ada L"
    assert (unknown, no_email) == ("user_not_found", "users_not_found")


def test_fail_next_raises_slack_api_error(slack: FakeSlack) -> None:
    """A queued error answers ok=false once, then the method works again."""
    slack.fail_next("users.info", error="user_not_found")

    async def scenario() -> str:
        client = client_for(slack)
        with pytest.raises(SlackApiError) as info:
            await client.users_info(user="U1")
        await client.users_info(user="U1")
        return info.value.response["error"]

    assert asyncio.run(scenario()) == "user_not_found"


def test_rate_limit_is_retried_by_the_sdk_handler(slack: FakeSlack) -> None:
    """A 429 with Retry-After is retried by AsyncRateLimitErrorRetryHandler."""
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    client = client_for(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])

    resp = asyncio.run(client.chat_postMessage(channel="C1", text="hello"))

    assert resp["ok"]
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert [m["text"] for m in slack.messages("C1")] == ["hello"]


def test_server_error_and_missing_token(slack: FakeSlack) -> None:
    """HTTP 500 and calls without a token fail the way the sdk reports Slack failures."""
    slack.fail_next("chat.postMessage", status=500)

    async def scenario() -> tuple[int, str, str]:
        with pytest.raises(SlackApiError) as server:
            await client_for(slack).chat_postMessage(channel="C1", text="x")
        with pytest.raises(SlackApiError) as unauthed:
            await AsyncWebClient(base_url=slack.url).auth_test()
        with pytest.raises(SlackApiError) as missing:
            await client_for(slack).api_call("no.such.method", params={"a": "1"})
        return (
            server.value.response.status_code,
            unauthed.value.response["error"],
            missing.value.response["error"],
        )

    status, unauthed, missing = asyncio.run(scenario())
    assert (status, unauthed, missing) == (500, "not_authed", "unknown_method")
    assert slack.calls_to("no.such.method")[0].args == {"a": "1"}


def test_update_delete_and_views(slack: FakeSlack) -> None:
    """chat.update and chat.delete change the stored conversation; views get ids and hashes."""

    async def scenario() -> Any:
        client = client_for(slack)
        posted = await client.chat_postMessage(
            channel="C1", text="v1", blocks=[{"type": "divider"}]
        )
        await client.chat_update(channel="C1", ts=posted["ts"], text="v2")
        second = await client.chat_postMessage(channel="C1", text="bye")
        await client.chat_delete(channel="C1", ts=second["ts"])
        eph = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
        view = {
            "type": "modal",
            "callback_id": "log",
            "title": {"type": "plain_text", "text": "Log"},
            "blocks": [{"type": "divider"}],
        }
        opened = await client.views_open(trigger_id="trig-1", view=view)
        updated = await client.views_update(
            view_id=opened["view"]["id"], hash=opened["view"]["hash"], view={**view, "blocks": []}
        )
        return eph, opened, updated

    eph, opened, updated = asyncio.run(scenario())
    [message] = slack.messages("C1")
    assert message["text"] == "v2" and message["blocks"] == [{"type": "divider"}]
    assert "edited" in message
    assert slack.ephemerals("C1")[0]["ts"] == eph["message_ts"]
    assert opened["view"]["id"] == updated["view"]["id"]
    assert opened["view"]["callback_id"] == "log"
    assert slack.views[0]["callback_id"] == "log"


def test_files_upload_v2_end_to_end(slack: FakeSlack) -> None:
    """files_upload_v2's three steps land as one upload with its bytes and channel."""
    client = client_for(slack)
    resp = asyncio.run(
        client.files_upload_v2(
            channel="C7",
            filename="summary.csv",
            content=b"pair,meetings\n1,3\n",
            title="Summary",
            initial_comment="Here it is",
        )
    )
    [upload] = slack.uploads
    assert resp["file"]["id"] == upload.file_id
    assert (upload.filename, upload.title, upload.channel) == ("summary.csv", "Summary", "C7")
    assert upload.data == b"pair,meetings\n1,3\n"
    assert upload.initial_comment == "Here it is"
    assert slack.messages("C7")[0]["files"][0]["id"] == upload.file_id


def test_sync_client_and_wait_for_sync(slack: FakeSlack) -> None:
    """Sync code (slack_sdk WebClient) can use the same fake."""
    WebClient(token="xoxb-test", base_url=slack.url).chat_postMessage(channel="U1", text="dm")
    dm = slack.open_conversation("U1")
    assert slack.wait_for_sync(lambda: slack.messages(dm), timeout=2)[0]["text"] == "dm"


# ---------------------------------------------------------------------- signed requests


def test_signed_headers_verify_with_slack_sdk() -> None:
    """The helper's signature is the one slack_sdk's verifier accepts."""
    body = slash_command_body("/goal", "add Learn SQL", "U1", response_url="http://x/r")
    headers = signed_headers(body, SECRET)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    fields = parse_qs(body)
    assert fields["command"] == ["/goal"] and fields["text"] == ["add Learn SQL"]


def test_block_actions_and_view_submission_reach_bolt_listeners(slack: FakeSlack) -> None:
    """Bolt parses the helpers' payloads and routes them by action_id and callback_id."""
    seen: dict[str, Any] = {}

    async def scenario() -> list[int]:
        app = AsyncApp(signing_secret=SECRET, client=client_for(slack))

        @app.action("suggestion_accept")
        async def on_click(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            seen["action"] = (action["value"], body["container"]["message_ts"], body["user"]["id"])

        @app.view("log_meeting")
        async def on_submit(ack: Any, view: dict[str, Any]) -> None:
            await ack()
            seen["view"] = (view["private_metadata"], view["state"]["values"])

        click = block_actions_body(
            "suggestion_accept", "act-12", "U1", "G1", "1700000000.000100", response_url="x"
        )
        values = {
            "notes": {"notes_input": plain_text_value("We met")},
            "activity": {"activity_select": static_select_value("act-12", "Mock interview")},
        }
        submit = view_submission_body("log_meeting", values, "U2", private_metadata="pair:7")
        statuses = []
        for body in (click, submit):
            resp = await app.async_dispatch(
                AsyncBoltRequest(body=body, headers=signed_headers(body, SECRET))
            )
            statuses.append(resp.status)
        await slack.wait_for(lambda: len(seen) == 2, timeout=5)
        return statuses

    assert asyncio.run(scenario()) == [200, 200]
    assert seen["action"] == ("act-12", "1700000000.000100", "U1")
    assert seen["view"][0] == "pair:7"
    assert seen["view"][1]["activity"]["activity_select"]["selected_option"]["value"] == "act-12"


# ---------------------------------------------------------------------- bolt over HTTP


def test_bolt_http_slash_command_and_forged_signature(slack: FakeSlack) -> None:
    """A signed /goal gets 200 and respond() reaches response_url; a forged one gets 401."""

    async def scenario() -> tuple[int, int]:
        app = AsyncApp(signing_secret=SECRET, client=client_for(slack))

        @app.command("/goal")
        async def goal(ack: Any, respond: Any, command: dict[str, Any]) -> None:
            await ack()
            await respond(f"Goal added: {command['text']}")

        runner = web.AppRunner(app.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        body = slash_command_body(
            "/goal", "add Learn SQL", "U1", response_url=slack.response_url("goal")
        )
        try:
            async with aiohttp.ClientSession() as http:
                async with http.post(url, data=body, headers=signed_headers(body, SECRET)) as ok:
                    ok_status = ok.status
                forged = signed_headers(body, "wrong-secret")
                async with http.post(url, data=body, headers=forged) as bad:
                    bad_status = bad.status
            await slack.wait_for(lambda: slack.responses_to("goal"), timeout=5)
        finally:
            await runner.cleanup()
        return ok_status, bad_status

    assert asyncio.run(scenario()) == (200, 401)
    assert slack.responses == [{"text": "Goal added: add Learn SQL"}]
    assert len(slack.calls_to("auth.test")) == 1


# ---------------------------------------------------------------------- Socket Mode


def test_socket_mode_slash_command_is_acked(slack: FakeSlack) -> None:
    """bolt's aiohttp Socket Mode handler connects, gets an envelope and acks it by id."""

    async def scenario() -> list[dict[str, Any]]:
        app = AsyncApp(client=client_for(slack))

        @app.command("/goal")
        async def goal(ack: Any) -> None:
            await ack()

        handler = AsyncSocketModeHandler(app, app_token="xapp-test")
        await handler.connect_async()
        try:
            await slack.wait_for(lambda: slack.socket_connected, timeout=5)
            payload = slash_command_payload("/goal", "list", "U1")
            await slack.socket_send(socket_envelope("slash_commands", payload, envelope_id="e1"))
            return await slack.wait_for(lambda: slack.socket_acks, timeout=5)
        finally:
            await handler.close_async()

    acks = asyncio.run(scenario())
    assert acks[0]["envelope_id"] == "e1"
    assert slack.calls_to("apps.connections.open")[0].token == "xapp-test"
