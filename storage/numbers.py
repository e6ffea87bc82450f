"""The numbers members see (goal 3, meeting 5), given out per pair without races.

Each pair keeps the last number of each kind it gave out; taking the next one is a single
``UPDATE … RETURNING``, which the database serialises per pair, so two members adding at the
same instant get different numbers and neither add fails. The statement also looks at the
highest number stored, so rows written without the counter (the demo, an import) are never
numbered over.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from storage.models import Goal, Meeting, Pair

Counter = Literal["goals_numbered", "meetings_numbered"]
NUMBERED = {"goals_numbered": Goal, "meetings_numbered": Meeting}


def next_number(session: Session, pair_id: int, counter: Counter) -> int:
    """The next goal or meeting number of the pair, taken for good."""
    pairs = Pair.__table__
    column = pairs.c[counter]
    model = NUMBERED[counter]
    highest = (
        select(func.coalesce(func.max(model.number), 0))
        .where(model.pair_id == pair_id)
        .scalar_subquery()
    )
    taken = session.execute(
        update(pairs)
        .where(pairs.c.id == pair_id)
        .values({column: case((column > highest, column), else_=highest) + 1})
        .returning(column)
    ).scalar_one()
    return int(taken)
