"""A person's home (Slack's Home tab): what they would otherwise ask for with several commands.

A member sees each of their pairs (its status, next suggestion, meetings and open goals), the
latest suggestion with its buttons, and a button to pause or resume; a coordinator also sees
the programs, the pairs needing attention and buttons for the summary, each program's settings
and an announcement to its pairs. The home is sections (``Message``s) the adapter lays out; its
buttons come back to ``press`` as ``home:…`` actions, and a suggestion's buttons act as they
do on the message itself (the home is the member's own: see ``bot.core.buttons``).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.context import Request
from bot.core.deliveries import WITH_ACTIVITY, compose
from bot.core.errors import InputError, PermissionDenied
from bot.core.grammar import DIGITS
from bot.core.mentoring import MENTORING, status
from bot.core.mentoring_admin import announcement_form, program_form
from bot.core.pairs import member_pairs
from bot.core.programs import list_programs
from bot.core.replies import Button, ButtonStyle, Message, Reply, said
from bot.core.summary import compute_summary, summary_page
from prompts.messages import render
from storage.history import latest_next_steps
from storage.models import Delivery, DeliveryStatus, Meeting, Pair, PairStatus, Program

HOME_PREFIX = "home:"
RECENT_MEETINGS = 3
ATTENTION_SHOWN = 10


def home(request: Request) -> list[Message]:
    """The sections of ``request``'s caller's home, in order."""
    sections: list[Message] = []
    if request.person.id is not None:
        for pair in member_pairs(request.session, request.person.id):
            sections += _pair_sections(request, pair)
    if request.is_coordinator:
        sections += _coordinator_sections(request)
    if not sections:
        sections.append(Message(render("home.welcome")))
    return sections


def _pair_sections(request: Request, pair: Pair) -> list[Message]:
    paused = pair.status == PairStatus.PAUSED
    toggle = (
        Button(render("home.resume"), f"{HOME_PREFIX}resume:{pair.id}", ButtonStyle.PRIMARY)
        if paused
        else Button(render("home.pause"), f"{HOME_PREFIX}pause:{pair.id}")
    )
    summary = status(request, pair)
    lines = [summary.text, *_recent_meetings(request, pair)]
    sections = [Message("\n".join(lines), buttons=(toggle,))]
    latest = request.session.scalar(
        select(Delivery)
        .where(
            Delivery.pair_id == pair.id,
            Delivery.kind.in_([kind.value for kind in WITH_ACTIVITY]),
            Delivery.status == DeliveryStatus.SENT,
        )
        .order_by(Delivery.due_at.desc())
        .limit(1)
    )
    if latest is not None:
        steps = latest_next_steps(request.session, {pair.id}).get(pair.id)
        sections.append(compose(latest, pair, request.core.catalog, steps))
    return sections


def _recent_meetings(request: Request, pair: Pair) -> list[str]:
    meetings = request.session.scalars(
        select(Meeting)
        .where(Meeting.pair_id == pair.id)
        .order_by(Meeting.met_on.desc(), Meeting.number.desc())
        .limit(RECENT_MEETINGS)
    ).all()
    shown = "; ".join(_meeting_line(meeting) for meeting in meetings)
    return [render("home.recent_meetings", meetings=shown)] if shown else []


def _meeting_line(meeting: Meeting) -> str:
    """ "3 Nov, 45 min, Mock interview": the day, and how long and what when known."""
    parts = [f"{meeting.met_on:%-d %b}"]
    if meeting.duration_minutes:
        parts.append(render("home.minutes", minutes=meeting.duration_minutes))
    if meeting.activity_title:
        parts.append(said(meeting.activity_title))
    return ", ".join(parts)


def _coordinator_sections(request: Request) -> list[Message]:
    programs = list_programs(request.session, request.actor.workspace)
    sections = []
    for p in programs:
        text = render(
            "home.program",
            name=said(p.name),
            start=p.start,
            end=p.end,
            rhythm=p.rhythm,
            active=p.active,
            paused=p.paused,
            ended=p.ended,
        )
        settings = Button(render("home.program_settings"), f"{HOME_PREFIX}program:{p.program_id}")
        told = Button(render("home.announce"), f"{HOME_PREFIX}announce:{p.program_id}")
        sections.append(Message(text, buttons=(settings, told)))
    summary = compute_summary(request.session, request.now, workspace=request.actor.workspace)
    attention = summary.needing_attention
    lines = [render("home.attention_heading", count=len(attention))] if attention else []
    lines += [
        render(
            "home.attention_row",
            pair=row.pair_id,
            mentor=said(row.mentor),
            mentee=said(row.mentee),
            reasons="; ".join(row.attention),
        )
        for row in attention[:ATTENTION_SHOWN]
    ]
    if len(attention) > ATTENTION_SHOWN:
        lines.append(render("home.more", more=len(attention) - ATTENTION_SHOWN))
    if not attention:
        lines.append(render("summary.no_attention"))
    summary_button = Button(render("home.summary"), f"{HOME_PREFIX}summary", ButtonStyle.PRIMARY)
    sections.append(Message("\n".join(lines), buttons=(summary_button,)))
    return sections


def press(request: Request, action: str) -> Reply:
    """A home button: pause or resume a pair of the caller's, the summary, a program's form."""
    verb, _, rest = action.removeprefix(HOME_PREFIX).partition(":")
    if verb in ("pause", "resume"):
        pair = request.session.get(Pair, int(rest)) if DIGITS.fullmatch(rest) else None
        if pair is None or request.person.id not in (pair.mentor_id, pair.mentee_id):
            raise InputError(render("home.not_yours"))
        handler = MENTORING.verb(verb).run  # as `/mentoring pause` (4 weeks) or `resume`
        if handler is None:
            raise InputError(render("home.out_of_date"))
        return handler(request, pair, {"weeks": None})
    if not request.is_coordinator:
        raise PermissionDenied(render("home.coordinators_only"))
    if verb == "summary":
        summary = compute_summary(request.session, request.now, workspace=request.actor.workspace)
        return Reply(message=summary_page(request, summary, 0))
    if verb in ("program", "announce") and DIGITS.fullmatch(rest):
        program = request.session.get(Program, int(rest))
        if program is not None and verb == "program":
            return Reply(form=program_form(request, program))
        if program is not None:
            return Reply(form=announcement_form(program))
    raise InputError(render("home.out_of_date"))
