"""The Slack app manifests: the same app over HTTP and Socket Mode, with exactly the scopes
the code's Slack calls need."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.slack.ids import CallbackId
from tests.conftest import REPO
from tests.infra.cfn import INFRA

HTTP = yaml.safe_load((INFRA / "slack-manifest.yaml").read_text())
SOCKET = yaml.safe_load((INFRA / "slack-manifest-socket-mode.yaml").read_text())
REQUEST_URL = "https://YOUR-HOST/slack/events"

# Slack Web API method (as slack_sdk names it) -> the bot scope it needs (None: no scope).
METHOD_SCOPES: dict[str, str | None] = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_getPermalink": None,
    "views_open": None,
    "views_push": None,
    "views_update": None,
    "users_info": "users:read",
    "usergroups_users_list": "usergroups:read",
    "pins_add": "pins:write",
    "conversations_create": "channels:manage",
    "conversations_invite": "channels:manage",
    "conversations_archive": "channels:manage",
    "conversations_join": "channels:join",
    "conversations_info": "channels:read",
    "files_upload_v2": "files:write",
    "reactions_add": "reactions:write",
    "users_lookupByEmail": "users:read.email",
    "conversations_open": "im:write",
}
# Scopes Slack grants only together with another (users:read.email needs users:read).
ALSO_NEEDED = {"users:read.email": "users:read"}
# Bolt listener registrations -> the scope the app needs to receive them.
LISTENER_SCOPES = {"command": "commands", "shortcut": "commands"}
EVENT_SCOPES = {"app_mention": "app_mentions:read"}


def slack_sources() -> list[Path]:
    paths = [*(REPO / "bot").rglob("*.py"), *(REPO / "handlers").rglob("*.py")]
    excluded = (REPO / "bot" / "aws", REPO / "bot" / "standins")
    return [p for p in paths if not any(p.is_relative_to(e) for e in excluded)]


def code_scopes() -> set[str]:
    scopes: set[str] = set()
    for path in slack_sources():
        text = path.read_text()
        for method in re.findall(r"\bclient\.([a-z]+_[A-Za-z0-9_]+)\(", text):
            if method not in METHOD_SCOPES:
                pytest.fail(f"{path.relative_to(REPO)} calls {method}: add its scope here")
            scopes.add(METHOD_SCOPES[method] or "")
            scopes.add(ALSO_NEEDED.get(METHOD_SCOPES[method] or "", ""))
        for listener in re.findall(r"\bapp\.(command|shortcut)\(", text):
            scopes.add(LISTENER_SCOPES[listener])
        for event in code_events(text):
            scopes.add(EVENT_SCOPES[event])
    return scopes - {""}


def code_events(text: str) -> list[str]:
    return re.findall(r"""\bapp\.event\(\s*["']([a-z_]+)["']""", text)


def urls(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k in ("url", "request_url")]
        return found + [u for v in node.values() for u in urls(v)]
    if isinstance(node, list):
        return [u for item in node for u in urls(item)]
    return []


def test_scopes_are_exactly_what_the_code_uses() -> None:
    assert set(HTTP["oauth_config"]["scopes"]["bot"]) == code_scopes()


def test_both_manifests_describe_the_same_app() -> None:
    for key in ("display_information", "oauth_config"):
        assert HTTP[key] == SOCKET[key]
    for manifest in (HTTP, SOCKET):
        (command,) = manifest["features"]["slash_commands"]
        assert command["command"] == "/keycheck"
        (shortcut,) = manifest["features"]["shortcuts"]
        assert (shortcut["type"], shortcut["callback_id"]) == (
            "message",
            CallbackId.LOOKUP_SHORTCUT.value,
        )
        assert manifest["settings"]["interactivity"]["is_enabled"] is True
    events = [e for p in slack_sources() for e in code_events(p.read_text())]
    assert HTTP["settings"]["event_subscriptions"]["bot_events"] == sorted(set(events))
    assert SOCKET["settings"]["event_subscriptions"]["bot_events"] == sorted(set(events))


def test_http_manifest_sends_everything_to_slack_events() -> None:
    assert HTTP["settings"]["socket_mode_enabled"] is False
    assert urls(HTTP) == [REQUEST_URL] * 3


def test_socket_mode_manifest_has_no_urls() -> None:
    assert SOCKET["settings"]["socket_mode_enabled"] is True
    assert urls(SOCKET) == []
