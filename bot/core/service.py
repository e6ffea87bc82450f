"""The platform-neutral bot: commands, clicks and form submissions in, ``Reply`` out.

Adapters call three methods: ``command`` for a slash command, ``press`` for a button click and
``submit`` for a form. Each runs in one database transaction: an error leaves nothing
half-written, and any ``InputError`` becomes a plain sentence for the user. The methods are
blocking; async adapters run them in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.core.context import Request, person_for
from bot.core.errors import InputError
from bot.core.goals import handle_goal
from bot.core.meetings import MEETING_FORM, handle_log_meeting, submit_meeting_form
from bot.core.mentoring import handle_mentoring
from bot.core.replies import Actor, Reply
from bot.core.summary import handle_summary
from bot.settings import Settings
from prompts.catalog import Catalog
from storage.db import run_in_transaction
from storage.models import AuditEvent

log = logging.getLogger(__name__)

Handler = Callable[[Request, str], Reply]
COMMANDS: dict[str, Handler] = {
    "goal": handle_goal,
    "log-meeting": handle_log_meeting,
    "mentoring": handle_mentoring,
    "mentoring-summary": handle_summary,
}
SORRY = "Sorry, something went wrong on my side and nothing was changed. Please try again."


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Core:
    """The bot's behaviour, shared by every platform."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalog: Catalog,
        settings: Settings,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.catalog = catalog
        self.settings = settings
        self.clock = clock

    def command(
        self, actor: Actor, command: str, text: str = "", conversation_id: str | None = None
    ) -> Reply:
        """Answer ``/command text`` typed by ``actor`` (in ``conversation_id``, if known)."""
        name = command.strip().lstrip("/").casefold()
        handler = COMMANDS.get(name)
        if handler is None:
            known = ", ".join(f"/{c}" for c in COMMANDS)
            return Reply.text(f"I don't know /{name}; I answer {known}.")
        return self._run(actor, conversation_id, lambda request: handler(request, text))

    def press(self, actor: Actor, action: str, conversation_id: str | None = None) -> Reply:
        """Answer a click on a button whose action string the core made."""
        from bot.core.buttons import handle_button

        return self._run(actor, conversation_id, lambda request: handle_button(request, action))

    def submit(
        self,
        actor: Actor,
        form_id: str,
        context: str,
        values: Mapping[str, object],
        conversation_id: str | None = None,
    ) -> Reply:
        """Answer a submitted form; ``Reply.field_errors`` keeps the form open with its errors."""
        if form_id != MEETING_FORM:
            return Reply.text("That form is out of date; run the command again to get a new one.")
        return self._run(
            actor, conversation_id, lambda request: submit_meeting_form(request, context, values)
        )

    def _run(
        self, actor: Actor, conversation_id: str | None, work: Callable[[Request], Reply]
    ) -> Reply:
        def transaction(session: Session) -> Reply:
            request = Request(
                self, session, actor, person_for(session, actor), conversation_id, self.clock()
            )
            return work(request)

        try:
            return run_in_transaction(self.sessions, transaction)
        except InputError as error:
            return Reply.text(error.message)
        except Exception:
            log.exception("command failed for %s:%s", actor.platform, actor.user_id)
            return Reply.text(SORRY)

    def audit(
        self,
        session: Session,
        actor: str,
        action: str,
        entity: str,
        entity_id: int | None,
        **detail: Any,
    ) -> None:
        session.add(
            AuditEvent(
                at=self.clock(),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                detail=detail,
            )
        )
