"""Which pairs a coordinator should look at, and why: the rules, in one place.

The facts come from ``storage.summary``; what counts as drifting is decided here, so the chat
summary, the CLI, the CSV and (later) digests and the Home tab all flag the same pairs.
"""

from __future__ import annotations

import datetime as dt

from storage.models import PairStatus
from storage.summary import PairRow

UNANSWERED_LIMIT = 2  # suggestions left unanswered in the recent window


def attention_reasons(row: PairRow, as_of: dt.date) -> list[str]:
    """The reasons a coordinator should look at this pair (none for an ended pair)."""
    if row.status == PairStatus.ENDED:
        return []
    reasons = []
    two_rounds = dt.timedelta(weeks=2 * row.interval_weeks)
    if row.status == PairStatus.ACTIVE and as_of - row.started >= two_rounds:
        last = row.last_meeting
        if last is None or as_of - last >= two_rounds:
            reasons.append(
                "no meeting for two suggestion rounds"
                + (f" (last {last.isoformat()})" if last else " (none logged)")
            )
    if row.unanswered_recent >= UNANSWERED_LIMIT:
        reasons.append(f"{row.unanswered_recent} suggestions unanswered")
    if len(row.active_people) == 1 and row.meetings + row.goals_set > 1:
        reasons.append("one-sided engagement: only one member active")
    if row.help_asked_at is not None:
        reasons.append(f"asked for help on {row.help_asked_at.date().isoformat()}")
    reasons += [f"{name} unreachable: {reason}" for name, reason in row.unreachable]
    if row.failed_recent:
        reasons.append(f"a delivery failed: {row.last_failure or 'unknown error'}")
    return reasons
