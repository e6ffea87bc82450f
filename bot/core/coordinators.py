"""Who is a coordinator: the one rule every command, alert and listing asks.

Coordinators come from ``MENTORBOT_COORDINATORS``, from the database (``mentorbot coordinators
add``) and, on Discord, from holding the coordinator role.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.replies import Actor
from bot.settings import Settings
from storage.models import Coordinator


def is_coordinator(settings: Settings, session: Session, actor: Actor) -> bool:
    """Whether ``actor`` has coordinator rights."""
    if actor.user_id in settings.coordinator_ids(actor.platform):
        return True
    role = settings.discord_coordinator_role
    if role and actor.platform == "discord" and role in actor.roles:
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
