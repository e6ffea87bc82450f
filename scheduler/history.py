"""What the activity choice needs of each pair's past, read in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from prompts.catalog import Catalog
from prompts.choice import PairHistory, goal_tags
from storage.models import Delivery, Goal, GoalStatus, Response

RECENT_CATEGORY_COUNT = 3
DISLIKE_ACTIONS = ("skip", "swap")


def pair_histories(
    session: Session, catalog: Catalog, pair_ids: Collection[int]
) -> dict[int, PairHistory]:
    """One ``PairHistory`` per pair id; three queries whatever the number of pairs."""
    wanted = set(pair_ids)
    if not wanted:
        return {}
    known = catalog.activity_ids
    offered: dict[int, Counter[str]] = {pair_id: Counter() for pair_id in wanted}
    order: dict[int, list[str]] = {pair_id: [] for pair_id in wanted}
    rows = session.execute(
        select(Delivery.pair_id, Delivery.activity_id)
        .where(Delivery.activity_id.is_not(None))
        .order_by(Delivery.pair_id, Delivery.due_at)
    )
    for pair_id, activity_id in rows:
        if pair_id in wanted and activity_id in known:
            offered[pair_id][activity_id] += 1
            order[pair_id].append(catalog.activity(activity_id).category)
    disliked: dict[int, Counter[str]] = {pair_id: Counter() for pair_id in wanted}
    clicks = session.execute(
        select(Delivery.pair_id, Response.activity_id, Response.action)
        .join(Response, Response.delivery_id == Delivery.id)
        .where(Response.action.in_(DISLIKE_ACTIONS), Response.activity_id.is_not(None))
    )
    for pair_id, activity_id, action in clicks:
        if pair_id in wanted and activity_id in known:
            disliked[pair_id][catalog.activity(activity_id).category] += 1
            if action == "swap":  # a swapped-away activity was offered, too
                offered[pair_id][activity_id] += 1
    goals: dict[int, list[str]] = {pair_id: [] for pair_id in wanted}
    for pair_id, text in session.execute(
        select(Goal.pair_id, Goal.text).where(Goal.status == GoalStatus.OPEN)
    ):
        if pair_id in wanted:
            goals[pair_id].append(text)
    return {
        pair_id: PairHistory(
            offered=offered[pair_id],
            recent_categories=tuple(order[pair_id][-RECENT_CATEGORY_COUNT:]),
            disliked_categories=disliked[pair_id],
            goal_tags=goal_tags(goals[pair_id]),
        )
        for pair_id in wanted
    }
