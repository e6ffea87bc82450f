"""The database a click is measured in: ``pairs`` console pairs, each a year into the program
with 12 deliveries (a welcome and 11 suggestions, the last two unanswered and never swapped),
8 meetings with notes and next steps, 3 goals and the responses its earlier answers left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from bench.fixtures import GOAL_TEXTS, add_pairs, add_program, bulk_insert

DELIVERIES_PER_PAIR = 12
MEETINGS_PER_PAIR = 8
GOALS_PER_PAIR = 3
INTERVAL_WEEKS = 4
FRESH = 2  # the last deliveries of each pair: sent, unanswered, no swap yet
ANSWERS = ("accept", "done", "done", "skip", None)


def delivery_id(pair_id: int, k: int) -> int:
    """The id of pair ``pair_id``'s ``k``-th delivery (``k`` from 0, the welcome)."""
    return (pair_id - 1) * DELIVERIES_PER_PAIR + k + 1


def fresh_delivery(pair_id: int) -> int:
    """The id of the pair's latest suggestion: sent, unanswered, never swapped."""
    return delivery_id(pair_id, DELIVERIES_PER_PAIR - 1)


def populate(url: str, pairs: int, now: dt.datetime) -> dict[str, int]:
    """Fill the migrated database at ``url``; rows per table."""
    from prompts.catalog import load_catalog
    from storage.db import make_engine, make_session_factory, session_scope
    from storage.models import Delivery, Goal, Meeting, Response

    activities = [activity.id for activity in load_catalog().activities]
    today = now.date()
    program_start = today - dt.timedelta(days=360)

    def pair_start(i: int) -> dt.date:
        return program_start + dt.timedelta(days=i % 28)

    def due(i: int, k: int) -> dt.datetime:
        day = pair_start(i) + dt.timedelta(weeks=INTERVAL_WEEKS * k)
        return dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)

    def activity(i: int, k: int) -> str:
        return activities[(7 * i + 3 * k) % len(activities)]

    responses: list[dict[str, Any]] = []

    def deliveries() -> Iterator[dict[str, Any]]:
        for i in range(1, pairs + 1):
            for k in range(DELIVERIES_PER_PAIR):
                number, sent = delivery_id(i, k), due(i, k)
                fresh = k >= DELIVERIES_PER_PAIR - FRESH
                answer = None if fresh else ANSWERS[(i + k) % len(ANSWERS)]
                swapped = not fresh and (i + k) % 4 == 0
                answered_at = sent + dt.timedelta(days=1) if answer else None
                if swapped:
                    at = sent + dt.timedelta(hours=6)
                    responses.append(_response(number, 2 * i - 1, "swap", activity(i, k + 1), at))
                if answer and answered_at:
                    responses.append(_response(number, 2 * i, answer, activity(i, k), answered_at))
                yield {
                    "id": number,
                    "pair_id": i,
                    "kind": "welcome" if k == 0 else "suggestion",
                    "round_key": "start" if k == 0 else f"r{k}",
                    "due_at": sent,
                    "activity_id": activity(i, k),
                    "swaps": 1 if swapped else 0,
                    "status": "sent",
                    "attempts": 1,
                    "next_attempt_at": None,
                    "last_error": None,
                    "claim_token": None,
                    "message_ref": f"m{number}",
                    "conversation_ref": f"C{i}",
                    "sent_at": sent,
                    "answer": answer,
                    "answered_by_id": 2 * i if answer else None,
                    "answered_at": answered_at,
                    "created_at": sent,
                }

    def meetings() -> Iterator[dict[str, Any]]:
        for i in range(1, pairs + 1):
            for k in range(MEETINGS_PER_PAIR):
                met_on = pair_start(i) + dt.timedelta(weeks=INTERVAL_WEEKS * k, days=5)
                yield {
                    "pair_id": i,
                    "number": k + 1,
                    "met_on": met_on,
                    "duration_minutes": 30 + (i + k) % 4 * 15,
                    "activity_id": activity(i, k),
                    "activity_title": None,
                    "notes": "Talked through the plan for the month and a book list.",
                    "next_steps": f"draft the list for round {k + 2}" if k % 3 != 2 else "",
                    "notes_shared": k % 2 == 0,
                    "delivery_id": delivery_id(i, k),
                    "logged_by_id": 2 * i - 1 if (i + k) % 3 else 2 * i,
                    "created_at": dt.datetime.combine(met_on, dt.time(17), tzinfo=dt.UTC),
                }

    def goals() -> Iterator[dict[str, Any]]:
        for i in range(1, pairs + 1):
            for g in range(GOALS_PER_PAIR):
                created = dt.datetime.combine(
                    pair_start(i) + dt.timedelta(days=30 * g), dt.time(12), tzinfo=dt.UTC
                )
                done = g == 0
                yield {
                    "pair_id": i,
                    "number": g + 1,
                    "text": GOAL_TEXTS[(i + g) % len(GOAL_TEXTS)],
                    "status": "done" if done else "open",
                    "created_by_id": 2 * i,
                    "created_at": created,
                    "closed_at": created + dt.timedelta(days=60) if done else None,
                }

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    counts: dict[str, int] = {"pairs": pairs}
    with session_scope(sessions) as session:
        add_program(
            session,
            start=program_start,
            end=program_start + dt.timedelta(days=400),
            interval_weeks=INTERVAL_WEEKS,
        )
        add_pairs(session, pairs, start=pair_start, conversation=lambda i: f"C{i}")
        counts["deliveries"] = bulk_insert(session, Delivery, deliveries())
        counts["meetings"] = bulk_insert(session, Meeting, meetings())
        counts["goals"] = bulk_insert(session, Goal, goals())
        counts["responses"] = bulk_insert(session, Response, responses)
    engine.dispose()
    return counts


def _response(
    delivery: int, person_id: int, action: str, activity: str, at: dt.datetime
) -> dict[str, Any]:
    return {
        "delivery_id": delivery,
        "person_id": person_id,
        "action": action,
        "activity_id": activity,
        "created_at": at,
    }
