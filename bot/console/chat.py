"""The console chat: try every command in a terminal, as any member or coordinator.

It speaks to the same ``Core`` as Slack and Discord. Messages for a pair's conversation are
printed under the conversation's name; buttons are numbered, and typing the number presses
them; forms ask field by field, and a choice is checked as soon as it is typed. ``/skip-days
N`` moves the clock on a day at a time, running the scheduler each day, so a whole season can
be seen in a minute. Ctrl-C or Ctrl-D leaves at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from bot.console.outbound import PrintingOutbound
from bot.console.render import print_message, to_rich
from bot.core.commands import BY_NAME, COMMANDS
from bot.core.coordinators import CoordinatorSource, coordinator_ids, coordinator_sources
from bot.core.demo import GUIDE as DEMO_GUIDE
from bot.core.demo import PLATFORM, fill_demo_if_empty
from bot.core.outbound import Outbound
from bot.core.people import PersonView, conversation_title, people_on
from bot.core.private_files import private_folder, write_private
from bot.core.replies import (
    Actor,
    DirectPost,
    FieldKind,
    Form,
    FormField,
    Message,
    Reply,
    render,
)
from bot.core.service import Core

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_SKIP_DAYS = 400
COORDINATOR = render("people.coordinator")  # the role /who shows, as ``people_on`` names it
NO_NAME = render("coordinators.no_name")  # a coordinator kept without a name, as listed
FILES_DIR = Path("mentorbot-files")
CONSOLE_COMMANDS = ("/help", "/who", "/as", "/tick", "/skip-days", "/press", "/quit")


def completions(line: str) -> list[str]:
    """What the word being typed at the end of ``line`` can become: a console or bot command
    first, then one of the bot command's verbs (from the same declarations as everything else)."""
    words = line.split(" ")
    typed = words[-1]
    if len(words) == 1:
        names = [*CONSOLE_COMMANDS, *(command.slash for command in COMMANDS)]
        return [name for name in names if name.startswith(typed)]
    command = BY_NAME.get(words[0].removeprefix("/").casefold())
    earlier = [word for word in words[1:-1] if word]
    if command is None or any(not word.startswith("@") for word in earlier):
        return []
    verbs = [verb.name for verb in command.verbs if verb.shown_name]
    return [verb for verb in verbs if verb.startswith(typed.casefold())]


def complete_with_readline() -> None:
    """Tab completion at an interactive prompt (where the readline module exists)."""
    try:
        import readline
    except ImportError:  # not on every platform; the chat works without it
        return

    def complete(text: str, state: int) -> str | None:
        found = completions(readline.get_line_buffer()[: readline.get_endidx()])
        return found[state] + " " if state < len(found) else None

    readline.set_completer_delims(" ")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")


class Ticks(Protocol):
    """The scheduler's ticker, as the console uses it (built by whoever starts the chat)."""

    async def tick(self) -> Any: ...


