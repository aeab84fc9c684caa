"""What Slack sends, reduced to what listeners use: parsed here once, never by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import UnknownAction
from bot.slack.ids import ActionId, ButtonValue


@dataclass(frozen=True)
class Click:
    """A button press, reduced to what listeners use."""

    user: str
    channel: str
    message_ts: str
    thread_ts: str
    trigger_id: str
    action_id: str
    value: str
    response_url: str = ""

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Click:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        message = body.get("message") or {}
        message_ts = str(container.get("message_ts") or message.get("ts") or "")
        action_id, value = str(action.get("action_id", "")), str(action.get("value", ""))
        if action.get("type") == "overflow":
            value = str((action.get("selected_option") or {}).get("value", ""))
            action_id = chosen_action(value)
        return cls(
            user=str((body.get("user") or {}).get("id", "")),
            channel=str((body.get("channel") or {}).get("id") or container.get("channel_id", "")),
            message_ts=message_ts,
            thread_ts=str(container.get("thread_ts") or message.get("thread_ts") or message_ts),
            trigger_id=str(body.get("trigger_id", "")),
            action_id=action_id,
            value=value,
            response_url=str(body.get("response_url", "")),
        )


def chosen_action(value: str) -> str:
    """The action an overflow option names; "" (an unknown button) when it names none."""
    try:
        chosen = ButtonValue.decode(value).x
    except UnknownAction:
        return ""
    return "" if chosen == ActionId.MORE else chosen


def user_of(body: dict[str, Any]) -> str:
    """The Slack user who sent a command, click, submission or shortcut.

    Interactive payloads name their user in `user.id`; only a slash command has a
    top-level `user_id`, so one beside `user` never decides who is asking.
    """
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    if body.get("command"):
        return str(body.get("user_id", ""))
    return str(user or "")


def channel_of(body: dict[str, Any]) -> str:
    """Where the request came from; a modal's submission carries it in its metadata."""
    channel = body.get("channel_id") or body.get("channel") or ""
    if isinstance(channel, dict):
        return str(channel.get("id", ""))
    if channel:
        return str(channel)
    container = body.get("container") or {}
    return str(container.get("channel_id", ""))


def described(body: dict[str, Any]) -> str:
    """The request in a few words for the log: which button, command or view."""
    actions = body.get("actions") or []
    if actions and isinstance(actions[0], dict):
        return f"button {str(actions[0].get('action_id', ''))[:40]}"
    if body.get("command"):
        return f"command {str(body['command'])[:20]}"
    view = body.get("view") or {}
    return f"{body.get('type', 'request')} {str(view.get('callback_id', ''))[:40]}".strip()
