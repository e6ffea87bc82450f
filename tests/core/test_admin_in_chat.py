"""`/mentoring-admin pairs`, `coordinators` and `announce` in chat, as a coordinator would use
them: the same operations as the CLI, audited by who did them, and refused with what to type."""

from __future__ import annotations

from storage.models import Announcement, AuditEvent, Pair
from tests.support.bot import PairSpec, add_pair, add_program, rows
from tests.support.dialog import verify_dialog


def test_a_coordinator_manages_pairs_in_chat(core, clock):
    program = add_program(core)
    add_pair(core, program, PairSpec("ada", "ben"))
    add_pair(core, program, PairSpec("cy", "dee", cohort="Spring"))
    verify_dialog(
        core,
        [
            (
                "casey",
                "/mentoring-admin pairs",
                ("**Pairs** (2)", "**1.** Ada & Ben, Test program, Fall: active since 1 Sep 2026"),
            ),
            ("casey", "/mentoring-admin pairs pause 1 --weeks 3", "Pair 1 paused until"),
            ("casey", "/mentoring-admin pairs resume 1", "Pair 1 resumed."),
            (
                "casey",
                "/mentoring-admin pairs pause 2 for a while",
                "does not take the words “for a while”; leave it out",
            ),
            ("casey", "/mentoring-admin pairs end", "Say which pair to end"),
            ("casey", "/mentoring-admin pairs frob 1", "frob is not something"),
            ("casey", "/mentoring-admin pairs end 9", "There is no pair 9"),
            (
                "casey",
                "/mentoring-admin pairs end 2 moved to another library",
                "Pair 2 ended (moved to another library)",
            ),
            (
                "casey",
                "/mentoring-admin pairs rematch 1 --mentee @dee",
                ("Pair 1 ended (re-matched); pair 3 matches mentor Ada with mentee Dee",),
            ),
            ("ben", "/mentoring-admin pairs end 3", ("for program coordinators", "!ended")),
        ],
    )
    ended = {p.id: (p.status, p.end_reason) for p in rows(core, Pair)}
    assert ended == {
        1: ("ended", "re-matched"),
        2: ("ended", "moved to another library"),
        3: ("active", None),
    }
    actors = {e.action: e.actor for e in rows(core, AuditEvent) if e.action.startswith("pair.")}
    assert set(actors) == {"pair.pause", "pair.resume", "pair.end", "pair.rematch"}
    assert all(actor.startswith("person:") for actor in actors.values())  # who, not "cli"


def test_a_coordinator_adds_lists_and_removes_coordinators(core):
    verify_dialog(
        core,
        [
            ("casey", "/mentoring-admin coordinators add @robin", "robin on console is now"),
            (
                "casey",
                "/mentoring-admin coordinators",
                ("In the database", "robin", "From MENTORBOT_COORDINATORS", "casey"),
            ),
            ("robin", "/mentoring-admin coordinators", "In the database"),  # now one of them
            ("casey", "/mentoring-admin coordinators remove casey", "MENTORBOT_COORDINATORS"),
            ("casey", "/mentoring-admin coordinators remove robin", "no longer a coordinator"),
            ("robin", "/mentoring-admin coordinators", "for program coordinators"),
            ("casey", "/mentoring-admin coordinators add", "Say who"),
        ],
    )


def test_announce_alone_opens_the_form_and_the_form_posts_to_one_cohort(core, program_id):
    add_pair(core, program_id, PairSpec("ada", "ben", cohort="Fall"))
    add_pair(core, program_id, PairSpec("cy", "dee", cohort="Spring"))
    verify_dialog(
        core,
        [
            ("casey", "/mentoring-admin announce", "form: Announce (cohort=*)"),
            ("casey", "submit text=; cohort=*", "✗ text: The announcement is empty"),
            ("casey", "submit text=Webinar on 12 January; cohort=2", "cohort “Spring”"),
        ],
    )
    [told] = rows(core, Announcement)
    assert told.text == "Webinar on 12 January" and told.cohort_id == 2
