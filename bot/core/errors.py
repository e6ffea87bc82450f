"""Errors the core turns into a plain sentence for the user, and the apology for the rest."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from prompts.messages import render


@dataclass(frozen=True)
class FormOffer:
    """The form that does a refused command's job, and what could be read for it."""

    form_id: str
    context: str
    values: Mapping[str, object] = field(default_factory=dict)


class InputError(ValueError):
    """A wrong input: the message says what was wrong and what to type instead.

    ``field`` names the form field at fault, so adapters can show the sentence beside it;
    ``offer`` is a form that can do the job instead, filled in with what could be read.
    """

    def __init__(
        self, message: str, *, field: str | None = None, offer: FormOffer | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.offer = offer


class PlatformUnreachable(RuntimeError):
    """A platform could not be reached at start-up (no network, its servers down): the
    operator gets this one sentence, not the network library's traceback."""


class PermissionDenied(InputError):
    """The caller may not do this; the message says so politely."""


def apology(
    logger: logging.Logger, what: str, *args: object, error: BaseException | None = None
) -> str:
    """Log ``error`` (by default the exception being handled) with a short reference, and
    return the apology carrying the same reference, so an operator finds the line a user
    quotes."""
    reference = secrets.token_hex(3)
    logger.error(what + " [reference %s]", *args, reference, exc_info=error or True)
    return render("errors.sorry", ref=reference)
