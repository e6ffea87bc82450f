"""Clicks on a suggestion's or a check-in's buttons.

A click acts only through the delivery's own message: the platform names the message clicked
(``MessageRef``), and it must be the one the delivery was sent as, in the conversation it was
sent to, so a payload naming another message (another pair's, an old one) changes nothing and
updates nothing. A delivery never sent cannot be clicked, and a check-in's verbs work only on
a check-in, a suggestion's only on a suggestion. The local console has no platform message:
its clicks are trusted, as only the operator types there. A click is stored (``Response``) when
it takes effect, with who clicked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib

from sqlalchemy import select

from bot.core.choosing import pair_histories
from bot.core.context import Request
from bot.core.coordinators import coordinator_ids
from bot.core.deliveries import (
    ACCEPT,
    CHECKIN,
    DONE,
    HELP,
    LABELS,
    MAX_SWAPS,
    MET,
    NOT_YET,
    SKIP,
    SUGGESTION,
    SWAP,
    WITH_ACTIVITY,
    ButtonAction,
    compose,
)
from bot.core.errors import InputError
from bot.core.help_requests import HANDLED_PREFIX, alert, press_mark_handled
from bot.core.meetings import meeting_form
from bot.core.replies import DirectPost, Message, MessageRef, Reply, said
from bot.core.rhythm import pair_zone
from prompts.choice import choose_activity, phase_of
from prompts.messages import render
from storage.history import latest_next_steps
from storage.models import Delivery, DeliveryKind, Pair, Response

VERBS = {SUGGESTION: (ACCEPT, SWAP, DONE, SKIP), CHECKIN: (MET, NOT_YET, HELP)}
LOCAL_PLATFORM = "console"
OUT_OF_DATE = render("buttons.out_of_date")
HOME_SURFACE = "home"  # ``MessageRef.conversation`` of a button pressed on a member's home


def handle_button(request: Request, action: str, clicked: MessageRef | None = None) -> Reply:
    """Answer a click on ``action``, pressed on the message ``clicked`` (**Mark handled** on
    a coordinators' help alert is theirs, not a pair's: ``help_requests``)."""
    if action.startswith(HANDLED_PREFIX):
        return press_mark_handled(request, action)
    parsed = ButtonAction.parse(action)
    if parsed is None or parsed.verb not in VERBS[parsed.family]:
        raise InputError(OUT_OF_DATE)
    delivery = request.session.get(Delivery, parsed.delivery_id)
    if delivery is None:
        raise InputError(render("buttons.no_such_suggestion"))
    if not _family_fits(parsed.family, delivery):
        raise InputError(OUT_OF_DATE)
    pair = delivery.pair
    if request.person.id not in (pair.mentor_id, pair.mentee_id):
        raise InputError(render("buttons.another_pairs"))
    _check_message(request, delivery, clicked)
    if parsed.family == CHECKIN:
        reply = _checkin(request, delivery, pair, parsed.verb)
    else:
        reply = _suggestion(request, delivery, pair, parsed.verb)
    return _with_copies(reply, delivery, clicked)


def _with_copies(reply: Reply, delivery: Delivery, clicked: MessageRef | None) -> Reply:
    """A delivery sent as one copy per member (Discord DMs) is updated in every copy, so
    both members see that it was answered."""
    if reply.replacement is None or clicked is None or not delivery.message_ref:
        return reply
    others = tuple(ref for ref in delivery.message_ref.split(",") if ref != clicked.message)
    return dataclasses.replace(reply, copies=others)


def _family_fits(family: str, delivery: Delivery) -> bool:
    """A check-in's buttons act on check-ins only, a suggestion's on suggestions only."""
    if family == CHECKIN:
        return delivery.kind == DeliveryKind.CHECKIN
    return delivery.kind in WITH_ACTIVITY and delivery.activity_id is not None


def _check_message(request: Request, delivery: Delivery, clicked: MessageRef | None) -> None:
    """Refuse a click that is not on the delivery's own message."""
    if not delivery.message_ref:
        raise InputError(render("buttons.never_delivered"))
    if clicked is None and request.actor.platform == LOCAL_PLATFORM:
        return
    if clicked is not None and clicked.conversation == HOME_SURFACE:
        return  # shown on the member's own home (their pair was checked): theirs to press
    if (
        clicked is None
        or clicked.conversation != delivery.conversation_ref
        or not _one_of(clicked.message, delivery.message_ref.split(","))
    ):
        raise InputError(render("buttons.wrong_message"))


def _one_of(clicked: str, refs: list[str]) -> bool:
    """Whether the clicked message is one of the delivery's. A copy's ref may name where it
    is (``PLACE/ID``, e.g. a member's DM); one recorded before refs did names only the id."""
    return clicked in refs or clicked.rpartition("/")[2] in refs


def _record(request: Request, delivery: Delivery, verb: str) -> None:
    """Store a click that took effect, with who clicked and the activity it was about."""
    request.session.add(
        Response(
            delivery_id=delivery.id,
            person_id=request.person.id,
            action=verb,
            activity_id=delivery.activity_id,
            created_at=request.now,
        )
    )


