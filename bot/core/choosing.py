"""The activity choice's view of pairs' pasts, for a round's many pairs or one click's pair."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from prompts.catalog import Catalog
from prompts.choice import PairHistory
from storage.history import pair_pasts


def pair_histories(
    session: Session, catalog: Catalog, pair_ids: Collection[int]
) -> dict[int, PairHistory]:
    """One ``PairHistory`` per pair id, read for those pairs only."""
    return {
        pair_id: PairHistory.of(catalog, past.offered, past.turned_away, past.open_goals)
        for pair_id, past in pair_pasts(session, pair_ids).items()
    }
