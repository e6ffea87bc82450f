"""Programs as coordinators set them up: dates, rhythm, time zone, cohorts, pairs channel.

Each setting is declared once as a grammar argument, so the CLI (`mentorbot program create/edit`),
the chat (`/mentoring-admin program`) and its form read and check it alike. A change of rhythm
(every, weekday, time, time zone, end) keeps the old one as a ``ProgramRhythm`` until now, so
every message due before the change keeps its round and the new rhythm applies from the next
round on (``bot.core.rhythm``); nothing is sent twice or skipped by it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.core.errors import InputError
from bot.core.grammar import (
    ClockTime,
    Day,
    Name,
    Text,
    Weekday,
    Weeks,
    Zone,
)
from bot.core.replies import said
from bot.core.rhythm import next_round_at, rhythm_for
from prompts.messages import render
from storage.models import (
    Cohort,
    Delivery,
    Pair,
    PairStatus,
    Program,
    ProgramRhythm,
)

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_LENGTH = dt.timedelta(days=364)  # a program year: the same weekday a year on, less a day
LONGEST = dt.timedelta(days=3 * 366)
COHORT_LIMIT = 100  # characters of a cohort's name, as stored
NAME_LIMIT = 200  # characters of a program's name, as stored
CHANNEL = re.compile(r"<?#?([0-9]{17,20})>?")
RHYTHM_FIELDS = ("interval_weeks", "weekday", "local_time", "timezone", "end_date")

WHICH = Name("program", "PROGRAM", "the program, by name or id", example='"Spring 2027"')
NEW_NAME = Name(
    "new_name", "NAME", "the program's new name", example='"Spring 2028"', flag="--name"
)
START = Day("start", "DATE", "the first day", example="2027-01-12", flag="--start")
END = Day("end", "DATE", "the last day", example="2027-12-14", flag="--end")
EVERY = Weeks("every", "WEEKS", "how often", example="3w", flag="--every")
ON = Weekday("on", "DAY", "the weekday", example="tuesday", flag="--on")
AT = ClockTime("at", "TIME", "the local time", example="10:00", flag="--at")
ZONE = Zone("timezone", "ZONE", "the time zone", example="America/Chicago", flag="--timezone")
COHORTS = Text(
    "cohorts",
    "NAMES",
    "the cohorts",
    example='"Fall 2026, Spring 2027"',
    flag="--cohorts",
    maximum=2000,
)
PAIRS_CHANNEL = Text(
    "channel",
    "CHANNEL",
    "the Discord pairs channel",
    example="123456789012345678",
    flag="--channel",
    maximum=30,
)
SETTINGS = (START, END, EVERY, ON, AT, ZONE, COHORTS, PAIRS_CHANNEL)


@dataclass(frozen=True)
class ProgramChange:
    """What a coordinator asked to set; None leaves a setting as it is."""

    name: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    interval_weeks: int | None = None
    weekday: int | None = None
    local_time: dt.time | None = None
    timezone: str | None = None
    cohorts: tuple[str, ...] | None = None
    pairs_channel_id: str | None = None


def change_of(values: Mapping[str, Any]) -> ProgramChange:
    cohorts = values.get("cohorts")
    channel = values.get("channel")
    return ProgramChange(
        name=values.get("new_name") or None,
        start_date=values.get("start"),
        end_date=values.get("end"),
        interval_weeks=values.get("every"),
        weekday=values.get("on"),
        local_time=values.get("at"),
        timezone=values.get("timezone"),
        cohorts=_cohort_names(cohorts) if cohorts else None,
        pairs_channel_id=_channel_id(channel) if channel else None,
    )


def _cohort_names(text: str) -> tuple[str, ...]:
    names = [" ".join(name.split()) for name in text.split(",")]
    names = [name for name in names if name]
    too_long = [name for name in names if len(name) > COHORT_LIMIT]
    if too_long:
        raise InputError(
            render(
                "programs.cohort_too_long",
                name=said(too_long[0][:40]),
                length=len(too_long[0]),
                most=COHORT_LIMIT,
            ),
            field="cohorts",
        )
    seen: set[str] = set()
    for name in names:  # a repeat is named as it was typed the second time
        if name.casefold() in seen:
            raise InputError(render("programs.cohort_twice", name=said(name)), field="cohorts")
        seen.add(name.casefold())
    return tuple(names)


def _channel_id(text: str) -> str:
    match = CHANNEL.fullmatch(text.strip())
    if match is None:
        raise InputError(
            render("programs.not_a_channel", text=said(text[:40])),
            field="channel",
        )
    return match[1]


# -- finding ------------------------------------------------------------------------------------


def find_program(session: Session, key: str | None, workspace: str | None = None) -> Program:
    """The program named (by name, in any letter case, or by id), or the only one; of one
    ``workspace`` only when it is given (a coordinator sees only their workspace's)."""
    programs = list(session.scalars(_programs(workspace).order_by(Program.id)))
    if not programs:
        raise InputError(render("programs.no_program_yet"))
    if key is None or not key.strip():
        if len(programs) == 1:
            return programs[0]
        raise InputError(render("programs.say_which", programs=_names(programs)))
    wanted = key.strip().casefold()
    for program in programs:
        if program.name.casefold() == wanted or str(program.id) == wanted:
            return program
    raise InputError(
        render("programs.no_such_program", name=said(key.strip()), programs=_names(programs))
    )


def _names(programs: list[Program]) -> str:
    return ", ".join(
        render("programs.program_named", name=said(p.name), number=p.id) for p in programs
    )


# -- creating and editing ------------------------------------------------------------------------


def create_program(
    session: Session, name: str, change: ProgramChange, today: dt.date, default_zone: str
) -> Program:
    """A new program with what was set, the rest by default: from today for a year, every 3
    weeks on Tuesday at 10:00 in the operator's time zone."""
    name = " ".join(name.split())
    _check_name(session, name, None)
    start = change.start_date or today
    program = Program(
        name=name,
        start_date=start,
        end_date=change.end_date or start + DEFAULT_LENGTH,
        interval_weeks=change.interval_weeks or 3,
        weekday=change.weekday if change.weekday is not None else 1,
        local_time=change.local_time or dt.time(10, 0),
        timezone=change.timezone or default_zone,
        pairs_channel_id=change.pairs_channel_id,
    )
    _check_dates(program.start_date, program.end_date)
    session.add(program)
    session.flush()
    for cohort in change.cohorts or ():
        session.add(Cohort(program_id=program.id, name=cohort))
    session.flush()
    return program


def edit_program(
    session: Session, program: Program, change: ProgramChange, now: dt.datetime
) -> list[str]:
    """Apply ``change``; the sentences say what changed (none: nothing did). A new rhythm
    applies from the next round on: the old one is kept for what was due before now."""
    told: list[str] = []
    today = now.astimezone(dt.UTC).date()
    if change.name is not None and change.name != program.name:
        name = " ".join(change.name.split())
        _check_name(session, name, program.id)
        told.append(render("programs.renamed", old=said(program.name), new=said(name)))
        program.name = name
    start = change.start_date or program.start_date
    end = change.end_date or program.end_date
    if start != program.start_date:
        _check_start_moves(session, program, start, today)
    _check_dates(start, end)
    if end != program.end_date and end < today:
        raise InputError(
            render("programs.end_in_past", end=end, today=today),
            field="end",
        )
    wanted = {
        "interval_weeks": change.interval_weeks,
        "weekday": change.weekday,
        "local_time": change.local_time,
        "timezone": change.timezone,
        "end_date": change.end_date,
    }
    rhythm_changed = any(
        value is not None and value != getattr(program, name) for name, value in wanted.items()
    )
    if rhythm_changed:
        session.add(
            ProgramRhythm(
                program_id=program.id,
                until=now,
                **{name: getattr(program, name) for name in RHYTHM_FIELDS},
            )
        )
    before = rhythm_text(program)
    if start != program.start_date:
        moved = _move_unstarted_pairs(session, program, start)
        told.append(
            render("programs.start_moved", start=start, was=program.start_date, moved=moved)
        )
        program.start_date = start
    for name, value in wanted.items():
        if value is not None:
            setattr(program, name, value)
    if rhythm_changed:
        told.append(render("programs.rhythm_changed", rhythm=rhythm_text(program), was=before))
    if change.pairs_channel_id is not None and change.pairs_channel_id != program.pairs_channel_id:
        program.pairs_channel_id = change.pairs_channel_id
        told.append(render("programs.channel_changed", channel=change.pairs_channel_id))
    if change.cohorts is not None:
        told += _set_cohorts(session, program, change.cohorts)
    session.flush()
    session.expire(program, ["earlier_rhythms"])
    return told


def _check_name(session: Session, name: str, program_id: int | None) -> None:
    if not name:
        raise InputError(render("programs.needs_name"), field="name")
    if len(name) > NAME_LIMIT:
        raise InputError(
            render("programs.name_too_long", length=len(name), most=NAME_LIMIT),
            field="new_name",
        )
    clash = session.scalar(
        select(Program).where(
            func.lower(Program.name) == name.casefold(), Program.id != (program_id or 0)
        )
    )
    if clash is not None:
        raise InputError(render("programs.name_taken", name=said(clash.name), number=clash.id))


def _check_dates(start: dt.date, end: dt.date) -> None:
    if end <= start:
        raise InputError(render("programs.end_before_start", end=end, start=start), field="end")
    if end - start > LONGEST:
        raise InputError(
            render("programs.too_long", start=start, end=end),
            field="end",
        )


def _check_start_moves(session: Session, program: Program, start: dt.date, today: dt.date) -> None:
    """A start moves only before the program has begun (pairs keep their own start dates)."""
    begun = program.start_date <= today or session.scalar(
        select(func.count(Delivery.id)).join(Pair).where(Pair.program_id == program.id)
    )
    if begun:
        raise InputError(
            render("programs.start_fixed", start=program.start_date),
            field="start",
        )
    if start < today:
        raise InputError(
            render("programs.start_in_past", start=start),
            field="start",
        )


def _move_unstarted_pairs(session: Session, program: Program, start: dt.date) -> int:
    pairs = session.scalars(
        select(Pair).where(Pair.program_id == program.id, Pair.start_date == program.start_date)
    ).all()
    for pair in pairs:
        pair.start_date = start
    return len(pairs)


def _set_cohorts(session: Session, program: Program, names: tuple[str, ...]) -> list[str]:
    """The program's cohorts become ``names``: new ones added, unused ones removed; one that
    still has pairs is refused, never emptied silently."""
    existing = {
        c.name.casefold(): c
        for c in session.scalars(select(Cohort).where(Cohort.program_id == program.id))
    }
    wanted = {name.casefold(): name for name in names}
    added = [name for key, name in wanted.items() if key not in existing]
    gone = [cohort for key, cohort in existing.items() if key not in wanted]
    for cohort in gone:
        count = session.scalar(select(func.count(Pair.id)).where(Pair.cohort_id == cohort.id))
        if count:
            raise InputError(
                render("programs.cohort_has_pairs", name=said(cohort.name), count=count)
            )
    for cohort in gone:
        session.delete(cohort)
    for name in added:
        session.add(Cohort(program_id=program.id, name=name))
    told = []
    if added:
        shown = ", ".join(f"“{said(n)}”" for n in added)
        told.append(render("programs.cohorts_added", names=shown))
    if gone:
        shown = ", ".join(f"“{said(c.name)}”" for c in gone)
        told.append(render("programs.cohorts_removed", names=shown))
    return told


# -- describing ----------------------------------------------------------------------------------


def rhythm_text(program: Program, *, short: bool = False) -> str:
    """ "every 3 weeks on Tuesday at 10:00 (America/Chicago)", or "3w Tue 10:00 America/Chicago"."""
    day, at = WEEKDAY_NAMES[program.weekday], f"{program.local_time:%H:%M}"
    if short:
        return render(
            "programs.rhythm_short",
            weeks=program.interval_weeks,
            day=day[:3],
            at=at,
            zone=program.timezone,
        )
    every = (
        render("programs.every_week")
        if program.interval_weeks == 1
        else render("programs.every_weeks", weeks=program.interval_weeks)
    )
    return render("programs.rhythm", every=every, day=day, at=at, zone=program.timezone)


@dataclass(frozen=True)
class ProgramSummary:
    """A program as `program list` shows it."""

    program_id: int
    name: str
    start: dt.date
    end: dt.date
    rhythm: str
    active: int
    paused: int
    ended: int


def list_programs(session: Session, workspace: str | None = None) -> list[ProgramSummary]:
    """Each program (or each of one ``workspace``'s) with its pairs counted by status."""
    counts: Counter[tuple[int, str]] = Counter()
    for program_id, status, count in session.execute(
        select(Pair.program_id, Pair.status, func.count(Pair.id)).group_by(
            Pair.program_id, Pair.status
        )
    ):
        counts[(program_id, status)] = count
    return [
        ProgramSummary(
            p.id,
            p.name,
            p.start_date,
            p.end_date,
            rhythm_text(p, short=True),
            counts[(p.id, PairStatus.ACTIVE)],
            counts[(p.id, PairStatus.PAUSED)],
            counts[(p.id, PairStatus.ENDED)],
        )
        for p in session.scalars(_programs(workspace).order_by(Program.start_date, Program.id))
    ]


def _programs(workspace: str | None) -> Select[tuple[Program]]:
    """Every program, or one workspace's."""
    query = select(Program)
    return query if workspace is None else query.where(Program.workspace == workspace)


def describe_program(session: Session, program: Program, now: dt.datetime) -> list[str]:
    """Every setting of the program, its cohorts with their pairs, and its next round."""
    [summary] = [s for s in list_programs(session) if s.program_id == program.id]
    lines = [
        render("programs.heading", name=said(program.name), number=program.id),
        render("programs.dates", start=program.start_date, end=program.end_date),
        render("programs.rhythm_line", rhythm=rhythm_text(program)),
        render(
            "programs.pairs",
            active=summary.active,
            paused=summary.paused,
            ended=summary.ended,
        ),
    ]
    cohorts = session.execute(
        select(Cohort.name, func.count(Pair.id))
        .outerjoin(Pair, Pair.cohort_id == Cohort.id)
        .where(Cohort.program_id == program.id)
        .group_by(Cohort.id, Cohort.name)
        .order_by(Cohort.name)
    ).all()
    shown = ", ".join(f"{said(name)} ({count})" for name, count in cohorts) or render(
        "programs.no_cohorts"
    )
    lines.append(render("programs.cohorts", cohorts=shown))
    channel = program.pairs_channel_id or "DISCORD_PAIRS_CHANNEL_ID"
    lines.append(render("programs.threads", channel=channel))
    pair = session.scalar(
        select(Pair).where(Pair.program_id == program.id, Pair.status == PairStatus.ACTIVE).limit(1)
    )
    upcoming = next_round_at(rhythm_for(pair), now) if pair is not None else None
    if upcoming is not None:
        local = upcoming.astimezone(rhythm_for(pair).zone)
        when = f"{local:%a %-d %b %Y, %H:%M}"
        lines.append(render("programs.next_round", when=when, pair=pair.id))
    elif program.end_date < now.date():
        lines.append(render("programs.ended"))
    return lines


def changed_fields(change: ProgramChange) -> list[str]:
    """The settings a change sets (for an audit entry)."""
    return [f.name for f in fields(change) if getattr(change, f.name) is not None]
