"""The app manifests declare exactly the commands, scopes and endpoints the app uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.commands import COMMANDS
from bot.core.grammar import description, usage_hint
from bot.slack_app.app import EVENTS_PATH
from bot.slack_app.installations import BOT_SCOPES, REDIRECT_PATH

ROOT = Path(__file__).resolve().parents[2]
SCOPES = {
    "commands",
    "chat:write",
    "im:write",
    "mpim:write",
    "mpim:history",
    "users:read",
    "users:read.email",
    "files:write",
}


def manifest(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest.socket.yaml"])
def test_manifest_declares_the_commands_as_the_core_declares_them(name):
    """Every core command is a slash command, described and hinted from its declaration;
    mentions arrive escaped as <@U…> ids."""
    commands = manifest(name)["features"]["slash_commands"]
    declared = {c.slash: (description(c), usage_hint(c)) for c in COMMANDS}
    assert {c["command"]: (c["description"], c["usage_hint"]) for c in commands} == declared
    assert all(c["should_escape"] is True for c in commands)
    assert all(len(c["description"]) <= 100 for c in commands)  # one line in Slack's list


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest.socket.yaml"])
def test_manifest_asks_exactly_the_scopes_used_and_one_event(name):
    """Bot scopes match the Web API methods the app calls; the events are the Home tab
    being opened and the app being uninstalled or its tokens revoked; the Home tab is on."""
    data = manifest(name)
    assert set(data["oauth_config"]["scopes"]["bot"]) == SCOPES == set(BOT_SCOPES)
    assert data["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    ]
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True


def test_http_manifest_points_everything_at_the_events_path():
    """Commands and interactivity go to /slack/events; Socket Mode is off."""
    data = manifest("manifest.yaml")
    urls = [c["url"] for c in data["features"]["slash_commands"]]
    urls.append(data["settings"]["interactivity"]["request_url"])
    urls.append(data["settings"]["event_subscriptions"]["request_url"])
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert data["settings"]["socket_mode_enabled"] is False


def test_socket_manifest_has_no_urls_and_socket_mode_on():
    """The Socket Mode variant needs no public address."""
    data = manifest("manifest.socket.yaml")
    assert all("url" not in c for c in data["features"]["slash_commands"])
    assert "request_url" not in data["settings"]["interactivity"]
    assert "request_url" not in data["settings"]["event_subscriptions"]
    assert data["settings"]["socket_mode_enabled"] is True


def test_http_manifest_sends_installers_back_to_the_redirect_path():
    """Installing from /slack/install into any workspace comes back to bolt's redirect path."""
    [url] = manifest("manifest.yaml")["oauth_config"]["redirect_urls"]
    assert url == f"https://YOUR-HOST{REDIRECT_PATH}"
