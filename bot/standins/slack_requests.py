"""Requests as Slack sends them to an app: form-encoded, signed, over HTTP; for demo and tests."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier


@dataclass
class SlackRequests:
    """Sends slash commands and interactions to a running keycheck at `url`."""

    url: str
    signing_secret: str
    team_id: str = "T0KEYCHECK"
    # Issues a response_url (channel, user, clicked message ts or ""), as Slack does for
    # each request: the Slack stand-in's `issue_response_url`. Without it, a dead URL.
    response_urls: Callable[[str, str, str], str] | None = None

    def response_url(self, channel: str, user: str, source_ts: str = "") -> str:
        if self.response_urls is None:
            return f"{self.url}/response-url-unused"
        return self.response_urls(channel, user, source_ts)

    def post(
        self, body: str, *, sign: bool = True, timestamp: int | None = None
    ) -> tuple[int, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if sign:
            headers["X-Slack-Request-Timestamp"] = ts
            signature = SignatureVerifier(self.signing_secret).generate_signature(
                timestamp=ts, body=body
            )
            headers["X-Slack-Signature"] = signature or ""
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("the app's URL must be http(s)")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            f"{self.url}/slack/events", data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def command(self, text: str, *, user: str, channel: str = "C0ALERTS") -> tuple[int, str]:
        """A `/keycheck` slash command."""
        form = {
            "token": "legacy-unused",
            "team_id": self.team_id,
            "channel_id": channel,
            "channel_name": "security-alerts",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/keycheck",
            "text": text,
            "response_url": self.response_url(channel, user),
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "api_app_id": "A0KEYCHECK",
        }
        return self.post(urllib.parse.urlencode(form))

    def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        """A block action, view submission or shortcut: `payload=` JSON, form-encoded."""
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}))

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        channel: str,
        message_ts: str,
        trigger_id: str = "",
        thread_ts: str = "",
    ) -> tuple[int, str]:
        """A button press on a message, as Slack sends `block_actions`.

        `trigger_id` is Slack's to issue: pass one from the Slack stand-in so the modal the
        click opens is tied to the channel, as in Slack. `thread_ts` names the thread of a
        reply that was pressed (a top-level message is its own thread).
        """
        container = {"type": "message", "channel_id": channel, "message_ts": message_ts}
        if thread_ts and thread_ts != message_ts:
            container["thread_ts"] = thread_ts
        return self.interaction(
            {
                "type": "block_actions",
                "team": {"id": self.team_id},
                "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
                "api_app_id": "A0KEYCHECK",
                "trigger_id": trigger_id or f"trigger-{time.monotonic_ns()}",
                "channel": {"id": channel},
                "container": container,
                "message": {"ts": message_ts, "thread_ts": thread_ts or message_ts},
                "response_url": self.response_url(channel, user, message_ts),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": "kc_actions",
                        "value": value,
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def choose(
        self,
        option_value: str,
        *,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str = "kc_more",
        trigger_id: str = "",
    ) -> tuple[int, str]:
        """A choice in a message's overflow menu, as Slack sends `block_actions`."""
        return self.interaction(
            {
                "type": "block_actions",
                "team": {"id": self.team_id},
                "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
                "api_app_id": "A0KEYCHECK",
                "trigger_id": trigger_id or f"trigger-{time.monotonic_ns()}",
                "channel": {"id": channel},
                "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
                "message": {"ts": message_ts, "thread_ts": message_ts},
                "response_url": f"{self.url}/response-url-unused",
                "actions": [
                    {
                        "type": "overflow",
                        "action_id": action_id,
                        "block_id": "kc_actions",
                        "selected_option": {
                            "text": {"type": "plain_text", "text": "chosen"},
                            "value": option_value,
                        },
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def submit(self, view: dict[str, Any], *, user: str, values: dict[str, Any]) -> tuple[int, str]:
        """A modal's submission with its inputs filled in, as Slack sends `view_submission`."""
        return self.interaction(
            {
                "type": "view_submission",
                "team": {"id": self.team_id},
                "user": {"id": user, "username": user.lower()},
                "api_app_id": "A0KEYCHECK",
                "trigger_id": f"trigger-{time.monotonic_ns()}",
                "view": {**view, "state": {"values": values}},
            }
        )
