"""``/log-meeting``: recording meetings by text, Discord options or form; listing, deleting and
sharing them. Every path checks a meeting the same way (``_checked``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from bot.core.context import Request
from bot.core.dates import check_meeting_date, format_duration
from bot.core.errors import InputError
from bot.core.forms import OUT_OF_DATE, FormKind, context_pair
from bot.core.grammar import (
    DIGITS,
    Command,
    HowLong,
    Number,
    Numbers,
    Pick,
    Text,
    Verb,
    When,
    bind,
    help_verb,
)
from bot.core.limits import MAX_MEETING_MINUTES, MAX_NUMBER, NEXT_STEPS, NOTES, RATING_SCALE
from bot.core.paging import PageAction, paged
from bot.core.replies import FieldKind, Form, FormField, Message, Option, PairPost, Reply, said
from prompts.messages import render
from storage.models import Delivery, DeliveryKind, Goal, GoalStatus, Meeting, MeetingGoal, Pair
from storage.numbers import next_number

USAGE = "/log-meeting"
MEETING_FORM = "log-meeting"
OTHER_ACTIVITY = "other"
RECENT_SUGGESTIONS = 5

DATE = When("date", "DATE", "the day you met", example="yesterday")
DURATION = HowLong("duration", "DURATION", "how long you met", example="45m")
NOTES_TEXT = Text("notes", "NOTES…", "your notes", maximum=NOTES, plural=True)
NEXT_TEXT = Text(
    "next_steps",
    "NEXT STEPS",
    "your next steps",
    maximum=NEXT_STEPS,
    marker="next:",
    plural=True,
)
RATING = Number(
    "rating",
    "N",
    "how useful the meeting was",
    example="4",
    tag="rating:",
    minimum=RATING_SCALE[0],
    maximum=RATING_SCALE[1],
)
ACTIVITY = Pick("activity", "ACTIVITY", "the activity you did", in_text=False)
GOALS = Numbers("goals", "GOALS", "a goal number", example="1 3", in_text=False)
NUMBER = Number(
    "number",
    "N",
    "a meeting number",
    example="2",
    required=True,
    maximum=MAX_NUMBER,
    hint="`/log-meeting list` shows the numbers",
)


# -- logging -------------------------------------------------------------------------------


def _log(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    """A meeting from typed words or Discord options; the first problem is the refusal."""
    checked, errors = _checked(request, pair, values)
    if errors:
        raise InputError("\n".join(errors.values()))
    return record_meeting(request, pair, **checked)


def _checked(
    request: Request, pair: Pair, values: Mapping[str, Any], delivery: Delivery | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The meeting's fields once every rule holds, and a sentence for each that does not."""
    today = request.today(pair.program.timezone)
    errors: dict[str, str] = {}
    met_on = values["date"]
    try:
        check_meeting_date(met_on, today, pair.start_date)
    except InputError as error:
        errors["date"] = error.message
    minutes = values.get("duration")
    if minutes and "date" not in errors:
        logged = request.session.scalar(
            select(func.coalesce(func.sum(Meeting.duration_minutes), 0)).where(
                Meeting.pair_id == pair.id, Meeting.met_on == met_on
            )
        )
        if logged + minutes > MAX_MEETING_MINUTES:
            errors["duration"] = render(
                "meetings.day_too_long",
                logged=format_duration(logged),
                date=met_on.isoformat(),
                more=format_duration(minutes),
            )
    suggested = delivery.activity_id if delivery is not None else None
    activity = values.get("activity") or suggested or OTHER_ACTIVITY
    if activity != OTHER_ACTIVITY and activity not in request.core.catalog.activity_ids:
        errors["activity"] = render("meetings.unknown_activity")
    goal_numbers = values.get("goals") or []
    known = set(request.session.scalars(select(Goal.number).where(Goal.pair_id == pair.id)))
    unknown = [n for n in goal_numbers if n not in known]
    if unknown:
        which = "meetings.no_goal" if len(unknown) == 1 else "meetings.no_goals"
        choices = ", ".join(map(str, sorted(known))) or render("meetings.no_goals_yet")
        errors["goals"] = render(which, numbers=", ".join(map(str, unknown)), choices=choices)
    checked = {
        "met_on": met_on,
        "duration_minutes": minutes,
        "notes": values["notes"],
        "next_steps": values["next_steps"],
        "activity_id": None if activity == OTHER_ACTIVITY else activity,
        "goal_numbers": goal_numbers,
        "delivery_id": delivery.id if delivery is not None else None,
        "rating": values.get("rating"),
    }
    return checked, errors


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
    rating: int | None = None,
) -> Reply:
    """Store a meeting, tell the pair's conversation, and confirm to the caller."""
    number = next_number(request.session, pair.id, "meetings_numbered")
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
        rating=rating,
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
    confirmation = [render("meetings.logged", number=number, summary=summary)]
    if moved:
        numbers = ", ".join(str(g.number) for g in moved)
        confirmation.append(render("meetings.goals_moved", numbers=numbers))
    if next_steps:
        confirmation.append(render("meetings.next_steps", text=said(next_steps)))
    if rating is not None:
        confirmation.append(render("meetings.rated", rating=rating, most=RATING_SCALE[1]))
    if duration_minutes is None:
        confirmation.append(render("meetings.no_duration", number=number))
    who = said(request.person.display_name)
    notice = Message(render("meetings.logged_notice", who=who, summary=summary))
    return Reply(
        message=Message("\n".join(confirmation)),
        posts=(PairPost(pair.id, notice, by=request.person.id),),
    )


