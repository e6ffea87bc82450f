"""Every verb of every command, as members and coordinators type them: conversation tables
(who typed what, what they were shown), through the core every platform shares.

The clock reads Tue 10 Nov 2026, 10:00 in New York; Ada mentors Ben (and, in the two-pair
tables, Cy); each pair has a conversation (``G-ada-ben``, ``G-ada-cy``); Casey coordinates.
"""

from __future__ import annotations

import pytest

from storage.models import Goal, Meeting, Pair
from tests.support.bot import PairSpec, add_pair, rows, snapshot
from tests.support.dialog import verify_dialog


@pytest.fixture
def one_pair(core, program_id):
    return add_pair(core, program_id, PairSpec("ada", "ben", conversation_id="G-ada-ben"))


@pytest.fixture
def two_pairs(core, program_id):
    return (
        add_pair(core, program_id, PairSpec("ada", "ben", conversation_id="G-ada-ben")),
        add_pair(core, program_id, PairSpec("ada", "cy", conversation_id="G-ada-cy")),
    )


# -- /goal ---------------------------------------------------------------------------------


def test_goal_every_verb_with_the_partner_named_anywhere_it_may_stand(core, one_pair):
    verify_dialog(
        core,
        [
            ("ben", "/goal", "No goals yet"),
            (
                "ben",
                "/goal add Plan storytime",
                ("Added goal **1**: Plan storytime", "🎯 Ben set goal **1**"),
            ),
            ("ben", "/goal @ada add Read award winners", "Added goal **2**: Read award winners"),
            (
                "ben",
                "/goal add @ada Visit a school library",
                "Added goal **3**: Visit a school library",
            ),
            (
                "ben",
                "/goal add Shadow @ana at storytime",
                "Added goal **4**: Shadow @ana at storytime",
            ),
            (
                "ben",
                "/goal add 📚 Lire trois livres primés — 読書会",
                "Added goal **5**: 📚 Lire trois livres primés — 読書会",
            ),
            (
                "ada",
                "/goal @ben done 1",
                ("Goal **1** marked done", "🎉 Ada marked goal **1** done"),
            ),
            ("ada", "/goal done @ben 2", "Goal **2** marked done"),
            ("ada", "/goal done 2", "Goal 2 is already done"),
            ("ben", "/goal reopen 2", "Goal **2** reopened"),
            ("ben", "/goal @ada drop 3", "Goal **3** dropped"),
            (
                "ben",
                "/goal edit 4 Shadow Ana at a storytime",
                ("now reads: Shadow Ana at a storytime", "was: Shadow @ana at storytime"),
            ),
            (
                "ben",
                "/goal @ada edit 2 Read five award winners",
                "now reads: Read five award winners",
            ),
            ("ben", "/goal edit 2", "form: Reword goal 2 (text=Read five award winners)"),
            ("ben", "submit text=Read six award winners", "now reads: Read six award winners"),
            ("ben", "/goal add", "form: Add a goal"),
            (
                "ben",
                "submit text=Join an ALSC committee",
                "Added goal **6**: Join an ALSC committee",
            ),
            (
                "ben",
                "/goal list",
                ("☐ **2.** Read six award winners", "☑ **1.** Plan storytime", "✗ **3.**"),
            ),
            ("ada", "/goal @ben", "**Your goals**"),
            ("ada", "/goal list @ben", "**Your goals**"),
            ("ada", "/goal LIST", "**Your goals**"),
            ("ben", "/goal ideas", "Goal ideas from the program"),
            ("ben", "/goal @ada ideas", "Goal ideas from the program"),
            (
                "ben",
                "/goal help",
                ("`/goal add TEXT`", "`/goal done N`", "`/goal edit N NEW TEXT`"),
            ),
            ("ben", "/goal --help", "`/goal reopen N`"),
        ],
    )
    assert [g.text for g in sorted(rows(core, Goal), key=lambda g: g.number)][4] == (
        "📚 Lire trois livres primés — 読書会"
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (
            "/goal done 1 garbage",
            ("Nothing was done: “garbage” is more than `/goal done N`", "`/goal done 2`"),
        ),
        ("/goal list @ada whatever", "Nothing was done: “whatever” is more than `/goal list`"),
        ("/goal ideas please", "“please” is more than `/goal ideas`"),
        ("/goal done ③", "“③” is not a goal number from 1 to 100,000; type e.g. `/goal done 2`"),
        ("/goal done ²", "“²” is not a goal number"),
        ("/goal done ２", "“２” is not a goal number"),
        ("/goal drop 18446744073709551616", "“18446744073709551616” is not a goal number"),
        ("/goal done 0", "“0” is not a goal number"),
        ("/goal done -3", "“-3” is not a goal number"),
        ("/goal reopen 1.5", "“1.5” is not a goal number"),
        ("/goal done", "`/goal done` needs a goal number; type e.g. `/goal done 2`"),
        ("/goal done 9", "Your pair has no goal 9"),
        ("/goal edit 9 New words", "Your pair has no goal 9"),
        (
            "/goal Read more books",
            ("“Read” is not a /goal command", "type `/goal add Read more books`"),
        ),
        ("/goal ad Plan", "Did you mean `/goal add Plan`?"),
        ("/goal @cy add Plan", "@cy is not your partner (your partners: @Ada)"),
        ("/gaol add Plan", "I don't know /gaol"),
    ],
)
def test_goal_refusals_say_what_to_type_give_back_what_was_typed_and_change_nothing(
    core, one_pair, typed, shown
):
    before = snapshot(core)
    expected = (shown,) if isinstance(shown, str) else shown
    verify_dialog(
        core, [("ben", typed, (*expected, f"You typed: {typed}", "!something went wrong"))]
    )
    assert snapshot(core) == before


