"""A pair's past as the activity choice and the "last time" line need it, read for given pairs.

Every query here is scoped to the pairs asked about (in chunks, so a tick over thousands of
pairs stays within the database's limit on bound parameters), so a click on one pair's
suggestion reads that pair's rows and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Delivery, Goal, GoalStatus, Meeting, Response

CHUNK = 500
DISLIKE_ACTIONS = ("skip", "swap")


@dataclass
class PairPast:
    """What was offered to a pair (in due order), what it turned away, and its open goals."""

    offered: list[str] = field(default_factory=list)
    turned_away: list[tuple[str, str]] = field(default_factory=list)  # (activity id, action)
    open_goals: list[str] = field(default_factory=list)


def _chunks(pair_ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(set(pair_ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def pair_pasts(session: Session, pair_ids: Collection[int]) -> dict[int, PairPast]:
    """One ``PairPast`` per pair id; three queries per chunk of pairs."""
    pasts = {pair_id: PairPast() for pair_id in pair_ids}
    for chunk in _chunks(pair_ids):
        offered = session.execute(
            select(Delivery.pair_id, Delivery.activity_id)
            .where(Delivery.pair_id.in_(chunk), Delivery.activity_id.is_not(None))
            .order_by(Delivery.pair_id, Delivery.due_at, Delivery.id)
        )
        for pair_id, activity_id in offered:
            pasts[pair_id].offered.append(activity_id)
        turned_away = session.execute(
            select(Delivery.pair_id, Response.activity_id, Response.action)
            .join(Response, Response.delivery_id == Delivery.id)
            .where(
                Delivery.pair_id.in_(chunk),
                Response.action.in_(DISLIKE_ACTIONS),
                Response.activity_id.is_not(None),
            )
        )
        for pair_id, activity_id, action in turned_away:
            pasts[pair_id].turned_away.append((activity_id, action))
        goals = session.execute(
            select(Goal.pair_id, Goal.text)
            .where(Goal.pair_id.in_(chunk), Goal.status == GoalStatus.OPEN)
            .order_by(Goal.pair_id, Goal.number)
        )
        for pair_id, text in goals:
            pasts[pair_id].open_goals.append(text)
    return pasts


def latest_next_steps(session: Session, pair_ids: Collection[int]) -> dict[int, str]:
    """The next steps of each pair's latest meeting (by date, then number), where it recorded
    some: a later meeting without next steps means the earlier agreement is not repeated."""
    found: dict[int, str] = {}
    for chunk in _chunks(pair_ids):
        ranked = (
            select(
                Meeting.pair_id,
                Meeting.next_steps,
                func.row_number()
                .over(
                    partition_by=Meeting.pair_id,
                    order_by=(Meeting.met_on.desc(), Meeting.number.desc()),
                )
                .label("rank"),
            )
            .where(Meeting.pair_id.in_(chunk))
            .subquery()
        )
        rows = session.execute(
            select(ranked.c.pair_id, ranked.c.next_steps).where(
                ranked.c.rank == 1, ranked.c.next_steps != ""
            )
        )
        found.update({pair_id: steps for pair_id, steps in rows})
    return found
