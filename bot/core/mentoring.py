"""``/mentoring``: a member's view of their pair, pausing and resuming, their own time zone and
their own export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from bot.core.context import Request
from bot.core.grammar import Command, Number, Verb, Word, Zone, as_options, help_verb
from bot.core.limits import DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS
from bot.core.pairs import describe_pair, member_pairs, pause_pair, resume_pair
from bot.core.replies import Attachment, Message, PairPost, Reply, said
from bot.core.rhythm import next_round_at, pair_zone, rhythm_for
from storage.models import Goal, GoalStatus, Meeting, Pair, PairStatus

WEEKS = Number(
    "weeks",
    "WEEKS",
    "a number of weeks",
    example="4",
    minimum=1,
    maximum=MAX_PAUSE_WEEKS,
)


def status(request: Request, pair: Pair) -> Message:
    meetings, minutes = request.session.execute(
        select(func.count(Meeting.id), func.coalesce(func.sum(Meeting.duration_minutes), 0)).where(
            Meeting.pair_id == pair.id
        )
    ).one()
    open_goals = request.session.scalars(
        select(Goal.text)
        .where(Goal.pair_id == pair.id, Goal.status == GoalStatus.OPEN)
        .order_by(Goal.number)
    ).all()
    zone = request.zone(pair.program.timezone)
    lines = [
        f"**Your pair** {describe_pair(pair, request.person.id)}, "
        f"{said(pair.program.name)}, since {pair.start_date:%-d %b %Y}."
    ]
    if pair.status == PairStatus.PAUSED and pair.paused_until:
        lines.append(
            f"⏸️ Paused until {pair.paused_until:%a %-d %b}; `/mentoring resume` to restart."
        )
    elif pair.status == PairStatus.ENDED:
        lines.append("This pair has ended.")
    else:
        upcoming = next_round_at(rhythm_for(pair), request.now)
        lines.append(
            f"Next suggestion: {upcoming.astimezone(zone):%a %-d %b, %H:%M}."
            if upcoming
            else "No more suggestions this program year."
        )
    lines.append(f"Meetings so far: {meetings} ({round(minutes / 60, 1)} h).")
    if open_goals:
        lines.append(f"Open goals ({len(open_goals)}): " + _goals_in_brief(open_goals))
    else:
        lines.append("No open goals; add one with `/goal add TEXT`.")
    return Message("\n".join(lines))


STATUS_GOALS = 1200  # characters of open goals a status shows, so it stays one message


def _goals_in_brief(goals: Sequence[str]) -> str:
    """As many open goals as fit one status message, then how many more `/goal list` has."""
    shown: list[str] = []
    used = 0
    for goal in goals:
        used += len(goal) + 2
        if used > STATUS_GOALS and shown:
            more = len(goals) - len(shown)
            return "; ".join(map(said, shown)) + f"; … and {more} more (`/goal list`)"
        shown.append(goal if len(goal) <= STATUS_GOALS else goal[: STATUS_GOALS - 1] + "…")
    return "; ".join(map(said, shown))


def _status(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return Reply(message=status(request, pair))


def _pause(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    weeks = values["weeks"] or DEFAULT_PAUSE_WEEKS
    until = pause_pair(pair, weeks, request.today(pair.program.timezone))
    request.audit("pair.pause", "pair", pair.id, weeks=weeks)
    who = said(request.person.display_name)
    notice = f"⏸️ {who} paused suggestions until {until:%a %-d %b %Y}."
    return Reply(
        message=Message(
            f"Paused for {weeks} weeks, until {until:%a %-d %b %Y}. "
            "`/mentoring resume` brings suggestions back sooner."
        ),
        posts=(PairPost(pair.id, Message(notice), by=request.person.id),),
    )


def _resume(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    resume_pair(pair)
    request.audit("pair.resume", "pair", pair.id)
    return Reply(
        message=Message("Suggestions are back on; the next one comes with the next round."),
        posts=(
            PairPost(
                pair.id,
                Message(f"▶️ {said(request.person.display_name)} resumed suggestions."),
                by=request.person.id,
            ),
        ),
    )


# -- the member's own time zone ----------------------------------------------------------------

ZONE_AUDIT = "person.timezone"
ZONE_EXAMPLE = "Europe/London"
WHEN = "%a %-d %b, %H:%M"
SLACK, DISCORD = "slack", "discord"


@dataclass(frozen=True)
class TypedZone(Zone):
    """A time zone name as a member types it: the words left are all part of it, so
    ``America/New York`` reads as ``America/New_York`` (``Zone`` folds spaces into ``_``)."""

    def span(self, words: Sequence[Word], at: int) -> int:
        return max(len(words) - at, 0)


ZONE = TypedZone("zone", "ZONE", "your time zone (an IANA name)", example=ZONE_EXAMPLE)


@dataclass(frozen=True)
class ZoneInUse:
    """The zone a member's times are shown in, and where it comes from: ``own`` (set with
    ``/mentoring timezone``), ``slack`` (their Slack profile), ``recorded`` (kept with their
    pair, e.g. from the import), or, when they have none, ``program`` or ``default``."""

    name: str
    source: str


def zone_in_use(request: Request, pairs: Sequence[Pair]) -> ZoneInUse:
    person = request.person
    if person.timezone:
        if person.timezone_chosen:
            return ZoneInUse(person.timezone, "own")
        return ZoneInUse(person.timezone, "slack" if person.platform == SLACK else "recorded")
    if pairs:
        return ZoneInUse(pairs[0].program.timezone, "program")
    return ZoneInUse(request.core.settings.timezone, "default")


def _timezone(request: Request, values: Mapping[str, Any]) -> Reply:
    pairs = member_pairs(request.session, request.person.id)
    wanted = values["zone"]
    before = zone_in_use(request, pairs)
    if not wanted:
        return Reply(message=_zone_shown(request, pairs, before))
    if before == ZoneInUse(wanted, "own"):
        return Reply.text(f"Your time zone is already `{wanted}`, set by you; nothing changed.")
    earlier = {pair.id: next_round_at(rhythm_for(pair), request.now) for pair in pairs}
    previous = request.person.timezone
    request.person.timezone = wanted
    request.person.timezone_chosen = True
    request.audit(ZONE_AUDIT, "person", request.person.id, zone=wanted, previous=previous)
    lines = [
        f"Your time zone is now `{wanted}`, set by you ({_was(before)}). {_clock(request, wanted)}",
        *_pair_lines(request, pairs, wanted, earlier),
    ]
    return Reply(message=Message("\n".join(lines)))


def _zone_shown(request: Request, pairs: Sequence[Pair], zone: ZoneInUse) -> Message:
    first = {
        "own": f"Your time zone is `{zone.name}`, set by you.",
        "slack": f"Your time zone is `{zone.name}`, from your Slack profile.",
        "recorded": f"Your time zone is `{zone.name}`, as recorded when your pair was set up.",
        "program": f"You have not set a time zone, so your program's is used: `{zone.name}`.",
        "default": f"You have not set a time zone, so the bot's default is used: `{zone.name}`.",
    }[zone.source]
    example = ZONE_EXAMPLE if zone.name != ZONE_EXAMPLE else "America/Chicago"
    verb = MENTORING.verb("timezone")
    if request.actor.platform == DISCORD:
        typed = as_options(MENTORING, verb, {ZONE.name: example})
        names = "an IANA name, in any letter case; the option suggests names as you type"
    else:
        typed = f"/mentoring timezone {example}"
        names = "an IANA name like `America/Chicago` or `Asia/Kolkata`, in any letter case"
    change = "change" if request.person.timezone else "set"
    return Message(
        "\n".join(
            [
                f"{first} {_clock(request, zone.name)}",
                *_pair_lines(request, pairs, zone.name),
                f"To {change} it, type e.g. `{typed}` ({names}).",
            ]
        )
    )


def _was(zone: ZoneInUse) -> str:
    return {
        "own": f"it was `{zone.name}`",
        "slack": f"it was `{zone.name}`, from your Slack profile",
        "recorded": f"it was `{zone.name}`, as recorded when your pair was set up",
        "program": f"you had not set one, so your program's `{zone.name}` was used",
        "default": f"you had not set one, so the bot's default `{zone.name}` was used",
    }[zone.source]


def _clock(request: Request, zone: str) -> str:
    local = request.now.astimezone(ZoneInfo(zone))
    return f"It is {local:%H:%M} on {local:%a %-d %b} there."


def _pair_lines(
    request: Request,
    pairs: Sequence[Pair],
    zone: str,
    earlier: Mapping[int, dt.datetime | None] | None = None,
) -> list[str]:
    """When each of the member's pairs gets its next suggestion, in ``zone``, and whose clock
    the pair's rounds keep (the mentee's zone where known, else the mentor's, else the
    program's); ``earlier``: when it was due before the member's zone changed."""
    me = request.person.id
    local = ZoneInfo(zone)
    lines = []
    for pair in pairs:
        with_whom = describe_pair(pair, me)
        if pair.status == PairStatus.PAUSED and pair.paused_until:
            lines.append(f"Your pair {with_whom} is paused until {pair.paused_until:%a %-d %b}.")
            continue
        upcoming = next_round_at(rhythm_for(pair), request.now)
        if upcoming is None:
            lines.append(f"Your pair {with_whom} has no more suggestions this program year.")
            continue
        now_due, was_due = upcoming.astimezone(local), (earlier or {}).get(pair.id)
        moved = ""
        if was_due is not None and was_due != upcoming:
            was_due = was_due.astimezone(local)
            shape = "%H:%M" if was_due.date() == now_due.date() else WHEN
            moved = f", until now {was_due:{shape}}"
        lines.append(
            f"Next suggestion {with_whom}: {now_due:{WHEN}} your time{moved} "
            f"({_whose_clock(pair, me)})."
        )
    return lines


def _whose_clock(pair: Pair, me: int) -> str:
    keeper = next((p for p in (pair.mentee, pair.mentor) if p.timezone), None)
    if keeper is None:
        return f"your pair's suggestions follow the program's time zone, `{pair_zone(pair)}`"
    if keeper.id == me:
        return "your pair's suggestions follow your time zone"
    return (
        f"your pair's suggestions follow {said(keeper.display_name)}'s time zone, "
        f"`{keeper.timezone}`"
    )


def _export(request: Request, values: Mapping[str, Any]) -> Reply:
    """Everything kept about the caller's pairs' goals and meetings, as a JSON file."""
    person = request.person
    pairs = request.session.scalars(
        select(Pair).where(or_(Pair.mentor_id == person.id, Pair.mentee_id == person.id))
    ).all()
    data = {
        "person": {
            "name": person.display_name,
            "platform": person.platform,
            "user_id": person.platform_user_id,
        },
        "pairs": [_pair_export(request, pair) for pair in pairs],
    }
    content = json.dumps(data, indent=2, ensure_ascii=False).encode()
    return Reply(
        message=Message(
            f"Here is everything kept about your goals and meetings ({len(pairs)} pair(s)).",
            attachments=(
                Attachment(
                    "mentoring-export.json", content, "Your mentoring data", "application/json"
                ),
            ),
        )
    )


def _pair_export(request: Request, pair: Pair) -> dict[str, object]:
    goals = request.session.scalars(select(Goal).where(Goal.pair_id == pair.id)).all()
    meetings = request.session.scalars(select(Meeting).where(Meeting.pair_id == pair.id)).all()
    return {
        "pair": describe_pair(pair),
        "program": pair.program.name,
        "status": pair.status,
        "started": pair.start_date.isoformat(),
        "goals": [
            {
                "number": g.number,
                "text": g.text,
                "status": g.status,
                "created_at": g.created_at.isoformat(),
            }
            for g in goals
        ],
        "meetings": [
            {
                "number": m.number,
                "date": m.met_on.isoformat(),
                "minutes": m.duration_minutes,
                "activity": m.activity_title,
                "notes": m.notes,
                "next_steps": m.next_steps,
            }
            for m in meetings
        ],
    }


MENTORING = Command(
    "mentoring",
    "your pair and its suggestions.",
    verbs=(
        Verb(
            "status",
            "your pair, the next suggestion's date, meetings so far, open goals",
            _status,
            example="/mentoring status",
        ),
        Verb(
            "pause",
            f"hold suggestions for a while (default {DEFAULT_PAUSE_WEEKS} weeks, "
            f"at most {MAX_PAUSE_WEEKS})",
            _pause,
            (WEEKS,),
            example="/mentoring pause 4",
        ),
        Verb("resume", "start suggestions again", _resume, example="/mentoring resume"),
        Verb(
            "timezone",
            "show your time zone, or set it (an IANA name like America/Chicago)",
            _timezone,
            (ZONE,),
            example=f"/mentoring timezone {ZONE_EXAMPLE}",
            needs_pair=False,
        ),
        Verb(
            "export",
            "everything the bot keeps about your goals and meetings, as a file",
            _export,
            example="/mentoring export",
            needs_pair=False,
        ),
        help_verb("/mentoring"),
    ),
    default="help",
    notes=("Coordinators: `/mentoring-summary` (see `/mentoring-summary help`).",),
)
