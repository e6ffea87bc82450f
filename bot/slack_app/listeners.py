"""The bolt listeners: commands, button clicks and form submissions, translated for the core.

They only translate (STYLE.md 2): payload in, a ``Core`` call on a worker thread, ``Reply`` out.
A command or click is acknowledged first, before any Slack or database call, so Slack hears back
within its 3 seconds however busy the bot is; the rest runs as a background task and answers
through the ``response_url``. A form submission must answer with its field errors, so it is
acknowledged once the core has checked the values (one quick database call), then answered.

A signed request can be sent again, unchanged, within Slack's five minutes; so before any work
each request's ``trigger_id`` goes to ``Core.first_time``, and one already handled is dropped
(logged) with no second effect. A click carries the message it was on (the container's channel
and ts), which the core checks against the delivery's own message.

Acks come before work. The core's calls are mostly Python (SQLAlchemy, SQLite) and hold the
GIL, so they get only a couple of threads: more would not run them faster, only make the event
loop wait for the GIL and so delay other requests' acks. And work starts after a few quiet
milliseconds without a new request (a quarter second at most), so a burst of fifty commands is
all acknowledged before its work begins (see ``bench/slack_ack``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from bot.core.buttons import HOME_SURFACE
from bot.core.errors import apology
from bot.core.replies import Message, MessageRef, PairPost, Reply
from bot.core.service import Core
from bot.slack_app.answers import Answers, Origin
from bot.slack_app.forms import error_blocks, read_submission
from bot.slack_app.home import HomeTab
from bot.slack_app.installations import Workspaces
from bot.slack_app.people import SlackPeople
from bot.slack_app.text import command_text

log = logging.getLogger(__name__)
T = TypeVar("T")

CORE_THREADS = 2
QUIET = 0.005  # seconds without a new request before work starts…
MAX_DEFER = 0.25  # …or this long after its own ack, whichever comes first


class Listeners:
    """What the app does with each kind of request; registered on the bolt app by ``app.py``."""

    def __init__(
        self, core: Core, people: SlackPeople, answers: Answers, workspaces: Workspaces
    ) -> None:
        self.core = core
        self.people = people
        self.answers = answers
        self.workspaces = workspaces
        self.home = HomeTab(workspaces, self.home_sections)
        self._workers = ThreadPoolExecutor(CORE_THREADS, thread_name_prefix="mentorbot-slack")
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_ack = 0.0

    async def command(
        self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """``/goal …`` and the others: ack, then answer privately."""
        await ack()
        origin = Origin(
            user_id=command["user_id"],
            conversation_id=command.get("channel_id"),
            response_url=command.get("response_url"),
            trigger_id=command.get("trigger_id"),
            workspace=self._workspace(context),
        )
        name = command["command"].lstrip("/")
        text, mentions = command_text(command.get("text") or "")

        async def run() -> None:
            named, by_name = await self.people.named(text, mentions, origin.workspace)
            call = partial(self.core.command, mentions=by_name)
            await self._run(origin, call, name, named)

        self._after_ack(origin, run)

    async def home_opened(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """The member opened the app's Home tab: publish it as it is now, and again after
        each of their commands and clicks from then on."""
        if event.get("tab", "home") == "home":
            origin = Origin(event["user"], None, None, workspace=self._workspace(context))
            self._after_ack(origin, self.home.opened, origin.workspace, origin.user_id)

    async def home_sections(self, workspace: str, user_id: str) -> list[Message]:
        """``user_id``'s home as it is now (what ``HomeTab`` publishes)."""
        actor = await self.people.actor(user_id, workspace)
        return await self._in_worker(self.core.home, actor)

    async def _refresh_homes(self, origin: Origin, reply: Reply) -> None:
        """The caller's home, and those of the members of pairs the reply posted to."""
        pairs = [post.pair_id for post in reply.posts if isinstance(post, PairPost)]
        members = await self._in_worker(self.core.member_ids, pairs) if pairs else set()
        await self.home.refresh(origin.workspace, {origin.user_id, *members})

    async def uninstalled(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """With one workspace (``SLACK_BOT_TOKEN``): the app was uninstalled or its token
        revoked. There is nothing to delete, but the operator is told why Slack refuses every
        call from now on."""
        log.warning(
            "Slack: %s in workspace %s: SLACK_BOT_TOKEN no longer works; reinstall the app "
            "(Install App) and set its new token",
            event.get("type"),
            context.team_id,
        )

    async def click(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """A button: its ``action_id`` is the core's action string, handed back unchanged.
        One pressed on the Home tab acts as on the member's own message there."""
        await ack()
        container = body.get("container") or {}
        workspace = self._workspace(context)
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            user_id = body["user"]["id"]
            origin = Origin(
                user_id, None, None, trigger_id=body.get("trigger_id"), workspace=workspace
            )
            press = partial(self.core.press, message_ref=MessageRef(HOME_SURFACE, user_id))
            self._after_ack(origin, self._run, origin, press, action["action_id"])
            return
        origin = Origin(
            user_id=body["user"]["id"],
            conversation_id=container.get("channel_id") or (body.get("channel") or {}).get("id"),
            response_url=body.get("response_url"),
            trigger_id=body.get("trigger_id"),
            message_ts=container.get("message_ts"),
            ephemeral=bool(container.get("is_ephemeral")),
            workspace=workspace,
        )
        clicked = None
        if origin.conversation_id and origin.message_ts:
            clicked = MessageRef(origin.conversation_id, origin.message_ts)
        press = partial(self.core.press, message_ref=clicked)
        self._after_ack(origin, self._run, origin, press, action["action_id"])

    async def submit(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """A modal: field errors keep it open beside their fields; otherwise it closes."""
        form = read_submission(view)
        origin = Origin(
            body["user"]["id"],
            form.conversation_id,
            form.response_url,
            workspace=self._workspace(context),
        )
        if not await self._first_time(origin.user_id, body.get("trigger_id")):
            await ack()
            return
        actor = await self.people.actor(origin.user_id, origin.workspace)
        reply = await self._in_worker(
            self.core.submit, actor, form.form_id, form.context, form.values, origin.conversation_id
        )
        if reply.field_errors:
            await ack(response_action="errors", errors=error_blocks(view, reply.field_errors))
            return
        await ack()
        self._after_ack(origin, self._answer, reply, origin)

    async def _answer(self, reply: Reply, origin: Origin) -> None:
        await self.answers.send(reply, origin)
        await self._refresh_homes(origin, reply)

    async def _run(self, origin: Origin, call: Callable[..., Reply], *args: object) -> None:
        """Who is asking, the core's answer, and that answer played out on Slack."""
        if not await self._first_time(origin.user_id, origin.trigger_id):
            return
        actor = await self.people.actor(origin.user_id, origin.workspace)
        reply = await self._in_worker(call, actor, *args, origin.conversation_id)
        await self._answer(reply, origin)

    def _workspace(self, context: AsyncBoltContext) -> str:
        return self.workspaces.key(context.enterprise_id, context.team_id)

    async def _first_time(self, user_id: str, trigger_id: str | None) -> bool:
        """False for a request already handled (its ``trigger_id`` seen before): a replay.
        Slack gives every command, click and submission one; without it there is nothing to
        compare, and the request is handled."""
        if not trigger_id:
            return True
        if await self._in_worker(self.core.first_time, f"slack:{trigger_id}"):
            return True
        log.info("ignored a replayed Slack request from %s (trigger %s)", user_id, trigger_id)
        return False

    async def _in_worker(self, call: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._workers, partial(call, *args))

    async def _quiet(self) -> None:
        """Wait for a pause in incoming requests (at most ``MAX_DEFER``), so a burst of
        commands is all acknowledged before their work competes with the acks for the GIL."""
        deadline = time.monotonic() + MAX_DEFER
        while (now := time.monotonic()) < deadline and now - self._last_ack < QUIET:
            await asyncio.sleep(QUIET)

    def _after_ack(
        self, origin: Origin, work: Callable[..., Coroutine[Any, Any, None]], *args: Any
    ) -> None:
        """Run ``work`` in the background (kept referenced until done); a surprise is logged
        and the caller told, never left without an answer."""

        self._last_ack = time.monotonic()

        async def guarded() -> None:
            try:
                await self._quiet()
                await work(*args)
            except Exception:
                sorry = apology(log, "Slack request from %s failed", origin.user_id)
                await self.answers.tell(origin, Message(sorry))

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
