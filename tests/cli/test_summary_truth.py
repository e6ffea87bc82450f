"""`mentorbot summary` refuses what the chat refuses, in the same words."""

from __future__ import annotations

import pytest

from tests.support.bot import Clock, actor, make_core, text_of

REFUSAL = "No pairs in cohort “Nope”; the cohorts with pairs are “Fall 2026”, “Spring 2027”."


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_an_unknown_cohort_is_refused_in_one_line(cli, fmt):
    """`--cohort Nope` prints the chat's sentence as one line, exit status 1, no summary."""
    cli("demo")
    result = cli("summary", "--cohort", "Nope", "--format", fmt)
    assert (result.exit_code, result.output) == (1, f"Error: {REFUSAL}\n")


def test_the_chat_refuses_the_same_cohort_in_the_same_words(cli, db_url):
    """The same database, asked in chat: the same sentence."""
    import datetime as dt

    cli("demo")
    core = make_core(db_url, Clock(dt.datetime.now(dt.UTC)))
    reply = core.command(actor("casey"), "mentoring-summary", "Nope")
    assert text_of(reply) == REFUSAL
    assert cli("summary", "--cohort", "Fall 2026").exit_code == 0
