"""Typed settings from the environment or a ``.env`` file, checked once at start-up."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLATFORMS = ("slack", "discord", "console")

# Every variable with one of these prefixes must be a setting: a misspelt one is refused, not
# ignored. (Variables of tests and benches, such as SOAK_SEED or FUZZ_EXAMPLES, have none.)
OWN_PREFIXES = ("MENTORBOT_", "SLACK_", "DISCORD_")

# What each setting holds, as the one-line refusal of a bad value says it.
EXPECTS = {
    "DATABASE_URL": "a SQLAlchemy URL such as sqlite:///mentorbot.db or "
    "postgresql://user@host/mentorbot",
    "SLACK_BOT_TOKEN": "the bot token (xoxb-…)",
    "SLACK_SIGNING_SECRET": "the Slack app's signing secret",
    "SLACK_APP_TOKEN": "the app-level token (xapp-…) for Socket Mode",
    "SLACK_API_URL": "the Slack Web API's base URL, such as https://slack.com/api/",
    "SLACK_CLIENT_ID": "the Slack app's client id (Basic Information → App Credentials)",
    "SLACK_CLIENT_SECRET": "the Slack app's client secret (Basic Information → App Credentials)",
    "SLACK_STATE_SECRET": "a long random text of your own (at least 16 characters) that signs "
    "the state of each installation",
    "PORT": "a whole number from 1 to 65535 (a TCP port such as 3000)",
    "DISCORD_BOT_TOKEN": "the Discord bot token",
    "DISCORD_GUILD_ID": "a Discord server id, a whole number such as 123456789012345678",
    "DISCORD_PAIRS_CHANNEL_ID": "a Discord channel id, a whole number such as 123456789012345678",
    "MENTORBOT_DISCORD_COORDINATOR_ROLE": "a Discord role id or name",
    "MENTORBOT_COORDINATORS": "platform user ids separated by commas, such as "
    "slack:U012ABCDEF,discord:123456789012345678",
    "MENTORBOT_TIMEZONE": "an IANA time zone such as Europe/London or America/New_York",
    "MENTORBOT_CATALOG_FILES": "catalog files (YAML) separated by commas",
    "MENTORBOT_COMPETENCIES_FILE": "a competency list (YAML), shaped as "
    "prompts/competencies/alsc.yaml",
    "MENTORBOT_TICK_SECONDS": "a whole number of seconds from 5 to 3600",
    "MENTORBOT_LATE_ROUND_DAYS": "a whole number of days from 0 to 60",
    "MENTORBOT_COMMANDS_PER_MINUTE": "a whole number from 0 (no limit) to 10000",
}


class SettingsError(RuntimeError):
    """One line naming the variable at fault and what it expects."""


class Settings(BaseSettings):
    """Everything an operator can set; names match SPEC's Configuration table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///mentorbot.db", alias="DATABASE_URL")
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(None, alias="SLACK_API_URL")
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_state_secret: str | None = Field(None, alias="SLACK_STATE_SECRET", min_length=16)
    port: int = Field(3000, alias="PORT", ge=1, le=65535)
    discord_bot_token: str | None = Field(None, alias="DISCORD_BOT_TOKEN")
    discord_guild_id: int | None = Field(None, alias="DISCORD_GUILD_ID")
    discord_pairs_channel_id: int | None = Field(None, alias="DISCORD_PAIRS_CHANNEL_ID")
    discord_coordinator_role: str | None = Field(None, alias="MENTORBOT_DISCORD_COORDINATOR_ROLE")
    coordinators: Annotated[tuple[str, ...], NoDecode] = Field((), alias="MENTORBOT_COORDINATORS")
    timezone: str = Field("UTC", alias="MENTORBOT_TIMEZONE")
    catalog_files: Annotated[tuple[Path, ...], NoDecode] = Field(
        (), alias="MENTORBOT_CATALOG_FILES"
    )
    competencies_file: Path | None = Field(None, alias="MENTORBOT_COMPETENCIES_FILE")
    tick_seconds: int = Field(60, alias="MENTORBOT_TICK_SECONDS", ge=5, le=3600)
    late_round_days: int = Field(7, alias="MENTORBOT_LATE_ROUND_DAYS", ge=0, le=60)
    # one member's commands a minute, across processes (0: no limit)
    commands_per_minute: int = Field(30, alias="MENTORBOT_COMMANDS_PER_MINUTE", ge=0, le=10_000)

    @field_validator("coordinators", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("catalog_files", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(Path(part.strip()) for part in value.split(",") if part.strip())
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone such as Europe/London") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("a SQLAlchemy URL such as sqlite:///mentorbot.db") from None
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    def coordinator_ids(self, platform: str) -> tuple[str, ...]:
        """``MENTORBOT_COORDINATORS`` for one platform: ids written ``slack:U0123`` or
        ``discord:1234…`` count on that platform only; a bare id counts on every platform."""
        found = []
        for entry in self.coordinators:
            prefix, _, rest = entry.partition(":")
            if rest and prefix in PLATFORMS:
                if prefix == platform:
                    found.append(rest)
            else:
                found.append(entry)
        return tuple(found)

    @property
    def slack_oauth(self) -> bool:
        """Installs into any workspace from ``/slack/install``, tokens kept in the database."""
        return bool(self.slack_client_id)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token) or self.slack_oauth

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_bot_token)


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; anything wrong becomes a one-line ``SettingsError`` naming
    the variable: a name that is no setting, a value of the wrong kind, a token without the
    one it needs."""
    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    for name, source in _own_names(env_file):
        _refuse_unknown(name, source)
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_described(error.errors()[0])) from None
    _check_oauth(settings)
    if not settings.slack_enabled:
        if settings.slack_app_token:
            raise SettingsError(
                "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both, the "
                "app-level token (xapp-…) to connect and the bot token (xoxb-…) to answer; set "
                "SLACK_BOT_TOKEN, or remove SLACK_APP_TOKEN."
            )
        if settings.slack_signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: Slack needs the bot "
                "token (xoxb-…) too; set SLACK_BOT_TOKEN, or remove SLACK_SIGNING_SECRET."
            )
    return settings


OAUTH_NAMES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")


def _check_oauth(settings: Settings) -> None:
    """The three OAuth settings come together, and with the signing secret that every request
    of an installed workspace is checked against."""
    given = [getattr(settings, name.lower()) is not None for name in OAUTH_NAMES]
    if any(given) and not all(given):
        missing = [name for name, set_ in zip(OAUTH_NAMES, given, strict=True) if not set_]
        present = [name for name, set_ in zip(OAUTH_NAMES, given, strict=True) if set_]
        raise SettingsError(
            f"{' and '.join(present)} {'is' if len(present) == 1 else 'are'} set but "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not: installing "
            "into many workspaces needs all three; set them, or remove "
            f"{' and '.join(present)}."
        )
    if all(given) and not settings.slack_signing_secret:
        raise SettingsError(
            "SLACK_CLIENT_ID is set but SLACK_SIGNING_SECRET is not: Slack signs every request "
            "of every installed workspace with it; set SLACK_SIGNING_SECRET."
        )


def known_names() -> list[str]:
    """Every variable mentorbot reads, as written in ``.env.example``."""
    return [str(field.alias) for field in Settings.model_fields.values()]


def _own_names(env_file: object) -> Iterator[tuple[str, str]]:
    """The names with one of our prefixes, in the environment and in the ``.env`` file(s)."""
    for name in os.environ:
        if name.upper().startswith(OWN_PREFIXES):
            yield name, "in the environment"
    files = env_file if isinstance(env_file, list | tuple) else (env_file,)
    for file in files:
        if file is not None and Path(file).is_file():
            from dotenv import dotenv_values

            for name in dotenv_values(file):
                if name.upper().startswith(OWN_PREFIXES):
                    yield name, f"in {file}"


def _refuse_unknown(name: str, source: str) -> None:
    known = known_names()
    upper = name.upper()  # pydantic-settings reads names in any case
    if upper in known:
        return
    raise SettingsError(
        f"{name} is set {source} but is not a mentorbot setting; {_did_you_mean(upper, known)}"
    )


def _did_you_mean(name: str, known: list[str]) -> str:
    for prefix in OWN_PREFIXES:  # MENTORBOT_PORT for PORT
        if name.startswith(prefix) and name.removeprefix(prefix) in known:
            return f"did you mean {name.removeprefix(prefix)}?"
    scored = sorted(
        ((difflib.SequenceMatcher(None, name, k).ratio(), k) for k in known), reverse=True
    )
    close = [k for ratio, k in scored[:2] if ratio >= 0.8 and ratio == scored[0][0]]
    if close:
        return f"did you mean {' or '.join(close)}?"
    return "the settings are listed in .env.example."


def _described(error: Any) -> str:
    """A pydantic error as a sentence: the variable, what it expects, and what it holds."""
    name = str(error["loc"][0]) if error["loc"] else ""
    field = Settings.model_fields.get(name)
    variable = field.alias if field and field.alias else name
    if not variable:
        return f"The settings are not valid: {error['msg'].removeprefix('Value error, ')}."
    expects = EXPECTS.get(variable) or error["msg"].removeprefix("Value error, ")
    return f"{variable} must be {expects}; {_holds(variable, error.get('input'))}."


def _holds(variable: str, value: object) -> str:
    """What the variable is set to, never a secret's value, nor a password in a URL."""
    if variable.endswith(("_TOKEN", "_SECRET")):
        return "its value is not shown"
    text = str(value)
    if not text.strip():
        return "it is empty"
    text = re.sub(r"(?<=:)[^:@/]*(?=@)", "***", text)  # user:password@host
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    if len(text) > 80:
        text = text[:79] + "…"
    return f"it is set to “{text}”"