class ConsoleChat:
    """A line-based chat loop over a ``Core``."""

    def __init__(
        self,
        core: Core,
        ticker_for: Callable[[Outbound], Ticks],
        read_line: Callable[[str], str] = input,
        console: Console | None = None,
    ) -> None:
        self.core = core
        self.read_line = read_line
        self.console = console or Console(highlight=False)
        self.offset = dt.timedelta()
        real_clock = core.clock
        core.clock = lambda: real_clock() + self.offset
        self.actor: Actor | None = None
        self.buttons: dict[int, str] = {}
        self.delivered = 0  # messages the scheduler has shown, so `/tick` can say it had none
        self.outbound = PrintingOutbound(show=self.show_in_conversation)
        self.ticker = ticker_for(self.outbound)

    # -- output -----------------------------------------------------------------------------

    def say(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.console.print(to_rich(line), highlight=False)

    def show(self, message: Message, heading: str) -> None:
        self.console.print(Text(f"── {heading} ──", style="dim"))  # names: never markup
        print_message(message, self.console)
        if message.typed:
            typed = render("console.you_typed") + " "
            self.console.print(Text(typed, style="dim") + Text(message.typed))
        if message.buttons:
            labels = []
            for button in message.buttons:
                number = len(self.buttons) + 1
                self.buttons[number] = button.action
                labels.append(f"[bold][{number}][/bold] {button.label}")
            self.console.print("   ".join(labels), highlight=False)
        for attachment in message.attachments:
            path = private_folder(FILES_DIR) / attachment.filename
            write_private(path, attachment.content)
            saved = render("console.saved", title=attachment.title, path=path)
            self.console.print(saved, highlight=False)

    def show_in_conversation(self, conversation: str, message: Message) -> None:
        self.delivered += 1
        if conversation.startswith("direct:"):
            to = conversation.removeprefix("direct:")
            self.show(message, render("console.direct_message", user=to))
            return
        self.show(message, self._conversation_name(conversation))

    def _conversation_name(self, conversation: str) -> str:
        return self.core.transaction(lambda session: conversation_title(session, conversation))

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Chat until `/quit`, the end of the input (Ctrl-D) or Ctrl-C, which ends it at once:
        whatever the chat was doing or waiting for is cancelled, and the terminal is left as
        it was found."""
        with _terminal_restored():
            try:
                await self._chat()
            except asyncio.CancelledError:  # Ctrl-C: asyncio cancels the chat
                self.console.print()  # off the prompt's line
                self.say(render("console.bye"))
                raise

    async def _chat(self) -> None:
        await asyncio.to_thread(self._ensure_people)
        self.say(render("console.welcome"))
        await asyncio.to_thread(self._act_as_default)
        await self.tick()
        while True:
            try:
                line = await self.read(self._prompt())
            except (EOFError, KeyboardInterrupt):
                self.say(render("console.bye"))
                return
            if line.strip().casefold() in ("/quit", "/exit", "quit", "exit"):
                self.say(render("console.bye"))
                return
            await self.handle(line.strip())

    async def read(self, prompt: str) -> str:
        """The next line typed, read on a thread of its own that nobody waits for. (On a
        thread of asyncio's pool, Ctrl-C would only cancel the wait, and leaving would then
        wait for that thread: the chat looked frozen until Enter.)"""
        loop = asyncio.get_running_loop()
        typed: asyncio.Future[str] = loop.create_future()

        def settle(outcome: Callable[[], None]) -> None:
            def once() -> None:
                if not typed.done():  # cancelled meanwhile: nobody wants the line
                    outcome()

            with contextlib.suppress(RuntimeError):  # the loop is closed: the chat is over
                loop.call_soon_threadsafe(once)

        def read_one() -> None:
            try:
                line = self.read_line(prompt)
            except BaseException as error:  # EOFError above all; the chat decides
                settle(functools.partial(typed.set_exception, error))
            else:
                settle(functools.partial(typed.set_result, line))

        threading.Thread(target=read_one, name="console-input", daemon=True).start()
        return await typed

    def _prompt(self) -> str:
        name = self.actor.display_name if self.actor else render("console.nobody")
        return f"[{name}] > "

    async def handle(self, line: str) -> None:
        if not line:
            return
        if line.isdigit() or line.casefold().startswith("/press"):
            await self.press(line.removeprefix("/press").strip())
            return
        if not line.startswith("/"):
            self.say(render("console.not_a_command"))
            return
        name, _, rest = line[1:].partition(" ")
        name = name.casefold()
        rest = rest.strip()
        simple = {
            "help": lambda: self.say(render("console.help")),
            "who": self.who,
            "as": lambda: self.act_as(rest),
        }
        if name in simple:
            await asyncio.to_thread(simple[name])
        elif name == "tick":
            await self.tick(say_when_idle=True)
        elif name in ("skip-days", "skip"):
            await self.skip_days(rest)
        elif name in BY_NAME:
            if self.actor is None:
                self.say(render("console.who_first"))
                return
            reply = await asyncio.to_thread(self.core.command, self.actor, name, rest)
            await self.answer(reply)
        else:
            self.say(render("console.unknown_command", name=name))

    # -- people -----------------------------------------------------------------------------

    def _ensure_people(self) -> None:
        filled = self.core.transaction(
            lambda session: fill_demo_if_empty(session, self.core.catalog, self.core.clock())
        )
        if filled:
            self.say(render("console.demo_filled"))

    def _people(self) -> list[PersonView]:
        """Everyone on the console with their roles ("mentor of Ben", "coordinator"), then the
        coordinators the bot has not met yet (from ``MENTORBOT_COORDINATORS`` or the database),
        so that every coordinator can be chosen, in a pair or not."""
        settings = self.core.settings

        def everyone(session: Session) -> list[PersonView]:
            people = people_on(session, settings, PLATFORM)
            met = {person.user_id for person in people}
            names = _stored_names(coordinator_sources(settings, session))
            unmet = [
                PersonView(user_id, names.get(user_id) or user_id, None, (COORDINATOR,))
                for user_id in coordinator_ids(settings, session, PLATFORM)
                if user_id not in met
            ]
            return [*people, *unmet]

        return self.core.transaction(everyone)

    def who(self) -> None:
        lines = [render("console.people")]
        for person in self._people():
            you = self.actor is not None and self.actor.user_id == person.user_id
            lines.append(
                render(
                    "console.person_you" if you else "console.person",
                    name=person.name,
                    user_id=person.user_id,
                    roles=_roles(person.roles),
                )
            )
        self.say("\n".join(lines))

    def act_as(self, name: str) -> None:
        wanted = name.lstrip("@").casefold()
        if not wanted:
            self.say(render("console.say_who"))
            return
        for person in self._people():
            if wanted in (person.name.casefold(), person.user_id.casefold()):
                self.actor = Actor(PLATFORM, person.user_id, person.name, person.timezone)
                self.say(render("console.acting_as", name=person.name, roles=_roles(person.roles)))
                return
        self.say(render("console.no_one_called", name=name))

    def _act_as_default(self) -> None:
        """Start as the demo's guide, else as someone in exactly one pair, so that the first
        commands a newcomer types need no @partner."""
        people = self._people()
        in_one_pair = [p for p in people if p.pairs == 1]
        guide = [p for p in in_one_pair if p.user_id == DEMO_GUIDE]
        chosen = guide or in_one_pair or [p for p in people if p.roles]
        if chosen:
            self.act_as(chosen[0].user_id)

    # -- clock ------------------------------------------------------------------------------

    async def tick(self, *, say_when_idle: bool = False) -> None:
        delivered = self.delivered
        report = await self.ticker.tick()
        for outgoing, reason in report.retrying:
            self.say(render("console.retrying", pair=outgoing.address.pair_id, reason=reason))
        for outgoing, reason in report.failed:
            self.say(render("console.failed", pair=outgoing.address.pair_id, reason=reason))
        said = self.delivered > delivered or report.failed or report.retrying
        if say_when_idle and not said:
            self.say(render("console.nothing_due", when=self._local_now()))

    def _local_now(self) -> str:
        """The console's clock where the person acted as lives (else the default zone)."""
        zone = (self.actor.timezone if self.actor else None) or self.core.settings.timezone
        now = self.core.clock().astimezone(ZoneInfo(zone))
        return f"{now:%A %-d %B %Y, %H:%M} ({zone})"

    async def skip_days(self, text: str) -> None:
        if not text.isdigit() or not 1 <= int(text) <= MAX_SKIP_DAYS:
            self.say(render("console.skip_days", most=MAX_SKIP_DAYS))
            return
        for _ in range(int(text)):
            self.offset += dt.timedelta(days=1)
            await self.tick()
        today = self.core.clock().date()
        self.say(render("console.clock", today=f"{today:%A %-d %B %Y}"))

    # -- replies, buttons and forms ------------------------------------------------------------

    async def press(self, number: str) -> None:
        if not number.isdigit() or int(number) not in self.buttons:
            self.say(render("console.no_such_button"))
            return
        if self.actor is None:
            self.say(render("console.as_first"))
            return
        reply = await asyncio.to_thread(self.core.press, self.actor, self.buttons[int(number)])
        await self.answer(reply)

    async def answer(self, reply: Reply) -> None:
        if reply.replacement:
            self.show(reply.replacement, render("console.updated"))
        if reply.message:
            self.show(reply.message, render("console.only_you"))
        for post in reply.posts:
            if isinstance(post, DirectPost):
                self.show(post.message, render("console.direct_message", user=post.user_id))
            else:
                self.show(post.message, self._conversation_name(f"console-pair-{post.pair_id}"))
        if reply.form:
            await self.fill(reply.form)

    async def fill(self, form: Form) -> None:
        """Ask each field in turn; after a rejected submission, ask again only what was wrong."""
        self.say(render("console.form", title=form.title))
        if form.intro:
            self.say(form.intro)
        values: dict[str, object] = {}
        fields = list(form.fields)
        while True:
            for field in fields:
                try:
                    answer = await self.ask(field, values.get(field.name))
                except CommandInsteadOfAnswer as typed:
                    self.say(render("console.form_left"))
                    await self.handle(typed.line)
                    return
                if answer is None:
                    self.say(render("console.form_cancelled"))
                    return
                values[field.name] = answer
            assert self.actor is not None
            reply = await asyncio.to_thread(
                self.core.submit, self.actor, form.form_id, form.context, values
            )
            if not reply.field_errors:
                await self.answer(reply)
                return
            for name, error in reply.field_errors.items():
                self.say(render("console.wrong", error=error))
                values.pop(name, None)  # ask again from the form's default, not the bad value
            fields = [f for f in form.fields if f.name in reply.field_errors]

    async def ask(self, field: FormField, previous: object) -> object | None:
        default = previous if previous is not None else field.initial
        if field.kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT):
            for number, option in zip(_option_numbers(field), field.options, strict=True):
                label = option.label.removeprefix(f"{number}. ")
                self.console.print(f"   {number}. {label}", highlight=False)
        asked = [field.label]
        if field.hint:
            asked.append(f"({field.hint})")
        if field.kind == FieldKind.MULTI_SELECT:
            asked.append(render("console.several_numbers"))
        if shown := _shown_default(field, default):
            asked.append(f"[{shown}]")
        question = " ".join(asked) + ": "
        while True:  # a choice that is none of the options is refused at once, and asked again
            try:
                text = (await self.read(question)).strip()
            except EOFError:
                return None
            if text.casefold() == "/cancel":
                return None
            if text.startswith("/"):
                raise CommandInsteadOfAnswer(text)
            if not text:
                return default if default is not None else ""
            if field.kind not in (FieldKind.SELECT, FieldKind.MULTI_SELECT):
                return text
            split = [text] if field.kind == FieldKind.SELECT else text.split(",")
            parts = [part.strip() for part in split if part.strip()]
            chosen = [_option_value(field, part) for part in parts]
            wrong = [part for part, value in zip(parts, chosen, strict=True) if value is None]
            if not wrong:
                return chosen[0] if field.kind == FieldKind.SELECT else chosen
            self.say(
                render(
                    "console.not_a_choice"
                    if field.kind == FieldKind.SELECT
                    else "console.not_choices",
                    typed=wrong[0],
                    choices=_choices(field),
                )
            )


