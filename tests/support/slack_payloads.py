"""Interaction payloads as Slack builds them, for transports other than signed HTTP forms.

Socket Mode envelopes and Lambda function-URL events carry the same `block_actions` and
`view_submission` objects that `SlackRequests` posts; a test gives the trigger_id the
Slack stand-in issued, so a modal opened with it is held to Slack's three seconds.
"""

from __future__ import annotations

import time
from typing import Any

from bot.slack.modals import REASON_BLOCK, REASON_INPUT

TEAM = "T0KEYCHECK"
APP = "A0KEYCHECK"


def button_press(
    button: dict[str, Any], *, user: str, channel: str, message_ts: str, trigger_id: str
) -> dict[str, Any]:
    """A press of a drawn `button` (its action_id and value) on the message at `message_ts`."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": APP,
        "trigger_id": trigger_id,
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
        "message": {"ts": message_ts},
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "kc_actions",
                "value": button["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def reason_submission(
    view: dict[str, Any], *, user: str, reason: str, trigger_id: str
) -> dict[str, Any]:
    """A modal's submission with its reason box filled in (empty when `reason` is)."""
    values = {REASON_BLOCK: {REASON_INPUT: {"type": "plain_text_input", "value": reason}}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "username": user.lower()},
        "api_app_id": APP,
        "trigger_id": trigger_id,
        "view": {**view, "state": {"values": values}},
    }
