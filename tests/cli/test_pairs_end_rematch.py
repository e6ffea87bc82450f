"""`pairs end ID --reason` and `pairs rematch ID --mentor X | --mentee Y`: a coordinator ends
a pair saying why, or re-matches a member; each pair keeps its own history, and the new pair
is welcomed at the next tick."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.db import make_engine, make_session_factory, session_scope
from storage.models import AuditEvent, Delivery, Pair


def pairs_in(db_url: str) -> list[tuple]:
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        return [
            (
                p.id,
                p.mentor.platform_user_id,
                p.mentee.platform_user_id,
                p.status,
                p.end_reason,
                p.rematched_from_id,
            )
            for p in session.scalars(select(Pair).order_by(Pair.id))
        ]


def imported(cli, tmp_path) -> None:
    (tmp_path / "pairs.csv").write_text(
        "mentor,mentee,cohort\nada,ben,Fall\ncy,dee,Fall\n", encoding="utf-8"
    )
    result = cli("pairs", "import", str(tmp_path / "pairs.csv"), "--platform", "console")
    assert result.exit_code == 0, result.output


def test_end_keeps_the_reason(cli, db_url, tmp_path):
    imported(cli, tmp_path)
    ended = cli("pairs", "end", "1", "--reason", "  moved to   another library ")
    assert ended.output == (
        "Pair 1 ended (moved to another library); its goals and meetings are kept.\n"
    )
    assert pairs_in(db_url)[0][3:5] == ("ended", "moved to another library")
    again = cli("pairs", "end", "1")
    assert again.exit_code == 1 and "Pair 1 has already ended." in again.output
    long = cli("pairs", "end", "2", "--reason", "x" * 501)
    assert "The reason is 501 characters long; it can be at most 500." in long.output
    assert pairs_in(db_url)[1][3] == "active"


def test_rematch_ends_the_pair_and_welcomes_the_new_one(cli, db_url, tmp_path):
    imported(cli, tmp_path)
    done = cli("pairs", "rematch", "2", "--mentee", "eve", "--reason", "schedules never met")
    assert done.exit_code == 0, done.output
    assert done.output.startswith(
        "Pair 2 ended (schedules never met); pair 3 matches mentor cy with mentee eve from today"
    )
    assert pairs_in(db_url)[1:] == [
        (2, "cy", "dee", "ended", "schedules never met", None),
        (3, "cy", "eve", "active", None, 2),
    ]
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(hour=12, minute=0)
    ticked = cli("nudge", "tick", "--now", tomorrow.isoformat())
    assert ticked.exit_code == 0, ticked.output
    with session_scope(make_session_factory(make_engine(db_url))) as session:
        welcomed = session.scalars(select(Delivery.pair_id).where(Delivery.kind == "welcome"))
        assert 3 in set(welcomed) and 2 not in set(welcomed)
        [entry] = session.scalars(select(AuditEvent).where(AuditEvent.action == "pair.rematch"))
        assert entry.detail == {"new_pair": 3, "reason": "schedules never met"}


def test_rematch_refusals_change_nothing(cli, db_url, tmp_path):
    imported(cli, tmp_path)
    before = pairs_in(db_url)
    cases = [
        (
            ("--mentor", "eve", "--mentee", "fay"),
            "Say who joins: --mentor PERSON or --mentee PERSON",
        ),
        ((), "Say who joins"),
        (("--mentee", "cy"), "cy is already in pair 2."),
        (("--mentor", "ada", "--reason", "y" * 501), "The reason is 501 characters long"),
        (("--mentee", "two words"), "“two words” is not a console user id"),
    ]
    for options, said in cases:
        refused = cli("pairs", "rematch", "2", *options)
        assert refused.exit_code == 1, (options, refused.output)
        assert said in refused.output, (options, refused.output)
        assert "Traceback" not in refused.output
    assert pairs_in(db_url) == before
    cli("pairs", "end", "1")
    ended = cli("pairs", "rematch", "1", "--mentee", "eve")
    assert "Pair 1 has already ended; re-match an active or paused pair." in ended.output
    assert cli("pairs", "rematch", "2", "--mentor", "ada").exit_code == 0  # pair 3: ada & dee
    clash = cli("pairs", "rematch", "3", "--mentee", "dee")
    assert "ada and dee are pair 3 already." in clash.output