def test_a_mention_right_after_the_verb_that_is_the_partner_is_not_text(core, one_pair):
    verify_dialog(core, [("ben", "/goal add @ada @ada twice", "Added goal **1**: @ada twice")])


def test_a_goal_over_the_limit_comes_back_in_its_form(core, one_pair):
    long_goal = "Read " + "very " * 100 + "many books"
    verify_dialog(
        core,
        [
            (
                "ben",
                f"/goal add {long_goal}",
                ("The goal is 515 characters long; it can be at most 500", "[Open the form]"),
            ),
            ("ben", "press Open the form", f"form: Add a goal (text={long_goal})"),
            ("ben", f"submit text={long_goal}", "✗ text: The goal is 515 characters long"),
            ("ben", "submit text=Read many books", "Added goal **1**: Read many books"),
        ],
    )


def test_in_several_pairs_the_partner_or_the_conversation_says_which(core, two_pairs):
    ben_pair, cy_pair = two_pairs
    verify_dialog(
        core,
        [
            (
                "ada",
                "/goal add Plan",
                (
                    "You are in 2 pairs; say which by naming your partner",
                    "`/goal @Cy add …`",
                    "your partners: @Cy, @Ben",
                ),
            ),
            ("ada", "/goal @ben add For Ben", "Added goal **1**: For Ben"),
            ("ada", "/goal add @cy For Cy", "Added goal **1**: For Cy"),
            ("ada in G-ada-cy", "/goal add Also for Cy", "Added goal **2**: Also for Cy"),
            ("ada in G-ada-cy", "/goal @cy list", ("For Cy", "!For Ben")),
            ("ada in G-ada-ben", "/goal list", ("For Ben", "!For Cy")),
            (
                "ada in G-ada-cy",
                "/goal @ben list",
                "This is your pair's conversation with Cy, and the partner you named is not in it",
            ),
            ("ada", "/goal @dee list", "@dee is not your partner (your partners: @Cy, @Ben)"),
            ("ada", "/goal @ben add @cy x", "You named two different partners"),
            ("ada", "/goal @BEN list", "For Ben"),
            ("ada in G-somewhere-else", "/goal list", "You are in 2 pairs"),
        ],
    )
    assert sorted((g.pair_id, g.text) for g in rows(core, Goal)) == [
        (ben_pair, "For Ben"),
        (cy_pair, "Also for Cy"),
        (cy_pair, "For Cy"),
    ]


def test_someone_in_no_pair_is_told_why(core, one_pair):
    verify_dialog(
        core,
        [
            ("zoe", "/goal add Plan", "You are not in an active mentoring pair"),
            ("zoe", "/goal help", "`/goal add TEXT`"),
            ("zoe", "/goal @ada list", "You are not in an active mentoring pair"),
        ],
    )


# -- /log-meeting --------------------------------------------------------------------------


