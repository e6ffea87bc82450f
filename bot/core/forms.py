"""Forms: which form does a verb's job, how it is built again from its context, and drafts.

A form's ``context`` is a short string (``pair:12``, ``pair:12:goal:3``) that travels with it
through the platform and comes back on submission; it is checked against the member submitting
it every time, so a form for another pair is refused. A draft keeps what a member typed into a
refused command or form, so a button can open the form again filled in with it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from bot.core.context import Request
from bot.core.errors import InputError
from bot.core.replies import Button, ButtonStyle, Form, Reply
from prompts.messages import render
from storage.models import Draft, Pair

DRAFT_PREFIX = "form:"
DRAFT_DAYS = 7
OUT_OF_DATE = render("forms.out_of_date")


@dataclass(frozen=True)
class FormKind:
    """A form the core can open: ``context`` says which one fits a verb's values (None when
    none does), ``build`` makes it for a context, ``submit`` handles what comes back."""

    form_id: str
    context: Callable[[Request, Pair, Mapping[str, Any]], str | None]
    build: Callable[[Request, str], Form]
    submit: Callable[[Request, str, Mapping[str, object]], Reply]


def context_pair(request: Request, context: str) -> tuple[Pair, list[str]]:
    """The pair a form's context names (the caller must be in it), and the context's rest."""
    kind, _, rest = context.partition(":")
    pair_id, _, more = rest.partition(":")
    if kind != "pair" or not pair_id.isascii() or not pair_id.isdigit():
        raise InputError(OUT_OF_DATE)
    pair = request.session.get(Pair, int(pair_id))
    if pair is None or request.person.id not in (pair.mentor_id, pair.mentee_id):
        raise InputError(render("forms.not_your_pair"))
    return pair, more.split(":") if more else []


def keep_draft(
    request: Request, form_id: str, context: str, values: Mapping[str, object]
) -> Button:
    """Store what was typed and return the button that opens the form filled in with it."""
    session = request.session
    session.execute(  # the member's earlier draft of this form, and everyone's old ones
        delete(Draft).where(
            ((Draft.person_id == request.person.id) & (Draft.form_id == form_id))
            | (Draft.created_at < request.now - dt.timedelta(DRAFT_DAYS))
        )
    )
    kept = {name: _plain(value) for name, value in values.items() if value not in (None, "")}
    draft = Draft(
        token=secrets.token_hex(8),
        person_id=request.person.id,
        form_id=form_id,
        context=context,
        values=kept,
        created_at=request.now,
    )
    session.add(draft)
    return Button(render("forms.open_the_form"), DRAFT_PREFIX + draft.token, ButtonStyle.PRIMARY)


def open_draft(request: Request, token: str, forms: Mapping[str, FormKind]) -> Reply:
    """The form of the caller's draft ``token``, filled in with what they typed."""
    draft = request.session.scalar(select(Draft).where(Draft.token == token))
    if draft is None or draft.person_id != request.person.id or draft.form_id not in forms:
        raise InputError(render("forms.draft_gone"))
    form = forms[draft.form_id].build(request, draft.context)
    return Reply(form=form.filled(draft.values))


def _plain(value: object) -> object:
    """A value as a form field takes it back: text, or a list of texts."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
