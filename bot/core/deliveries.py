"""What a delivery says, and the buttons on it; used when sending and when updating in place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from bot.core.reflections import outcome_buttons, unanswered_by
from bot.core.replies import Button, ButtonStyle, Message, said
from bot.core.rhythm import pair_zone
from prompts.catalog import Catalog, NextDate
from prompts.messages import render
from storage.models import Delivery, DeliveryKind, Pair, Response

SUGGESTION, CHECKIN = "s", "c"
ACCEPT, SWAP, DONE, SKIP = "accept", "swap", "done", "skip"
MET, NOT_YET, HELP = "met", "notyet", "help"
MAX_SWAPS = 2
# Each answer's button label (what the answered message says was pressed) and its mark.
LABELS = {
    ACCEPT: render("deliveries.accept"),
    SWAP: render("deliveries.swap"),
    DONE: render("deliveries.done"),
    SKIP: render("deliveries.skip"),
    MET: render("deliveries.met"),
    NOT_YET: render("deliveries.not_yet"),
    HELP: render("deliveries.help"),
}
MARKS = {ACCEPT: "✅", DONE: "📝", SKIP: "⏭️", MET: "📝", NOT_YET: "⏳", HELP: "🆘"}
WITH_ACTIVITY = (
    DeliveryKind.WELCOME,
    DeliveryKind.SUGGESTION,
    DeliveryKind.MIDPOINT,
    DeliveryKind.CLOSING,
)


@dataclass(frozen=True)
class ButtonAction:
    """A parsed button action: ``s:42:swap`` is (suggestion, delivery 42, swap)."""

    family: str
    delivery_id: int
    verb: str

    def __str__(self) -> str:
        return f"{self.family}:{self.delivery_id}:{self.verb}"

    @classmethod
    def parse(cls, action: str) -> ButtonAction | None:
        family, _, rest = action.partition(":")
        number, _, verb = rest.partition(":")
        if family not in (SUGGESTION, CHECKIN) or not number.isdigit() or not verb:
            return None
        return cls(family, int(number), verb)


def _button(
    family: str, delivery_id: int, verb: str, style: ButtonStyle = ButtonStyle.DEFAULT
) -> Button:
    return Button(LABELS[verb], str(ButtonAction(family, delivery_id, verb)), style)


def suggestion_buttons(delivery: Delivery) -> tuple[Button, ...]:
    """The buttons a suggestion still offers, given how it was answered so far: once chosen
    (or its meeting form opened) only "Done, log it", which opens the form again."""
    if delivery.answer == SKIP:
        return ()
    done = _button(SUGGESTION, delivery.id, DONE)
    if delivery.answer in (ACCEPT, DONE):
        return (done,)
    buttons = [_button(SUGGESTION, delivery.id, ACCEPT, ButtonStyle.PRIMARY)]
    if delivery.swaps < MAX_SWAPS:
        buttons.append(_button(SUGGESTION, delivery.id, SWAP))
    buttons += [done, _button(SUGGESTION, delivery.id, SKIP)]
    return tuple(buttons)


def checkin_buttons(delivery: Delivery) -> tuple[Button, ...]:
    if delivery.answer:
        return ()
    return (
        _button(CHECKIN, delivery.id, MET, ButtonStyle.PRIMARY),
        _button(CHECKIN, delivery.id, NOT_YET),
        _button(CHECKIN, delivery.id, HELP, ButtonStyle.DANGER),
    )


def activity_text(catalog: Catalog, activity_id: str, opening: str = "") -> str:
    activity = catalog.activity(activity_id)
    category = next(c.title for c in catalog.categories if c.id == activity.category)
    return render(
        "suggestion", opening=opening, title=activity.title, category=category, what=activity.what
    )


def compose(delivery: Delivery, pair: Pair, catalog: Catalog, next_steps: str | None) -> Message:
    """The message for ``delivery``, with an answer line once someone has clicked."""
    kind = DeliveryKind(delivery.kind)
    program = pair.program
    if kind == DeliveryKind.PROGRAM_CLOSING:
        return Message(render("program_closing", program=program.name))
    if kind == DeliveryKind.RESUMED:
        return Message(render("resumed"))
    if kind == DeliveryKind.ANNOUNCEMENT and delivery.announcement is not None:
        item = delivery.announcement
        by = said(item.by.display_name) if item.by else render("deliveries.your_coordinators")
        return Message(
            render("announcement", by=by, program=said(program.name), text=said(item.text))
        )
    if kind == DeliveryKind.REMINDER:
        return _reminder(delivery)
    if kind == DeliveryKind.CHECKIN:
        return Message(
            render("checkin") + _answer_line(delivery), buttons=checkin_buttons(delivery)
        )
    # on one line: the quote sits inside emphasis, which no platform carries across lines
    steps = said(" ".join(next_steps.split())) if next_steps else ""
    opening = render("last_time", next_steps=steps) + "\n" if steps else ""
    parts = []
    if kind == DeliveryKind.WELCOME:
        interval = (
            render("deliveries.week")
            if program.interval_weeks == 1
            else render("deliveries.weeks", weeks=program.interval_weeks)
        )
        parts.append(
            render(
                "welcome",
                mentor=said(pair.mentor.display_name),
                mentee=said(pair.mentee.display_name),
                interval=interval,
            )
        )
        opening = render("deliveries.first_activity") + " "
    elif kind == DeliveryKind.MIDPOINT:
        parts.append(render("midpoint"))
    elif kind == DeliveryKind.CLOSING:
        parts.append(render("closing", end_date=f"{program.end_date:%-d %B %Y}"))
    if delivery.activity_id:
        text = activity_text(catalog, delivery.activity_id, opening)
        schedule = catalog.activity(delivery.activity_id).schedule
        if schedule is not None:
            zone = pair_zone(pair)
            text += "\n" + next_date_line(schedule.next_date(_chosen_at(delivery), zone), zone)
        parts.append(text)
    buttons = suggestion_buttons(delivery) if delivery.activity_id else ()
    return Message(
        "\n\n".join(parts) + _answer_line(delivery), buttons=buttons + outcome_buttons(delivery)
    )


def _reminder(delivery: Delivery) -> Message:
    """A week after a reflection: who has not answered it yet (when it is sent)."""
    reminded = delivery.reminds
    waiting = unanswered_by(reminded) if reminded is not None else []
    names = " and ".join(said(name) for name in waiting) or render("reflections.both_of_you")
    phase = render(f"reflections.phase_{reminded.kind if reminded else 'midpoint'}")
    return Message(
        render("reflection_reminder", names=names, phase=phase),
        buttons=outcome_buttons(delivery),
    )


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def next_date_line(when: NextDate, zone: ZoneInfo) -> str:
    """When a time-bound activity happens, on the pair's clock: ``Next: Thu 11 Mar 2027,
    20:00 (America/Chicago)``; a date alone when it has no time; a season's first and last
    days, or only its last once it is on."""
    if when.until is not None and when.ongoing:
        return render("deliveries.on_now", until=_day(when.until))
    if when.until is not None:
        return render("deliveries.next_season", first=_day(when.at.date()), last=_day(when.until))
    if when.timed:
        return render(
            "deliveries.next_timed",
            day=_day(when.at.date()),
            time=f"{when.at:%H:%M}",
            zone=said(zone.key),
        )
    return render("deliveries.next_day", day=_day(when.at.date()))


def _chosen_at(delivery: Delivery) -> dt.datetime:
    """When the delivery's activity was chosen: when the round was planned, or when it was
    last swapped in (so its next date is the one it was chosen for)."""
    session = object_session(delivery)
    if delivery.swaps and session is not None:
        swapped = session.scalar(
            select(func.max(Response.created_at)).where(
                Response.delivery_id == delivery.id, Response.action == SWAP
            )
        )
        if swapped is not None:
            return swapped
    return delivery.created_at or delivery.due_at


def _answer_line(delivery: Delivery) -> str:
    if not delivery.answer:
        return ""
    who = (
        said(delivery.answered_by.display_name)
        if delivery.answered_by
        else render("deliveries.someone")
    )
    label = LABELS.get(delivery.answer, delivery.answer)
    mark = MARKS.get(delivery.answer, "✅")
    return "\n\n" + render("deliveries.pressed", mark=mark, who=who, label=label)