def test_log_meeting_every_verb_inside_and_outside_the_pairs_conversation(core, one_pair):
    verify_dialog(
        core,
        [
            ("ben", "/log-meeting", "form: Log a meeting (date=2026-11-10, activity=other)"),
            ("ben", "/log-meeting @ada", "form: Log a meeting"),
            (
                "ben in G-ada-ben",
                "/log-meeting @ada yesterday 45m talked",
                ("Logged meeting **1**: Mon 9 Nov 2026, 45 min", "📝 Ben logged a meeting"),
            ),
            ("ben", "/log-meeting list", ("**Meetings** (1)", "Notes: talked")),
            ("ben", "/log-meeting @ada list", "**Meetings** (1)"),
            ("ben", "/log-meeting list @ada", "**Meetings** (1)"),
            (
                "ben",
                "/log-meeting today 30m talked next: send CVs",
                ("Logged meeting **2**", "Next steps: send CVs"),
            ),
            (
                "ben",
                "/log-meeting tuesday 1h30m mock panel",
                "Logged meeting **3**: Tue 3 Nov 2026, 1 h 30 min",
            ),
            (
                "ben",
                "/log-meeting 3 days ago 90min book list",
                "Logged meeting **4**: Sat 7 Nov 2026, 1 h 30 min",
            ),
            ("ben", "/log-meeting share 1", "Coordinators can now read the notes of meeting **1**"),
            ("ben", "/log-meeting share 1", "already shared"),
            (
                "ada",
                "/log-meeting delete 1",
                "Meeting 1 was logged by your partner; only they can delete it",
            ),
            ("ben", "/log-meeting @ada delete 2", ("Deleted meeting **2**", "!(to the pair)")),
            ("ben", "/log-meeting delete 2", "Your pair has no meeting 2"),
            ("ben", "/log-meeting today", ("Logged meeting **5**", "No duration given")),
            (
                "ben",
                "/log-meeting help",
                (
                    "`/log-meeting [DATE] [DURATION] [NOTES…] [next: NEXT STEPS] [rating:N]`",
                    "`/log-meeting delete N`",
                ),
            ),
        ],
    )
    assert [m.number for m in rows(core, Meeting)] == [1, 3, 4, 5]


@pytest.mark.parametrize(
    ("who", "typed", "shown"),
    [
        ("ben in G-ada-ben", "/log-meeting @ada tomorrow 45m x", "is in the future"),
        ("ben in G-ada-ben", "/log-meeting @ada 99999999999m x", "longer than a meeting can be"),
        (
            "ben",
            "/log-meeting 2026-11-11 30m plan",
            "2026-11-11 is in the future (today is 2026-11-10)",
        ),
        ("ben", "/log-meeting 2026-08-31 30m early", "before your pair started on 2026-09-01"),
        ("ben", "/log-meeting 2026-02-30 45m long notes", "February 2026 has 28 days"),
        ("ben", "/log-meeting yesterday 0m x", "at least a minute"),
        ("ben", "/log-meeting yesterday 13h x", "at most 12h"),
        (
            "ben",
            "/log-meeting today 1h " + "n" * 2001,
            "Your notes are 2,001 characters long; they can be at most 2,000",
        ),
        (
            "ben",
            "/log-meeting today 1h x next: " + "s" * 1001,
            "Your next steps are 1,001 characters long",
        ),
        ("ben", "/log-meeting delete", "`/log-meeting delete` needs a meeting number"),
        ("ben", "/log-meeting delete ③", "“③” is not a meeting number"),
        ("ben", "/log-meeting share 1 now", "“now” is more than `/log-meeting share N`"),
        (
            "ben",
            "/log-meeting lsit",
            ("looks like `/log-meeting list`", "`/log-meeting today lsit`"),
        ),
        (
            "ben",
            "/log-meeting list of books we read",
            (
                "“of books we read” is more than `/log-meeting list`",
                "`/log-meeting today list of books we read`",
            ),
        ),
        ("ben", "/log-meeting @cy yesterday 45m", "@cy is not your partner"),
    ],
)
def test_log_meeting_refusals_change_nothing_and_give_back_what_was_typed(
    core, one_pair, who, typed, shown
):
    before = snapshot(core)
    expected = (shown,) if isinstance(shown, str) else shown
    echoed = typed if len(typed) <= 300 else typed[:299]
    verify_dialog(
        core, [(who, typed, (*expected, f"You typed: {echoed}", "!something went wrong"))]
    )
    assert snapshot(core) == before


def test_a_refused_meeting_comes_back_in_its_form_filled_in(core, one_pair):
    verify_dialog(
        core,
        [
            (
                "ben",
                "/log-meeting 2026-02-30 45m talked about picture books next: read two",
                ("February 2026 has 28 days", "[Open the form]"),
            ),
            (
                "ben",
                "press Open the form",
                (
                    "form: Log a meeting",
                    "duration=45m",
                    "notes=talked about picture books",
                    "next_steps=read two",
                ),
            ),
            (
                "ben",
                "submit date=2026-11-05; duration=45m; activity=other; "
                "notes=talked about picture books; next_steps=read two",
                "Logged meeting **1**: Thu 5 Nov 2026, 45 min",
            ),
        ],
    )
    [meeting] = rows(core, Meeting)
    assert (meeting.notes, meeting.next_steps) == ("talked about picture books", "read two")


