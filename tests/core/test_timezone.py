"""`/mentoring timezone [ZONE]`: a member's own time zone, shown with where it comes from, and
set by its IANA name, as members type it (conversation tables through the core).

The clock reads Tue 10 Nov 2026, 10:00 in New York (the program's zone); rounds fall every 3
weeks on Tuesdays at 10:00 from the pair's start (Tue 1 Sep 2026), so the next is Tue 24 Nov.
Ada mentors Ben; Dana is in no pair.
"""

from __future__ import annotations

import pytest

from bot.core.replies import Actor
from storage.models import AuditEvent, Person
from tests.support.bot import PairSpec, add_pair, rows, snapshot, text_of
from tests.support.dialog import verify_dialog

PROGRAMS_ZONE = "You have not set a time zone, so your program's is used: `America/New_York`."


@pytest.fixture
def one_pair(core, program_id):
    return add_pair(core, program_id, PairSpec("ada", "ben"))


def zone_of(core, user_id: str) -> str | None:
    [person] = rows(core, Person, Person.platform_user_id == user_id)
    return person.timezone


def test_a_member_sees_their_zone_sets_it_and_is_told_when_the_next_suggestion_comes(
    core, one_pair
):
    """Shown with where it comes from and how to set it; set in any letter case, with the
    pair's next suggestion in the new local time (the pair keeps the mentee's clock)."""
    verify_dialog(
        core,
        [
            (
                "ada",
                "/mentoring timezone",
                (
                    f"{PROGRAMS_ZONE} It is 10:00 on Tue 10 Nov there.",
                    "Next suggestion with Ben (your mentee): Tue 24 Nov, 10:00 your time (your "
                    "pair's suggestions follow the program's time zone, `America/New_York`).",
                    "To set it, type e.g. `/mentoring timezone Europe/London` (an IANA name like "
                    "`America/Chicago` or `Asia/Kolkata`, in any letter case).",
                ),
            ),
            (
                "ada",
                "/mentoring timezone america/CHICAGO",
                (
                    "Your time zone is now `America/Chicago`, set by you (you had not set one, "
                    "so your program's `America/New_York` was used). It is 09:00 on Tue 10 Nov "
                    "there.",
                    # Ben has no zone, so the pair's rounds now keep Ada's clock: 10:00 Chicago.
                    "Next suggestion with Ben (your mentee): Tue 24 Nov, 10:00 your time, until "
                    "now 09:00 (your pair's suggestions follow your time zone).",
                ),
            ),
            (
                "ada",
                "/mentoring timezone",
                (
                    "Your time zone is `America/Chicago`, set by you. It is 09:00 on Tue 10 Nov",
                    "To change it, type e.g. `/mentoring timezone Europe/London`",
                ),
            ),
            ("ada", "/mentoring status", "Next suggestion: Tue 24 Nov, 10:00."),
            (
                "ben",
                "/mentoring timezone Europe/London",
                (
                    "Your time zone is now `Europe/London`, set by you (you had not set one, so "
                    "your program's `America/New_York` was used). It is 15:00 on Tue 10 Nov there.",
                    "Next suggestion with Ada (your mentor): Tue 24 Nov, 10:00 your time, until "
                    "now 16:00 (your pair's suggestions follow your time zone).",
                ),
            ),
            (
                "ada",
                "/mentoring timezone",
                "Next suggestion with Ben (your mentee): Tue 24 Nov, 04:00 your time (your "
                "pair's suggestions follow Ben's time zone, `Europe/London`).",
            ),
            (
                "ada",
                "/mentoring timezone America/Chicago",
                "Your time zone is already `America/Chicago`, set by you; nothing changed.",
            ),
        ],
    )
    assert (zone_of(core, "ada"), zone_of(core, "ben")) == ("America/Chicago", "Europe/London")


def test_a_member_in_no_pair_can_see_and_set_their_zone(core, one_pair):
    """Someone the bot has never met, in no pair, gets the bot's default and can set theirs;
    naming a partner they do not have is refused as everywhere."""
    verify_dialog(
        core,
        [
            (
                "dana",
                "/mentoring timezone",
                (
                    "You have not set a time zone, so the bot's default is used: `UTC`. It is "
                    "15:00 on Tue 10 Nov there.",
                    "To set it, type e.g. `/mentoring timezone Europe/London`",
                    "!Next suggestion",
                ),
            ),
            (
                "dana",
                "/mentoring timezone asia/kolkata",
                (
                    "Your time zone is now `Asia/Kolkata`, set by you (you had not set one, so the "
                    "bot's default `UTC` was used). It is 20:30 on Tue 10 Nov there.",
                    "!Next suggestion",
                ),
            ),
            ("dana", "/mentoring timezone", "Your time zone is `Asia/Kolkata`, set by you."),
            ("dana", "/mentoring @ben timezone UTC", "You are not in an active mentoring pair"),
        ],
    )
    assert zone_of(core, "dana") == "Asia/Kolkata"


