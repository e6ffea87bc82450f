"""Who is a coordinator: the one rule every command, alert and listing asks.

Coordinators come from ``MENTORBOT_COORDINATORS``, from the database (``mentorbot coordinators
add``) and, on Discord, from holding the coordinator role: ``MENTORBOT_DISCORD_COORDINATOR_ROLE``
names it by id (unique to its server, so safe anywhere) or by name, which counts only in
``DISCORD_GUILD_ID``: anyone can make a role of that name in a server of their own. The Discord
adapter puts role ids in ``Actor.roles`` and names (prefixed ``ROLE_NAME``) only from that
server.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.replies import Actor
from bot.settings import Settings
from storage.models import Coordinator

ROLE_NAME = "name:"


def is_coordinator(settings: Settings, session: Session, actor: Actor) -> bool:
    """Whether ``actor`` has coordinator rights."""
    if actor.user_id in settings.coordinator_ids(actor.platform):
        return True
    role = settings.discord_coordinator_role
    if role and actor.platform == "discord":
        held = role if role.isdigit() else ROLE_NAME + role
        if held in actor.roles:
            return True
    return actor.user_id in _stored_ids(session, actor.platform)


def coordinator_ids(settings: Settings, session: Session, platform: str) -> list[str]:
    """The user ids of every coordinator known on ``platform`` (setting first, then stored);
    holders of a Discord role are not listed, as only Discord knows them."""
    return list(
        dict.fromkeys([*settings.coordinator_ids(platform), *_stored_ids(session, platform)])
    )


def _stored_ids(session: Session, platform: str) -> list[str]:
    return list(
        session.scalars(
            select(Coordinator.platform_user_id).where(Coordinator.platform == platform)
        )
    )
