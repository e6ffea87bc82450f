"""A single-workspace install becoming one of many: its rows get their workspace, once.

With one ``SLACK_BOT_TOKEN`` nothing on Slack names a workspace (it is empty). When the bot is
then installed into many workspaces, the adapter asks Slack once which workspace that token is
of and hands it here: its people, coordinators and programs move into it, so its members and
coordinators go on finding their pairs and programs there.
"""

from __future__ import annotations

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from storage.models import Coordinator, Pair, Person, Program


def unplaced(session: Session, platform: str) -> bool:
    """Whether ``platform`` has people or coordinators in no workspace yet."""
    return bool(
        session.scalar(
            select(
                exists().where(Person.platform == platform, Person.workspace == "")
                | exists().where(Coordinator.platform == platform, Coordinator.workspace == "")
            )
        )
    )


def adopt(session: Session, platform: str, workspace: str) -> int:
    """Move ``platform``'s people and coordinators in no workspace into ``workspace``, with
    the programs in none that hold no pair of another platform; returns how many rows moved."""
    moved = 0
    for table in (Person, Coordinator):
        there = aliased(table)
        met_there = exists().where(  # (met in the workspace since: that row stays theirs)
            there.platform == platform,
            there.workspace == workspace,
            there.platform_user_id == table.platform_user_id,
        )
        moved += session.execute(
            update(table)
            .where(table.platform == platform, table.workspace == "", ~met_there)
            .values(workspace=workspace)
        ).rowcount
    elsewhere = exists().where(Pair.program_id == Program.id, Pair.platform != platform)
    moved += session.execute(
        update(Program).where(Program.workspace == "", ~elsewhere).values(workspace=workspace)
    ).rowcount
    return moved
