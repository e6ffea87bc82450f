"""``/mentoring``: a member's view of their pair, pausing and resuming, and their own export."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_, select

from bot.core.context import Request
from bot.core.grammar import Command, Number, Verb, help_verb
from bot.core.limits import DEFAULT_PAUSE_WEEKS, MAX_PAUSE_WEEKS
from bot.core.pairs import describe_pair, pause_pair, resume_pair
from bot.core.replies import Attachment, Message, PairPost, Reply, said
from bot.core.rhythm import next_round_at, rhythm_for
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
