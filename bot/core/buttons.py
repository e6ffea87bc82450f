"""Clicks on a suggestion's or a check-in's buttons. Every click is stored as it happened."""

from __future__ import annotations

import datetime as dt
import zlib

from sqlalchemy import select

from bot.core.choosing import pair_histories
from bot.core.context import Request
from bot.core.coordinators import coordinator_ids
from bot.core.deliveries import (
    ACCEPT,
    ANSWER_WORDS,
    CHECKIN,
    DONE,
    HELP,
    MAX_SWAPS,
    MET,
    NOT_YET,
    SKIP,
    SUGGESTION,
    SWAP,
    ButtonAction,
    compose,
)
from bot.core.errors import InputError
from bot.core.meetings import meeting_form
from bot.core.replies import DirectPost, Message, Reply
from bot.core.rhythm import pair_zone
from prompts.choice import choose_activity
from storage.history import latest_next_steps
from storage.models import Delivery, Pair, Response

VERBS = {SUGGESTION: (ACCEPT, SWAP, DONE, SKIP), CHECKIN: (MET, NOT_YET, HELP)}


def handle_button(request: Request, action: str) -> Reply:
    parsed = ButtonAction.parse(action)
    if parsed is None or parsed.verb not in VERBS[parsed.family]:
        raise InputError(
            "That button is out of date; type `/mentoring status` to see where your pair stands."
        )
    delivery = request.session.get(Delivery, parsed.delivery_id)
    if delivery is None:
        raise InputError("That suggestion no longer exists; `/mentoring status` shows your pair.")
    pair = delivery.pair
    if request.person.id not in (pair.mentor_id, pair.mentee_id):
        raise InputError("These buttons belong to another pair's suggestion.")
    request.session.add(
        Response(
            delivery_id=delivery.id,
            person_id=request.person.id,
            action=parsed.verb,
            activity_id=delivery.activity_id,
            created_at=request.now,
        )
    )
    if parsed.family == CHECKIN:
        return _checkin(request, delivery, pair, parsed.verb)
    return _suggestion(request, delivery, pair, parsed.verb)


def _already(delivery: Delivery) -> Reply:
    who = delivery.answered_by.display_name if delivery.answered_by else "Someone"
    when = delivery.answered_at.date().isoformat() if delivery.answered_at else "earlier"
    chosen = ANSWER_WORDS.get(delivery.answer or "", delivery.answer)
    return Reply.text(f"This was already answered: {who} chose “{chosen}” ({when}).")


def _answer(request: Request, delivery: Delivery, verb: str) -> None:
    delivery.answer = verb
    delivery.answered_by = request.person
    delivery.answered_at = request.now
    request.session.flush()


def _updated(request: Request, delivery: Delivery, pair: Pair) -> Message:
    steps = latest_next_steps(request.session, {pair.id}).get(pair.id)
    return compose(delivery, pair, request.core.catalog, steps)


def _suggestion(request: Request, delivery: Delivery, pair: Pair, verb: str) -> Reply:
    if delivery.answer in (DONE, SKIP) or (delivery.answer == ACCEPT and verb != DONE):
        return _already(delivery)
    if verb == DONE:
        if delivery.answer != ACCEPT:
            _answer(request, delivery, ACCEPT)
        form = meeting_form(
            request, pair, activity_id=delivery.activity_id, delivery_id=delivery.id
        )
        return Reply(form=form, replacement=_updated(request, delivery, pair))
    if verb == SWAP:
        return _swap(request, delivery, pair)
    _answer(request, delivery, verb)
    words = (
        "See you at the meeting form afterwards: press “Done, log it”."
        if verb == ACCEPT
        else "Skipped; the next suggestion comes with the next round."
    )
    return Reply(message=Message(words), replacement=_updated(request, delivery, pair))


def _swap(request: Request, delivery: Delivery, pair: Pair) -> Reply:
    if delivery.swaps >= MAX_SWAPS:
        raise InputError(
            f"You've already swapped {MAX_SWAPS} times this round; choose this one "
            "or skip the round."
        )
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
        exclude=swapped | {delivery.activity_id or ""},
    )
    if chosen is None:
        raise InputError(
            "There is no other activity to offer right now; choose this one or skip the round."
        )
    delivery.activity_id = chosen.id
    delivery.swaps += 1
    request.audit("suggestion.swap", "delivery", delivery.id, activity=chosen.id)
    return Reply(replacement=_updated(request, delivery, pair))


def _checkin(request: Request, delivery: Delivery, pair: Pair, verb: str) -> Reply:
    if delivery.answer and not (delivery.answer == MET and verb == MET):
        return _already(delivery)
    if verb == MET:
        _answer(request, delivery, MET)
        return Reply(
            form=meeting_form(request, pair), replacement=_updated(request, delivery, pair)
        )
    _answer(request, delivery, verb)
    if verb == NOT_YET:
        return Reply(
            message=Message("Thanks; a meeting before the next round keeps you moving."),
            replacement=_updated(request, delivery, pair),
        )
    request.audit("pair.help", "pair", pair.id)
    note = Message(
        f"🆘 {request.person.display_name} asked for help with their mentoring pair "
        f"{pair.mentor.display_name} (mentor) & {pair.mentee.display_name} (mentee), "
        f"pair {pair.id}. Please get in touch with them."
    )
    coordinators = coordinator_ids(request.core.settings, request.session, pair.platform)
    posts = tuple(DirectPost(pair.platform, user_id, note) for user_id in coordinators)
    told = (
        "Your coordinators have been told and will be in touch."
        if coordinators
        else "No coordinator is registered yet; please contact your program coordinator directly."
    )
    return Reply(message=Message(told), replacement=_updated(request, delivery, pair), posts=posts)
