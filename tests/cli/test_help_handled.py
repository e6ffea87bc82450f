"""`mentorbot pairs handled PAIR_ID`: a help request marked handled from the command line."""

from __future__ import annotations

import datetime as dt
import json

from storage.models import AuditEvent, Response
from tests.core.test_help_handled import ask_for_help
from tests.support.bot import Clock, PairSpec, add_pair, add_program, make_core, rows

UTC = dt.UTC


def a_pair_that_asked_for_help(db_url: str, days_ago: int = 2):
    """A core on the CLI's database, one pair whose mentee asked for help ``days_ago`` (the
    CLI runs on the real clock, so the world is set around it)."""
    now = dt.datetime.now(UTC)
    clock = Clock(now - dt.timedelta(days=30))
    core = make_core(db_url, clock)
    program = add_program(core, start=(now - dt.timedelta(days=60)).date())
    pair_id = add_pair(core, program, PairSpec(start=(now - dt.timedelta(days=60)).date()))
    asked = now - dt.timedelta(days=days_ago)
    ask_for_help(core, clock, pair_id, asked)
    return core, pair_id, asked.date().isoformat()


def test_pairs_handled_marks_the_request_and_the_summary_says_so(cli, db_url):
    """The request is marked handled from the command line, audited as the CLI's, and the
    summary's JSON says when and that it was the command line."""
    core, pair_id, asked = a_pair_that_asked_for_help(db_url)
    before = json.loads(cli("summary", "--format", "json").output)
    assert f"asked for help on {asked}" in before["pairs"][0]["attention"]
    result = cli("pairs", "handled", str(pair_id))
    assert result.exit_code == 0, result.output
    assert result.output == f"Pair {pair_id}'s help request of {asked} is marked handled.\n"
    after = json.loads(cli("summary", "--format", "json").output)["pairs"][0]
    today = dt.datetime.now(UTC).date().isoformat()
    assert (after["help_asked_on"], after["help_handled_on"], after["help_handled_by"]) == (
        asked,
        today,
        "command line",
    )
    assert f"asked for help on {asked}" not in after["attention"].split("; ")  # not a reason
    assert (
        f"asked for help on {asked} — handled from the command line on {today}"
        in (after["attention"])
    )  # the pair is quiet too, so it is still listed, with the request as handled
    [event] = rows(core, AuditEvent, AuditEvent.action == "pair.help_handled")
    assert (event.actor, event.entity_id, event.detail) == ("cli", pair_id, {"requests": 1})
    [request] = rows(core, Response, Response.action == "help")
    assert request.handled_at is not None and request.handled_by_id is None


def test_pairs_handled_refuses_in_one_line_when_there_is_nothing_to_mark(cli, db_url):
    """Again, an unknown pair, and a pair that never asked: one line each, exit status 1."""
    core, pair_id, asked = a_pair_that_asked_for_help(db_url)
    assert cli("pairs", "handled", str(pair_id)).exit_code == 0
    today = dt.datetime.now(UTC).date().isoformat()
    again = cli("pairs", "handled", str(pair_id))
    assert again.exit_code == 1
    assert again.output == (
        f"Error: Pair {pair_id} has no help request waiting; the last, of {asked}, "
        f"was handled from the command line on {today}.\n"
    )
    unknown = cli("pairs", "handled", "99")
    assert (unknown.exit_code, unknown.output) == (
        1,
        "Error: There is no pair 99; `mentorbot pairs list` shows them.\n",
    )
    quiet = add_pair(core, 1, PairSpec("dev", "eve"))
    never = cli("pairs", "handled", str(quiet))
    assert (never.exit_code, never.output) == (
        1,
        f"Error: Pair {quiet} has not asked for help, so there is nothing to mark handled.\n",
    )
    assert len(rows(core, AuditEvent, AuditEvent.action == "pair.help_handled")) == 1
