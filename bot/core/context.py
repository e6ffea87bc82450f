"""What every command handler is given: the open session, who asks, where, and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.coordinators import is_coordinator
from bot.core.replies import Actor
from storage.models import AuditEvent, Person

if TYPE_CHECKING:
    from bot.core.service import Core


@dataclass
class Request:
    """One command, click or form submission being handled inside one transaction."""

    core: Core
    session: Session
    actor: Actor
    person: Person
    conversation_id: str | None
    now: dt.datetime

    def zone(self, fallback: str | None = None) -> ZoneInfo:
        """The caller's time zone: theirs where the platform knows it, else the program's."""
        return ZoneInfo(self.person.timezone or fallback or self.core.settings.timezone)

    def today(self, fallback: str | None = None) -> dt.date:
        return self.now.astimezone(self.zone(fallback)).date()

    def audit(self, action: str, entity: str, entity_id: int | None, **detail: object) -> None:
        self.core.audit(self.session, self.person_label, action, entity, entity_id, **detail)

    @property
    def person_label(self) -> str:
        """Who did it, for the audit trail: the person's row, never their platform id (which
        forgetting them must strip)."""
        return AuditEvent.person_actor(self.person.id)

    @property
    def is_coordinator(self) -> bool:
        return is_coordinator(self.core.settings, self.session, self.actor)


def find_person(session: Session, actor: Actor) -> Person | None:
    """The stored person for ``actor``, if the bot has met them (nothing is written); a user
    id is looked up in the actor's own workspace only."""
    return session.scalar(
        select(Person).where(
            Person.platform == actor.platform,
            Person.workspace == actor.workspace,
            Person.platform_user_id == actor.user_id,
        )
    )


def person_for(session: Session, actor: Actor) -> Person:
    """The stored person for ``actor``, created on first contact and kept current."""
    person = find_person(session, actor)
    if person is None:
        person = Person(
            platform=actor.platform,
            workspace=actor.workspace,
            platform_user_id=actor.user_id,
            display_name=actor.display_name or actor.user_id,
            timezone=actor.timezone,
        )
        try:
            with session.begin_nested():  # a first contact on two requests at once: one wins
                session.add(person)
        except IntegrityError:
            found = find_person(session, actor)
            if found is None:
                raise
            return found
        return person
    if actor.display_name and person.display_name != actor.display_name:
        person.display_name = actor.display_name
    if actor.timezone and not person.timezone_chosen and person.timezone != actor.timezone:
        person.timezone = actor.timezone  # (one the member chose stays theirs)
    return person
