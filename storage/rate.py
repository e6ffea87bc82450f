"""Counting each member's commands per minute, in the database so every process shares the
count. One upsert per command (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on SQLite and
PostgreSQL alike) takes the next count atomically; a member's first command of a minute
deletes their older minutes, so the table holds about one row per active member."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import CommandCount


def count_command(session: Session, actor: str, now: dt.datetime) -> int:
    """Count one command of ``actor`` in ``now``'s minute; returns the minute's count so far."""
    minute = int(now.timestamp() // 60)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CommandCount).values(actor=actor, minute=minute, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[CommandCount.actor, CommandCount.minute],
        set_={"count": CommandCount.count + 1},
    ).returning(CommandCount.count)
    count = int(session.execute(statement).scalar_one())
    if count == 1:
        session.execute(
            delete(CommandCount).where(CommandCount.actor == actor, CommandCount.minute < minute)
        )
    return count


def forget_counts(session: Session, actors: list[str]) -> None:
    """Delete these actors' counts (their platform ids are in them)."""
    session.execute(delete(CommandCount).where(CommandCount.actor.in_(actors)))
