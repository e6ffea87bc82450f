"""The platform-neutral bot: commands, clicks and form submissions in, ``Reply`` out.

Adapters call ``command`` for a slash command's text (parsed here, by the one grammar),
``invoke`` for a command whose options the platform already typed (Discord), ``press`` for a
button and ``submit`` for a form, and ``first_time`` before any of them where the platform can
replay a request. Each runs in one database transaction: an error leaves nothing half-written.
A refusal (``InputError``) becomes a plain sentence that gives back what was typed and, where a
form does the same job, a button that opens it filled in with what could be read. Anything else
is logged with a short reference that the apology carries too. The methods are blocking; async
adapters run them in a worker thread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.core import replays
from bot.core.buttons import handle_button
from bot.core.commands import BY_NAME, COMMANDS, FORMS, execute, show_page
from bot.core.completion import choices
from bot.core.context import Request, find_person, person_for
from bot.core.errors import FormOffer, InputError, apology
from bot.core.forms import DRAFT_PREFIX, keep_draft, open_draft
from bot.core.grammar import Invocation, as_typed, parse
from bot.core.home import HOME_PREFIX, home
from bot.core.home import press as home_press
from bot.core.limits import ECHO
from bot.core.paging import PAGE_PREFIX
from bot.core.pairs import member_user_ids
from bot.core.reflections import OUTCOMES_PREFIX, press_outcome
from bot.core.replies import Actor, Button, Message, MessageRef, Option, Reply
from bot.settings import Settings
from prompts.catalog import Catalog
from prompts.competencies import load_competencies
from prompts.messages import render
from storage.db import make_async_engine, run_in_transaction
from storage.models import AuditEvent, Person
from storage.rate import count_command

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
T = TypeVar("T")

COMMAND_NAMES = tuple(command.name for command in COMMANDS)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def echo(typed: str) -> str:
    """What was typed, as a refusal gives it back: shortened to ``ECHO`` characters."""
    typed = typed.strip()
    return typed if len(typed) <= ECHO else typed[: ECHO - 1] + "…"


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
        self.competencies = load_competencies(settings.competencies_file)
        self.clock = clock

    def async_engine(self) -> AsyncEngine:
        """This database for a library that speaks only asyncio (Slack's installation
        stores); the caller disposes of it."""
        url = self.sessions.kw["bind"].url.render_as_string(hide_password=False)
        return make_async_engine(url)

    def command(
        self,
        actor: Actor,
        command: str,
        text: str = "",
        conversation_id: str | None = None,
        mentions: Mapping[str, str] | None = None,
    ) -> Reply:
        """Answer ``/command text`` typed by ``actor`` (in ``conversation_id``, if known);
        ``mentions`` gives the platform's user id for each ``@name`` it resolved."""
        name = command.strip().lstrip("/").casefold()
        declared = BY_NAME.get(name)
        typed = as_typed(name, text)
        if not self._within_rate(actor):
            return self._refusal(self._too_fast(), typed)
        if declared is None:
            known = ", ".join(f"/{c}" for c in COMMAND_NAMES)
            return self._refusal(render("service.unknown_command", name=name, known=known), typed)
        try:
            invocation = parse(declared, text)
        except InputError as error:
            return self._refusal(error.message, typed)
        if mentions:
            invocation = dataclasses.replace(invocation, mentions=mentions)
        return self._invoke(actor, invocation, conversation_id)

    def invoke(
        self, actor: Actor, invocation: Invocation, conversation_id: str | None = None
    ) -> Reply:
        """Carry out a command whose options a platform sent already typed."""
        if not self._within_rate(actor):
            return self._refusal(self._too_fast(), invocation.typed)
        return self._invoke(actor, invocation, conversation_id)

    def _invoke(self, actor: Actor, invocation: Invocation, conversation_id: str | None) -> Reply:
        declared = BY_NAME.get(invocation.command)
        if declared is None:
            return self._refusal(
                render("service.unknown_typed_command", name=invocation.command), invocation.typed
            )
        return self._run(
            actor,
            conversation_id,
            lambda request: execute(request, declared, invocation),
            invocation.typed,
        )

    def press(
        self,
        actor: Actor,
        action: str,
        conversation_id: str | None = None,
        message_ref: MessageRef | None = None,
    ) -> Reply:
        """Answer a click on a button whose action string the core made; ``message_ref`` is
        the message it was on, as the platform names it (a delivery's buttons act only on
        the delivery's own message)."""
        if action.startswith(HOME_PREFIX):
            return self._run(actor, conversation_id, lambda request: home_press(request, action))
        if action.startswith(OUTCOMES_PREFIX):
            return self._run(actor, conversation_id, lambda request: press_outcome(request, action))
        if action.startswith(PAGE_PREFIX):
            return self._run(actor, conversation_id, lambda request: show_page(request, action))
        if action.startswith(DRAFT_PREFIX):
            token = action.removeprefix(DRAFT_PREFIX)
            return self._run(
                actor, conversation_id, lambda request: open_draft(request, token, FORMS)
            )
        return self._run(
            actor, conversation_id, lambda request: handle_button(request, action, message_ref)
        )

    def home(self, actor: Actor) -> list[Message]:
        """The sections of ``actor``'s home (Slack's Home tab), read without writing anything
        (not even the platform's name or zone for them); an apology if it fails."""

        def read(session: Session) -> list[Message]:
            person = find_person(session, actor) or Person(  # not met yet: kept unstored
                platform=actor.platform,
                platform_user_id=actor.user_id,
                display_name=actor.display_name or actor.user_id,
            )
            return home(Request(self, session, actor, person, None, self.clock()))

        try:
            return run_in_transaction(self.sessions, read)
        except Exception:
            return [Message(apology(log, "home of %s:%s failed", actor.platform, actor.user_id))]

    def submit(
        self,
        actor: Actor,
        form_id: str,
        context: str,
        values: Mapping[str, object],
        conversation_id: str | None = None,
    ) -> Reply:
        """Answer a submitted form; ``Reply.field_errors`` keeps the form open with its errors."""
        kind = FORMS.get(form_id)
        if kind is None:
            return Reply.text(render("service.form_out_of_date"))
        return self._run(
            actor, conversation_id, lambda request: kind.submit(request, context, values)
        )

    def complete(
        self,
        actor: Actor,
        command: str,
        verb: str,
        argument: str,
        typed: str,
        partners: tuple[str, ...] = (),
        conversation_id: str | None = None,
    ) -> list[Option]:
        """What to offer for an argument being typed; reads only, never writes."""
        declared = BY_NAME.get(command)
        with self.sessions() as session:
            person = find_person(session, actor)
            if declared is None or person is None:
                return []
            request = Request(self, session, actor, person, conversation_id, self.clock())
            return choices(request, declared, verb, argument, typed, partners)

    def draft(
        self, actor: Actor, form_id: str, context: str, values: Mapping[str, object]
    ) -> Button | None:
        """A button that opens the form again with ``values`` (for platforms that cannot keep
        a refused form open); None when it could not be kept."""
        if form_id not in FORMS:
            return None
        offer = FormOffer(form_id, context, values)
        return self._keep(actor, offer)

    def first_time(self, key: str) -> bool:
        """Whether the platform request ``key`` (e.g. ``slack:`` + its ``trigger_id``) is seen
        for the first time; False for a replay, which the adapter drops unapplied."""
        return replays.first_time(self.sessions, key, self.clock())

    def member_ids(self, pair_ids: Iterable[int]) -> set[str]:
        """The platform user ids of these pairs' members: whose view of a pair a post to it
        changes."""
        return run_in_transaction(self.sessions, lambda session: member_user_ids(session, pair_ids))

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Run one of the core's own operations (``people``, ``admin``…) in one transaction;
        how adapters and the CLI reach the database without writing SQL of their own."""
        return run_in_transaction(self.sessions, work)

    def _run(
        self,
        actor: Actor,
        conversation_id: str | None,
        work: Callable[[Request], Reply],
        typed: str = "",
    ) -> Reply:
        def transaction(session: Session) -> Reply:
            return work(self._request(session, actor, conversation_id))

        try:
            return run_in_transaction(self.sessions, transaction)
        except InputError as error:
            button = self._keep(actor, error.offer) if error.offer else None
            return self._refusal(error.message, typed, button)
        except Exception:
            return Reply.text(
                apology(log, "request from %s:%s failed", actor.platform, actor.user_id)
            )

    def _too_fast(self) -> str:
        return render("service.too_fast", most=self.settings.commands_per_minute)

    def _within_rate(self, actor: Actor) -> bool:
        """Whether ``actor`` is within their commands a minute (counted in its own
        transaction, so a refused or failing command counts too)."""
        limit = self.settings.commands_per_minute
        if not limit:
            return True
        key, now = f"{actor.platform}:{actor.user_id}", self.clock()
        return run_in_transaction(self.sessions, lambda s: count_command(s, key, now)) <= limit

    def _request(self, session: Session, actor: Actor, conversation_id: str | None) -> Request:
        return Request(
            self, session, actor, person_for(session, actor), conversation_id, self.clock()
        )

    def _keep(self, actor: Actor, offer: FormOffer) -> Button | None:
        """Keep a refused form's values as a draft (its own transaction: the refused one was
        rolled back) and return the button that opens it."""

        def transaction(session: Session) -> Button:
            request = self._request(session, actor, None)
            return keep_draft(request, offer.form_id, offer.context, offer.values)

        try:
            return run_in_transaction(self.sessions, transaction)
        except Exception:
            log.exception("could not keep a draft for %s:%s", actor.platform, actor.user_id)
            return None

    @staticmethod
    def _refusal(sentence: str, typed: str, button: Button | None = None) -> Reply:
        buttons = (button,) if button else ()
        return Reply(message=Message(sentence, buttons=buttons, typed=echo(typed)))

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
