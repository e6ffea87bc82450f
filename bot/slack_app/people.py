"""Slack people: who is asking (name and time zone from ``users.info``), and imported e-mails.

``SlackPeople.actor`` is called on every command, click and form, so it keeps answers for a few
minutes and never keeps a user waiting long: when Slack is slow or refuses, the actor goes on
with the user id alone (and an empty name, so the stored display name is not overwritten).

``resolve_pending_people`` runs at start-up and every few minutes: people imported by e-mail get
their Slack user id from ``users.lookupByEmail``, and people without a time zone get Slack's.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.outbound import DeliveryError
from bot.core.people import Profile, link_person, people_to_link
from bot.core.replies import Actor
from bot.core.service import Core
from bot.slack_app.installations import Workspaces
from bot.slack_app.pacing import Pacer

log = logging.getLogger(__name__)

PLATFORM = "slack"
CACHE_SECONDS = 300.0
LOOKUP_TIMEOUT = 1.5


def display_name(user: dict[str, Any]) -> str:
    """The name Slack shows for a member: display name, else real name, else handle."""
    profile = user.get("profile") or {}
    return str(
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or user.get("id")
        or ""
    )


class SlackPeople:
    """``Actor``s for Slack user ids, cached briefly."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        workspaces: Workspaces | None = None,
        ttl: float = CACHE_SECONDS,
        timeout: float = LOOKUP_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workspaces = workspaces or Workspaces(client)
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock
        self._known: dict[tuple[str, str], tuple[float, Actor]] = {}
        self._pending: dict[tuple[str, str], asyncio.Task[Actor | None]] = {}

    async def actor(self, user_id: str, workspace: str = "") -> Actor:
        """The actor for ``user_id`` of ``workspace``; one ``users.info`` call serves
        concurrent requests."""
        key = (workspace, user_id)
        known = self._known.get(key)
        if known and known[0] > self.clock():
            return known[1]
        task = self._pending.get(key)
        if task is None:
            task = asyncio.ensure_future(self._look_up(user_id, workspace))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        try:
            found = await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            found = None
        return found or Actor(PLATFORM, user_id, workspace=workspace)

    async def named(
        self, text: str, mentions: dict[str, str], workspace: str = ""
    ) -> tuple[str, dict[str, str]]:
        """Slack may send a mention as a bare ``<@U123>``: each such ``@U123`` in ``text``
        becomes the member's name, as the member saw it when typing."""
        for name, user_id in list(mentions.items()):
            if name != user_id:
                continue
            shown = (await self.actor(user_id, workspace)).display_name.replace(" ", "")
            if shown:
                text = re.sub(rf"@{re.escape(user_id)}\b", f"@{shown}", text)
                mentions[shown] = mentions.pop(name)
        return text, mentions

    async def _look_up(self, user_id: str, workspace: str) -> Actor | None:
        try:
            client = await self.workspaces.client(workspace)
            user = (await client.users_info(user=user_id))["user"]
        except Exception as error:  # any failure: go on with the id alone, and ask next time
            log.warning("users.info failed for %s: %s", user_id, error)
            return None
        actor = Actor(
            PLATFORM, user_id, display_name(user), user.get("tz") or None, workspace=workspace
        )
        self._known[(workspace, user_id)] = (self.clock() + self.ttl, actor)
        return actor


async def resolve_pending_people(
    core: Core,
    client: AsyncWebClient,
    pacer: Pacer | None = None,
    workspaces: Workspaces | None = None,
) -> int:
    """Link people imported by e-mail to their Slack ids and fill in missing time zones, each
    asked of their own workspace.

    Returns how many people were updated. One person's failure is logged and skipped.
    """
    workspaces = workspaces or Workspaces(client)
    pending = await asyncio.to_thread(core.transaction, lambda s: people_to_link(s, PLATFORM))
    updated = 0
    for person in pending:
        method = "users.info" if person.user_id else "users.lookupByEmail"
        if pacer is not None:
            await pacer.wait(method)
        try:
            asking = await workspaces.client(person.workspace)
            if person.user_id:
                user = (await asking.users_info(user=person.user_id))["user"]
            else:
                user = (await asking.users_lookupByEmail(email=person.email or ""))["user"]
        except DeliveryError as error:
            log.info("person %s: %s", person.person_id, error)
            continue
        except SlackApiError as error:
            log.info(
                "%s found no Slack user for person %s: %s",
                method,
                person.person_id,
                error.response.get("error"),
            )
            continue
        profile = Profile(str(user["id"]), display_name(user), user.get("tz") or None)
        done = await asyncio.to_thread(
            core.transaction,
            lambda s, p=person, f=profile: link_person(s, PLATFORM, p, f),
        )
        updated += done
    return updated
