"""Which pairs a coordinator should look at, and why: the rules, in one place.

The facts come from ``storage.summary``, judged on the history up to the summary's moment (a
period's end, or now); what counts as drifting is decided here, so the chat summary, the CLI,
the CSV and (later) digests and the Home tab all flag the same pairs.

A pair's status on the summary's day (``status_on``): ended once it was ended, or once its
program's end date has passed (the scheduler ends such pairs at its next tick; the summary
does not wait for it); not started before its start date; paused while a pause holds it;
otherwise active. Only an active pair can be "quiet for two rounds", and an ended or
not-started pair needs no attention at all.

A help request that a coordinator has marked handled is no reason on its own: the pair drops
from the pairs needing attention, and where it is listed for another reason its reasons end
with "asked for help on … — handled by Casey on …"; the CSV and JSON carry the request, when
it was handled and by whom for every pair.
"""

from __future__ import annotations

import datetime as dt

from prompts.messages import render
from storage.models import PairStatus
from storage.summary import PairRow

NOT_STARTED = "not started"
UNANSWERED_LIMIT = 2  # suggestions left unanswered in the recent window
ANSWER_GRACE = dt.timedelta(days=4)
"""How long a pair has to answer a suggestion before it counts as unanswered.

A suggestion arrives at the program's time on its weekday, and members often answer it a day
or two later, after talking to each other; counting it as unanswered the hour it is delivered
would flag every pair on every suggestion day. Four days covers a weekend and a busy day, and
is well inside the shortest rhythm (a round every week). The summary passes it to
``storage.summary.summary_facts``; nothing else decides it."""


def status_on(row: PairRow, as_of: dt.date, until: dt.datetime) -> str:
    """The pair's status on ``as_of`` (judged at the moment ``until``), as the module's
    docstring says."""
    if row.stored_status == PairStatus.ENDED and (row.ended_at is None or row.ended_at <= until):
        return PairStatus.ENDED
    if row.program_end is not None and as_of > row.program_end:
        return PairStatus.ENDED
    if row.started > as_of:
        return NOT_STARTED
    paused_then = row.paused_at is None or row.paused_at <= until
    holds = row.paused_until is None or row.paused_until > as_of
    if row.stored_status == PairStatus.PAUSED and paused_then and holds:
        return PairStatus.PAUSED
    return PairStatus.ACTIVE


def attention_reasons(row: PairRow, as_of: dt.date) -> list[str]:
    """The reasons a coordinator should look at this pair (none for an ended pair, or one not
    started yet); ``row.status`` is its status on ``as_of`` (``status_on``)."""
    if row.status in (PairStatus.ENDED, NOT_STARTED):
        return []
    reasons = []
    two_rounds = dt.timedelta(weeks=2 * row.interval_weeks)
    if row.status == PairStatus.ACTIVE and as_of - row.started >= two_rounds:
        last = row.last_meeting
        if last is None or as_of - last >= two_rounds:
            reasons.append(
                render("attention.no_meeting_since", last=last.isoformat())
                if last
                else render("attention.no_meeting")
            )
    if row.unanswered_recent >= UNANSWERED_LIMIT:
        reasons.append(render("attention.unanswered", count=row.unanswered_recent))
    if len(row.active_people) == 1 and row.recent_acts > 1:
        [person_id] = row.active_people
        name = row.mentor if person_id == row.mentor_id else row.mentee
        reasons.append(render("attention.one_sided", name=name))
    asked = help_reason(row)
    if asked is not None:
        reasons.append(asked)
    reasons += [
        render("attention.unreachable", name=name, reason=reason)
        for name, reason in row.unreachable
    ]
    failed = failure_reason(row)
    if failed is not None:
        reasons.append(failed)
    if reasons and row.help_asked_at is not None and not row.help_open:
        reasons.append(help_handled_note(row))
    return reasons


def help_reason(row: PairRow) -> str | None:
    """The reason for a help request still waiting, if there is one (the digest tells these
    apart from the other reasons by it, whatever their wording)."""
    if row.help_asked_at is None or not row.help_open:
        return None
    return render("attention.asked_for_help", date=row.help_asked_at.date().isoformat())


def failure_reason(row: PairRow) -> str | None:
    """The reason for deliveries that failed recently, if any failed."""
    failure = row.last_failure or render("attention.unknown_error")
    if row.failed_recent == 1:
        return render("attention.one_failed", failure=failure)
    if row.failed_recent:
        return render("attention.failed", count=row.failed_recent, failure=failure)
    return None


def help_handled_note(row: PairRow) -> str:
    """ "asked for help on 2027-01-05 — handled by Casey on 2027-01-06" ("handled from the
    command line on …" for a request marked handled with ``mentorbot pairs handled``)."""
    assert row.help_asked_at is not None and row.help_handled_at is not None
    asked = row.help_asked_at.date().isoformat()
    handled = row.help_handled_at.date().isoformat()
    by = (
        render("help_requests.by", name=row.help_handled_by)
        if row.help_handled_by
        else render("help_requests.from_cli")
    )
    return render("attention.help_handled", asked=asked, by=by, handled=handled)
