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
from bot.core.reflections import ASSESS_VERB, REFLECT_VERB
from bot.core.replies import Attachment, Message, PairPost, Reply, said
from bot.core.rhythm import next_round_at, pair_zone, rhythm_for
from prompts.messages import render
from storage.models import (
    CompetencyRating,
    Goal,
    GoalStatus,
    Meeting,
    Pair,
    PairStatus,
    Reflection,
)

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
        render(
            "mentoring.your_pair",
            pair=describe_pair(pair, request.person.id),
            program=said(pair.program.name),
            since=f"{pair.start_date:%-d %b %Y}",
        )
    ]
    if pair.status == PairStatus.PAUSED and pair.paused_until:
        lines.append(render("mentoring.paused_until", until=f"{pair.paused_until:%a %-d %b}"))
    elif pair.status == PairStatus.ENDED:
        lines.append(render("mentoring.ended"))
    else:
        upcoming = next_round_at(rhythm_for(pair), request.now)
        lines.append(
            render(
                "mentoring.next_suggestion", when=f"{upcoming.astimezone(zone):%a %-d %b, %H:%M}"
            )
            if upcoming
            else render("mentoring.no_more_suggestions")
        )
    lines.append(render("mentoring.meetings_so_far", count=meetings, hours=round(minutes / 60, 1)))
    if open_goals:
        lines.append(
            render("mentoring.open_goals", count=len(open_goals), goals=_goals_in_brief(open_goals))
        )
    else:
        lines.append(render("mentoring.no_open_goals"))
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
            return "; ".join(map(said, shown)) + render("mentoring.more_goals", more=more)
        shown.append(goal if len(goal) <= STATUS_GOALS else goal[: STATUS_GOALS - 1] + "…")
    return "; ".join(map(said, shown))


def _status(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return Reply(message=status(request, pair))


def _pause(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    weeks = values["weeks"] or DEFAULT_PAUSE_WEEKS
    until = pause_pair(pair, weeks, request.today(pair.program.timezone))
    request.audit("pair.pause", "pair", pair.id, weeks=weeks)
    who = said(request.person.display_name)
    when = f"{until:%a %-d %b %Y}"
    notice = render("mentoring.paused_notice", who=who, until=when)
    return Reply(
        message=Message(render("mentoring.paused", weeks=weeks, until=when)),
        posts=(PairPost(pair.id, Message(notice), by=request.person.id),),
    )


def _resume(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    resume_pair(pair)
    request.audit("pair.resume", "pair", pair.id)
    return Reply(
        message=Message(render("mentoring.resumed")),
        posts=(
            PairPost(
                pair.id,
                Message(render("mentoring.resumed_notice", who=said(request.person.display_name))),
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
        return Reply.text(render("mentoring.zone_unchanged", zone=wanted))
    earlier = {pair.id: next_round_at(rhythm_for(pair), request.now) for pair in pairs}
    previous = request.person.timezone
    request.person.timezone = wanted
    request.person.timezone_chosen = True
    request.audit(ZONE_AUDIT, "person", request.person.id, zone=wanted, previous=previous)
    lines = [
        render("mentoring.zone_set", zone=wanted, was=_was(before), clock=_clock(request, wanted)),
        *_pair_lines(request, pairs, wanted, earlier),
    ]
    return Reply(message=Message("\n".join(lines)))


def _zone_shown(request: Request, pairs: Sequence[Pair], zone: ZoneInUse) -> Message:
    shown = {
        "own": "mentoring.zone_own",
        "slack": "mentoring.zone_slack",
        "recorded": "mentoring.zone_recorded",
        "program": "mentoring.zone_program",
        "default": "mentoring.zone_default",
    }[zone.source]
    first = render(shown, zone=zone.name)
    example = ZONE_EXAMPLE if zone.name != ZONE_EXAMPLE else "America/Chicago"
    verb = MENTORING.verb("timezone")
    if request.actor.platform == DISCORD:
        typed = as_options(MENTORING, verb, {ZONE.name: example})
        names = render("mentoring.zone_names_discord")
    else:
        typed = f"/mentoring timezone {example}"
        names = render("mentoring.zone_names")
    change = "mentoring.zone_change" if request.person.timezone else "mentoring.zone_set_first"
    return Message(
        "\n".join(
            [
                render("mentoring.zone_shown", first=first, clock=_clock(request, zone.name)),
                *_pair_lines(request, pairs, zone.name),
                render(change, typed=typed, names=names),
            ]
        )
    )


def _was(zone: ZoneInUse) -> str:
    was = {
        "own": "mentoring.was_own",
        "slack": "mentoring.was_slack",
        "recorded": "mentoring.was_recorded",
        "program": "mentoring.was_program",
        "default": "mentoring.was_default",
    }[zone.source]
    return render(was, zone=zone.name)


def _clock(request: Request, zone: str) -> str:
    local = request.now.astimezone(ZoneInfo(zone))
    return render("mentoring.clock", time=f"{local:%H:%M}", day=f"{local:%a %-d %b}")


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
            until = f"{pair.paused_until:%a %-d %b}"
            lines.append(render("mentoring.pair_paused", pair=with_whom, until=until))
            continue
        upcoming = next_round_at(rhythm_for(pair), request.now)
        if upcoming is None:
            lines.append(render("mentoring.pair_no_more", pair=with_whom))
            continue
        now_due, was_due = upcoming.astimezone(local), (earlier or {}).get(pair.id)
        moved = ""
        if was_due is not None and was_due != upcoming:
            was_due = was_due.astimezone(local)
            shape = "%H:%M" if was_due.date() == now_due.date() else WHEN
            moved = render("mentoring.until_now", when=f"{was_due:{shape}}")
        lines.append(
            render(
                "mentoring.pair_next",
                pair=with_whom,
                when=f"{now_due:{WHEN}}",
                moved=moved,
                clock=_whose_clock(pair, me),
            )
        )
    return lines


def _whose_clock(pair: Pair, me: int) -> str:
    keeper = next((p for p in (pair.mentee, pair.mentor) if p.timezone), None)
    if keeper is None:
        return render("mentoring.clock_program", zone=pair_zone(pair))
    if keeper.id == me:
        return render("mentoring.clock_yours")
    return render("mentoring.clock_member", who=said(keeper.display_name), zone=keeper.timezone)


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
            render("mentoring.export", count=len(pairs)),
            attachments=(
                Attachment(
                    "mentoring-export.json",
                    content,
                    render("mentoring.export_title"),
                    "application/json",
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
                "rating": m.rating,
            }
            for m in meetings
        ],
        **_own_answers(request, pair),
    }


def _own_answers(request: Request, pair: Pair) -> dict[str, object]:
    """The caller's own reflections and self-ratings in ``pair`` (not their partner's)."""
    mine = request.person.id
    reflections = request.session.scalars(
        select(Reflection).where(Reflection.pair_id == pair.id, Reflection.person_id == mine)
    ).all()
    ratings = request.session.scalars(
        select(CompetencyRating).where(
            CompetencyRating.pair_id == pair.id, CompetencyRating.person_id == mine
        )
    ).all()
    return {
        "my_reflections": [
            {
                "phase": r.phase,
                "score": r.score,
                "worked": r.worked,
                "change": r.change,
                "goals_reached": r.goals_reached,
                "may_be_quoted": r.shared,
                "answered_at": r.created_at.isoformat(),
            }
            for r in reflections
        ],
        "my_competency_ratings": [
            {"phase": c.phase, "area": c.area, "level": c.level} for c in ratings
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
        REFLECT_VERB,
        ASSESS_VERB,
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
