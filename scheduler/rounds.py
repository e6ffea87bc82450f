"""The pairs a tick plans for, read as plain rows: each pair's rhythm without ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.core.rhythm import Rhythm, zone_of
from storage.models import Pair, PairStatus, Person, Program


@dataclass(frozen=True)
class PairClock:
    """A pair's schedule without the pair: what planning a tick needs, read as plain columns."""

    pair_id: int
    paused: bool
    paused_until: dt.date | None
    rhythm: Rhythm


def pair_clocks(session: Session) -> list[PairClock]:
    """Every pair still running, in one query of plain rows (no ORM objects: a tick reads
    every pair each minute)."""
    mentor, mentee = aliased(Person), aliased(Person)
    query = (
        select(
            Pair.id,
            Pair.status,
            Pair.paused_until,
            Pair.start_date,
            Program.end_date,
            Program.interval_weeks,
            Program.weekday,
            Program.local_time,
            Program.timezone,
            mentee.timezone,
            mentor.timezone,
        )
        .join(Program, Pair.program_id == Program.id)
        .join(mentor, Pair.mentor_id == mentor.id)
        .join(mentee, Pair.mentee_id == mentee.id)
        .where(Pair.status != PairStatus.ENDED)
    )
    return [
        PairClock(
            pair_id,
            status == PairStatus.PAUSED,
            paused_until,
            Rhythm(start, end, interval, weekday, at, zone_of(mentee_tz, mentor_tz, program_tz)),
        )
        for (
            pair_id,
            status,
            paused_until,
            start,
            end,
            interval,
            weekday,
            at,
            program_tz,
            mentee_tz,
            mentor_tz,
        ) in session.execute(query)
    ]
