"""The fake Discord answers real discord.py the way Discord does.

Each test starts a real ``discord.Client`` (with ``client.start``) against ``FakeDiscord`` and
drives it through gateway events and REST, so the Discord adapter's tests can trust the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.http import Route

from tests.fakes.discord_api import FakeDiscord, custom_ids

pytestmark = pytest.mark.timeout(30)

APP_ID = 900000000000000001
GUILD_ID = 900000000000000100
CHANNEL_ID = 900000000000000200
MENTOR_ID = 900000000000000301
MENTEE_ID = 900000000000000302
STEP = 10.0  # seconds any single wait may take


class MeetingModal(discord.ui.Modal, title="Log a meeting"):
    """A two-field modal like the one /log-meeting opens."""

    duration = discord.ui.TextInput(label="Duration", custom_id="duration", max_length=10)
    notes = discord.ui.TextInput(
        label="Notes", custom_id="notes", style=discord.TextStyle.long, required=False
    )

    def __init__(self, submitted: list[dict[str, str]]) -> None:
        super().__init__(custom_id="log-meeting-form")
        self.submitted = submitted

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.submitted.append({"duration": self.duration.value, "notes": self.notes.value})
        await interaction.response.send_message("Meeting logged.", ephemeral=True)


class SuggestionView(discord.ui.View):
    """A persistent view: its custom_ids survive a restart of the bot."""

    def __init__(self, clicks: list[str]) -> None:
        super().__init__(timeout=None)
        self.clicks = clicks

    @discord.ui.button(label="We'll do this", custom_id="sugg:42:accept")
    async def accept(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.clicks.append(button.custom_id or "")
        await interaction.response.edit_message(content="Great, enjoy it!", view=None)


class GoalGroup(app_commands.Group):
    """/goal add TEXT and /goal done N (with autocomplete on N)."""

    def __init__(self) -> None:
        super().__init__(name="goal", description="Your pair's goals")

    @app_commands.command(name="add", description="Add a goal")
    @app_commands.describe(text="What you want to achieve")
    async def add(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"Added goal: {text}", ephemeral=True)

    @app_commands.command(name="done", description="Mark a goal done")
    async def done(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"Goal {number} done.", ephemeral=True)

    @done.autocomplete("number")
    async def done_number(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        goals = {1: "Read a book", 2: "Run 5k", 3: "Ship a side project"}
        return [
            app_commands.Choice(name=f"{n}. {title}", value=n)
            for n, title in goals.items()
            if str(n).startswith(current)
        ]


class Bot(discord.Client):
    """A minimal bot with a guild-synced command tree."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.modals: list[dict[str, str]] = []
        self.tree.add_command(GoalGroup(), guild=discord.Object(GUILD_ID))

        @self.tree.command(name="log-meeting", description="Log a meeting")
        @app_commands.guilds(GUILD_ID)
        async def log_meeting(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(MeetingModal(self.modals))

        @self.tree.command(name="mentoring-summary", description="Participation summary")
        @app_commands.guilds(GUILD_ID)
        async def summary(interaction: discord.Interaction) -> None:
            csv = discord.File(io.BytesIO(b"pair,meetings\n1,3\n"), filename="summary.csv")
            await interaction.response.send_message("Summary attached.", file=csv, ephemeral=True)

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=discord.Object(GUILD_ID))


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in a fresh event loop (the project has no pytest-asyncio), bounded."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(test(*args, **kwargs), 25))

    return wrapper


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    with FakeDiscord(
        application_id=APP_ID, guild_id=GUILD_ID, channels=[(CHANNEL_ID, "mentoring")]
    ) as server:
        server.add_member(MENTOR_ID, "mentor")
        server.add_member(MENTEE_ID, "mentee")
        yield server
        assert server.internal_errors == []


@contextlib.asynccontextmanager
async def running(client: discord.Client, fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """Run ``client`` against the fake until the block ends, then close it cleanly."""
    with fake.patch_route_base():
        sessions_before = fake.ready_count
        task = asyncio.create_task(client.start("fake-token"))
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=STEP, return_when="FIRST_COMPLETED")
            if task in done:
                task.result()  # raises what went wrong at start-up
                raise RuntimeError("client stopped before it was ready")
            if ready not in done:
                raise TimeoutError("client did not become ready")
            await fake.wait_ready(STEP, count=sessions_before + 1)
            yield client
        finally:
            ready.cancel()
            await asyncio.wait_for(client.close(), STEP)
            await asyncio.wait_for(task, STEP)


