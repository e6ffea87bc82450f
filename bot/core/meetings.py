"""``/log-meeting``: recording meetings by text or form, listing, deleting and sharing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy import func, select

from bot.core.context import Request
from bot.core.dates import (
    MAX_NOTES,
    check_meeting_date,
    format_duration,
    parse_date,
    parse_duration,
    parse_meeting_text,
)
from bot.core.errors import InputError
from bot.core.pairs import resolve_pair
from bot.core.replies import FieldKind, Form, FormField, Message, Option, PairPost, Reply
from prompts.messages import render
from storage.models import Delivery, DeliveryKind, Goal, GoalStatus, Meeting, MeetingGoal, Pair

T = TypeVar("T")

USAGE = "/log-meeting"
MEETING_FORM = "log-meeting"
OTHER_ACTIVITY = "other"
RECENT_SUGGESTIONS = 5


def handle_log_meeting(request: Request, text: str) -> Reply:
    """Dispatch ``/log-meeting [list|delete N|share N|help|DATE DURATION NOTES…]``."""
    verb, _, rest = text.strip().partition(" ")
    lowered = verb.casefold()
    if lowered in ("help", "-h", "--help", "?"):
        return Reply.text(render("log_meeting_help"))
    if lowered in ("list", "delete", "share"):
        pair, rest = resolve_pair(request, rest.strip(), f"{USAGE} {lowered}")
        if lowered == "list":
            return Reply(message=meeting_list(request, pair))
        return _delete_or_share(request, pair, lowered, rest.strip())
    pair, rest = resolve_pair(request, text.strip(), USAGE)
    if not rest:
        return Reply(form=meeting_form(request, pair))
    parsed = parse_meeting_text(rest, request.today(pair.program.timezone))
    check_meeting_date(parsed.met_on, request.today(pair.program.timezone), pair.start_date)
    return record_meeting(
        request,
        pair,
        met_on=parsed.met_on,
        duration_minutes=parsed.duration_minutes,
        notes=parsed.notes,
        next_steps=parsed.next_steps,
    )


def meeting_form(
    request: Request, pair: Pair, *, activity_id: str | None = None, delivery_id: int | None = None
) -> Form:
    """The meeting form, with the pair's recent suggestions and open goals to choose from."""
    catalog = request.core.catalog
    recent = request.session.scalars(
        select(Delivery.activity_id)
        .where(
            Delivery.pair_id == pair.id,
            Delivery.activity_id.is_not(None),
            Delivery.kind.in_((DeliveryKind.SUGGESTION, DeliveryKind.WELCOME)),
        )
        .order_by(Delivery.due_at.desc())
        .limit(RECENT_SUGGESTIONS)
    ).all()
    known = [a for a in dict.fromkeys(recent) if a in catalog.activity_ids]
    if activity_id and activity_id not in known:
        known.insert(0, activity_id)
    activities = [Option(a, catalog.activity(a).title[:75]) for a in known]
    activities.append(Option(OTHER_ACTIVITY, "Something else"))
    goals = request.session.scalars(
        select(Goal)
        .where(Goal.pair_id == pair.id, Goal.status == GoalStatus.OPEN)
        .order_by(Goal.number)
    ).all()
    # From a suggestion's "Done, log it" the activity is known: no field for it (which keeps
    # the form within Discord's five fields), just a line saying which.
    preset = activity_id if delivery_id and activity_id in catalog.activity_ids else None
    fields = [
        FormField(
            "date",
            "Date",
            FieldKind.DATE,
            required=True,
            initial=request.today(pair.program.timezone).isoformat(),
            hint="today, yesterday, 2026-11-03, tuesday or 3 days ago",
        ),
        FormField(
            "duration",
            "Duration",
            FieldKind.TEXT,
            required=True,
            hint="e.g. 45m, 1h, 1h30m",
            max_length=20,
        ),
        FormField(
            "activity",
            "Activity",
            FieldKind.SELECT,
            required=True,
            initial=activity_id or OTHER_ACTIVITY,
            options=tuple(activities),
        ),
        FormField(
            "notes", "Notes (private to your pair)", FieldKind.LONG_TEXT, max_length=MAX_NOTES
        ),
        FormField("next_steps", "Next steps you agreed", FieldKind.LONG_TEXT, max_length=1000),
    ]
    if preset:
        fields = [f for f in fields if f.name != "activity"]
    if goals:
        fields.append(
            FormField(
                "goals",
                "Goals this meeting moved",
                FieldKind.MULTI_SELECT,
                options=tuple(Option(str(g.number), f"{g.number}. {g.text}"[:75]) for g in goals),
            )
        )
    context = f"pair:{pair.id}" + (f":delivery:{delivery_id}" if delivery_id else "")
    intro = f"Activity: **{catalog.activity(preset).title}**" if preset else ""
    return Form(
        MEETING_FORM,
        "Log a meeting",
        tuple(fields),
        submit_label="Log it",
        context=context,
        intro=intro,
    )


