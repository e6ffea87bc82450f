"""``/mentoring``: a member's view of their pair, pausing and resuming, and their own export."""

from __future__ import annotations

import json

from sqlalchemy import func, or_, select

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.pairs import MAX_PAUSE_WEEKS, describe_pair, pause_pair, resolve_pair, resume_pair
from bot.core.replies import Attachment, Message, PairPost, Reply
from bot.core.rhythm import next_round_at, rhythm_for
from prompts.messages import render
from storage.models import Goal, GoalStatus, Meeting, Pair, PairStatus

USAGE = "/mentoring"
DEFAULT_PAUSE_WEEKS = 4


def handle_mentoring(request: Request, text: str) -> Reply:
    """Dispatch ``/mentoring [status|pause [WEEKS]|resume|export|help]``."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.casefold()
    if verb in ("", "help", "-h", "--help", "?"):
        return Reply.text(render("mentoring_help"))
    if verb == "export":
        return _export(request)
    if verb not in ("status", "pause", "resume"):
        raise InputError(
            f"“{verb}” is not a /mentoring command; try `/mentoring status`, "
            "`/mentoring pause 4`, `/mentoring resume` or `/mentoring help`."
        )
    pair, rest = resolve_pair(request, rest.strip(), f"{USAGE} {verb}")
    if verb == "status":
        return Reply(message=status(request, pair))
    if verb == "pause":
        return _pause(request, pair, rest.strip())
    resume_pair(pair)
    request.audit("pair.resume", "pair", pair.id)
    return Reply(
        message=Message("Suggestions are back on; the next one comes with the next round."),
        posts=(
            PairPost(pair.id, Message(f"▶️ {request.person.display_name} resumed suggestions.")),
        ),
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
        f"{pair.program.name}, since {pair.start_date:%-d %b %Y}."
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
        lines.append(f"Open goals ({len(open_goals)}): " + "; ".join(open_goals))
    else:
        lines.append("No open goals; add one with `/goal add TEXT`.")
    return Message("\n".join(lines))


def _pause(request: Request, pair: Pair, weeks_text: str) -> Reply:
    if weeks_text and not weeks_text.isdigit():
        raise InputError(
            f"“{weeks_text}” is not a number of weeks; type e.g. `/mentoring pause 4` "
            f"(1 to {MAX_PAUSE_WEEKS})."
        )
    weeks = int(weeks_text) if weeks_text else DEFAULT_PAUSE_WEEKS
    until = pause_pair(pair, weeks, request.today(pair.program.timezone))
    request.audit("pair.pause", "pair", pair.id, weeks=weeks)
    notice = f"⏸️ {request.person.display_name} paused suggestions until {until:%a %-d %b %Y}."
    return Reply(
        message=Message(
            f"Paused for {weeks} weeks, until {until:%a %-d %b %Y}. "
            "`/mentoring resume` brings suggestions back sooner."
        ),
        posts=(PairPost(pair.id, Message(notice)),),
    )


def _export(request: Request) -> Reply:
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
