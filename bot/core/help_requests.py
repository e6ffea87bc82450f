"""Help requests: what the coordinators are told when a pair presses **We need help**, and
marking a request handled (the **Mark handled** button on that alert, or ``mentorbot pairs
handled PAIR_ID``).

A help request is the check-in click stored as a ``Response`` with the action ``help``.
Marking one handled stamps it with when and, from chat, which coordinator; it marks the pair's
earlier requests still waiting too (one conversation answers them all), and is audited as
``pair.help_handled`` like the other coordinator actions. The summary then no longer counts the
pair as needing attention for it, and says who handled it (``bot.core.attention``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.admin import CLI
from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.pairs import describe_pair
from bot.core.replies import Button, ButtonStyle, Message, Reply, said
from prompts.messages import render
from storage.models import Delivery, Pair, Person, Response
from storage.summary import HELP

if TYPE_CHECKING:
    from bot.core.service import Core

HANDLED_PREFIX = "helpdone:"
AUDITED = "pair.help_handled"


def alert(asker: Person, pair: Pair, request_id: int) -> Message:
    """The coordinators' "We need help" alert, with its **Mark handled** button."""
    return Message(
        _alert_text(asker, pair),
        buttons=(
            Button(
                render("help_requests.mark_handled"),
                f"{HANDLED_PREFIX}{request_id}",
                ButtonStyle.PRIMARY,
            ),
        ),
    )


def _alert_text(asker: Person, pair: Pair) -> str:
    return render(
        "help_requests.alert",
        who=said(asker.display_name),
        pair=describe_pair(pair),
        number=pair.id,
    )


def mark_handled(
    session: Session,
    pair_id: int,
    at: dt.datetime,
    by: Person | None,
    up_to: dt.datetime | None = None,
) -> list[dt.datetime]:
    """Mark the pair's help requests still waiting (asked at or before ``up_to``, when given)
    handled at ``at`` by ``by`` (None from the command line); when each was asked, oldest
    first. Only requests not yet handled change, so two coordinators at once mark each once."""
    waiting = (
        select(Response.id)
        .join(Delivery, Response.delivery_id == Delivery.id)
        .where(Delivery.pair_id == pair_id, Response.action == HELP, Response.handled_at.is_(None))
    )
    if up_to is not None:
        waiting = waiting.where(Response.created_at <= up_to)
    asked = sorted(
        session.scalars(
            update(Response)
            .where(Response.id.in_(waiting.scalar_subquery()), Response.handled_at.is_(None))
            .values(handled_at=at, handled_by_id=by.id if by else None)
            .returning(Response.created_at)
        )
    )
    return asked


def press_mark_handled(request: Request, action: str) -> Reply:
    """A coordinator pressed **Mark handled** on a help alert: the request (and the pair's
    earlier ones) is marked handled by them, and the alert says so in place of the button."""
    if not request.is_coordinator:
        raise InputError(render("help_requests.coordinators_only"))
    number = action.removeprefix(HANDLED_PREFIX)
    found = request.session.get(Response, int(number)) if number.isdigit() else None
    if found is None or found.action != HELP:
        raise InputError(render("help_requests.gone"))
    delivery = request.session.get(Delivery, found.delivery_id)
    asker = request.session.get(Person, found.person_id) if found.person_id else None
    if delivery is None or asker is None or asker.workspace != request.actor.workspace:
        raise InputError(render("help_requests.gone"))  # (another workspace's is not theirs)
    pair = delivery.pair
    if found.handled_at is not None:
        handler = request.session.get(Person, found.handled_by_id) if found.handled_by_id else None
        done = _handled(handler, found.handled_at)
        return Reply(
            message=Message(render("help_requests.already_handled", done=done)),
            replacement=_answered_alert(asker, pair, done),
        )
    asked = mark_handled(request.session, pair.id, request.now, request.person, found.created_at)
    request.audit(AUDITED, "pair", pair.id, requests=len(asked))
    return Reply(
        message=Message(
            render("help_requests.marked", pair=pair.id, asked=found.created_at.date().isoformat())
        ),
        replacement=_answered_alert(asker, pair, _handled(request.person, request.now)),
    )


def _handled(by: Person | None, at: dt.datetime) -> str:
    """ "handled by Casey on 2027-01-06" (or "from the command line")."""
    who = (
        render("help_requests.by", name=said(by.display_name))
        if by
        else render("help_requests.from_cli")
    )
    return render("help_requests.handled", who=who, date=at.date().isoformat())


def _answered_alert(asker: Person, pair: Pair, handled: str) -> Message:
    """The alert once handled: its text and who handled it, without the button."""
    return Message(
        render(
            "help_requests.answered_alert",
            alert=_alert_text(asker, pair),
            handled=handled[0].upper() + handled[1:],
        )
    )


def handled_from_cli(core: Core, session: Session, pair_id: int) -> str:
    """``mentorbot pairs handled PAIR_ID``: every help request of the pair still waiting is
    marked handled (from the command line); a pair with none waiting is refused, saying when
    the last was handled."""
    pair = session.get(Pair, pair_id)
    if pair is None:
        raise InputError(render("help_requests.no_such_pair", pair=pair_id))
    asked = mark_handled(session, pair.id, core.clock(), None)
    if not asked:
        raise InputError(_none_waiting(session, pair.id))
    core.audit(session, CLI, AUDITED, "pair", pair.id, requests=len(asked))
    if len(asked) == 1:
        return render("help_requests.cli_one", pair=pair.id, asked=asked[0].date().isoformat())
    return render(
        "help_requests.cli_many",
        pair=pair.id,
        count=len(asked),
        latest=asked[-1].date().isoformat(),
    )


def _none_waiting(session: Session, pair_id: int) -> str:
    last = session.execute(
        select(Response.created_at, Response.handled_at, Person.display_name)
        .join(Delivery, Response.delivery_id == Delivery.id)
        .outerjoin(Person, Response.handled_by_id == Person.id)
        .where(Delivery.pair_id == pair_id, Response.action == HELP)
        .order_by(Response.created_at.desc(), Response.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return render("help_requests.never_asked", pair=pair_id)
    asked, handled, name = last
    if handled is None:  # marked by someone else just now
        return render("help_requests.being_handled", pair=pair_id, asked=asked.date().isoformat())
    who = render("help_requests.by", name=name) if name else render("help_requests.from_cli")
    return render(
        "help_requests.none_waiting",
        pair=pair_id,
        asked=asked.date().isoformat(),
        who=who,
        handled=handled.date().isoformat(),
    )