def test_a_day_holds_at_most_twelve_hours_of_meetings(core, one_pair):
    verify_dialog(
        core,
        [
            ("ben", "/log-meeting yesterday 11h retreat", "Logged meeting **1**"),
            ("ben", "/log-meeting yesterday 1h debrief", "Logged meeting **2**"),
            (
                "ada",
                "/log-meeting yesterday 5m more",
                "already logged 12 h on 2026-11-09; 5 min more would pass 12 hours",
            ),
            ("ada", "/log-meeting today 12h all day", "Logged meeting **3**"),
        ],
    )


def test_the_meeting_form_keeps_every_limit_the_text_keeps(core, one_pair):
    verify_dialog(
        core,
        [
            ("ben", "/log-meeting", "form: Log a meeting"),
            (
                "ben",
                "submit date=today; duration=45m; activity=other; next_steps=" + "z" * 45_000,
                "✗ next_steps: Your next steps are 45,000 characters long",
            ),
            (
                "ben",
                "submit date=today; duration=45m; activity=other; notes=" + "z" * 2001,
                "✗ notes: Your notes are 2,001 characters long",
            ),
            (
                "ben",
                "submit date=next week; duration=45m; activity=other",
                "✗ date: “next week” is not a date",
            ),
            (
                "ben",
                "submit date=today; duration=45m; activity=no-such-thing",
                "✗ activity: Choose one of the listed activities",
            ),
            (
                "ben",
                "submit date=today; duration=45m; activity=other; goals=7",
                "✗ goals: Your pair has no goal 7",
            ),
        ],
    )
    assert rows(core, Meeting) == []


def test_a_form_whose_suggestion_is_gone_or_another_pairs_still_logs_the_meeting(core, two_pairs):
    """The meeting typed is never lost to a stale or foreign suggestion link."""
    ben_pair, cy_pair = two_pairs
    for context in (f"pair:{ben_pair}:delivery:999", f"pair:{ben_pair}:delivery:{cy_pair}"):
        reply = core.submit(
            _actor("ben"), "log-meeting", context, {"date": "today", "duration": "30m"}
        )
        assert reply.message is not None and "Logged meeting" in reply.message.text
    assert [(m.pair_id, m.delivery_id) for m in rows(core, Meeting)] == [
        (ben_pair, None),
        (ben_pair, None),
    ]


def test_a_form_for_a_pair_the_member_is_not_in_is_refused(core, two_pairs):
    ben_pair, _ = two_pairs
    reply = core.submit(_actor("cy"), "log-meeting", f"pair:{ben_pair}", {"duration": "30m"})
    assert "for a pair you are not in" in reply.message.text
    assert rows(core, Meeting) == []


# -- /mentoring ------------------------------------------------------------------------------


def test_mentoring_every_verb(core, one_pair):
    verify_dialog(
        core,
        [
            ("ben", "/mentoring", ("`/mentoring status`", "`/mentoring pause [WEEKS]`")),
            (
                "ben",
                "/mentoring status",
                ("with Ada (your mentor)", "Next suggestion: Tue 24 Nov, 10:00"),
            ),
            ("ben", "/mentoring @ada status", "with Ada (your mentor)"),
            ("ben", "/mentoring status @ada", "with Ada (your mentor)"),
            (
                "ben",
                "/mentoring @ada pause 4",
                ("Paused for 4 weeks, until Tue 8 Dec 2026", "⏸️ Ben paused suggestions"),
            ),
            ("ada", "/mentoring status", "Paused until Tue 8 Dec"),
            ("ben", "/mentoring resume", ("Suggestions are back on", "▶️ Ben resumed suggestions")),
            ("ben", "/mentoring resume", "This pair is not paused"),
            ("ben", "/mentoring pause @ada 2", "Paused for 2 weeks"),
            ("ben", "/mentoring resume", "back on"),
            ("ben", "/mentoring pause", "Paused for 4 weeks"),
            ("ben", "/mentoring export", "Here is everything kept about your goals and meetings"),
            ("ben", "/mentoring help", "`/mentoring export`"),
        ],
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("/mentoring pause ²", "“²” is not a number of weeks from 1 to 26"),
        ("/mentoring pause 27", "“27” is not a number of weeks from 1 to 26"),
        ("/mentoring pause 0", "“0” is not a number of weeks"),
        ("/mentoring pause soon", "“soon” is not a number of weeks"),
        ("/mentoring pause 4 weeks", "“weeks” is more than `/mentoring pause [WEEKS]`"),
        ("/mentoring statsu", "Did you mean `/mentoring status`?"),
        ("/mentoring status now", "“now” is more than `/mentoring status`"),
        ("/mentoring @zed status", "@zed is not your partner"),
    ],
)
def test_mentoring_refusals_change_nothing(core, one_pair, typed, shown):
    before = snapshot(core)
    verify_dialog(core, [("ben", typed, (shown, f"You typed: {typed}", "!something went wrong"))])
    assert snapshot(core) == before
    assert [p.status for p in rows(core, Pair)] == ["active"]


