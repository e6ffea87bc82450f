"""Deleting a member's data on request, without taking their partner's history with it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Draft, Goal, Meeting, Person, Response

FORGOTTEN_NAME = "Former member"


@dataclass(frozen=True)
class Forgotten:
    people: int
    goals: int
    meetings: int
    clicks: int


def find_people(session: Session, who: str) -> list[Person]:
    """People matching a platform user id, e-mail address or display name."""
    return list(
        session.scalars(
            select(Person).where(
                or_(Person.platform_user_id == who, Person.email == who, Person.display_name == who)
            )
        )
    )


def forget(session: Session, people: list[Person]) -> Forgotten:
    """Remove what these people wrote (goals, meetings, clicks, drafts of refused input) and
    strip their identity."""
    ids = [person.id for person in people]
    goals = session.execute(delete(Goal).where(Goal.created_by_id.in_(ids))).rowcount
    meetings = session.execute(delete(Meeting).where(Meeting.logged_by_id.in_(ids))).rowcount
    clicks = session.execute(delete(Response).where(Response.person_id.in_(ids))).rowcount
    session.execute(delete(Draft).where(Draft.person_id.in_(ids)))
    session.execute(
        update(Person)
        .where(Person.id.in_(ids))
        .values(display_name=FORGOTTEN_NAME, platform_user_id=None, email=None, timezone=None)
    )
    return Forgotten(len(ids), goals, meetings, clicks)
