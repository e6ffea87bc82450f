"""A single-workspace install becoming one of many: its rows get their workspace, once.

With one ``SLACK_BOT_TOKEN`` nothing on Slack names a workspace (it is empty). When the bot is
then installed into many workspaces, the adapter asks Slack once which workspace that token is
of and hands it here: its people, coordinators and programs move into it, so its members and
coordinators go on finding their pairs and programs there.
"""

from __future__ import annotations

import re

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from bot.core.errors import InputError
from bot.settings import Settings
from prompts.messages import render
from storage.models import Coordinator, Pair, Person, Program

SHAPE = re.compile(r"(E[A-Z0-9]{2,31}/)?T[A-Z0-9]{2,31}")


def checked_workspace(settings: Settings, workspace: str, *, needed: bool) -> str:
    """``--workspace`` as typed: a Slack team id, given only to a bot installed into many
    workspaces, and (``needed``) always given to one; else an ``InputError`` saying so."""
    workspace = workspace.strip()
    if workspace and not settings.slack_oauth:
        raise InputError(render("workspaces.not_many"))
    if workspace and not SHAPE.fullmatch(workspace):
        raise InputError(render("workspaces.not_a_team", workspace=workspace))
    if needed and settings.slack_oauth and not workspace:
        raise InputError(render("workspaces.say_which"))
    return workspace


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