# -- /mentoring-summary ------------------------------------------------------------------------


def test_summary_for_coordinators_and_only_them(core, one_pair):
    verify_dialog(
        core,
        [
            (
                "ben",
                "/mentoring-summary",
                ("Sorry, /mentoring-summary is for program coordinators", "!Active pairs"),
            ),
            ("ben", "/mentoring-summary help", "!Active pairs"),
            (
                "casey",
                "/mentoring-summary",
                ("**Mentoring summary**: all cohorts, as of 2026-11-10", "Active pairs: 1"),
            ),
            ("casey", "/mentoring-summary Fall", "cohort Fall"),
            ("casey", '/mentoring-summary "Fall"', "cohort Fall"),
            ("casey", "/mentoring-summary --period 2026Q4", "2026-10-01 to 2026-12-31"),
            ("casey", "/mentoring-summary --period=2026-Q3", "2026-07-01 to 2026-09-30"),
            ("casey", "/mentoring-summary --from 2026-10-01", "2026-10-01 to 2026-11-10"),
            (
                "casey",
                "/mentoring-summary --from 2026-10-01 --to 2026-10-31",
                "2026-10-01 to 2026-10-31",
            ),
            (
                "casey",
                "/mentoring-summary help",
                "`/mentoring-summary [COHORT] [--period QUARTER] [--from DATE] [--to DATE]`",
            ),
        ],
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("/mentoring-summary --period 9999Q4", "“9999Q4” is not a quarter between 2000 and 2099"),
        ("/mentoring-summary --period 2027Q5", "“2027Q5” is not a quarter"),
        ("/mentoring-summary --from 2030-01-01", "--from 2030-01-01 is in the future"),
        (
            "/mentoring-summary --from 2026-10-01 --to 2026-09-01",
            "--to (2026-09-01) is before --from (2026-10-01)",
        ),
        ("/mentoring-summary --period 2026Q4 --to 2026-12-01", "either --period or --from/--to"),
        ("/mentoring-summary --period", "--period needs a value"),
        ("/mentoring-summary --cohort Fall", "“--cohort” is not an option of /mentoring-summary"),
        ("/mentoring-summary Fall Spring", "put a name with spaces in quotes"),
        ("/mentoring-summary Nope", "No pairs in cohort “Nope”"),
    ],
)
def test_summary_refusals(core, one_pair, typed, shown):
    verify_dialog(core, [("casey", typed, (shown, f"You typed: {typed}", "!something went wrong"))])


def _actor(user_id: str):
    from tests.support.bot import actor

    return actor(user_id)


def test_meetings_are_listed_newest_first(core, one_pair):
    dialog = verify_dialog(
        core,
        [
            ("ben", "/log-meeting 2026-11-02 30m older", "Logged meeting **1**"),
            ("ben", "/log-meeting 2026-11-09 30m newer", "Logged meeting **2**"),
            ("ben", "/log-meeting 2026-10-05 30m oldest", "Logged meeting **3**"),
        ],
    )
    listed = dialog.say("ben", "/log-meeting list").message.text
    assert listed.index("newer") < listed.index("older") < listed.index("oldest")


def test_a_draft_is_replaced_by_the_next_and_gone_after_a_week(core, one_pair, clock):
    """What a refusal keeps for its button does not pile up or outlive a week."""
    from storage.models import Draft

    too_long = "add " + "x" * 501
    verify_dialog(core, [("ben", f"/goal {too_long}", "[Open the form]")])
    verify_dialog(core, [("ben", f"/goal {too_long}y", "[Open the form]")])
    assert len(rows(core, Draft)) == 1
    clock.advance(days=8)
    verify_dialog(core, [("ada", "/log-meeting 2026-02-30 45m notes", "[Open the form]")])
    assert [d.form_id for d in rows(core, Draft)] == ["log-meeting"]