def submit_meeting_form(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    """Check every field of a submitted meeting form; errors come back per field."""
    pair, delivery_id = _form_context(request, context)
    today = request.today(pair.program.timezone)
    errors: dict[str, str] = {}

    def check(name: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except InputError as error:
            errors[name] = error.message
            return None

    def parse_met_on() -> dt.date:
        met_on = parse_date(_text(values, "date") or "today", today)
        check_meeting_date(met_on, today, pair.start_date)
        return met_on

    def parse_notes() -> str:
        notes = _text(values, "notes")
        if len(notes) > MAX_NOTES:
            raise InputError(f"Notes are {len(notes)} characters; keep them under {MAX_NOTES}.")
        return notes

    met_on = check("date", parse_met_on)
    duration = check("duration", lambda: parse_duration(_text(values, "duration")))
    notes = check("notes", parse_notes)
    activity = _text(values, "activity") or _suggested_activity(request, pair, delivery_id)
    if activity != OTHER_ACTIVITY and activity not in request.core.catalog.activity_ids:
        errors["activity"] = "Choose one of the listed activities, or “Something else”."
    goal_numbers = check("goals", lambda: _goal_numbers(request, pair, values.get("goals")))
    if errors:
        return Reply(field_errors=errors)
    return record_meeting(
        request,
        pair,
        met_on=met_on,
        duration_minutes=duration,
        notes=notes or "",
        next_steps=_text(values, "next_steps"),
        activity_id=None if activity == OTHER_ACTIVITY else activity,
        goal_numbers=goal_numbers or (),
        delivery_id=delivery_id,
    )


def record_meeting(
    request: Request,
    pair: Pair,
    *,
    met_on: dt.date,
    duration_minutes: int | None,
    notes: str,
    next_steps: str,
    activity_id: str | None = None,
    goal_numbers: Sequence[int] = (),
    delivery_id: int | None = None,
) -> Reply:
    """Store a meeting, tell the pair's conversation, and confirm to the caller."""
    number = (
        request.session.scalar(select(func.max(Meeting.number)).where(Meeting.pair_id == pair.id))
        or 0
    ) + 1
    title = request.core.catalog.activity(activity_id).title if activity_id else None
    meeting = Meeting(
        pair_id=pair.id,
        number=number,
        met_on=met_on,
        duration_minutes=duration_minutes,
        activity_id=activity_id,
        activity_title=title,
        notes=notes,
        next_steps=next_steps,
        delivery_id=delivery_id,
        logged_by_id=request.person.id,
        created_at=request.now,
    )
    request.session.add(meeting)
    request.session.flush()
    moved = []
    if goal_numbers:
        moved = list(
            request.session.scalars(
                select(Goal).where(Goal.pair_id == pair.id, Goal.number.in_(goal_numbers))
            )
        )
        request.session.add_all(MeetingGoal(meeting_id=meeting.id, goal_id=g.id) for g in moved)
    request.audit("meeting.log", "meeting", meeting.id, number=number)
    summary = describe_meeting(meeting)
    confirmation = [f"Logged meeting **{number}**: {summary}."]
    if moved:
        confirmation.append("Goals moved: " + ", ".join(str(g.number) for g in moved) + ".")
    if next_steps:
        confirmation.append(f"Next steps: {next_steps}")
    if duration_minutes is None:
        confirmation.append(
            "_No duration given, so it won't count towards hours; "
            f"`/log-meeting delete {number}` and log it again to add one._"
        )
    notice = Message(f"📝 {request.person.display_name} logged a meeting: {summary}.")
    return Reply(message=Message("\n".join(confirmation)), posts=(PairPost(pair.id, notice),))


def describe_meeting(meeting: Meeting) -> str:
    parts = [meeting.met_on.strftime("%a %-d %b %Y")]
    if meeting.duration_minutes:
        parts.append(format_duration(meeting.duration_minutes))
    parts.append(meeting.activity_title or "own activity")
    return ", ".join(parts)


def meeting_list(request: Request, pair: Pair) -> Message:
    meetings = request.session.scalars(
        select(Meeting).where(Meeting.pair_id == pair.id).order_by(Meeting.met_on, Meeting.number)
    ).all()
    if not meetings:
        return Message("No meetings logged yet. Log one with `/log-meeting`.")
    lines = [f"**Meetings** ({len(meetings)})"]
    for meeting in meetings:
        who = meeting.logged_by.display_name if meeting.logged_by else "someone"
        line = f"**{meeting.number}.** {describe_meeting(meeting)}  _(logged by {who})_"
        if meeting.notes:
            shared = " (shared with coordinators)" if meeting.notes_shared else ""
            line += f"\n    Notes{shared}: {meeting.notes}"
        if meeting.next_steps:
            line += f"\n    Next: {meeting.next_steps}"
        lines.append(line)
    return Message("\n".join(lines))


def _delete_or_share(request: Request, pair: Pair, verb: str, number: str) -> Reply:
    if not number.isdigit():
        raise InputError(
            f"`{USAGE} {verb}` needs a meeting number; type e.g. `{USAGE} {verb} 2` "
            f"(`{USAGE} list` shows the numbers)."
        )
    meeting = request.session.scalar(
        select(Meeting).where(Meeting.pair_id == pair.id, Meeting.number == int(number))
    )
    if meeting is None:
        raise InputError(f"Your pair has no meeting {number}; `{USAGE} list` shows the numbers.")
    if meeting.logged_by_id != request.person.id:
        raise InputError(f"Meeting {number} was logged by your partner; only they can {verb} it.")
    if verb == "delete":
        request.audit("meeting.delete", "meeting", meeting.id, number=meeting.number)
        request.session.delete(meeting)
        return Reply.text(f"Deleted meeting **{number}** ({describe_meeting(meeting)}).")
    if meeting.notes_shared:
        raise InputError(f"The notes of meeting {number} are already shared with coordinators.")
    meeting.notes_shared = True
    request.audit("meeting.share", "meeting", meeting.id, number=meeting.number)
    return Reply.text(f"Coordinators can now read the notes of meeting **{number}**.")


def _form_context(request: Request, context: str) -> tuple[Pair, int | None]:
    parts = context.split(":")
    try:
        pair_id = int(parts[1])
        delivery_id = int(parts[3]) if len(parts) > 3 else None
    except (IndexError, ValueError):
        raise InputError(
            "This form is out of date; type `/log-meeting` to open a new one."
        ) from None
    pair = request.session.get(Pair, pair_id)
    if pair is None or request.person.id not in (pair.mentor_id, pair.mentee_id):
        raise InputError("This form is for a pair you are not in; type `/log-meeting` for yours.")
    return pair, delivery_id


def _suggested_activity(request: Request, pair: Pair, delivery_id: int | None) -> str:
    """The activity of the suggestion a form was opened from, else "something else"."""
    delivery = request.session.get(Delivery, delivery_id) if delivery_id else None
    if delivery is None or delivery.pair_id != pair.id or not delivery.activity_id:
        return OTHER_ACTIVITY
    return delivery.activity_id


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


def _goal_numbers(request: Request, pair: Pair, value: object) -> list[int]:
    """The pair's goal numbers picked in the form; anything else is named back to the member."""
    items = value if isinstance(value, list | tuple) else str(value or "").replace(",", " ").split()
    known = set(request.session.scalars(select(Goal.number).where(Goal.pair_id == pair.id)))
    numbers = []
    for item in map(str, items):
        if not item.strip().isdigit() or int(item) not in known:
            choices = ", ".join(map(str, sorted(known))) or "none yet"
            raise InputError(
                f"“{item.strip()}” is not one of your pair's goal numbers ({choices})."
            )
        numbers.append(int(item))
    return numbers
