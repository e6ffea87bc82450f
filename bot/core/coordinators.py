"""Who is a coordinator: the one rule every command, alert and listing asks.

Coordinators come from ``MENTORBOT_COORDINATORS``, from the database (``mentorbot coordinators
add``) and, on Discord, from holding the coordinator role: ``MENTORBOT_DISCORD_COORDINATOR_ROLE``
names it by id (unique to its server, so safe anywhere) or by name, which counts only in
``DISCORD_GUILD_ID``: anyone can make a role of that name in a server of their own. The Discord
adapter puts role ids in ``Actor.roles`` and names (prefixed ``ROLE_NAME``) only from that
server.

Here too are the rules for keeping them in the database, which the CLI (and chat) call: an id
must have its platform's shape; one that ``MENTORBOT_COORDINATORS`` names can only be taken away
there; the listing names every source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.errors import InputError
from bot.core.replies import Actor
from bot.core.workspaces import checked_workspace
from bot.settings import Settings
from prompts.messages import render
from storage.models import Coordinator, Person

if TYPE_CHECKING:
    from bot.core.service import Core

ROLE_NAME = "name:"
CLI = "cli"  # the audit's actor for what an operator does at the command line


def is_coordinator(settings: Settings, session: Session, actor: Actor) -> bool:
    """Whether ``actor`` has coordinator rights (in their own workspace)."""
    if actor.user_id in coordinator_ids(settings, session, actor.platform, actor.workspace):
        return True
    role = settings.discord_coordinator_role
    if role and actor.platform == "discord":
        held = role if role.isdigit() else ROLE_NAME + role
        if held in actor.roles:
            return True
    return False


def coordinator_ids(
    settings: Settings, session: Session, platform: str, workspace: str | None = None
) -> list[str]:
    """The user ids of every coordinator known on ``platform`` (setting first, then stored),
    or of those of one ``workspace``; holders of a Discord role are not listed, as only
    Discord knows them."""
    return list(
        dict.fromkeys(
            ref.user_id
            for ref in coordinator_refs(settings, session, platform)
            if workspace is None or ref.counts_in(workspace)
        )
    )


@dataclass(frozen=True)
class CoordinatorRef:
    """A coordinator and the workspace they coordinate: one kept in the database, or named
    ``slack:T123:U456`` in ``MENTORBOT_COORDINATORS``, belongs to that workspace (team);
    a bare id in the setting (``workspace`` None) counts in every workspace."""

    user_id: str
    workspace: str | None

    def counts_in(self, workspace: str) -> bool:
        return self.workspace is None or _team(self.workspace) == _team(workspace)


def coordinator_refs(settings: Settings, session: Session, platform: str) -> list[CoordinatorRef]:
    """Every coordinator on ``platform`` with their workspace (setting first, then stored)."""
    refs = []
    for entry in settings.coordinator_ids(platform):
        team, _, user_id = entry.rpartition(":")
        refs.append(CoordinatorRef(user_id, team or None))
    rows = session.execute(
        select(Coordinator.platform_user_id, Coordinator.workspace).where(
            Coordinator.platform == platform
        )
    )
    refs += [CoordinatorRef(user_id, workspace) for user_id, workspace in rows]
    return refs


def _team(workspace: str) -> str:
    """The team of a workspace (``E123/T456`` → ``T456``), as the setting names it."""
    return workspace.rpartition("/")[2]


# -- keeping coordinators in the database (``mentorbot coordinators add/remove/list``) --------

ENVIRONMENT = "MENTORBOT_COORDINATORS"
ROLE_SETTING = "MENTORBOT_DISCORD_COORDINATOR_ROLE"
NAME_LIMIT = 200  # the column's length

# What a user id looks like on each platform, and where to find one: a refusal says both.
ID_SHAPES: dict[str, tuple[re.Pattern[str], str, str]] = {
    "slack": (
        re.compile(r"[UW][A-Z0-9]{2,63}"),
        render("coordinators.slack_id"),
        render("coordinators.slack_id_where"),
    ),
    "discord": (
        re.compile(r"[0-9]{17,20}"),
        render("coordinators.discord_id"),
        render("coordinators.discord_id_where"),
    ),
    "console": (
        re.compile(r"[^\s,]{1,64}"),
        render("coordinators.console_id"),
        render("coordinators.console_id_where"),
    ),
}


@dataclass(frozen=True)
class CoordinatorSource:
    """One place coordinator rights come from, as ``coordinators list`` shows it: a heading
    naming the source, a row of cells per coordinator (as many in each row of one source), and
    what to say when there is none."""

    heading: str
    rows: tuple[tuple[str, ...], ...]
    empty: str


def checked_user_id(platform: str, user_id: str) -> str:
    """``user_id`` as typed (without surrounding spaces) when it has the platform's shape, else
    an ``InputError`` saying what an id there looks like and where to find one."""
    _check_platform(platform)
    pattern, looks_like, where = ID_SHAPES[platform]
    typed = user_id.strip()
    if not pattern.fullmatch(typed):
        raise InputError(
            render(
                "coordinators.not_an_id",
                typed=typed,
                platform=platform,
                looks_like=looks_like,
                where=where,
            )
        )
    return typed


def add_coordinator(
    core: Core,
    session: Session,
    platform: str,
    user_id: str,
    name: str = "",
    *,
    by: str = CLI,
    workspace: str = "",
) -> str:
    """Keep ``user_id`` on ``platform`` (of ``workspace``, on Slack installed into many) as a
    coordinator in the database (audited)."""
    user_id = checked_user_id(platform, user_id)
    workspace = checked_workspace(core.settings, workspace, needed=platform == "slack")
    name = name.strip()
    if len(name) > NAME_LIMIT:
        raise InputError(render("coordinators.name_too_long", length=len(name), most=NAME_LIMIT))
    if _stored(session, platform, user_id, workspace):
        return render("coordinators.already", user_id=user_id, platform=platform)
    coordinator = Coordinator(
        platform=platform, workspace=workspace, platform_user_id=user_id, display_name=name
    )
    session.add(coordinator)
    session.flush()
    core.audit(session, by, "coordinator.add", "coordinator", coordinator.id, platform=platform)
    if _from_environment(core.settings, platform, user_id):
        return render(
            "coordinators.added_also_set", user_id=user_id, platform=platform, setting=ENVIRONMENT
        )
    return render("coordinators.added", user_id=user_id, platform=platform)


def remove_coordinator(
    core: Core,
    session: Session,
    platform: str,
    user_id: str,
    *,
    by: str = CLI,
    workspace: str = "",
) -> str:
    """Take ``user_id`` on ``platform`` out of the database's coordinators (audited); one named
    by ``MENTORBOT_COORDINATORS`` is refused, as only the environment can take those rights."""
    _check_platform(platform)
    user_id = user_id.strip()
    stored = _stored(session, platform, user_id, workspace.strip())
    if _from_environment(core.settings, platform, user_id):
        raise InputError(
            render(
                "coordinators.from_environment_stored"
                if stored
                else "coordinators.from_environment",
                user_id=user_id,
                platform=platform,
                setting=ENVIRONMENT,
            )
        )
    if stored is None:
        return render("coordinators.not_a_coordinator", user_id=user_id, platform=platform)
    session.delete(stored)
    session.flush()
    core.audit(session, by, "coordinator.remove", "coordinator", stored.id, platform=platform)
    return render("coordinators.removed", user_id=user_id, platform=platform)


def _check_platform(platform: str) -> None:
    if platform not in ID_SHAPES:
        raise InputError(
            render("coordinators.not_a_platform", platform=platform, platforms=", ".join(ID_SHAPES))
        )


def coordinator_sources(settings: Settings, session: Session) -> list[CoordinatorSource]:
    """Every source of coordinator rights, each labelled with where it comes from: the
    database, ``MENTORBOT_COORDINATORS`` and ``MENTORBOT_DISCORD_COORDINATOR_ROLE``."""
    rows = session.execute(
        select(Coordinator, Person.id)
        .outerjoin(
            Person,
            (Person.platform == Coordinator.platform)
            & (Person.workspace == Coordinator.workspace)
            & (Person.platform_user_id == Coordinator.platform_user_id),
        )
        .order_by(Coordinator.platform, Coordinator.id)
    ).all()
    stored = tuple(
        (
            f"{c.platform} ({c.workspace})" if c.workspace else c.platform,
            c.platform_user_id,
            c.display_name or render("coordinators.no_name"),
            render("coordinators.met", person=person_id)
            if person_id
            else render("coordinators.not_met"),
        )
        for c, person_id in rows
    )
    return [
        CoordinatorSource(
            render("coordinators.database_heading"),
            stored,
            render("coordinators.database_empty"),
        ),
        CoordinatorSource(
            render("coordinators.environment_heading", setting=ENVIRONMENT),
            tuple(_environment_rows(settings)),
            render("coordinators.not_set"),
        ),
        CoordinatorSource(
            render("coordinators.role_heading", setting=ROLE_SETTING),
            _role_rows(settings),
            render("coordinators.not_set"),
        ),
    ]


def _environment_rows(settings: Settings) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for entry in settings.coordinators:
        prefix, _, rest = entry.partition(":")
        if rest and prefix in ID_SHAPES:
            pattern, _, _ = ID_SHAPES[prefix]
            team, _, user_id = rest.rpartition(":")  # slack:T123:U456: in workspace T123 only
            odd = (
                "" if pattern.fullmatch(user_id) else render("coordinators.odd_id", platform=prefix)
            )
            only = render("coordinators.in_workspace_only", team=team) if team else ""
            rows.append((prefix, rest, odd or only))
        else:
            rows.append((render("coordinators.every_platform"), entry, ""))
    return rows


def _role_rows(settings: Settings) -> tuple[tuple[str, ...], ...]:
    role = settings.discord_coordinator_role
    if not role:
        return ()
    if role.isdigit():
        return (("discord", render("coordinators.role_id", role=role)),)
    if settings.discord_guild_id is None:
        return (("discord", render("coordinators.role_no_server", role=role)),)
    server = settings.discord_guild_id
    return (("discord", render("coordinators.role_in_server", role=role, server=server)),)


def _stored(session: Session, platform: str, user_id: str, workspace: str) -> Coordinator | None:
    return session.scalar(
        select(Coordinator).where(
            Coordinator.platform == platform,
            Coordinator.workspace == workspace,
            Coordinator.platform_user_id == user_id,
        )
    )


def _from_environment(settings: Settings, platform: str, user_id: str) -> bool:
    return user_id in settings.coordinator_ids(platform)
