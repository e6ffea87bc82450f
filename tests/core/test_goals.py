"""/goal through the core, as a member types it."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import AuditEvent, Goal
from tests.support.bot import PairSpec, actor, add_pair, post_texts, text_of

ADA, BEN = actor("ada"), actor("ben")


def test_add_then_list_shows_goal_with_author(core, pair_id):
    """An added goal is listed with its number and who set it."""
    added = core.command(ADA, "goal", "add Practise a mock interview")
    assert "Added goal **1**" in text_of(added)
    assert any("Practise a mock interview" in text for text in post_texts(added))
    listed = text_of(core.command(BEN, "goal", "list"))
    assert "**1.** Practise a mock interview" in listed
    assert "Ada" in listed


def test_open_goals_listed_before_done(core, pair_id):
    """Done goals sink below open ones; numbers stay stable."""
    core.command(ADA, "goal", "add First goal")
    core.command(ADA, "goal", "add Second goal")
    core.command(BEN, "goal", "done 1")
    listed = text_of(core.command(ADA, "goal", ""))
    assert listed.index("**2.** Second goal") < listed.index("**1.** First goal")
    assert "☑ **1.**" in listed


def test_done_reopen_drop_edit_round_trip(core, pair_id):
    """Each verb changes the goal and says what changed."""
    core.command(ADA, "goal", "add Read award winners")
    assert "marked done" in text_of(core.command(ADA, "goal", "done 1"))
    assert "already done" in text_of(core.command(ADA, "goal", "done 1"))
    assert "reopened" in text_of(core.command(ADA, "goal", "reopen 1"))
    edited = text_of(core.command(BEN, "goal", "edit 1 Read three award winners"))
    assert "now reads: Read three award winners" in edited and "was: Read award winners" in edited
    assert "dropped" in text_of(core.command(BEN, "goal", "drop 1"))
    with session_scope(core.sessions) as session:
        goal = session.scalars(select(Goal)).one()
        assert (goal.text, goal.status) == ("Read three award winners", "dropped")
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["goal.add", "goal.done", "goal.reopen", "goal.edit", "goal.drop"]


def test_goal_text_limits(core, pair_id):
    """An empty goal opens the goal form; an over-long one is refused with the limit and a
    button to the form filled in with it; nothing is stored until it fits."""
    assert core.command(ADA, "goal", "add   ").form.title == "Add a goal"
    refused = core.command(ADA, "goal", "add " + "x" * 501).message
    assert "501 characters" in refused.text and "at most 500" in refused.text
    assert [b.label for b in refused.buttons] == ["Open the form"]
    form = core.press(ADA, refused.buttons[0].action).form
    assert form.fields[0].initial == "x" * 501
    assert "Added" in text_of(core.command(ADA, "goal", "add " + "y" * 500))
    with session_scope(core.sessions) as session:
        assert session.scalars(select(Goal)).all()[0].text == "y" * 500


def test_bad_numbers_and_verbs_explain(core, pair_id):
    """Wrong numbers and unknown verbs get a sentence naming the right form."""
    assert "needs a goal number" in text_of(core.command(ADA, "goal", "done"))
    assert "“two” is not a goal number" in text_of(core.command(ADA, "goal", "done two"))
    assert "no goal 9" in text_of(core.command(ADA, "goal", "done 9"))
    unknown = text_of(core.command(ADA, "goal", "Read more books"))
    assert "`/goal add Read more books`" in unknown


def test_ideas_lists_catalog_goal_examples(core, pair_id):
    """Goal ideas come from the program's catalog."""
    ideas = text_of(core.command(ADA, "goal", "ideas"))
    assert "school librarianship" in ideas
    assert len(core.catalog.goal_examples) == ideas.count("•")


def test_help_needs_no_pair(core):
    """Help answers even someone who is not in a pair."""
    assert "/goal add TEXT" in text_of(core.command(actor("stranger"), "goal", "help"))


def test_not_in_a_pair(core, program_id):
    """Someone without a pair is told why and whom to ask."""
    assert "not in an active mentoring pair" in text_of(core.command(actor("zoe"), "goal", ""))


def test_member_of_two_pairs_must_say_which(core, program_id):
    """A mentor with two mentees names the partner; the reply lists them otherwise."""
    add_pair(core, program_id, PairSpec("ada", "ben"))
    add_pair(core, program_id, PairSpec("ada", "cy"))
    asked = text_of(core.command(ADA, "goal", "add Something"))
    assert "@Ben" in asked and "@Cy" in asked
    assert "Added goal" in text_of(core.command(ADA, "goal", "add @cy Visit a school library"))
    assert "Visit a school library" in text_of(core.command(actor("cy"), "goal", "list"))
    assert "No goals yet" in text_of(core.command(actor("ben"), "goal", "list"))


def test_conversation_picks_the_pair(core, program_id):
    """Inside a pair's conversation no partner needs naming."""
    first = add_pair(core, program_id, PairSpec("ada", "ben"))
    add_pair(core, program_id, PairSpec("ada", "cy"))
    from storage.models import Pair

    with session_scope(core.sessions) as session:
        session.get(Pair, first).conversation_id = "G-ada-ben"
    reply = core.command(ADA, "goal", "add Talk about storytime", conversation_id="G-ada-ben")
    assert "Added goal" in text_of(reply)
    assert "storytime" in text_of(core.command(actor("ben"), "goal", "list"))


def test_a_pair_holds_at_most_fifty_open_goals(core, pair_id, clock):
    """The 51st open goal is refused with what to do instead; a done goal makes room, and
    reopening one past the limit is refused too."""
    for number in range(1, 51):
        clock.advance(seconds=3)  # a member's pace, under the commands-a-minute limit
        assert "Added goal" in text_of(core.command(ADA, "goal", f"add Goal {number}"))
    refused = core.command(BEN, "goal", "add One more")
    assert "already has 50 open goals" in text_of(refused)
    assert "`/goal done N`" in text_of(refused)
    assert refused.message.typed == "/goal add One more"
    assert "marked done" in text_of(core.command(BEN, "goal", "done 7"))
    assert "Added goal **51**" in text_of(core.command(BEN, "goal", "add One more"))
    assert "already has 50 open goals" in text_of(core.command(BEN, "goal", "reopen 7"))
    with session_scope(core.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Goal)) == 51
