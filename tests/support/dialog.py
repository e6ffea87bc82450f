"""Conversations as test tables: who typed what, and what they were shown.

In the spirit of zulip_bots' ``verify_dialog``: each row is ``(who, typed, shown)``. ``who`` is
a member's user id, with `` in CONVERSATION`` when they type inside a pair's conversation
(``"ada in G-ada-ben"``). ``typed`` is a slash command as typed (``/goal add Plan``), or
``press LABEL`` (a button of an earlier answer), or ``submit name=value; name=value`` (the
form last opened). ``shown`` is a fragment, or a tuple of fragments, of what the caller was
shown; a fragment starting with ``!`` (or a ``Not``) must *not* be shown, nor an apology unless
one is expected. A failing row reports the whole conversation so far, so the failure reads
like the chat that produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.replies import Actor, Form, Reply, unmarked
from bot.core.service import Core
from tests.support.transcripts import Not, check_shown, transcript

Row = tuple[str, str, str | tuple[str, ...]]


def shown(reply: Reply) -> str:
    """Everything a reply shows the caller, and what it posts for others, as lines."""
    lines = []
    if reply.message is not None:
        lines.append(unmarked(reply.message.text))
        if reply.message.typed:
            lines.append(f"You typed: {reply.message.typed}")
        lines += [f"[{button.label}]" for button in reply.message.buttons]
    if reply.replacement is not None:
        lines.append(f"(message updated) {unmarked(reply.replacement.text)}")
    if reply.form is not None:
        filled = ", ".join(f"{f.name}={f.initial}" for f in reply.form.fields if f.initial)
        lines.append(f"form: {reply.form.title} ({filled})")
    lines += [f"✗ {name}: {error}" for name, error in reply.field_errors.items()]
    lines += [f"(to the pair) {unmarked(post.message.text)}" for post in reply.posts]
    return "\n".join(lines)


@dataclass(frozen=True)
class Said:
    """One turn: who typed what, and what they were shown."""

    who: str
    typed: str
    reply: Reply

    @property
    def header(self) -> str:
        return f"{self.who}> {self.typed}"

    @property
    def text(self) -> str:
        return shown(self.reply)

    @property
    def buttons(self) -> dict[str, str]:
        return {}  # shown among the text as [Label]


@dataclass
class Dialog:
    core: Core
    said: list[Said] = field(default_factory=list)
    buttons: dict[str, str] = field(default_factory=dict)
    form: Form | None = None

    def say(self, who: str, typed: str) -> Reply:
        user, _, where = who.partition(" in ")
        actor = Actor("console", user, user.title())
        conversation = where or None
        if typed.startswith("press "):
            label = typed.removeprefix("press ")
            assert label in self.buttons, f"no button {label!r} was shown\n{self.report()}"
            reply = self.core.press(actor, self.buttons[label], conversation)
        elif typed.startswith("submit"):
            assert self.form is not None, f"no form is open\n{self.report()}"
            values = dict(
                pair.strip().split("=", 1)
                for pair in typed.removeprefix("submit").split(";")
                if pair.strip()
            )
            reply = self.core.submit(actor, self.form.form_id, self.form.context, values)
        else:
            command, _, text = typed.removeprefix("/").partition(" ")
            reply = self.core.command(actor, command, text, conversation)
        for message in (reply.message, reply.replacement):
            if message is not None:
                self.buttons.update({b.label: b.action for b in message.buttons})
        if reply.form is not None:
            self.form = reply.form
        return reply

    def report(self, problem: str = "") -> str:
        return transcript(self.said, problem)


def verify_dialog(core: Core, rows: Sequence[Row]) -> Dialog:
    """Play ``rows`` against ``core``, checking what each caller was shown."""
    dialog = Dialog(core)
    for who, typed, expected in rows:
        dialog.said.append(Said(who, typed, dialog.say(who, typed)))
        fragments = (expected,) if isinstance(expected, str) else expected
        wanted = tuple(Not(f[1:]) if f.startswith("!") else f for f in fragments)
        check_shown(dialog.said[-1].text, wanted, dialog.report)
    return dialog
