"""Deleting a member's data on request, without taking their partner's history with it, and
leaving no readable copy behind.

``forget`` deletes the rows in the caller's transaction; ``scrub`` then runs after the commit so
the SQLite file keeps nothing of them: every connection has ``secure_delete`` on (deleted
content is overwritten with zeros), ``VACUUM`` rewrites the file without any page written before
that was so, and a truncating checkpoint empties the write-ahead log, which otherwise holds
every earlier revision of every page. PostgreSQL keeps deleted rows in its files until
``VACUUM`` reuses their space (see the README); nothing here can scrub that from outside.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    AuditEvent,
    CompetencyRating,
    Coordinator,
    CoordinatorDigest,
    Delivery,
    Draft,
    Goal,
    Meeting,
    Person,
    PostedMessage,
    Reflection,
    Response,
)
from storage.rate import forget_counts

log = logging.getLogger(__name__)

FORGOTTEN_NAME = "Former member"


@dataclass(frozen=True)
class Forgotten:
    people: int
    goals: int
    meetings: int
    clicks: int
    answers: int  # reflections and competency self-ratings
    audit_entries: int
    posts: int  # the bot's messages that named or quoted them, to delete on the platform


def find_people(session: Session, who: str) -> list[Person]:
    """People matching a person id (as ``pairs list`` shows it), a platform user id, an e-mail
    address or a display name (any case); each person once, by id."""
    who = who.strip()
    matches = [
        Person.platform_user_id == who,
        func.lower(Person.email) == who.lower(),
        func.lower(Person.display_name) == who.lower(),
    ]
    if who.isdigit() and len(who) < 10:  # a Discord user id is a long number too
        matches.append(Person.id == int(who))
    query = select(Person).where(or_(*matches), Person.platform_user_id.is_not(None))
    return list(session.scalars(query.order_by(Person.id)))


def forget(session: Session, people: list[Person]) -> Forgotten:
    """Delete what these people wrote (goals, meetings, clicks, answers, drafts), their audit
    entries and coordinator rights, mark the bot's posts about them for deletion, and strip their
    identity; the row stays (as "Former member") so their partners' pairs keep their shape."""
    ids = [person.id for person in people]
    goals = session.execute(delete(Goal).where(Goal.created_by_id.in_(ids))).rowcount
    meetings = session.execute(delete(Meeting).where(Meeting.logged_by_id.in_(ids))).rowcount
    clicks = session.execute(delete(Response).where(Response.person_id.in_(ids))).rowcount
    answers = session.execute(delete(Reflection).where(Reflection.person_id.in_(ids))).rowcount
    answers += session.execute(
        delete(CompetencyRating).where(CompetencyRating.person_id.in_(ids))
    ).rowcount
    session.execute(
        update(Delivery).where(Delivery.answered_by_id.in_(ids)).values(answered_by_id=None)
    )
    session.execute(delete(Draft).where(Draft.person_id.in_(ids)))
    actors = [AuditEvent.person_actor(i) for i in ids]
    actors += [f"{p.platform}:{p.platform_user_id}" for p in people]  # as written before 0004
    audits = session.execute(delete(AuditEvent).where(AuditEvent.actor.in_(actors))).rowcount
    keys = [f"{p.platform}:{p.platform_user_id}" for p in people]
    forget_counts(session, keys)
    keys += [f"{p.platform}:{p.workspace}:{p.platform_user_id}" for p in people if p.workspace]
    session.execute(delete(CoordinatorDigest).where(CoordinatorDigest.coordinator.in_(keys)))
    for person in people:
        session.execute(
            delete(Coordinator).where(
                Coordinator.platform == person.platform,
                Coordinator.workspace == person.workspace,
                Coordinator.platform_user_id == person.platform_user_id,
            )
        )
    about = or_(PostedMessage.writer_id.in_(ids), PostedMessage.quoted_id.in_(ids))
    posts = session.execute(
        update(PostedMessage).where(about).values(retract=True, writer_id=None, quoted_id=None)
    ).rowcount
    session.execute(
        update(Person)
        .where(Person.id.in_(ids))
        .values(
            display_name=FORGOTTEN_NAME,
            platform_user_id=None,
            email=None,
            timezone=None,
            timezone_chosen=False,
            unreachable_reason=None,
            unreachable_since=None,
        )
    )
    return Forgotten(len(ids), goals, meetings, clicks, answers, audits, posts)


def scrub(engine: Engine) -> bool:
    """After a deletion is committed, leave no readable copy in the SQLite file or its log;
    False when another process kept the log busy (it is emptied at the next checkpoint)."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        connection.execute("VACUUM")
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    if busy:
        log.warning("the database log is in use by another process; it empties later")
    return not busy
