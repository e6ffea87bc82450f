"""Typed settings from the environment or a ``.env`` file, checked once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLATFORMS = ("slack", "discord", "console")


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
            raise ValueError(f"an IANA time zone such as Europe/London, not {value!r}") from None
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
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_bot_token)


def load_settings(**overrides: object) -> Settings:
    """Read and check the settings; a bad one becomes a one-line ``SettingsError``."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "settings"
        field = Settings.model_fields.get(name)
        variable = field.alias if field and field.alias else name
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{variable}: expected {message}") from None
