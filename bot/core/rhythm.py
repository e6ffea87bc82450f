"""When a pair's messages fall due: pure date arithmetic over a program's rhythm.

A pair's year: a welcome on its start date; then a suggestion every ``interval_weeks`` on the
program's weekday at its local time, in the pair's time zone; the round nearest the middle of
the year is the midpoint reflection and the last one before the end the closing reflection;
a check-in a week before each round when the pair has not met. Local times are turned into UTC
through ``zoneinfo`` on each date, so a round stays at 10:00 local across daylight-saving changes.

A coordinator may change the rhythm during the year. The rhythm in force before a change
(``Rhythm.before``) still decides every message due up to the change (``Rhythm.since``), with
its round numbers, so nothing already owed is sent again or skipped; the new rhythm numbers on
from there: its first round is one new interval after the last round, on the new weekday of
that week (or the first new weekday after the change, if that has passed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.models import DeliveryKind, Pair

CHECKIN_LEAD = dt.timedelta(days=7)


@dataclass(frozen=True)
class Rhythm:
    """What the schedule of one pair depends on."""

    start_date: dt.date
    end_date: dt.date
    interval_weeks: int
    weekday: int
    local_time: dt.time
    zone: ZoneInfo
    before: Rhythm | None = None  # the rhythm in force until ``since``
    since: dt.datetime | None = None


@dataclass(frozen=True)
class Slot:
    """One message owed: which kind, its key within the pair, and when it is due (UTC)."""

    kind: DeliveryKind
    round_key: str
    due_at: dt.datetime


def zone_of(mentee_zone: str | None, mentor_zone: str | None, program_zone: str) -> ZoneInfo:
    """The pair's clock: the mentee's zone where known, else the mentor's, else the program's."""
    return ZoneInfo(mentee_zone or mentor_zone or program_zone)


def pair_zone(pair: Pair) -> ZoneInfo:
    return zone_of(pair.mentee.timezone, pair.mentor.timezone, pair.program.timezone)


def rhythm_for(pair: Pair) -> Rhythm:
    program = pair.program
    return chained(
        pair.start_date,
        program,
        program.earlier_rhythms,
        lambda program_zone: zone_of(pair.mentee.timezone, pair.mentor.timezone, program_zone),
    )


class RhythmFields(Protocol):
    """A program's rhythm as stored: its current one, or an earlier one (``ProgramRhythm``)."""

    end_date: dt.date
    interval_weeks: int
    weekday: int
    local_time: dt.time
    timezone: str


class EarlierRhythm(RhythmFields, Protocol):
    until: dt.datetime


def chained(
    start: dt.date,
    current: RhythmFields,
    earlier: Sequence[EarlierRhythm],
    zone_for: Callable[[str], ZoneInfo],
) -> Rhythm:
    """A pair's rhythm from its program's current one and the earlier ones (oldest first),
    each in force until its ``until``; ``zone_for`` gives the pair's clock for a program zone."""
    before: Rhythm | None = None
    since: dt.datetime | None = None
    for era in earlier:
        before, since = _in_force(start, era, zone_for, before, since), era.until
    return _in_force(start, current, zone_for, before, since)


def _in_force(
    start: dt.date,
    fields: RhythmFields,
    zone_for: Callable[[str], ZoneInfo],
    before: Rhythm | None,
    since: dt.datetime | None,
) -> Rhythm:
    return Rhythm(
        start,
        fields.end_date,
        fields.interval_weeks,
        fields.weekday,
        fields.local_time,
        zone_for(fields.timezone),
        before,
        since,
    )