def describe_meeting(meeting: Meeting) -> str:
    parts = [meeting.met_on.strftime("%a %-d %b %Y")]
    if meeting.duration_minutes:
        parts.append(format_duration(meeting.duration_minutes))
    parts.append(
        said(meeting.activity_title) if meeting.activity_title else render("meetings.own_activity")
    )
    return ", ".join(parts)


# -- listing, deleting, sharing -------------------------------------------------------------


MEETINGS_LISTING = "m"
PREVIEW = 400  # characters of notes or next steps a list shows; `/mentoring export` has all


def _preview(text: str) -> str:
    if len(text) <= PREVIEW:
        return said(text)
    cut = text[: PREVIEW - 1]
    return said(cut[: cut.rfind(" ")] if " " in cut[-60:] else cut) + render("meetings.in_full")


def meeting_list(request: Request, pair: Pair, start: int = 0) -> Message:
    """The pair's meetings, newest first, a page at a time."""
    meetings = request.session.scalars(
        select(Meeting)
        .where(Meeting.pair_id == pair.id)
        .order_by(Meeting.met_on.desc(), Meeting.number.desc())
    ).all()
    if not meetings:
        return Message(render("meetings.none"))
    entries = []
    for meeting in meetings:
        who = meeting.logged_by.display_name if meeting.logged_by else render("meetings.someone")
        line = render(
            "meetings.entry",
            number=meeting.number,
            summary=describe_meeting(meeting),
            who=said(who),
        )
        if meeting.notes:
            notes = (
                "meetings.entry_notes_shared" if meeting.notes_shared else "meetings.entry_notes"
            )
            line += "\n    " + render(notes, text=_preview(meeting.notes))
        if meeting.next_steps:
            line += "\n    " + render("meetings.entry_next", text=_preview(meeting.next_steps))
        entries.append(line)
    return paged(
        render("meetings.heading", count=len(meetings)),
        entries,
        start,
        lambda at: str(PageAction(MEETINGS_LISTING, pair.id, at)),
    )


def _list(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    return Reply(message=meeting_list(request, pair))


def _own_meeting(request: Request, pair: Pair, number: int, verb: str) -> Meeting:
    meeting = request.session.scalar(
        select(Meeting).where(Meeting.pair_id == pair.id, Meeting.number == number)
    )
    if meeting is None:
        raise InputError(render("meetings.no_such", number=number, usage=USAGE))
    if meeting.logged_by_id != request.person.id:
        raise InputError(render("meetings.partners_meeting", number=number, verb=verb))
    return meeting


def _delete(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    meeting = _own_meeting(request, pair, values["number"], "delete")
    request.audit("meeting.delete", "meeting", meeting.id, number=meeting.number)
    request.session.delete(meeting)
    return Reply.text(
        render("meetings.deleted", number=meeting.number, summary=describe_meeting(meeting))
    )


def _share(request: Request, pair: Pair, values: Mapping[str, Any]) -> Reply:
    meeting = _own_meeting(request, pair, values["number"], "share")
    if meeting.notes_shared:
        raise InputError(render("meetings.already_shared", number=meeting.number))
    meeting.notes_shared = True
    request.audit("meeting.share", "meeting", meeting.id, number=meeting.number)
    return Reply.text(render("meetings.shared", number=meeting.number))


# -- the meeting form ----------------------------------------------------------------------


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
    activities.append(Option(OTHER_ACTIVITY, render("meetings.form_something_else")))
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
            DATE.name,
            render("meetings.form_date"),
            FieldKind.DATE,
            required=True,
            initial=request.today(pair.program.timezone).isoformat(),
            hint=render("meetings.form_date_hint"),
            max_length=DATE.longest,
        ),
        FormField(
            DURATION.name,
            render("meetings.form_duration"),
            FieldKind.TEXT,
            required=True,
            hint=render("meetings.form_duration_hint"),
            max_length=DURATION.longest,
        ),
        FormField(
            ACTIVITY.name,
            render("meetings.form_activity"),
            FieldKind.SELECT,
            required=True,
            initial=activity_id or OTHER_ACTIVITY,
            options=tuple(activities),
        ),
        FormField(
            NOTES_TEXT.name,
            render("meetings.form_notes"),
            FieldKind.LONG_TEXT,
            max_length=NOTES_TEXT.maximum,
        ),
        FormField(
            NEXT_TEXT.name,
            render("meetings.form_next_steps"),
            FieldKind.LONG_TEXT,
            max_length=NEXT_TEXT.maximum,
        ),
    ]
    if preset:
        fields = [f for f in fields if f.name != ACTIVITY.name]
    if goals:
        fields.append(
            FormField(
                GOALS.name,
                render("meetings.form_goals"),
                FieldKind.MULTI_SELECT,
                options=tuple(Option(str(g.number), f"{g.number}. {g.text}"[:75]) for g in goals),
            )
        )
    # Last: on Discord, whose modal holds five inputs, a pair with goals rates by the option.
    fields.append(
        FormField(
            RATING.name,
            render("meetings.form_rating"),
            FieldKind.SELECT,
            options=tuple(
                Option(str(n), render(f"meetings.rating_{n}"))
                for n in range(RATING_SCALE[0], RATING_SCALE[1] + 1)
            ),
        )
    )
    context = f"pair:{pair.id}" + (f":delivery:{delivery_id}" if delivery_id else "")
    topic = catalog.activity(preset).title if preset else ""
    return Form(
        MEETING_FORM,
        render("meetings.form_title"),
        tuple(fields),
        submit_label=render("meetings.form_submit"),
        context=context,
        intro=render("meetings.form_intro", topic=topic) if topic else "",
        topic=topic,
    )


