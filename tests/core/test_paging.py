"""Long lists page: each page is one message that fits every platform, and following the
buttons reaches every entry once, newest first."""

from __future__ import annotations

import datetime as dt

from bot.core.replies import unmarked
from bot.discord_app.render import CONTENT_LIMIT, parts
from bot.slack_app.render import message_blocks
from storage.models import Meeting
from tests.support.bot import actor, rows, text_of

BEN = actor("ben")


def test_two_hundred_meetings_page_newest_first_and_every_one_is_reachable(core, pair_id, clock):
    """A year and more of meetings with long notes: the first page holds the newest; Older
    walks back to the oldest, Newer forward again; no page passes Discord's 2,000 characters
    or Slack's block limits; a note too long for a list is shown cut, pointing to the export."""
    start = dt.date(2026, 9, 2)
    clock.now = dt.datetime(2027, 8, 1, 15, tzinfo=dt.UTC)
    for day in range(200):
        met = start + dt.timedelta(days=day)
        notes = f"meeting of {met} " + "about picture books " * (90 if day == 5 else 3)
        clock.advance(seconds=3)  # a member's pace, under the commands-a-minute limit
        reply = core.command(BEN, "log-meeting", f"{met} 30m {notes}")
        assert "Logged meeting" in text_of(reply), text_of(reply)
    first = core.command(BEN, "log-meeting", "list").message
    assert "meeting of 2027-03-20" in unmarked(first.text)  # the newest, first
    seen, page, texts = [], first, []
    while True:
        texts.append(unmarked(page.text))
        assert len(parts(page)) == 1 and len(parts(page)[0].content) <= CONTENT_LIMIT
        assert len(message_blocks(page)) <= 50
        seen += [n for n in range(1, 201) if f"**{n}.** " in unmarked(page.text)]
        older = {b.label: b.action for b in page.buttons}.get("Older")
        if older is None:
            break
        page = core.press(BEN, older).replacement
    assert sorted(seen) == list(range(1, 201)) and len(seen) == 200
    assert len(texts) > 1
    [long_one] = [text for text in texts if "**6.** " in text]
    assert "… _(in full in `/mentoring export`)_" in long_one
    newer = {b.label: b.action for b in page.buttons}["Newer"]
    assert "Older" in [b.label for b in core.press(BEN, newer).replacement.buttons]
    assert len(rows(core, Meeting)) == 200


def test_another_pairs_page_button_shows_nothing(core, pair_id, program_id):
    from tests.support.bot import PairSpec, add_pair

    add_pair(core, program_id, PairSpec("cy", "dee"))
    refused = core.press(actor("cy"), f"page:m:{pair_id}:0")
    assert "belongs to another pair" in text_of(refused)
    assert refused.replacement is None


def test_pairs_needing_attention_page_and_keep_their_cohort(core, program_id, clock):
    """Ninety quiet pairs in two cohorts: the summary for one cohort and quarter is one
    message listing the first of its pairs needing attention; Next walks through every one of
    that cohort (and none of the other) for that quarter, each page fitting one Discord
    message and Slack's limits."""
    from tests.support.bot import PairSpec, add_pair

    cohorts = {"Fall": set(), "Spring": set()}
    for n in range(90):
        cohort = "Fall" if n % 3 else "Spring"
        spec = PairSpec(f"mentor{n}", f"mentee{n}", cohort=cohort, start=dt.date(2026, 9, 1))
        cohorts[cohort].add(add_pair(core, program_id, spec))
    clock.now = dt.datetime(2027, 1, 20, 15, tzinfo=dt.UTC)
    casey = actor("casey")
    page = core.command(casey, "mentoring-summary", "Fall --period 2026Q4").message
    assert page.attachments, "the first page carries the CSV"
    seen: list[int] = []
    while True:
        text = unmarked(page.text)
        assert text.startswith("**Mentoring summary**: cohort Fall, 2026-10-01 to 2026-12-31")
        assert len(parts(page)) == 1 and len(message_blocks(page)) <= 50
        seen += [int(line.split("**")[1]) for line in text.splitlines() if line.startswith("• ")]
        following = {b.label: b.action for b in page.buttons}.get("Next")
        if following is None:
            break
        refused = core.press(actor("mentor1"), following)
        assert refused.replacement is None and "Only coordinators" in text_of(refused)
        page = core.press(casey, following).replacement
    assert sorted(seen) == sorted(cohorts["Fall"]) and len(seen) == 60
    assert "Previous" in [b.label for b in page.buttons]