def _already(delivery: Delivery) -> Reply:
    who = (
        said(delivery.answered_by.display_name)
        if delivery.answered_by
        else render("deliveries.someone")
    )
    when = (
        delivery.answered_at.date().isoformat()
        if delivery.answered_at
        else render("buttons.earlier")
    )
    chosen = LABELS.get(delivery.answer or "", delivery.answer)
    return Reply.text(render("buttons.already_answered", who=who, label=chosen, when=when))


def _answer(request: Request, delivery: Delivery, verb: str) -> None:
    delivery.answer = verb
    delivery.answered_by = request.person
    delivery.answered_at = request.now
    request.session.flush()


def _updated(request: Request, delivery: Delivery, pair: Pair) -> Message:
    steps = latest_next_steps(request.session, {pair.id}).get(pair.id)
    return compose(delivery, pair, request.core.catalog, steps)


def _suggestion(request: Request, delivery: Delivery, pair: Pair, verb: str) -> Reply:
    if delivery.answer == SKIP or (delivery.answer in (ACCEPT, DONE) and verb != DONE):
        return _already(delivery)
    if verb == SWAP:
        return _swap(request, delivery, pair)
    _record(request, delivery, verb)
    if verb == DONE:
        if delivery.answer != DONE:
            _answer(request, delivery, DONE)
        form = meeting_form(
            request, pair, activity_id=delivery.activity_id, delivery_id=delivery.id
        )
        return Reply(form=form, replacement=_updated(request, delivery, pair))
    _answer(request, delivery, verb)
    words = (
        render("buttons.accepted", done=LABELS[DONE])
        if verb == ACCEPT
        else render("buttons.skipped")
    )
    return Reply(message=Message(words), replacement=_updated(request, delivery, pair))


def _swap(request: Request, delivery: Delivery, pair: Pair) -> Reply:
    if delivery.swaps >= MAX_SWAPS:
        raise InputError(render("buttons.swapped_enough", most=MAX_SWAPS))
    swapped = set(
        request.session.scalars(
            select(Response.activity_id).where(
                Response.delivery_id == delivery.id, Response.action == SWAP
            )
        )
    )
    history = pair_histories(request.session, request.core.catalog, {pair.id})[pair.id]
    chosen = choose_activity(
        request.core.catalog,
        history,
        now=request.now,
        horizon=dt.timedelta(weeks=pair.program.interval_weeks),
        zone=pair_zone(pair),
        seed=zlib.crc32(f"{pair.id}:{delivery.round_key}:{delivery.swaps + 1}".encode()),
        phase=phase_of(delivery.kind, delivery.round_key),  # another of the round's phase
        exclude=swapped | {delivery.activity_id or ""},
    )
    if chosen is None:
        raise InputError(render("buttons.no_other_activity"))
    _record(request, delivery, SWAP)  # with the activity swapped away
    delivery.activity_id = chosen.id
    delivery.swaps += 1
    request.audit("suggestion.swap", "delivery", delivery.id, activity=chosen.id)
    return Reply(replacement=_updated(request, delivery, pair))


def _checkin(request: Request, delivery: Delivery, pair: Pair, verb: str) -> Reply:
    if verb == HELP:
        return _help(request, delivery, pair)
    if delivery.answer and not (delivery.answer == MET and verb == MET):
        return _already(delivery)
    _record(request, delivery, verb)
    _answer(request, delivery, verb)
    if verb == MET:
        return Reply(
            form=meeting_form(request, pair), replacement=_updated(request, delivery, pair)
        )
    return Reply(
        message=Message(render("buttons.not_yet")),
        replacement=_updated(request, delivery, pair),
    )


def _help(request: Request, delivery: Delivery, pair: Pair) -> Reply:
    """We need help tells the coordinators whatever the check-in was answered before (a
    partner's "Not yet" must not silence it), once per member and check-in."""
    asked = request.session.scalar(
        select(Response.created_at).where(
            Response.delivery_id == delivery.id,
            Response.person_id == request.person.id,
            Response.action == HELP,
        )
    )
    if asked is not None:
        return Reply.text(render("buttons.asked_already", date=asked.date().isoformat()))
    asking = Response(
        delivery_id=delivery.id,
        person_id=request.person.id,
        action=HELP,
        activity_id=delivery.activity_id,
        created_at=request.now,
    )
    request.session.add(asking)
    request.session.flush()
    if not delivery.answer:
        _answer(request, delivery, HELP)
    request.audit("pair.help", "pair", pair.id)
    note = alert(request.person, pair, asking.id)
    workspace = pair.mentor.workspace
    settings = request.core.settings
    coordinators = coordinator_ids(settings, request.session, pair.platform, workspace)
    posts = tuple(DirectPost(pair.platform, user_id, note, workspace) for user_id in coordinators)
    told = render("buttons.told") if coordinators else render("buttons.no_coordinator")
    return Reply(message=Message(told), replacement=_updated(request, delivery, pair), posts=posts)