class CommandInsteadOfAnswer(Exception):
    """A slash command typed at a form's question: the form is left and the command run."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def _option_numbers(field: FormField) -> list[str]:
    """What to type for each option: its own value when that is a number (a goal's number),
    else its place in the list."""
    values = [option.value for option in field.options]
    if all(value.isdigit() for value in values):
        return values
    return [str(index) for index in range(1, len(values) + 1)]


def _option_value(field: FormField, text: str) -> str | None:
    """The option ``text`` names, by its number, its value or its label; else ``None``."""
    numbers = _option_numbers(field)
    if text in numbers:
        return field.options[numbers.index(text)].value
    for number, option in zip(numbers, field.options, strict=True):
        label = option.label.removeprefix(f"{number}. ")
        if text in (option.value, label) or text.casefold() == label.casefold():
            return option.value
    return None


def _choices(field: FormField) -> str:
    """The numbers to type, as a range when they run on: "1 to 3", else "2, 5, 7"."""
    numbers = _option_numbers(field)
    if numbers == [str(n) for n in range(1, len(numbers) + 1)] and len(numbers) > 1:
        return render("console.range", last=len(numbers))
    return ", ".join(numbers)


def _shown_default(field: FormField, default: object) -> str:
    if default in (None, "", ()):
        return ""
    if field.kind == FieldKind.SELECT:
        for option in field.options:
            if option.value == default:
                return option.label
    return str(default)


def _roles(roles: Sequence[str]) -> str:
    return ", ".join(roles) or render("console.no_pair")


def _stored_names(sources: Sequence[CoordinatorSource]) -> dict[str, str]:
    """The names kept with the console's coordinators in the database: the first source's
    rows (platform, id, name or ``NO_NAME``, whether met)."""
    database = sources[0].rows if sources else ()
    return {
        row[1]: row[2] for row in database if row[0] == PLATFORM and row[2] not in ("", NO_NAME)
    }


@contextlib.contextmanager
def _terminal_restored() -> Iterator[None]:
    """Gives the terminal its settings back when the chat ends: after Ctrl-C the reading
    thread is still inside readline, which turns echo off while it edits a line."""
    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (ImportError, OSError, ValueError, AttributeError):  # a test's stdin, or Windows
        saved = None
    if saved is None:  # no terminal to keep: a pipe, a file, a test
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