@run_async
async def test_slash_command_syncs_once_and_answers_ephemerally(fake: FakeDiscord) -> None:
    """/goal add text:hello reaches the tree and the type 4 ephemeral reply is recorded."""
    async with running(Bot(), fake):
        assert fake.sync_count == 1
        assert fake.sync_history[0].guild_id == GUILD_ID
        names = sorted(c["name"] for c in fake.synced_commands)
        assert names == ["goal", "log-meeting", "mentoring-summary"]

        reply = await fake.interact(
            fake.slash("goal", MENTEE_ID, CHANNEL_ID, "add", {"text": "hello"}), STEP
        )

    assert reply.type == 4
    assert reply.content == "Added goal: hello"
    assert reply.data["flags"] & 64
    assert reply.ephemeral
    assert fake.messages(CHANNEL_ID) == []  # ephemeral replies are not channel messages


@run_async
async def test_defer_then_followup_edits_the_thinking_message(fake: FakeDiscord) -> None:
    """A thinking defer (type 5) then a follow-up: the follow-up replaces the loading message."""
    async with running(Bot(), fake):
        interaction_id = await fake.send_interaction(
            fake.slash("goal", MENTEE_ID, CHANNEL_ID, "done", {"number": 2})
        )
        followup = await fake.wait_for_response(interaction_id, STEP, kind="followup")

    first = fake.responses_for(interaction_id)[0]
    assert (first.kind, first.type, first.data) == ("callback", 5, {"flags": 64})
    assert followup.content == "Goal 2 done."
    message = fake.message(followup.message_id or 0)
    assert message is not None
    assert message["content"] == "Goal 2 done."
    assert message["flags"] & 64 and not message["flags"] & 128


@run_async
async def test_autocomplete_answers_with_choices(fake: FakeDiscord) -> None:
    """An autocomplete interaction gets a type 8 response listing the matching choices."""
    async with running(Bot(), fake):
        reply = await fake.interact(
            fake.autocomplete("goal", MENTEE_ID, CHANNEL_ID, "done", "number", "2"), STEP
        )

    assert reply.type == 8
    assert reply.data["choices"] == [{"name": "2. Run 5k", "value": 2}]


def test_persistent_view_survives_a_restart_on_a_new_loop(fake: FakeDiscord) -> None:
    """A nonce'd message is stored once; after a restart the re-registered view answers clicks."""
    clicks: list[str] = []

    async def first_run() -> int:
        client = Bot()
        async with running(client, fake):
            client.add_view(SuggestionView(clicks))
            channel = client.get_channel(CHANNEL_ID)
            assert isinstance(channel, discord.TextChannel)
            first = await channel.send("Try: a walk", view=SuggestionView(clicks), nonce="s42r1")
            again = await channel.send("Try: a walk", view=SuggestionView(clicks), nonce="s42r1")
            assert again.id == first.id
            return first.id

    message_id = asyncio.run(asyncio.wait_for(first_run(), 2 * STEP))
    stored = fake.messages(CHANNEL_ID)
    assert [m["id"] for m in stored] == [str(message_id)]
    assert stored[0]["nonce"] == "s42r1"
    assert len(fake.requests_to("POST", "/channels/{id}/messages")) == 2

    async def second_run() -> None:
        client = Bot()
        async with running(client, fake):
            client.add_view(SuggestionView(clicks))
            reply = await fake.interact(
                fake.button("sugg:42:accept", MENTEE_ID, CHANNEL_ID, message_id), STEP
            )
            assert reply.type == 7

    asyncio.run(asyncio.wait_for(second_run(), 2 * STEP))
    assert clicks == ["sugg:42:accept"]
    assert fake.sync_count == 2  # each start syncs; the command ids stay the same
    assert fake.sync_history[0].commands[0]["id"] == fake.sync_history[1].commands[0]["id"]
    assert fake.messages(CHANNEL_ID)[0]["content"] == "Great, enjoy it!"
    assert fake.messages(CHANNEL_ID)[0]["components"] == []