def local_moment(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``day`` at local time ``at`` in ``zone``, as UTC (a skipped hour moves forward)."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


def round_dates(rhythm: Rhythm) -> list[dt.date]:
    """The dates of rounds 1, 2, … before the end date (local days of the pair's clock)."""
    return [
        slot.due_at.astimezone(rhythm.zone).date()
        for slot in slots(rhythm)
        if slot.kind not in (DeliveryKind.WELCOME, DeliveryKind.CHECKIN)
    ]


def round_kind(number: int, dates: list[dt.date], rhythm: Rhythm) -> DeliveryKind:
    """Suggestion, or the midpoint or closing reflection for the rounds that carry them."""
    if number == len(dates) and number > 1:
        return DeliveryKind.CLOSING
    middle = rhythm.start_date + (rhythm.end_date - rhythm.start_date) / 2
    nearest = min(range(1, len(dates) + 1), key=lambda n: abs(dates[n - 1] - middle))
    if number == nearest and len(dates) >= 3:
        return DeliveryKind.MIDPOINT
    return DeliveryKind.SUGGESTION


@lru_cache(maxsize=4096)
def slots(rhythm: Rhythm) -> tuple[Slot, ...]:
    """Every message of a pair's year in due order, check-ins included (pairs that share a
    rhythm share the computation: a tick over thousands of pairs does it a few times)."""
    if rhythm.before is None or rhythm.since is None:
        return _slots_from(rhythm, [], _anchor(rhythm) + _step(rhythm), welcome=True)
    kept = [slot for slot in slots(rhythm.before) if slot.due_at <= rhythm.since]
    if not any(slot.kind == DeliveryKind.WELCOME for slot in kept):  # not started by then
        return slots(dataclasses.replace(rhythm, before=None, since=None))
    rounds = [
        slot for slot in kept if slot.kind not in (DeliveryKind.WELCOME, DeliveryKind.CHECKIN)
    ]
    last = rounds[-1].due_at.astimezone(rhythm.before.zone).date() if rounds else None
    first = _on_weekday(last, rhythm) + _step(rhythm) if last else _anchor(rhythm) + _step(rhythm)
    local_since = rhythm.since.astimezone(rhythm.zone).date()
    if local_moment(first, rhythm.local_time, rhythm.zone) <= rhythm.since:
        first = _on_weekday(local_since, rhythm)
        if local_moment(first, rhythm.local_time, rhythm.zone) <= rhythm.since:
            first += dt.timedelta(weeks=1)
    return _slots_from(rhythm, kept, first, welcome=False)


def _step(rhythm: Rhythm) -> dt.timedelta:
    return dt.timedelta(weeks=rhythm.interval_weeks)


def _anchor(rhythm: Rhythm) -> dt.date:
    """The rhythm's weekday on or after the pair's start: round 1 is one interval later."""
    return rhythm.start_date + dt.timedelta(days=(rhythm.weekday - rhythm.start_date.weekday()) % 7)


def _on_weekday(day: dt.date, rhythm: Rhythm) -> dt.date:
    """The rhythm's weekday in the week (Monday to Sunday) of ``day``."""
    return day + dt.timedelta(days=rhythm.weekday - day.weekday())


def _slots_from(
    rhythm: Rhythm, kept: list[Slot], first: dt.date, *, welcome: bool
) -> tuple[Slot, ...]:
    """``kept`` (messages already owed under earlier rhythms), then the rounds from ``first``
    every interval before the end, numbered on from the kept ones, with their check-ins."""
    earlier = [s for s in kept if s.kind not in (DeliveryKind.WELCOME, DeliveryKind.CHECKIN)]
    earlier_days = [s.due_at.astimezone(rhythm.zone).date() for s in earlier]
    days = []
    day = first
    while day < rhythm.end_date:
        days.append(day)
        day += _step(rhythm)
    result = list(kept)
    if welcome:
        result.append(
            Slot(
                DeliveryKind.WELCOME,
                "start",
                local_moment(rhythm.start_date, rhythm.local_time, rhythm.zone),
            )
        )
    previous = earlier[-1].due_at if earlier else None
    all_days = earlier_days + days
    had = {s.kind for s in earlier} & {DeliveryKind.MIDPOINT, DeliveryKind.CLOSING}
    checked = {int(s.round_key[1:]) for s in kept if s.kind == DeliveryKind.CHECKIN}
    for index, day in enumerate(days):
        number = len(earlier) + index + 1
        due = local_moment(day, rhythm.local_time, rhythm.zone)
        checkin = local_moment(day - CHECKIN_LEAD, rhythm.local_time, rhythm.zone)
        later = rhythm.since is None or checkin > rhythm.since
        if previous is not None and checkin > previous and later and number not in checked:
            result.append(Slot(DeliveryKind.CHECKIN, f"r{number}", checkin))
        kind = round_kind(number, all_days, rhythm)
        if kind in had:  # a reflection already owed under an earlier rhythm comes once
            kind = DeliveryKind.SUGGESTION
        result.append(Slot(kind, f"r{number}", due))
        previous = due
    return tuple(result)


def due_slots(rhythm: Rhythm, now: dt.datetime, late_limit: dt.timedelta) -> list[Slot]:
    """What is owed at ``now``: the newest due round (or welcome) and the newest due check-in.

    Older slots are never sent late: after downtime a pair gets the round it is in, once, and
    a round more than ``late_limit`` overdue waits for the next one.
    """
    latest: dict[bool, Slot] = {}
    for slot in slots(rhythm):
        if slot.due_at > now:
            break
        latest[slot.kind == DeliveryKind.CHECKIN] = slot
    due = [s for s in latest.values() if now - s.due_at <= late_limit]
    checkin = latest.get(True)
    round_slot = latest.get(False)
    if checkin and round_slot and round_slot.due_at > checkin.due_at:
        due = [s for s in due if s.kind != DeliveryKind.CHECKIN]
    return sorted(due, key=lambda s: s.due_at)


def next_round_at(rhythm: Rhythm, now: dt.datetime) -> dt.datetime | None:
    """When the pair's next suggestion round falls due, or None when the year is over."""
    for slot in slots(rhythm):
        if slot.kind != DeliveryKind.CHECKIN and slot.due_at > now:
            return slot.due_at
    return None
