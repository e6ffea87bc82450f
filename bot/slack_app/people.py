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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.core.replies import Actor
from bot.core.service import Core
from bot.slack_app.pacing import Pacer
from storage.db import run_in_transaction
from storage.models import Pair, Person

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
        ttl: float = CACHE_SECONDS,
        timeout: float = LOOKUP_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock
        self._known: dict[str, tuple[float, Actor]] = {}
        self._pending: dict[str, asyncio.Task[Actor | None]] = {}

    async def actor(self, user_id: str) -> Actor:
        """The actor for ``user_id``; one ``users.info`` call serves concurrent requests."""
        known = self._known.get(user_id)
        if known and known[0] > self.clock():
            return known[1]
        task = self._pending.get(user_id)
        if task is None:
            task = asyncio.ensure_future(self._look_up(user_id))
            self._pending[user_id] = task
            task.add_done_callback(lambda _: self._pending.pop(user_id, None))
        try:
            found = await asyncio.wait_for(asyncio.shield(task), self.timeout)
        except TimeoutError:
            found = None
        return found or Actor(PLATFORM, user_id)

    async def _look_up(self, user_id: str) -> Actor | None:
        try:
            user = (await self.client.users_info(user=user_id))["user"]
        except Exception as error:  # any failure: go on with the id alone, and ask next time
            log.warning("users.info failed for %s: %s", user_id, error)
            return None
        actor = Actor(PLATFORM, user_id, display_name(user), user.get("tz") or None)
        self._known[user_id] = (self.clock() + self.ttl, actor)
        return actor


@dataclass(frozen=True)
class _Pending:
    person_id: int
    user_id: str | None
    email: str | None


async def resolve_pending_people(
    core: Core, client: AsyncWebClient, pacer: Pacer | None = None
) -> int:
    """Link people imported by e-mail to their Slack ids and fill in missing time zones.

    Returns how many people were updated. One person's failure is logged and skipped.
    """
    pending = await asyncio.to_thread(run_in_transaction, core.sessions, _pending_people)
    updated = 0
    for person in pending:
        method = "users.info" if person.user_id else "users.lookupByEmail"
        if pacer is not None:
            await pacer.wait(method)
        try:
            if person.user_id:
                user = (await client.users_info(user=person.user_id))["user"]
            else:
                user = (await client.users_lookupByEmail(email=person.email or ""))["user"]
        except SlackApiError as error:
            log.info(
                "%s found no Slack user for person %s: %s",
                method,
                person.person_id,
                error.response.get("error"),
            )
            continue
        done = await asyncio.to_thread(
            run_in_transaction, core.sessions, lambda s, p=person, u=user: _link(s, p, u)
        )
        updated += done
    return updated


def _pending_people(session: Session) -> list[_Pending]:
    rows = session.scalars(
        select(Person).where(
            Person.platform == PLATFORM,
            or_(
                Person.platform_user_id.is_(None) & Person.email.is_not(None),
                Person.platform_user_id.is_not(None) & Person.timezone.is_(None),
            ),
        )
    )
    return [_Pending(p.id, p.platform_user_id, p.email) for p in rows]


def _link(session: Session, pending: _Pending, user: dict[str, Any]) -> bool:
    """Store what Slack said about a person; an imported e-mail whose Slack user already wrote
    to the bot is merged into that person, moving the pairs over."""
    person = session.get(Person, pending.person_id)
    if person is None or person.platform_user_id != pending.user_id:
        return False  # changed meanwhile
    target, changed = person, False
    if person.platform_user_id is None:
        existing = session.scalar(
            select(Person).where(Person.platform == PLATFORM, Person.platform_user_id == user["id"])
        )
        if existing is None:
            person.platform_user_id = user["id"]
        else:
            for column in (Pair.mentor_id, Pair.mentee_id):
                session.execute(
                    update(Pair).where(column == person.id).values({column.key: existing.id})
                )
            existing.email = existing.email or person.email
            session.delete(person)
            target = existing
        target.display_name = display_name(user) or target.display_name
        target.unreachable_reason = None
        target.unreachable_since = None
        changed = True
    zone = user.get("tz") or None
    if target.timezone is None and zone:
        target.timezone = zone
        changed = True
    return changed