def test_a_wrong_zone_is_refused_with_what_was_meant_and_nothing_changes(core, one_pair):
    """A near miss names the zones it may have meant; the reply gives back what was typed."""
    core.command(Actor("console", "ben", "Ben"), "mentoring", "status")  # Ben is met
    before = snapshot(core)
    verify_dialog(
        core,
        [
            (
                "ben",
                "/mentoring timezone Europe/Londn",
                (
                    "“Europe/Londn” is not a time zone name (did you mean `Europe/London` or "
                    "`Europe/Lisbon`?); type e.g. `/mentoring timezone Europe/London`.",
                    "You typed: /mentoring timezone Europe/Londn",
                ),
            ),
            (
                "ben",
                "/mentoring timezone New York please",
                "“New York please” is not a time zone name; type e.g. `/mentoring timezone",
            ),
        ],
    )
    assert snapshot(core) == before


def test_a_zone_typed_with_a_space_for_its_underscore_is_read(core, one_pair):
    """`America/New York` is `America/New_York`, as the zone list spells it."""
    reply = core.command(Actor("console", "ben", "Ben"), "mentoring", "timezone america/new york")
    assert text_of(reply).startswith("Your time zone is now `America/New_York`, set by you")


def test_setting_a_zone_is_audited_like_other_member_actions(core, one_pair):
    """The audit names the member's row (never their platform id), the new zone and the old."""
    ben = Actor("console", "ben", "Ben")
    core.command(ben, "mentoring", "timezone Europe/London")
    core.command(ben, "mentoring", "timezone Europe/London")  # nothing changed: not audited
    core.command(ben, "mentoring", "timezone Europe/Paris")
    [person] = rows(core, Person, Person.platform_user_id == "ben")
    audits = rows(core, AuditEvent, AuditEvent.action == "person.timezone")
    assert [(a.actor, a.entity, a.entity_id, a.detail) for a in audits] == [
        (f"person:{person.id}", "person", person.id, {"zone": "Europe/London", "previous": None}),
        (
            f"person:{person.id}",
            "person",
            person.id,
            {"zone": "Europe/Paris", "previous": "Europe/London"},
        ),
    ]


def test_a_paused_pair_and_a_zone_recorded_at_import_are_said_as_such(core, program_id):
    """A zone that came with the pair is "recorded"; a paused pair says until when."""
    add_pair(core, program_id, PairSpec("ada", "ben", mentee_timezone="America/Denver"))
    verify_dialog(
        core,
        [
            (
                "ben",
                "/mentoring timezone",
                "Your time zone is `America/Denver`, as recorded when your pair was set up.",
            ),
            ("ben", "/mentoring pause 2", "Paused for 2 weeks"),
            (
                "ada",
                "/mentoring timezone Europe/Berlin",
                "Your pair with Ben (your mentee) is paused until Tue 24 Nov.",
            ),
        ],
    )


SLACK_UNA = Actor("slack", "U0UNA", "Una", "America/Denver")


def test_a_zone_from_the_slack_profile_says_so_and_the_member_can_choose_another(core):
    """On Slack the profile's zone is the starting point, named as such."""
    shown = text_of(core.command(SLACK_UNA, "mentoring", "timezone"))
    assert shown.startswith("Your time zone is `America/Denver`, from your Slack profile.")
    assert "To change it, type e.g. `/mentoring timezone Europe/London`" in shown
    chosen = text_of(core.command(SLACK_UNA, "mentoring", "timezone Europe/Paris"))
    assert chosen.startswith(
        "Your time zone is now `Europe/Paris`, set by you (it was `America/Denver`, from your "
        "Slack profile)."
    )


def test_a_zone_the_member_set_outlasts_their_next_request(core):
    """What a member chose is kept, even where the platform reports another zone."""
    core.command(SLACK_UNA, "mentoring", "timezone Europe/Paris")
    shown = text_of(core.command(SLACK_UNA, "mentoring", "timezone"))
    assert shown.startswith("Your time zone is `Europe/Paris`, set by you.")