@run_async
async def test_modal_is_opened_and_its_submit_runs_on_submit(fake: FakeDiscord) -> None:
    """send_modal is recorded as type 9 and a modal submit runs the Modal's on_submit."""
    client = Bot()
    async with running(client, fake):
        opened = await fake.interact(fake.slash("log-meeting", MENTOR_ID, CHANNEL_ID), STEP)
        assert opened.type == 9
        assert opened.data["custom_id"] == "log-meeting-form"
        inputs = sorted(custom_ids(opened.data["components"]))
        assert inputs == ["duration", "notes"]

        with pytest.raises(ValueError, match="required"):
            fake.modal_submit("log-meeting-form", MENTOR_ID, CHANNEL_ID, {"notes": "x"})
        reply = await fake.interact(
            fake.modal_submit(
                "log-meeting-form", MENTOR_ID, CHANNEL_ID, {"duration": "45m", "notes": "Good chat"}
            ),
            STEP,
        )

    assert reply.type == 4 and reply.content == "Meeting logged."
    assert client.modals == [{"duration": "45m", "notes": "Good chat"}]


@run_async
async def test_private_thread_dm_errors_and_rate_limit_retry(fake: FakeDiscord) -> None:
    """Threads, DMs, Discord's 50007 as discord.Forbidden, and a 429 retried by discord.py."""
    client = Bot()
    async with running(client, fake):
        channel = client.get_channel(CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(
            name="mentor & mentee", type=discord.ChannelType.private_thread, invitable=False
        )
        await thread.add_user(discord.Object(MENTOR_ID))
        await thread.add_user(discord.Object(MENTEE_ID))
        await thread.send("Welcome, both of you!")
        await fake.wait_for(lambda: client.get_channel(thread.id), STEP)  # THREAD_CREATE

        [created] = fake.threads
        assert created["type"] == 12 and created["parent_id"] == str(CHANNEL_ID)
        assert set(created["member_ids"]) == {APP_ID, MENTOR_ID, MENTEE_ID}
        assert fake.messages(thread.id)[0]["content"] == "Welcome, both of you!"

        mentee = await client.fetch_user(MENTEE_ID)
        sent = await mentee.send("Your first suggestion")
        assert sent.channel.id == fake.dm_channel_id(MENTEE_ID)
        assert fake.messages(sent.channel.id)[0]["content"] == "Your first suggestion"

        fake.block_dms(MENTEE_ID)
        with pytest.raises(discord.Forbidden) as closed_dms:
            await mentee.send("again")
        assert closed_dms.value.code == 50007

        fake.fail_next("POST", "/users/@me/channels", status=403, code=50007)
        mentor = await client.fetch_user(MENTOR_ID)
        with pytest.raises(discord.Forbidden) as refused:
            await mentor.send("hello")
        assert refused.value.code == 50007
        assert refused.value.text == "Cannot send messages to this user"

        with pytest.raises(discord.NotFound) as gone:
            await client.get_guild(GUILD_ID).fetch_member(123)  # type: ignore[union-attr]
        assert gone.value.code == 10007

        fake.clear_requests()
        fake.fail_next("POST", f"/channels/{CHANNEL_ID}/messages", status=429, retry_after=0.2)
        await channel.send("after the rate limit")

    posts = fake.requests_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert [p.status for p in posts] == [429, 200]
    assert [m["content"] for m in fake.messages(CHANNEL_ID)] == ["after the rate limit"]


@run_async
async def test_member_messages_and_commands_inside_a_pair_thread(fake: FakeDiscord) -> None:
    """Members' messages reach on_message (content blanked without the message-content intent,
    unless the bot is mentioned) and a slash command in a private thread sees the thread."""
    client = Bot()
    seen: list[tuple[int, str]] = []
    interaction_channels: list[object] = []

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author.id != APP_ID:
            seen.append((message.channel.id, message.content))

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        interaction_channels.append(interaction.channel)

    async with running(client, fake):
        channel = client.get_channel(CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(name="pair-1", type=discord.ChannelType.private_thread)
        await thread.add_user(discord.Object(MENTEE_ID))
        await fake.wait_for(lambda: client.get_channel(thread.id), STEP)

        await fake.user_message(thread.id, MENTEE_ID, "we met today")
        await fake.user_message(thread.id, MENTEE_ID, f"<@{APP_ID}> help")
        await fake.wait_for(lambda: len(seen) == 2, STEP)
        reply = await fake.interact(
            fake.slash("goal", MENTEE_ID, thread.id, "add", {"text": "in the thread"}), STEP
        )

    assert seen == [(thread.id, ""), (thread.id, f"<@{APP_ID}> help")]
    assert [m["content"] for m in fake.messages(thread.id)] == ["we met today", f"<@{APP_ID}> help"]
    assert reply.content == "Added goal: in the thread"
    assert isinstance(interaction_channels[0], discord.Thread)
    assert interaction_channels[0].id == thread.id


@run_async
async def test_files_in_an_interaction_reply_are_kept(fake: FakeDiscord) -> None:
    """A reply with a file (multipart) is recorded with the bytes and a served attachment."""
    async with running(Bot(), fake):
        reply = await fake.interact(fake.slash("mentoring-summary", MENTOR_ID, CHANNEL_ID), STEP)

    assert reply.type == 4 and reply.content == "Summary attached."
    assert [(f.filename, f.data) for f in reply.files] == [("summary.csv", b"pair,meetings\n1,3\n")]
    message = fake.message(reply.message_id or 0)
    assert message is not None
    [attachment] = message["attachments"]
    assert attachment["filename"] == "summary.csv"
    assert fake.attachment_data(int(attachment["id"])) == b"pair,meetings\n1,3\n"


@run_async
async def test_two_running_copies_both_get_the_interaction(fake: FakeDiscord) -> None:
    """Like Discord, every connected session gets INTERACTION_CREATE; the second ack is 40060."""
    first, second = Bot(), Bot()
    failures: list[int] = []

    async def record_error(interaction: discord.Interaction, error: Exception) -> None:
        cause = getattr(error, "original", error)
        if isinstance(cause, discord.HTTPException):
            failures.append(cause.code)

    first.tree.on_error = record_error  # type: ignore[method-assign]
    second.tree.on_error = record_error  # type: ignore[method-assign]
    async with running(first, fake), running(second, fake):
        interaction_id = await fake.send_interaction(
            fake.slash("goal", MENTEE_ID, CHANNEL_ID, "add", {"text": "once"})
        )
        await fake.wait_for(lambda: failures, STEP)

    assert failures == [40060]
    assert [r.type for r in fake.responses_for(interaction_id)] == [4]
    assert fake.ready_count == 2


@run_async
async def test_unknown_routes_and_form_errors_use_discords_json(fake: FakeDiscord) -> None:
    """Unknown routes are 404 JSON; a too-long message is 50035 with the field named."""
    client = Bot()
    async with running(client, fake):
        with pytest.raises(discord.NotFound) as unknown:
            await client.http.request(Route("GET", "/no/such/route"))
        assert unknown.value.text == "404: Not Found"

        channel = client.get_channel(CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.code == 50035
        assert "content" in too_long.value.text

    assert fake.requests_to("GET", "/no/such/route")[0].status == 404


@run_async
async def test_gateway_resume_replays_missed_events(fake: FakeDiscord) -> None:
    """After a dropped socket discord.py RESUMEs; events sent meanwhile are replayed."""
    client = Bot()
    joined: list[int] = []

    @client.event
    async def on_member_join(member: discord.Member) -> None:
        joined.append(member.id)

    async with running(client, fake):
        assert fake.gateway_queries[0].get("compress") == "zlib-stream"
        await fake.drop_gateway()
        fake.add_member(900000000000000303, "newcomer")  # dispatched while disconnected
        await fake.wait_for(lambda: any(p.get("op") == 6 for p in fake.gateway_received), STEP)
        await fake.wait_for(lambda: joined, STEP)
        await fake.wait_ready()
        reply = await fake.interact(
            fake.slash("goal", MENTEE_ID, CHANNEL_ID, "add", {"text": "after resume"}), STEP
        )

    assert joined == [900000000000000303]
    assert reply.content == "Added goal: after resume"
    assert fake.ready_count == 1  # resumed, not re-identified