def _form_context(request: Request, pair: Pair, values: Mapping[str, Any]) -> str:
    return f"pair:{pair.id}"


def _delivery_of(request: Request, pair: Pair, rest: list[str]) -> Delivery | None:
    """The suggestion a form was opened from, if it still exists and is this pair's."""
    if not rest:
        return None
    if rest[0] != "delivery" or len(rest) != 2 or not DIGITS.fullmatch(rest[1]):
        raise InputError(OUT_OF_DATE)
    delivery = request.session.get(Delivery, int(rest[1]))
    return delivery if delivery is not None and delivery.pair_id == pair.id else None


def _build_form(request: Request, context: str) -> Form:
    pair, rest = context_pair(request, context)
    delivery = _delivery_of(request, pair, rest)
    if delivery is None:
        return meeting_form(request, pair)
    return meeting_form(request, pair, activity_id=delivery.activity_id, delivery_id=delivery.id)


def _submit_form(request: Request, context: str, values: Mapping[str, object]) -> Reply:
    """Check every field of a submitted meeting form; errors come back per field."""
    pair, rest = context_pair(request, context)
    delivery = _delivery_of(request, pair, rest)
    raw = {**values, DATE.name: values.get(DATE.name) or "today"}
    converted, errors = bind(LOG_MEETING, LOG, raw, request.today(pair.program.timezone))
    if errors:
        return Reply(field_errors=errors)
    checked, errors = _checked(request, pair, converted, delivery)
    if errors:
        return Reply(field_errors=errors)
    return record_meeting(request, pair, **checked)


FORM = FormKind(MEETING_FORM, _form_context, _build_form, _submit_form)

LOG = Verb(
    "log",
    "log a meeting; on its own, a form opens",
    _log,
    (DATE, DURATION, NOTES_TEXT, NEXT_TEXT, RATING, ACTIVITY, GOALS),
    example="/log-meeting yesterday 45m mock interview rating:4 next: send CVs",
    form=MEETING_FORM,
    shown_name=False,
)

LOG_MEETING = Command(
    "log-meeting",
    "keep a record of your meetings.",
    verbs=(
        LOG,
        Verb("list", "your pair's meetings", _list, example="/log-meeting list"),
        Verb(
            "delete",
            "remove meeting N (one you logged)",
            _delete,
            (NUMBER,),
            example="/log-meeting delete 2",
        ),
        Verb(
            "share",
            "let coordinators read the notes of meeting N (one you logged)",
            _share,
            (NUMBER,),
            example="/log-meeting share 2",
        ),
        help_verb(USAGE),
    ),
    default="log",
    notes=(
        "DATE: `today`, `yesterday`, `2026-11-03`, a weekday (`tuesday`) or `3 days ago`. "
        "DURATION: `45m`, `1h`, `1h30m`, `90min`. `rating:4`: how useful the meeting was, "
        "1 to 5 (optional).",
        "Notes and next steps stay private to your pair unless you share them.",
    ),
    words_hint="To log a meeting with these words as notes, type `/log-meeting today {text}`.",
)
