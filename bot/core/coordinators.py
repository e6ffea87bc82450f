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
        "a Slack user id looks like U012ABCDEF (U or W, then capital letters and digits)",
        "in Slack, open the person's profile, click ⋮ and choose Copy member ID",
    ),
    "discord": (
        re.compile(r"[0-9]{17,20}"),
        "a Discord user id looks like 123456789012345678 (a number of 17 to 20 digits)",
        "in Discord, turn on Developer Mode (User Settings → Advanced), then right-click the "
        "person and choose Copy User ID",
    ),
    "console": (
        re.compile(r"[^\s,]{1,64}"),
        "a console id looks like casey (one word, without spaces or commas)",
        "`/who` in the console (`mentorbot run --platform console`) lists everyone's",
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
    if platform not in ID_SHAPES:
        raise InputError(f"“{platform}” is not a platform; use one of {', '.join(ID_SHAPES)}.")
    pattern, looks_like, where = ID_SHAPES[platform]
    typed = user_id.strip()
    if not pattern.fullmatch(typed):
        raise InputError(f"“{typed}” is not a {platform} user id: {looks_like}; {where}.")
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
        raise InputError(
            f"The name is {len(name)} characters long; it can be at most {NAME_LIMIT}."
        )
    if _stored(session, platform, user_id, workspace):
        return f"{user_id} on {platform} is already a coordinator."
    coordinator = Coordinator(
        platform=platform, workspace=workspace, platform_user_id=user_id, display_name=name
    )
    session.add(coordinator)
    session.flush()
    core.audit(session, by, "coordinator.add", "coordinator", coordinator.id, platform=platform)
    also = (
        f" ({ENVIRONMENT} names them too)"
        if _from_environment(core.settings, platform, user_id)
        else ""
    )
    return f"{user_id} on {platform} is now a coordinator{also}."


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
    if platform not in ID_SHAPES:
        raise InputError(f"“{platform}” is not a platform; use one of {', '.join(ID_SHAPES)}.")
    user_id = user_id.strip()
    stored = _stored(session, platform, user_id, workspace.strip())
    if _from_environment(core.settings, platform, user_id):
        also = " (it is in the database too: run this again afterwards)" if stored else ""
        raise InputError(
            f"{user_id} on {platform} comes from the environment ({ENVIRONMENT}), so it cannot "
            f"be removed here; take it out of {ENVIRONMENT} (in the environment or .env) and "
            f"restart mentorbot{also}."
        )
    if stored is None:
        return (
            f"{user_id} on {platform} was not a coordinator, so nothing was removed; "
            "`mentorbot coordinators list` shows who is."
        )
    session.delete(stored)
    session.flush()
    core.audit(session, by, "coordinator.remove", "coordinator", stored.id, platform=platform)
    return f"{user_id} on {platform} is no longer a coordinator."


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
            c.display_name or "(no name)",
            f"person {person_id}" if person_id else "not met yet",
        )
        for c, person_id in rows
    )
    return [
        CoordinatorSource(
            "In the database (`mentorbot coordinators add` / `remove`):",
            stored,
            "No coordinators in the database; add one with "
            "`mentorbot coordinators add PLATFORM ID`.",
        ),
        CoordinatorSource(
            f"From {ENVIRONMENT} (the environment or .env; change them there):",
            tuple(_environment_rows(settings)),
            "not set.",
        ),
        CoordinatorSource(f"From {ROLE_SETTING} (Discord only):", _role_rows(settings), "not set."),
    ]


def _environment_rows(settings: Settings) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for entry in settings.coordinators:
        prefix, _, rest = entry.partition(":")
        if rest and prefix in ID_SHAPES:
            pattern, _, _ = ID_SHAPES[prefix]
            team, _, user_id = rest.rpartition(":")  # slack:T123:U456: in workspace T123 only
            odd = "" if pattern.fullmatch(user_id) else f"(not a {prefix} user id: matches no one)"
            rows.append((prefix, rest, odd or (f"(in workspace {team} only)" if team else "")))
        else:
            rows.append(("every platform", entry, ""))
    return rows


def _role_rows(settings: Settings) -> tuple[tuple[str, ...], ...]:
    role = settings.discord_coordinator_role
    if not role:
        return ()
    if role.isdigit():
        return (("discord", f"everyone holding the role with id {role}"),)
    if settings.discord_guild_id is None:
        return (
            (
                "discord",
                f"nobody: the role is named “{role}”, and a role name counts only in "
                "DISCORD_GUILD_ID, which is not set",
            ),
        )
    return (
        ("discord", f"everyone holding the role “{role}” in server {settings.discord_guild_id}"),
    )


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
