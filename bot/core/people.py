"""People as the platforms know them: linking those imported by e-mail to their platform
accounts, filling in time zones, and listing who is who (for the console).

The platform adapters ask the platform (``users.lookupByEmail``, ``users.info``) and hand the
answers here; every rule about what to store, and when two records are one person, is here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.core.coordinators import coordinator_ids
from bot.settings import Settings
from prompts.messages import render
from storage.models import Pair, PairStatus, Person


@dataclass(frozen=True)
class Unlinked:
    """Someone whose platform account is not known yet, or whose time zone is missing."""

    person_id: int
    user_id: str | None
    email: str | None
    workspace: str = ""


@dataclass(frozen=True)
class Profile:
    """What the platform says about an account."""

    user_id: str
    name: str
    timezone: str | None


@dataclass(frozen=True)
class PersonView:
    """Someone on a platform with what they are: "mentor of Ben", "coordinator", and in how
    many running pairs."""

    user_id: str
    name: str
    timezone: str | None
    roles: tuple[str, ...]
    pairs: int = 0


def people_to_link(session: Session, platform: str) -> list[Unlinked]:
    rows = session.scalars(
        select(Person).where(
            Person.platform == platform,
            or_(
                Person.platform_user_id.is_(None) & Person.email.is_not(None),
                Person.platform_user_id.is_not(None) & Person.timezone.is_(None),
            ),
        )
    )
    return [Unlinked(p.id, p.platform_user_id, p.email, p.workspace) for p in rows]


def link_person(session: Session, platform: str, unlinked: Unlinked, profile: Profile) -> bool:
    """Store what the platform said about a person; an imported e-mail whose account already
    wrote to the bot is merged into that person, moving the pairs over. Returns whether
    anything changed."""
    person = session.get(Person, unlinked.person_id)
    if person is None or person.platform_user_id != unlinked.user_id:
        return False  # changed meanwhile
    target, changed = person, False
    if person.platform_user_id is None:
        existing = session.scalar(
            select(Person).where(
                Person.platform == platform,
                Person.workspace == person.workspace,
                Person.platform_user_id == profile.user_id,
            )
        )
        if existing is None:
            person.platform_user_id = profile.user_id
        else:
            for column in (Pair.mentor_id, Pair.mentee_id):
                session.execute(
                    update(Pair).where(column == person.id).values({column.key: existing.id})
                )
            existing.email = existing.email or person.email
            session.delete(person)
            target = existing
        target.display_name = profile.name or target.display_name
        target.unreachable_reason = None
        target.unreachable_since = None
        changed = True
    if target.timezone is None and profile.timezone:
        target.timezone = profile.timezone
        changed = True
    return changed


def people_on(session: Session, settings: Settings, platform: str) -> list[PersonView]:
    """Everyone on ``platform`` with their roles in running pairs and as coordinators."""
    people = session.scalars(
        select(Person).where(Person.platform == platform).order_by(Person.id)
    ).all()
    pairs = session.scalars(
        select(Pair).where(Pair.platform == platform, Pair.status != PairStatus.ENDED)
    ).all()
    coordinators = set(coordinator_ids(settings, session, platform))
    roles: dict[int, list[str]] = {}
    for pair in pairs:
        mentor_of = render("people.mentor_of", name=pair.mentee.display_name)
        mentee_of = render("people.mentee_of", name=pair.mentor.display_name)
        roles.setdefault(pair.mentor_id, []).append(mentor_of)
        roles.setdefault(pair.mentee_id, []).append(mentee_of)
    views = []
    for person in people:
        described = roles.get(person.id, [])
        in_pairs = len(described)
        if person.platform_user_id in coordinators:
            described.append(render("people.coordinator"))
        views.append(
            PersonView(
                person.platform_user_id or "",
                person.display_name,
                person.timezone,
                tuple(described),
                in_pairs,
            )
        )
    return views


def conversation_title(session: Session, conversation_id: str) -> str:
    """ "Ada & Ben's conversation" for a pair's conversation id, else the id itself."""
    pair = session.scalar(select(Pair).where(Pair.conversation_id == conversation_id))
    if pair is None:
        return conversation_id
    return render(
        "people.conversation", mentor=pair.mentor.display_name, mentee=pair.mentee.display_name
    )
