"""The pairs a tick plans for, read as plain rows: each pair's rhythm without ORM objects."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.core.rhythm import Rhythm, chained, zone_of
from storage.models import Pair, PairStatus, Person, Program, ProgramRhythm


@dataclass(frozen=True)
class PairClock:
    """A pair's schedule without the pair: what planning a tick needs, read as plain columns."""

    pair_id: int
    paused: bool
    paused_until: dt.date | None
    rhythm: Rhythm


def pair_clocks(session: Session) -> list[PairClock]:
    """Every pair still running, in one query of plain rows (no ORM objects: a tick reads
    every pair each minute), with its program's earlier rhythms read once per program."""
    mentor, mentee = aliased(Person), aliased(Person)
    query = (
        select(
            Pair.id,
            Pair.status,
            Pair.paused_until,
            Pair.start_date,
            Program.id,
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
    earlier: dict[int, list[ProgramRhythm]] = defaultdict(list)
    for era in session.scalars(select(ProgramRhythm).order_by(ProgramRhythm.until)):
        earlier[era.program_id].append(era)
    clocks = []
    for row in session.execute(query):
        (pair_id, status, paused_until, start, program_id, *current, mentee_tz, mentor_tz) = row
        end, interval, weekday, at, program_tz = current
        rhythm = chained(
            start,
            Current(end, interval, weekday, at, program_tz),
            earlier[program_id],
            lambda zone, mentee_tz=mentee_tz, mentor_tz=mentor_tz: zone_of(
                mentee_tz, mentor_tz, zone
            ),
        )
        clocks.append(PairClock(pair_id, status == PairStatus.PAUSED, paused_until, rhythm))
    return clocks


@dataclass(frozen=True)
class Current:
    """A program's current rhythm, read as plain columns."""

    end_date: dt.date
    interval_weeks: int
    weekday: int
    local_time: dt.time
    timezone: str
