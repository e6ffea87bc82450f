"""/log-meeting through the core: text form, the form, listing, privacy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.core.replies import FieldKind
from storage.db import session_scope
from storage.models import Meeting, MeetingGoal
from tests.support.bot import actor, post_texts, text_of

ADA, BEN = actor("ada"), actor("ben")


def stored_meetings(core) -> list[Meeting]:
    with session_scope(core.sessions) as session:
        return list(session.scalars(select(Meeting).order_by(Meeting.id)))


def test_text_form_stores_date_duration_notes_next_steps(core, pair_id):
    """`/log-meeting yesterday 45m …next: …` stores every part."""
    reply = core.command(ADA, "log-meeting", "yesterday 45m mock interview next: send CVs")
    assert "Logged meeting **1**" in text_of(reply)
    assert any("Ada logged a meeting" in text for text in post_texts(reply))
    meeting = stored_meetings(core)[0]
    # the clock reads 2026-11-10 15:00 UTC: 10:00 in New York, so yesterday is 9 Nov
    assert meeting.met_on == dt.date(2026, 11, 9)
    assert (meeting.duration_minutes, meeting.notes, meeting.next_steps) == (
        45,
        "mock interview",
        "send CVs",
    )


def test_notes_are_not_in_the_conversation_notice(core, pair_id):
    """The pair's conversation hears that a meeting happened, not what was said."""
    reply = core.command(ADA, "log-meeting", "today 1h something confidential")
    assert all("confidential" not in text for text in post_texts(reply))


def test_future_and_pre_start_dates_refused(core, pair_id):
    """A future date or one before the pair started is refused with the reason."""
    future = text_of(core.command(ADA, "log-meeting", "2026-12-01 30m plan"))
    assert "future" in future
    early = text_of(core.command(ADA, "log-meeting", "2026-08-01 30m plan"))
    assert "2026-09-01" in early or "1 Sep" in early
    assert stored_meetings(core) == []


def test_bad_duration_refused(core, pair_id):
    """0 minutes and more than 12 hours are refused."""
    assert "minute" in text_of(core.command(ADA, "log-meeting", "today 0m x"))
    assert "12" in text_of(core.command(ADA, "log-meeting", "today 13h x"))
    assert stored_meetings(core) == []


def test_no_text_opens_form_with_fields(core, pair_id):
    """A bare /log-meeting opens the form with date, duration, activity, notes, next steps."""
    reply = core.command(ADA, "log-meeting", "")
    assert reply.form is not None
    kinds = {field.name: field.kind for field in reply.form.fields}
    assert kinds["date"] == FieldKind.DATE
    assert kinds["activity"] == FieldKind.SELECT
    assert {"duration", "notes", "next_steps"} <= kinds.keys()


def test_form_errors_come_back_per_field(core, pair_id):
    """A bad field keeps the form open with a sentence beside that field; nothing stored."""
    form = core.command(ADA, "log-meeting", "").form
    reply = core.submit(
        ADA,
        form.form_id,
        form.context,
        {"date": "2026-13-40", "duration": "forever", "activity": "other"},
    )
    assert set(reply.field_errors) == {"date", "duration"}
    assert stored_meetings(core) == []


def test_form_submission_stores_goals_moved(core, pair_id):
    """The form records the goals a meeting moved."""
    core.command(BEN, "goal", "add Learn more about school librarianship")
    form = core.command(ADA, "log-meeting", "").form
    reply = core.submit(
        ADA,
        form.form_id,
        form.context,
        {
            "date": "2026-11-09",
            "duration": "1h30m",
            "activity": "other",
            "notes": "",
            "next_steps": "visit",
            "goals": ["1"],
        },
    )
    assert "Goals moved: 1" in text_of(reply)
    with session_scope(core.sessions) as session:
        assert session.scalars(select(MeetingGoal)).all()
        assert session.scalars(select(Meeting)).one().duration_minutes == 90


def test_form_names_a_goal_number_the_pair_does_not_have(core, pair_id):
    core.command(BEN, "goal", "add Learn more about school librarianship")
    form = core.command(ADA, "log-meeting", "").form
    reply = core.submit(
        ADA,
        form.form_id,
        form.context,
        {"date": "2026-11-09", "duration": "1h", "goals": ["1", "7"]},
    )
    assert reply.field_errors == {"goals": "Your pair has no goal 7 (its goals: 1)."}
    assert stored_meetings(core) == []


def test_form_for_another_pair_is_refused(core, pair_id):
    """A member cannot submit a form for a pair they are not in."""
    form = core.command(ADA, "log-meeting", "").form
    reply = core.submit(
        actor("mallory"),
        form.form_id,
        form.context,
        {"date": "today", "duration": "1h", "activity": "other"},
    )
    assert "not in" in text_of(reply)
    assert stored_meetings(core) == []


def test_list_delete_share(core, pair_id):
    """Members list meetings; only the one who logged a meeting deletes or shares it."""
    core.command(ADA, "log-meeting", "today 30m first")
    core.command(BEN, "log-meeting", "today 40m second")
    listed = text_of(core.command(BEN, "log-meeting", "list"))
    assert "**1.**" in listed and "**2.**" in listed and "first" in listed
    assert "logged by your partner" in text_of(core.command(BEN, "log-meeting", "delete 1"))
    assert "Coordinators can now read" in text_of(core.command(BEN, "log-meeting", "share 2"))
    assert "Deleted meeting **1**" in text_of(core.command(ADA, "log-meeting", "delete 1"))
    remaining = stored_meetings(core)
    assert [(m.number, m.notes_shared) for m in remaining] == [(2, True)]
