"""Errors the core turns into a plain sentence for the user."""

from __future__ import annotations


class InputError(ValueError):
    """A wrong input: the message says what was wrong and what to type instead.

    ``field`` names the form field at fault, so adapters can show the sentence beside it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(InputError):
    """The caller may not do this; the message says so politely."""
